#include <weft/io/detail/registration_slab.hpp>

#include <bit>
#include <stdexcept>

namespace weft::io::detail {

namespace {
constexpr unsigned kFirstChunkShift = std::countr_zero(RegistrationSlab::kFirstChunk);
static_assert(std::has_single_bit(RegistrationSlab::kFirstChunk));
static_assert(RegistrationSlab::kMaxSlots < (std::size_t{1} << 32), "indices are 32-bit");
}  // namespace

RegistrationSlab::~RegistrationSlab() {
  // Drop any wakers still stored while the storage is alive: dropping the last reference to a
  // task may destroy it, and its destructors may call release() on this very slab.
  for_each_slot([](Registration& registration) {
    registration.reader.clear();
    registration.writer.clear();
  });
}

// Slot `index` lives in chunk k = floor(log2(index / 64 + 1)), at offset index + 64 - 64 * 2^k:
// chunk 0 holds indices 0-63, chunk 1 holds 64-191, chunk 2 holds 192-447, and so on.
Registration* RegistrationSlab::slot(std::uint32_t index) const noexcept {
  const std::size_t shifted = static_cast<std::size_t>(index) + kFirstChunk;
  const std::size_t chunk =
      static_cast<std::size_t>(std::bit_width(shifted)) - 1 - kFirstChunkShift;
  if (chunk >= kChunks) return nullptr;
  Registration* base = chunks_[chunk].load(std::memory_order_acquire);
  if (base == nullptr) return nullptr;
  return base + (shifted - chunk_size(chunk));
}

RegistrationSlab::Allocation RegistrationSlab::allocate() {
  Registration* registration = nullptr;
  std::uint32_t index = 0;
  {
    std::lock_guard lock(mutex_);
    if (!free_.empty()) {
      index = free_.back();
      free_.pop_back();
    } else {
      if (next_index_ >= kMaxSlots) throw std::length_error("weft: registration slab is full");
      // Keep room for every slot ever handed out, so that release() (noexcept) never
      // allocates when it pushes onto the free list.
      if (free_.capacity() <= next_index_) free_.reserve(2 * (std::size_t{next_index_} + 32));
      index = next_index_;
      const std::size_t shifted = static_cast<std::size_t>(index) + kFirstChunk;
      const std::size_t chunk =
          static_cast<std::size_t>(std::bit_width(shifted)) - 1 - kFirstChunkShift;
      if (!owned_[chunk]) {
        owned_[chunk] = std::make_unique<Registration[]>(chunk_size(chunk));
        chunks_[chunk].store(owned_[chunk].get(), std::memory_order_release);
      }
      ++next_index_;
    }
    ++live_;
    registration = slot(index);
  }
  // A stale event that resolved to this slot before its previous owner released it may have
  // left bits behind; the new owner starts from nothing. (One still in flight can add a
  // spurious bit after this store: that costs one syscall that returns EAGAIN, never a lost
  // wakeup. The owner is the only one who changes the generation, so a relaxed read is fine.)
  registration->readiness.store(0, std::memory_order_release);
  const std::uint32_t generation = registration->generation.load(std::memory_order_relaxed);
  return {make_token(index, generation), registration};
}

bool RegistrationSlab::release(std::uint64_t token) noexcept {
  Registration* registration = slot(index_of(token));
  if (registration == nullptr) return false;
  std::uint32_t generation = generation_of(token);
  // The CAS makes a second release of the same token a no-op, and from here on lookup() of
  // the token fails, so the reactor stops delivering to it.
  if (!registration->generation.compare_exchange_strong(generation, generation + 1,
                                                        std::memory_order_acq_rel)) {
    return false;
  }
  // Outside the lock: waking may run arbitrary code (even a task's destruction, which may
  // release other registrations).
  registration->reader.wake();
  registration->writer.wake();
  std::lock_guard lock(mutex_);
  free_.push_back(index_of(token));
  --live_;
  return true;
}

Registration* RegistrationSlab::lookup(std::uint64_t token) const noexcept {
  Registration* registration = slot(index_of(token));
  if (registration == nullptr) return nullptr;
  if (registration->generation.load(std::memory_order_acquire) != generation_of(token)) {
    return nullptr;
  }
  return registration;
}

std::size_t RegistrationSlab::size() const {
  std::lock_guard lock(mutex_);
  return live_;
}

}  // namespace weft::io::detail
