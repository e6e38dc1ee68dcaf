#pragma once
// Whether the test runs under Wine rather than on Windows (or on another system): for the few
// checks where Wine 8 behaves differently from Windows, which then skip with the reason
// (under_wine_*.cpp).

#include <string_view>

namespace weft_test {

bool running_under_wine();

// Wine 8's server fetches a socket's pending error (SO_ERROR, which clears it) when it
// completes the AFD poll that reports a reset: the read that follows sees end of file, where
// Windows fails it with WSAECONNRESET.
inline constexpr std::string_view kWineReadsResetAsEof =
    "Wine 8 limitation: completing the poll that reports a reset takes the socket's error, so "
    "the read that follows sees end of file instead of ECONNRESET";

// The same when a connect is reset (a listener closed with it in its backlog): the connect
// sees no error, looks still in progress, and waits for an event that never comes.
inline constexpr std::string_view kWineHidesConnectReset =
    "Wine 8 limitation: completing the poll that reports a reset takes the socket's error, so "
    "a connect reset by a closing listener looks still in progress";

// Wine 8's RtlCompactHeap (HeapCompact, _heapmin) is a stub: freed heap pages stay committed.
inline constexpr std::string_view kWineKeepsFreedHeap =
    "Wine 8 limitation: HeapCompact is a stub, so freed heap memory is not given back";

}  // namespace weft_test
