#pragma once
// KqueuePoller: the BSD and macOS backend (and Linux's over libkqueue, to test it there). A
// descriptor is watched by up to two filters, EVFILT_READ and EVFILT_WRITE, both with EV_CLEAR
// so that they report edges, and both carrying the caller's token. wake() triggers an
// EVFILT_USER event (also EV_CLEAR, so that wakes coalesce), which wait() swallows.

#include <array>
#include <vector>

#include <sys/types.h>  // some BSDs' <sys/event.h> uses its types without including it

#include <sys/event.h>

#include <weft/io/file_descriptor.hpp>
#include <weft/io/poller.hpp>

namespace weft::io {

class KqueuePoller final : public Poller {
 public:
  KqueuePoller();  // throws std::system_error if the kqueue or its wake event cannot be made

  void add(NativeHandle fd, std::uint64_t token, Interest interest) override;
  void modify(NativeHandle fd, std::uint64_t token, Interest interest) override;
  void remove(NativeHandle fd) override;
  std::size_t wait(std::span<Event> events,
                   std::optional<std::chrono::nanoseconds> timeout) override;
  void wake() override;

 private:
  using Kevent = struct kevent;  // plain `kevent` names the function

  std::array<int, 2> submit(std::span<Kevent> changes, const char* what);
  void add_filters(NativeHandle fd, std::uint64_t token, Interest interest, const char* what);
  void delete_filters(NativeHandle fd, const char* what);

  FileDescriptor kqueue_;
  std::vector<Kevent> buffer_;  // used by the single waiting thread only
};

}  // namespace weft::io
