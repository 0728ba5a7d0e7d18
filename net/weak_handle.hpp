#pragma once
// An actor handle for callbacks that run on the I/O threads. It does not keep the
// actor alive: a pending request or timer must never hold an actor (and through
// it the store) past shutdown. Sending to an actor that is gone does nothing.
#include <utility>

#include <caf/actor_cast.hpp>
#include <caf/message.hpp>
#include <caf/message_id.hpp>
#include <caf/send.hpp>
#include <caf/weak_intrusive_ptr.hpp>

namespace tdmaker {

template <class Handle>
class weak_handle {
public:
  explicit weak_handle(const Handle& h)
    : ptr_(caf::actor_cast<caf::weak_actor_ptr>(caf::actor_cast<caf::strong_actor_ptr>(h))) {}

  /// False when made from a null handle (the actor may still have gone since).
  explicit operator bool() const { return static_cast<bool>(ptr_); }

  template <class... Ts>
  void send(Ts&&... xs) const {
    if (auto strong = caf::actor_cast<caf::strong_actor_ptr>(ptr_))
      caf::anon_send(caf::actor_cast<Handle>(std::move(strong)), std::forward<Ts>(xs)...);
  }

  /// Enqueues an already-built message: the same one can go to several actors
  /// without its content being copied (CAF messages are copy-on-write).
  void send_message(caf::message msg) const {
    if (auto strong = caf::actor_cast<caf::strong_actor_ptr>(ptr_))
      strong->enqueue(nullptr, caf::make_message_id(), std::move(msg), nullptr);
  }

private:
  caf::weak_actor_ptr ptr_;
};

} // namespace tdmaker
