#pragma once
// SendError<T>: a send on a closed channel. It carries the value that was not sent, so the
// caller gets it back instead of losing it.

#include <memory>
#include <string>
#include <utility>

#include <weft/runtime/errors.hpp>

namespace weft::channel_detail {

template <class T>
class SendError : public ChannelClosed {
 public:
  SendError(T value, const std::string& what)
      : ChannelClosed(what), value_(std::make_shared<T>(std::move(value))) {}

  // The value that was not sent. Exceptions must be copyable, hence the shared box: every
  // copy of the exception refers to the same value, which may be moved out once.
  T& value() noexcept { return *value_; }
  const T& value() const noexcept { return *value_; }

 private:
  std::shared_ptr<T> value_;
};

}  // namespace weft::channel_detail
