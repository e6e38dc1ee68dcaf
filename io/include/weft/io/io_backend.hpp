#pragma once
// IoBackend: which of the operating system's readiness primitives a Reactor's Poller uses.
// Which ones exist depends on the platform and on how weft was built:
//
//   epoll    Linux (the default there)
//   kqueue   the BSDs and macOS (the default there); on Linux only when weft was built
//            against libkqueue (CMake WEFT_LIBKQUEUE_PREFIX), an emulation for testing
//   iocp     Windows: a completion port fed by AFD poll requests (the default there)
//
// Config key `io_backend` (env WEFT_IO_BACKEND) selects one by name.

#include <cstdint>
#include <optional>
#include <span>
#include <string>
#include <string_view>

namespace weft::io {

enum class IoBackend : std::uint8_t { epoll, kqueue, iocp };

// "epoll", "kqueue", "iocp".
std::string_view to_string(IoBackend backend) noexcept;
// The backend named `name` (exact, lower case), whether or not this build has it.
std::optional<IoBackend> parse_io_backend(std::string_view name) noexcept;

// The backends this build of weft has, the platform's default first.
std::span<const IoBackend> available_io_backends() noexcept;
bool is_available(IoBackend backend) noexcept;
IoBackend default_io_backend() noexcept;
// "epoll, kqueue": the available backends, for error messages.
std::string available_io_backend_names();

}  // namespace weft::io
