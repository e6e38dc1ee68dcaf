#pragma once
// The chain of TaskLocal bindings visible to the code running on this thread right now.
//
// A TaskLocal scope future pushes its binding before polling the work it wraps and pops it
// when that poll returns, so the bindings follow the poll, not the thread: a task that
// migrates to another worker finds them again on its next poll, and a task that is not
// inside the scope (another task on the same worker, a spawned child) never sees them.

namespace weft::detail {

struct TaskLocalBinding {
  const void* key;  // the TaskLocal object
  void* value;
  TaskLocalBinding* outer;
};

// The innermost binding on this thread, or nullptr. A function-local constinit
// thread_local: one instance program-wide, accessed without a lazy-initialisation call.
inline TaskLocalBinding*& task_local_top() noexcept {
  static constinit thread_local TaskLocalBinding* top = nullptr;
  return top;
}

// Pushes a binding for the lifetime of this object (one poll of the scoped work).
class TaskLocalBindingGuard {
 public:
  TaskLocalBindingGuard(const void* key, void* value) noexcept
      : binding_{key, value, task_local_top()} {
    task_local_top() = &binding_;
  }
  TaskLocalBindingGuard(const TaskLocalBindingGuard&) = delete;
  TaskLocalBindingGuard& operator=(const TaskLocalBindingGuard&) = delete;
  // Polls nest, so bindings are popped in the reverse order they were pushed.
  ~TaskLocalBindingGuard() { task_local_top() = binding_.outer; }

 private:
  TaskLocalBinding binding_;
};

inline void* find_task_local(const void* key) noexcept {
  for (TaskLocalBinding* b = task_local_top(); b != nullptr; b = b->outer) {
    if (b->key == key) return b->value;
  }
  return nullptr;
}

}  // namespace weft::detail
