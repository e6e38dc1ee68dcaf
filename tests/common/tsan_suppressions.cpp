// Linked into every test executable of the ThreadSanitizer build.
//
// The inboxes are moodycamel ConcurrentQueues, and several threads dequeue from one inbox (its
// owner and thieves). A consumer marks the slots it read as empty with a release-only
// fetch_add; the consumer whose fetch_add empties the block hands the block back for reuse.
// Every consumer has finished reading before its own increment, and the block is reused only
// after the last one, but in the C++ model (and so in TSan's) a release-only read-modify-write
// does not pass the other consumers' reads on to the next producer, so TSan reports the next
// producer's write into a reused slot as racing with an earlier consumer's read (upstream:
// cameron314/concurrentqueue issues #49, #196, #254). The suppression matches only reports that
// have the queue's own frames in a stack; weft's task memory is never touched by the queue, so
// races on it are still reported.
extern "C" const char* __tsan_default_suppressions() {
  return "race:moodycamel::ConcurrentQueue<weft::detail::TaskHeader\n";
}
