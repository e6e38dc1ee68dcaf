#pragma once
// Per-worker counters, readable at any time (each field is a relaxed snapshot; a worker
// updates only its own counters, so reading never slows it down).

#include <cstdint>

namespace weft {

struct WorkerMetrics {
  std::uint64_t polls = 0;             // tasks polled
  std::uint64_t steal_operations = 0;  // successful steals from a peer
  std::uint64_t steals = 0;            // tasks moved by those steals
  // Of the steal operations, those made while busy, from a peer that polled nothing for a
  // whole global_queue_interval (descheduled, or inside one long poll).
  std::uint64_t stalled_peer_steals = 0;
  std::uint64_t parks = 0;              // times the worker went to sleep
  std::uint64_t unparks = 0;            // times it woke up
  std::uint64_t spins = 0;              // times it spun briefly for work before parking
  std::uint64_t local_schedules = 0;    // tasks woken/spawned from this worker's thread
  std::uint64_t remote_schedules = 0;   // tasks pushed to this worker's inbox from elsewhere
  std::uint64_t overflows = 0;          // times the local queue spilled half to the inbox
  std::uint64_t lifo_hits = 0;          // tasks taken from the LIFO slot
  std::uint64_t local_queue_depth = 0;  // tasks in the local queue at the time of reading
  std::uint64_t inbox_depth = 0;        // approximate tasks in the inbox at the time of reading
};

}  // namespace weft
