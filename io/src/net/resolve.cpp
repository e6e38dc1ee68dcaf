#include <weft/io/net/resolve.hpp>

#include <weft/io/net/error.hpp>

#include "resolver_pool.hpp"

#include "text.hpp"

namespace weft::net {

ResolveFuture::ResolveFuture(std::string host, std::uint16_t port) noexcept
    : host_(std::move(host)), port_(port) {}

ResolveFuture::ResolveFuture(ResolveFuture&&) noexcept = default;

ResolveFuture& ResolveFuture::operator=(ResolveFuture&& other) noexcept {
  if (this != &other) {
    if (job_) job_->abandoned.store(true, std::memory_order_release);
    host_ = std::move(other.host_);
    port_ = other.port_;
    job_ = std::move(other.job_);
  }
  return *this;
}

ResolveFuture::~ResolveFuture() {
  if (job_) job_->abandoned.store(true, std::memory_order_release);
}

Poll<std::vector<SocketAddress>> ResolveFuture::poll(Context& cx) {
  if (!job_) {
    if (auto literal = SocketAddress::from_ip(host_, port_)) {
      return std::vector<SocketAddress>{*literal};
    }
    job_ = std::make_shared<detail::ResolveJob>();
    job_->host = host_;
    job_->port = port_;
    job_->waker.register_waker(cx.waker());
    detail::submit_resolve(job_);
  } else {
    job_->waker.register_waker(cx.waker());
  }
  if (!job_->done.load(std::memory_order_acquire)) return pending;
  const std::shared_ptr<detail::ResolveJob> job = std::move(job_);
  if (job->error) {
    throw IoError(job->error, detail::concat({"resolve ", host_, ":", std::to_string(port_)}));
  }
  return std::move(job->addresses);
}

}  // namespace weft::net
