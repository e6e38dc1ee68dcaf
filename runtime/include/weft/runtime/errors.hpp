#pragma once
// The exceptions weft's runtime API throws. Everything derives from weft::Error so that a
// caller can catch weft's failures as one family.

#include <stdexcept>
#include <string>

namespace weft {

class Error : public std::runtime_error {
 public:
  using std::runtime_error::runtime_error;
};

// Awaiting the JoinHandle of a task that was aborted, or cancelled by runtime shutdown.
class TaskCancelled : public Error {
 public:
  TaskCancelled() : Error("weft: task was cancelled before it completed") {}
};

// Receiving from a channel whose senders are all gone (and nothing left to receive), or
// sending on one whose receiver is gone.
class ChannelClosed : public Error {
 public:
  explicit ChannelClosed(const std::string& what) : Error(what) {}
};

}  // namespace weft
