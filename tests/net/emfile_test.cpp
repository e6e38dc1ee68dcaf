// EMFILE on accept: with the descriptor table full, the listener backs off on a timer
// instead of spinning, and serves the waiting connections once descriptors free up.

#include <sys/resource.h>
#include <sys/socket.h>
#include <unistd.h>

#include <dirent.h>
#include <fcntl.h>

#include "net_test_support.hpp"

namespace {

using namespace weft_net_test;

// Restores RLIMIT_NOFILE when destroyed.
class FdLimitGuard {
 public:
  FdLimitGuard() { ::getrlimit(RLIMIT_NOFILE, &saved_); }
  FdLimitGuard(const FdLimitGuard&) = delete;
  FdLimitGuard& operator=(const FdLimitGuard&) = delete;
  ~FdLimitGuard() { ::setrlimit(RLIMIT_NOFILE, &saved_); }
  const rlimit& saved() const { return saved_; }

 private:
  rlimit saved_{};
};

int highest_open_fd() {
  int highest = 0;
  DIR* dir = ::opendir("/proc/self/fd");
  if (dir == nullptr) return 1024;
  while (const dirent* entry = ::readdir(dir)) {
    highest = std::max(highest, std::atoi(entry->d_name));
  }
  ::closedir(dir);
  return highest;
}

Task<void> accept_n(TcpListener& listener, int n, std::atomic<int>& accepted) {
  std::vector<TcpStream> streams;
  while (accepted.load() < n) {
    auto [stream, peer] = co_await listener.accept();
    streams.push_back(std::move(stream));
    accepted.fetch_add(1);
  }
}

Task<void> emfile_body(const FdLimitGuard& limits) {
  constexpr int kClients = 3;
  TcpListener listener = loopback_listener();
  std::atomic<int> accepted{0};
  auto acceptor = weft::spawn(accept_n(listener, kClients, accepted));

  // The clients' descriptors exist before the table is filled; they connect after.
  std::vector<int> clients;
  for (int i = 0; i < kClients; ++i)
    clients.push_back(::socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0));
  const int base = ::open("/dev/null", O_RDONLY | O_CLOEXEC);
  std::vector<int> fillers;
  fillers.reserve(4096);

  rlimit low = limits.saved();
  low.rlim_cur = static_cast<rlim_t>(highest_open_fd() + 16);
  CO_ASSERT_TRUE(::setrlimit(RLIMIT_NOFILE, &low) == 0);
  for (int fd; fillers.size() < 4096 && (fd = ::dup(base)) >= 0;) fillers.push_back(fd);
  CO_ASSERT_TRUE(errno == EMFILE);

  const SocketAddress address = listener.local_address();
  for (int fd : clients)
    CO_ASSERT_TRUE(::connect(fd, address.native(), address.native_length()) == 0);

  // 300 ms with connections waiting and no descriptor to take them: the listener sleeps
  // 10, 20, 40, 80, 160 ms... between attempts: a handful of attempts, not a spin.
  co_await weft::sleep(300ms);
  const std::uint64_t backoffs = listener.accept_backoffs();
  EXPECT_EQ(accepted.load(), 0);
  EXPECT_GE(backoffs, 1u);
  EXPECT_LE(backoffs, 8u) << "accept must back off, not spin";

  for (int fd : fillers) ::close(fd);
  ::setrlimit(RLIMIT_NOFILE, &limits.saved());
  // Serving again: within the current backoff (at most 1 s) all clients are accepted.
  co_await weft::timeout(5s, std::move(acceptor));
  EXPECT_EQ(accepted.load(), kClients);
  EXPECT_LE(listener.accept_backoffs(), backoffs + 2);
  for (int fd : clients) ::close(fd);
  ::close(base);
}

TEST(Emfile, ListenerBacksOffAndRecovers) {
#if defined(__SANITIZE_ADDRESS__)
  // The address preset also enables UBSan, whose vptr check reads the vtable only after
  // probing the memory through a pipe(). With the descriptor table full that pipe fails and
  // every virtual call checked meanwhile (the workers' reactor calls, gtest's ostreams) is
  // reported as "invalid vptr". The test runs in the release and TSan builds.
  GTEST_SKIP() << "UBSan's vptr check needs free descriptors (see the comment)";
#endif
  const FdLimitGuard limits;
  run(emfile_body(limits));
}

}  // namespace
