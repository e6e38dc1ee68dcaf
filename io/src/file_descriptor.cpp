#include <weft/io/file_descriptor.hpp>

#include "sys/socket_api.hpp"

namespace weft::io {

void FileDescriptor::reset(NativeHandle fd) noexcept {
  const NativeHandle old = std::exchange(fd_, fd);
  if (old != invalid_handle) sys::close_handle(old);
}

}  // namespace weft::io
