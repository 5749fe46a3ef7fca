#pragma once
// A completion waiting for a socket to become readable or writable: move-only, called
// once with an error code (operation_aborted when the socket was closed first). Kept
// inline, with no allocation per wait: every waiter in net/ is a lambda holding its
// connection's shared_ptr and at most one continuation, which fits in kCapacity (a larger
// one does not compile). Internal to net/.
#include <boost/system/error_code.hpp>

#include <cstddef>
#include <new>
#include <type_traits>
#include <utility>

namespace sg::net {

class WaitHandler {
 public:
  static constexpr std::size_t kCapacity = 48;

  WaitHandler() = default;
  template <class F, class = std::enable_if_t<!std::is_same_v<std::decay_t<F>, WaitHandler>>>
  WaitHandler(F&& f) {  // NOLINT(google-explicit-constructor): a lambda converts, as to std::function
    using Fn = std::decay_t<F>;
    static_assert(sizeof(Fn) <= kCapacity && alignof(Fn) <= alignof(std::max_align_t),
                  "a wait handler must fit inline: capture less");
    static_assert(std::is_nothrow_move_constructible_v<Fn>);
    ::new (static_cast<void*>(storage_)) Fn(std::forward<F>(f));
    ops_ = &kOps<Fn>;
  }
  WaitHandler(WaitHandler&& other) noexcept { take(other); }
  WaitHandler& operator=(WaitHandler&& other) noexcept {
    if (this != &other) {
      reset();
      take(other);
    }
    return *this;
  }
  WaitHandler(const WaitHandler&) = delete;
  WaitHandler& operator=(const WaitHandler&) = delete;
  ~WaitHandler() { reset(); }

  explicit operator bool() const { return ops_ != nullptr; }

  // Calls it, once: it is empty from the moment the call begins, so it may wait again
  // from inside. What it holds is released when the call returns.
  void operator()(boost::system::error_code ec) {
    WaitHandler once(std::move(*this));
    once.ops_->call(once.storage_, ec);
  }

  void reset() noexcept {
    if (ops_) std::exchange(ops_, nullptr)->destroy(storage_);
  }

 private:
  struct Ops {
    void (*call)(void* fn, boost::system::error_code ec);
    void (*move)(void* from, void* to) noexcept;
    void (*destroy)(void* fn) noexcept;
  };
  template <class Fn>
  static constexpr Ops kOps{
      [](void* fn, boost::system::error_code ec) { (*static_cast<Fn*>(fn))(ec); },
      [](void* from, void* to) noexcept {
        ::new (to) Fn(std::move(*static_cast<Fn*>(from)));
        static_cast<Fn*>(from)->~Fn();
      },
      [](void* fn) noexcept { static_cast<Fn*>(fn)->~Fn(); },
  };

  void take(WaitHandler& other) noexcept {
    if (!other.ops_) return;
    other.ops_->move(other.storage_, storage_);
    ops_ = std::exchange(other.ops_, nullptr);
  }

  alignas(std::max_align_t) unsigned char storage_[kCapacity];
  const Ops* ops_ = nullptr;
};

}  // namespace sg::net
