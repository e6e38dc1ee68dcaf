#pragma once
// FileDescriptor: sole ownership of one descriptor (a socket's on Windows); closes it when
// destroyed.

#include <utility>

#include <weft/io/native_handle.hpp>

namespace weft::io {

class FileDescriptor {
 public:
  FileDescriptor() noexcept = default;
  // Adopts `fd` (invalid_handle for none).
  explicit FileDescriptor(NativeHandle fd) noexcept : fd_(fd) {}
  FileDescriptor(const FileDescriptor&) = delete;
  FileDescriptor& operator=(const FileDescriptor&) = delete;
  FileDescriptor(FileDescriptor&& other) noexcept : fd_(other.release()) {}
  FileDescriptor& operator=(FileDescriptor&& other) noexcept {
    if (this != &other) reset(other.release());
    return *this;
  }
  ~FileDescriptor() { reset(); }

  NativeHandle get() const noexcept { return fd_; }
  explicit operator bool() const noexcept { return fd_ != invalid_handle; }
  // Gives up ownership without closing.
  NativeHandle release() noexcept { return std::exchange(fd_, invalid_handle); }
  // Closes the current descriptor (if any) and adopts `fd`.
  void reset(NativeHandle fd = invalid_handle) noexcept;

 private:
  NativeHandle fd_ = invalid_handle;
};

}  // namespace weft::io
