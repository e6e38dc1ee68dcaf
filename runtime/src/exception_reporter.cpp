#include <weft/runtime/detail/exception_reporter.hpp>

#include <map>
#include <memory>
#include <mutex>

namespace weft::detail {

namespace {

struct Registry {
  std::mutex mutex;
  std::uint64_t next_id = 1;
  std::map<std::uint64_t, std::shared_ptr<const ExceptionHandler>> handlers;
  // Held while a handler runs, so that unregistering waits for it (a handler may refer to
  // the runtime's owner). Separate from `mutex` so that handlers may spawn or report.
  std::recursive_mutex calling;
};

Registry& registry() {
  static Registry instance;
  return instance;
}

}  // namespace

std::uint64_t register_exception_handler(ExceptionHandler handler) {
  Registry& r = registry();
  std::lock_guard lock(r.mutex);
  const std::uint64_t id = r.next_id++;
  r.handlers.emplace(id, std::make_shared<const ExceptionHandler>(std::move(handler)));
  return id;
}

void unregister_exception_handler(std::uint64_t id) noexcept {
  Registry& r = registry();
  std::lock_guard calling(r.calling);
  std::lock_guard lock(r.mutex);
  r.handlers.erase(id);
}

void report_unhandled_exception(std::uint64_t id, std::exception_ptr error) noexcept {
  Registry& r = registry();
  std::lock_guard calling(r.calling);
  std::shared_ptr<const ExceptionHandler> handler;
  {
    std::lock_guard lock(r.mutex);
    auto it = r.handlers.find(id);
    if (it == r.handlers.end()) return;
    handler = it->second;
  }
  if (*handler) (*handler)(error);
}

}  // namespace weft::detail
