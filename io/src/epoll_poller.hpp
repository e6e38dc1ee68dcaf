#pragma once
// EpollPoller: the Linux backend. Every descriptor is watched edge-triggered (EPOLLET), with
// EPOLLRDHUP so that a peer's half-close is seen as hang-up. wake() writes to an eventfd that
// is itself watched (edge-triggered) under Poller::kWakeToken and drained when it fires.

#include <vector>

#include <sys/epoll.h>

#include <weft/io/file_descriptor.hpp>
#include <weft/io/poller.hpp>

namespace weft::io {

class EpollPoller final : public Poller {
 public:
  EpollPoller();  // throws std::system_error if epoll or eventfd cannot be created

  void add(NativeHandle fd, std::uint64_t token, Interest interest) override;
  void modify(NativeHandle fd, std::uint64_t token, Interest interest) override;
  void remove(NativeHandle fd) override;
  std::size_t wait(std::span<Event> events,
                   std::optional<std::chrono::nanoseconds> timeout) override;
  void wake() override;

 private:
  void control(int op, int fd, std::uint64_t token, Interest interest, const char* what);
  void drain_wake() noexcept;

  FileDescriptor epoll_;
  FileDescriptor wake_;
  std::vector<epoll_event> buffer_;  // used by the single waiting thread only
};

}  // namespace weft::io
