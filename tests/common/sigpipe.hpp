#pragma once
// SIGPIPE in tests that write to a closed peer: on POSIX its default action (ending the
// process) is put back, so that a send that raised it would fail the test run; Windows has no
// SIGPIPE (sigpipe_*.cpp).

namespace weft_test {

// Puts SIGPIPE's default, fatal, action in place; true if it was in place already. Always
// true on Windows, where writing to a closed connection only fails.
bool sigpipe_is_fatal();

}  // namespace weft_test
