// `weft-bench hop --workers W [--rounds N]`: the reactor hop, measured.
//
// A plain thread writes its steady_clock timestamp into one end of a socketpair; a task on
// the runtime waits for the other end to become readable (registration with the reactor,
// EAGAIN, poll_ready), reads the timestamp and notes how long ago it was written; then it
// acknowledges so the writer sends the next one. The latency is write() syscall + epoll
// wakeup of the reactor thread + the reactor's batch reaching a worker's inbox + that
// worker waking (if it slept) and polling the task: the whole cost of the dedicated reactor
// thread design for one event. The runtime's metrics give wakes per unpark (how many task
// wakes each worker wakeup served) over the run.

#include <fcntl.h>
#include <sys/socket.h>
#include <unistd.h>

#include <algorithm>
#include <array>
#include <cerrno>
#include <chrono>
#include <cstdint>
#include <cstdio>
#include <system_error>
#include <thread>
#include <vector>

#include <weft/io/current_reactor.hpp>
#include <weft/io/file_descriptor.hpp>
#include <weft/weft.hpp>

#include "cli.hpp"
#include "commands.hpp"

namespace weft::bench {
namespace {

using Clock = std::chrono::steady_clock;

std::uint64_t now_ns() {
  return static_cast<std::uint64_t>(
      std::chrono::duration_cast<std::chrono::nanoseconds>(Clock::now().time_since_epoch())
          .count());
}

// Reads one 8-byte value from a non-blocking socket registered with the reactor, following
// the reactor's protocol: snapshot, syscall, on EAGAIN clear and wait.
class ReadValue {
 public:
  ReadValue(io::Reactor& reactor, const io::RegistrationHandle& registration) noexcept
      : reactor_(&reactor), registration_(&registration) {}

  Poll<std::uint64_t> poll(Context& cx) {
    for (;;) {
      const io::ReadyEvent seen = reactor_->readiness(*registration_, io::Direction::read);
      std::uint64_t value = 0;
      const ssize_t n = ::read(registration_->fd(), &value, sizeof value);
      if (n == static_cast<ssize_t>(sizeof value)) return value;
      if (n < 0 && errno == EAGAIN) {
        reactor_->clear_readiness(*registration_, seen);
        if (!reactor_->poll_ready(*registration_, io::Direction::read, cx)) return pending;
        continue;
      }
      throw std::system_error(n < 0 ? errno : EPROTO, std::generic_category(), "hop: read");
    }
  }

 private:
  io::Reactor* reactor_;
  const io::RegistrationHandle* registration_;
};

Task<void> measure_hops(int fd, int rounds, std::vector<double>* latencies_us) {
  io::Reactor& reactor = io::current_reactor();
  const io::RegistrationHandle registration = reactor.register_fd(fd);
  for (int i = 0; i < rounds; ++i) {
    const std::uint64_t written = co_await ReadValue(reactor, registration);
    latencies_us->push_back(static_cast<double>(now_ns() - written) / 1e3);
    const char ack = 1;
    if (::write(fd, &ack, 1) != 1) throw std::system_error(errno, std::generic_category(), "ack");
  }
}

double percentile(std::vector<double>& sorted, double p) {
  const auto index = static_cast<std::size_t>(p * static_cast<double>(sorted.size() - 1));
  return sorted[index];
}

std::uint64_t total_unparks(const Runtime& runtime) {
  std::uint64_t sum = 0;
  for (const WorkerMetrics& m : runtime.metrics()) sum += m.unparks;
  return sum;
}

}  // namespace

int hop_command(std::span<char* const> args) {
  constexpr std::array<std::string_view, 2> kKnown = {"--workers", "--rounds"};
  const Flags flags(args, kKnown);
  const int workers = flags.required_int("--workers", 1, 1024);
  const int rounds = static_cast<int>(flags.optional_positive("--rounds", 20'000, 10'000'000));

  std::array<int, 2> pair{};
  if (::socketpair(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0, pair.data()) != 0) {
    throw std::system_error(errno, std::generic_category(), "socketpair");
  }
  io::FileDescriptor writer_end(pair[0]);
  io::FileDescriptor task_end(pair[1]);
  const int flags_now = ::fcntl(task_end.get(), F_GETFL);
  ::fcntl(task_end.get(), F_SETFL, flags_now | O_NONBLOCK);

  Runtime runtime(
      Config::builder().from_env().worker_threads(static_cast<std::size_t>(workers)).build());
  std::vector<double> latencies;
  latencies.reserve(static_cast<std::size_t>(rounds));
  const io::ReactorMetrics reactor_before = runtime.reactor().metrics();
  const std::uint64_t unparks_before = total_unparks(runtime);

  auto handle = runtime.spawn(measure_hops(task_end.get(), rounds, &latencies));
  std::thread writer([fd = writer_end.get(), rounds] {
    for (int i = 0; i < rounds; ++i) {
      const std::uint64_t stamp = now_ns();
      if (::write(fd, &stamp, sizeof stamp) != static_cast<ssize_t>(sizeof stamp)) return;
      char ack = 0;
      if (::read(fd, &ack, 1) != 1) return;  // blocking: wait for the task's acknowledgement
    }
  });
  runtime.block_on(std::move(handle));
  writer.join();

  const io::ReactorMetrics reactor_after = runtime.reactor().metrics();
  const std::uint64_t unparks = total_unparks(runtime) - unparks_before;
  const std::uint64_t wakes = reactor_after.wakes - reactor_before.wakes;
  std::sort(latencies.begin(), latencies.end());
  double sum = 0;
  for (double v : latencies) sum += v;
  std::printf(
      "runtime=weft hop workers=%d rounds=%d mean_us=%.2f p50_us=%.2f p99_us=%.2f "
      "reactor_wakes=%llu worker_unparks=%llu wakes_per_unpark=%.2f\n",
      workers, rounds, sum / static_cast<double>(latencies.size()), percentile(latencies, 0.5),
      percentile(latencies, 0.99), static_cast<unsigned long long>(wakes),
      static_cast<unsigned long long>(unparks),
      unparks == 0 ? 0.0 : static_cast<double>(wakes) / static_cast<double>(unparks));
  return 0;
}

}  // namespace weft::bench
