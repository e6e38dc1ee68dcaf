#pragma once
// The part of the Ancillary Function Driver's (afd.sys) interface that IocpPoller uses. AFD
// implements Winsock; these definitions are not in the Windows SDK, and are the ones Windows'
// own ws2_32 (and Wine's) use for select() and WSAPoll. Windows only.

#include <winsock2.h>
// winsock2.h before windows.h.
#include <windows.h>
#include <winternl.h>

namespace weft::io::sys::afd {

// NTSTATUS values a poll request ends with (ntstatus.h's, which cannot be included beside
// windows.h without ceremony). STATUS_PENDING is in winnt.h.
inline constexpr NTSTATUS kStatusSuccess = 0;
inline constexpr NTSTATUS kStatusCancelled = static_cast<NTSTATUS>(0xC0000120L);

// DeviceIoControl code of a poll request: METHOD_BUFFERED on FILE_DEVICE_NETWORK, function 9.
inline constexpr ULONG kIoctlPoll = 0x00012024;

// Poll events, in a request (what to wait for) and in its result (what holds).
inline constexpr ULONG kReceive = 0x0001;           // data to read
inline constexpr ULONG kReceiveExpedited = 0x0002;  // out-of-band data
inline constexpr ULONG kSend = 0x0004;              // room to write
inline constexpr ULONG kDisconnect = 0x0008;        // the peer shut down its sending side
inline constexpr ULONG kAbort = 0x0010;             // the connection was reset
inline constexpr ULONG kLocalClose = 0x0020;        // the socket was closed
inline constexpr ULONG kConnect = 0x0040;           // a connect completed
inline constexpr ULONG kAccept = 0x0080;            // a connection waits to be accepted
inline constexpr ULONG kConnectFail = 0x0100;       // a connect failed

struct PollHandleInfo {
  HANDLE handle;    // the socket's base provider handle
  ULONG events;     // request: events to wait for; result: those that hold
  NTSTATUS status;  // result: per-socket status
};

// One socket per request: weft keeps one request per socket, so that completing or
// cancelling one never touches another.
struct PollInfo {
  LARGE_INTEGER timeout;  // absolute or relative NT time; INT64_MAX: none
  ULONG handle_count;     // 1 in a request; 0 in a result that timed out
  ULONG exclusive;        // FALSE: other polls on the socket stay
  PollHandleInfo handles[1];
};

}  // namespace weft::io::sys::afd

// Not declared by mingw-w64's winternl.h; exported by ntdll since Windows Vista.
extern "C" NTSTATUS NTAPI NtCancelIoFileEx(HANDLE file, PIO_STATUS_BLOCK request,
                                           PIO_STATUS_BLOCK status);
