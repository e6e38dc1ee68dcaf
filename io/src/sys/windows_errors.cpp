#include "windows_errors.hpp"

#include <winsock2.h>
// winsock2.h before windows.h and winternl.h, which would otherwise pull in winsock 1.
#include <windows.h>
#include <winternl.h>

#include <cerrno>
#include <string>

namespace weft::io::sys {

namespace {

// The texts glibc's strerror gives (mingw's C runtime has none for the socket errors, which
// it numbers above 100, and words others differently).
const char* linux_message(int value) noexcept {
  switch (value) {
    case 0:
      return "Success";
    case EPERM:
      return "Operation not permitted";
    case ENOENT:
      return "No such file or directory";
    case EINTR:
      return "Interrupted system call";
    case EIO:
      return "Input/output error";
    case EBADF:
      return "Bad file descriptor";
    case EAGAIN:
      return "Resource temporarily unavailable";
    case ENOMEM:
      return "Cannot allocate memory";
    case EACCES:
      return "Permission denied";
    case EFAULT:
      return "Bad address";
    case EBUSY:
      return "Device or resource busy";
    case EEXIST:
      return "File exists";
    case ENODEV:
      return "No such device";
    case EINVAL:
      return "Invalid argument";
    case ENFILE:
      return "Too many open files in system";
    case EMFILE:
      return "Too many open files";
    case ENOSPC:
      return "No space left on device";
    case EPIPE:
      return "Broken pipe";
    case ENAMETOOLONG:
      return "File name too long";
    case ENOSYS:
      return "Function not implemented";
    case ENOTEMPTY:
      return "Directory not empty";
    case ELOOP:
      return "Too many levels of symbolic links";
    case EOVERFLOW:
      return "Value too large for defined data type";
    case ENOTSOCK:
      return "Socket operation on non-socket";
    case EDESTADDRREQ:
      return "Destination address required";
    case EMSGSIZE:
      return "Message too long";
    case EPROTOTYPE:
      return "Protocol wrong type for socket";
    case ENOPROTOOPT:
      return "Protocol not available";
    case EPROTONOSUPPORT:
      return "Protocol not supported";
    case EOPNOTSUPP:
      return "Operation not supported";
    case ENOTSUP:
      return "Operation not supported";
    case EAFNOSUPPORT:
      return "Address family not supported by protocol";
    case EADDRINUSE:
      return "Address already in use";
    case EADDRNOTAVAIL:
      return "Cannot assign requested address";
    case ENETDOWN:
      return "Network is down";
    case ENETUNREACH:
      return "Network is unreachable";
    case ENETRESET:
      return "Network dropped connection on reset";
    case ECONNABORTED:
      return "Software caused connection abort";
    case ECONNRESET:
      return "Connection reset by peer";
    case ENOBUFS:
      return "No buffer space available";
    case EISCONN:
      return "Transport endpoint is already connected";
    case ENOTCONN:
      return "Transport endpoint is not connected";
    case ETIMEDOUT:
      return "Connection timed out";
    case ECONNREFUSED:
      return "Connection refused";
    case EHOSTUNREACH:
      return "No route to host";
    case EALREADY:
      return "Operation already in progress";
    case EINPROGRESS:
      return "Operation now in progress";
    case ECANCELED:
      return "Operation canceled";
    case EPROTO:
      return "Protocol error";
    case EWOULDBLOCK:
      return "Resource temporarily unavailable";
    default:
      return nullptr;
  }
}

class ErrnoCategory final : public std::error_category {
 public:
  const char* name() const noexcept override { return "weft.errno"; }
  std::string message(int value) const override {
    if (const char* text = linux_message(value)) return text;
    return "Unknown error " + std::to_string(value);
  }
  // The values are <cerrno>'s, so they compare equal to std::errc conditions.
  std::error_condition default_error_condition(int value) const noexcept override {
    return {value, std::generic_category()};
  }
};

}  // namespace

int errno_from_windows(unsigned long code) noexcept {
  switch (code) {
    case 0:
      return 0;
    // Winsock.
    case WSAEINTR:
      return EINTR;
    case WSAEBADF:
      return EBADF;
    case WSAEACCES:
      return EACCES;
    case WSAEFAULT:
      return EFAULT;
    case WSAEINVAL:
      return EINVAL;
    case WSAEMFILE:
      return EMFILE;
    case WSAEWOULDBLOCK:
      return EAGAIN;  // one value for "would block", as Linux has
    case WSAEINPROGRESS:
      return EINPROGRESS;
    case WSAEALREADY:
      return EALREADY;
    case WSAENOTSOCK:
      return ENOTSOCK;
    case WSAEDESTADDRREQ:
      return EDESTADDRREQ;
    case WSAEMSGSIZE:
      return EMSGSIZE;
    case WSAEPROTOTYPE:
      return EPROTOTYPE;
    case WSAENOPROTOOPT:
      return ENOPROTOOPT;
    case WSAEPROTONOSUPPORT:
      return EPROTONOSUPPORT;
    case WSAESOCKTNOSUPPORT:
      return EPROTONOSUPPORT;
    case WSAEOPNOTSUPP:
      return EOPNOTSUPP;
    case WSAEPFNOSUPPORT:
      return EAFNOSUPPORT;
    case WSAEAFNOSUPPORT:
      return EAFNOSUPPORT;
    case WSAEADDRINUSE:
      return EADDRINUSE;
    case WSAEADDRNOTAVAIL:
      return EADDRNOTAVAIL;
    case WSAENETDOWN:
      return ENETDOWN;
    case WSAENETUNREACH:
      return ENETUNREACH;
    case WSAENETRESET:
      return ENETRESET;
    case WSAECONNABORTED:
      return ECONNABORTED;
    case WSAECONNRESET:
      return ECONNRESET;
    case WSAENOBUFS:
      return ENOBUFS;
    case WSAEISCONN:
      return EISCONN;
    case WSAENOTCONN:
      return ENOTCONN;
    case WSAESHUTDOWN:
      return EPIPE;  // sending after shutdown(SD_SEND): EPIPE on Linux
    case WSAETIMEDOUT:
      return ETIMEDOUT;
    case WSAECONNREFUSED:
      return ECONNREFUSED;
    case WSAELOOP:
      return ELOOP;
    case WSAENAMETOOLONG:
      return ENAMETOOLONG;
    case WSAEHOSTDOWN:
      return EHOSTUNREACH;
    case WSAEHOSTUNREACH:
      return EHOSTUNREACH;
    case WSAENOTEMPTY:
      return ENOTEMPTY;
    case WSAEPROCLIM:
      return EAGAIN;
    case WSAEDISCON:
      return EPIPE;
    case WSANOTINITIALISED:
      return EINVAL;
    case WSAEINVALIDPROVIDER:
    case WSAEPROVIDERFAILEDINIT:
    case WSASYSNOTREADY:
      return ENETDOWN;
    // Win32 (the WSA_* overlapped codes are these too).
    case ERROR_INVALID_HANDLE:
      return EBADF;
    case ERROR_NOT_ENOUGH_MEMORY:
    case ERROR_OUTOFMEMORY:
    case ERROR_NO_SYSTEM_RESOURCES:
      return ENOMEM;
    case ERROR_INVALID_PARAMETER:
      return EINVAL;
    case ERROR_ACCESS_DENIED:
      return EACCES;
    case ERROR_FILE_NOT_FOUND:
    case ERROR_PATH_NOT_FOUND:
    case ERROR_NOT_FOUND:
      return ENOENT;
    case ERROR_ALREADY_EXISTS:
    case ERROR_FILE_EXISTS:
      return EEXIST;
    case ERROR_TOO_MANY_OPEN_FILES:
      return EMFILE;
    case ERROR_NOT_SUPPORTED:
    case ERROR_INVALID_FUNCTION:
      return EOPNOTSUPP;
    case ERROR_BROKEN_PIPE:
      return EPIPE;
    case ERROR_OPERATION_ABORTED:
      return ECANCELED;
    case ERROR_NETNAME_DELETED:
      return ECONNRESET;
    case ERROR_CONNECTION_REFUSED:
      return ECONNREFUSED;
    case ERROR_CONNECTION_ABORTED:
      return ECONNABORTED;
    case ERROR_TIMEOUT:
    case WAIT_TIMEOUT:
      return ETIMEDOUT;
    default:
      return EIO;
  }
}

int errno_from_ntstatus(long status) noexcept {
  return errno_from_windows(::RtlNtStatusToDosError(static_cast<NTSTATUS>(status)));
}

const std::error_category& errno_category() noexcept {
  static const ErrnoCategory category;
  return category;
}

}  // namespace weft::io::sys
