#pragma once
// The peers' timing convention (peers/WORKLOADS.md, peers/tokio/README.md): one warm-up
// iteration, then iterations until at least `seconds` have passed; the figure is the
// median time of one iteration divided by the ops it did.

#include <algorithm>
#include <chrono>
#include <cstdint>
#include <vector>

namespace weft::bench {

struct Measurement {
  std::vector<double> iteration_ns;  // one sample per timed iteration, in run order
  std::uint64_t ops_per_iteration = 1;
};

inline double median(std::vector<double> samples) {
  if (samples.empty()) return 0.0;
  std::sort(samples.begin(), samples.end());
  const std::size_t mid = samples.size() / 2;
  return samples.size() % 2 ? samples[mid] : (samples[mid - 1] + samples[mid]) / 2.0;
}

inline double ns_per_op(const Measurement& m) {
  return median(m.iteration_ns) / static_cast<double>(m.ops_per_iteration);
}

// `iteration()` runs one iteration and returns an object with `ops` and `elapsed` (a
// std::chrono duration): the time the iteration measured itself, which may exclude work
// outside the timed region (as a driver task timing from its first poll does).
template <class Iteration>
Measurement measure(Iteration&& iteration, double seconds) {
  Measurement m;
  m.ops_per_iteration = iteration().ops;  // warm-up
  const auto budget = std::chrono::duration<double>(seconds);
  const auto start = std::chrono::steady_clock::now();
  do {
    const auto result = iteration();
    m.iteration_ns.push_back(std::chrono::duration<double, std::nano>(result.elapsed).count());
  } while (std::chrono::steady_clock::now() - start < budget);
  return m;
}

}  // namespace weft::bench
