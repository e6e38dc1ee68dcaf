#include <weft/io/io_backend.hpp>

#include <array>

namespace weft::io {

namespace {

// io/src/backends.cmake defines WEFT_HAVE_<BACKEND> for each backend it compiles, listing the
// platform's own primitive first so that it is the default.
constexpr auto kAvailable = std::to_array<IoBackend>({
#if defined(WEFT_HAVE_IOCP)
  IoBackend::iocp,
#endif
#if defined(WEFT_HAVE_EPOLL)
      IoBackend::epoll,
#endif
#if defined(WEFT_HAVE_KQUEUE)
      IoBackend::kqueue,
#endif
});
static_assert(!kAvailable.empty(), "io/src/backends.cmake compiled no Poller backend");

constexpr std::array<std::string_view, 3> kNames = {"epoll", "kqueue", "iocp"};

}  // namespace

std::string_view to_string(IoBackend backend) noexcept {
  return kNames[static_cast<std::size_t>(backend)];
}

std::optional<IoBackend> parse_io_backend(std::string_view name) noexcept {
  for (std::size_t i = 0; i < kNames.size(); ++i) {
    if (kNames[i] == name) return static_cast<IoBackend>(i);
  }
  return std::nullopt;
}

std::span<const IoBackend> available_io_backends() noexcept {
  return kAvailable;
}

bool is_available(IoBackend backend) noexcept {
  for (const IoBackend available : kAvailable) {
    if (available == backend) return true;
  }
  return false;
}

IoBackend default_io_backend() noexcept {
  return kAvailable.front();
}

std::string available_io_backend_names() {
  std::string names;
  for (const IoBackend backend : kAvailable) {
    if (!names.empty()) names += ", ";
    names += to_string(backend);
  }
  return names;
}

}  // namespace weft::io
