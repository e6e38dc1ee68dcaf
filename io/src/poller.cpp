#include <weft/io/poller.hpp>

#if defined(__linux__)
#include "epoll_poller.hpp"
#else
#error "weft::io has a Poller backend for Linux only so far (kqueue and IOCP are planned)"
#endif

namespace weft::io {

std::unique_ptr<Poller> make_poller() {
  return std::make_unique<EpollPoller>();
}

}  // namespace weft::io
