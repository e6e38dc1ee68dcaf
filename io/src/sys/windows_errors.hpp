#pragma once
// Windows error codes as the errno values of <cerrno>, and the messages weft gives those values
// on Windows. sys/socket_api.hpp promises every platform the same error values and the same
// texts ("Connection refused", not "No error" or a localized FormatMessage sentence), so that
// an IoError reads the same whatever the system: socket_api_windows.cpp and iocp_poller.cpp
// report through these. Windows only (windows_errors.cpp).

#include <system_error>

namespace weft::io::sys {

// The errno value for a Winsock (WSAE*) or Win32 (ERROR_*) error code. Codes with no errno
// counterpart become EIO.
int errno_from_windows(unsigned long code) noexcept;

// The errno value for an NTSTATUS (through RtlNtStatusToDosError).
int errno_from_ntstatus(long status) noexcept;

// The category of the mapped values: "weft.errno", with glibc's message for each value and
// generic_category conditions, so `code == std::errc::connection_refused` holds as on Linux.
const std::error_category& errno_category() noexcept;

}  // namespace weft::io::sys
