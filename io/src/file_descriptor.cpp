#include <weft/io/file_descriptor.hpp>

#include <unistd.h>

namespace weft::io {

void FileDescriptor::reset(NativeHandle fd) noexcept {
  const int old = std::exchange(fd_, fd);
  // No retry on EINTR: on Linux the descriptor is released even when close() reports EINTR,
  // and retrying could close a descriptor another thread has just been given.
  if (old != invalid_handle) ::close(old);
}

}  // namespace weft::io
