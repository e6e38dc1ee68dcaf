#include <weft/io/poller.hpp>

#include <stdexcept>
#include <string>

// One include per backend this build compiles (io/src/backends.cmake decides).
#if defined(WEFT_HAVE_EPOLL)
#include "epoll_poller.hpp"
#endif
#if defined(WEFT_HAVE_KQUEUE)
#include "kqueue_poller.hpp"
#endif
#if defined(WEFT_HAVE_IOCP)
#include "iocp_poller.hpp"
#endif

namespace weft::io {

std::unique_ptr<Poller> make_poller(IoBackend backend) {
  switch (backend) {
#if defined(WEFT_HAVE_EPOLL)
    case IoBackend::epoll:
      return std::make_unique<EpollPoller>();
#endif
#if defined(WEFT_HAVE_KQUEUE)
    case IoBackend::kqueue:
      return std::make_unique<KqueuePoller>();
#endif
#if defined(WEFT_HAVE_IOCP)
    case IoBackend::iocp:
      return std::make_unique<IocpPoller>();
#endif
    default:
      break;
  }
  throw std::invalid_argument(
      "weft: io backend " + std::string(to_string(backend)) +
      " is not available in this build (available: " + available_io_backend_names() + ")");
}

}  // namespace weft::io
