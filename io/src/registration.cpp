#include <weft/io/reactor.hpp>
#include <weft/io/registration.hpp>

#include <utility>

namespace weft::io {

RegistrationHandle::RegistrationHandle(RegistrationHandle&& other) noexcept
    : reactor_(std::exchange(other.reactor_, nullptr)),
      registration_(std::exchange(other.registration_, nullptr)),
      fd_(std::exchange(other.fd_, invalid_handle)),
      token_(std::exchange(other.token_, 0)) {}

RegistrationHandle& RegistrationHandle::operator=(RegistrationHandle&& other) noexcept {
  if (this != &other) {
    reset();
    reactor_ = std::exchange(other.reactor_, nullptr);
    registration_ = std::exchange(other.registration_, nullptr);
    fd_ = std::exchange(other.fd_, invalid_handle);
    token_ = std::exchange(other.token_, 0);
  }
  return *this;
}

void RegistrationHandle::reset() noexcept {
  if (registration_ == nullptr) return;
  Reactor* reactor = std::exchange(reactor_, nullptr);
  registration_ = nullptr;
  reactor->deregister(std::exchange(fd_, invalid_handle), std::exchange(token_, 0));
}

}  // namespace weft::io
