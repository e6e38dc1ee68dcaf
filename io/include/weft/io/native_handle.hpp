#pragma once
// NativeHandle: what the operating system calls an open descriptor that weft can watch. On
// Linux, the BSDs and macOS a file descriptor (int); on Windows a SOCKET, an unsigned
// pointer-sized integer (declared here without <winsock2.h>, so no system header leaks into
// weft's installed headers).

#include <cstdint>

namespace weft::io {

#if defined(_WIN32)
using NativeHandle = std::uintptr_t;
inline constexpr NativeHandle invalid_handle = ~NativeHandle{0};  // INVALID_SOCKET
#else
using NativeHandle = int;
inline constexpr NativeHandle invalid_handle = -1;
#endif

}  // namespace weft::io
