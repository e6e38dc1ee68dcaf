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
//
// oneTBB (Debian's libtbb, not built with TSan) synchronises its arena's task pool with atomics
// that TSan cannot see, so a memcmp it makes on its own memory (intercepted, hence checked)
// now and then looks racy: Compute.StressManyTasksManyJobs reported one in 1 of 16
// runs here. called_from_lib silences only interceptor reports made from inside libtbb;
// weft's own code, and the jobs it hands to oneTBB, are still checked.
extern "C" const char* __tsan_default_suppressions() {
  return "race:moodycamel::ConcurrentQueue<weft::detail::TaskHeader\n"
         "called_from_lib:libtbb.so\n";
}
