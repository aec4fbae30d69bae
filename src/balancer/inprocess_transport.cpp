#include "overseer/balancer/inprocess_transport.hpp"

#include <stdexcept>

namespace overseer {

class InProcessNetwork::Endpoint : public Transport {
 public:
  Endpoint(InProcessNetwork& network, int rank) : network_(network), rank_(rank) {}

  int rank() const override { return rank_; }
  int size() const override { return static_cast<int>(network_.mailboxes_.size()); }

  void send(int destination, int tag, Payload payload) override {
    Mailbox& box = *network_.mailboxes_.at(static_cast<std::size_t>(destination));
    {
      std::lock_guard<std::mutex> lock(box.mutex);
      box.messages.push_back(Message{rank_, tag, std::move(payload)});
    }
    box.ready.notify_one();
  }

  std::optional<Message> receive(std::chrono::microseconds timeout) override {
    Mailbox& box = *network_.mailboxes_[static_cast<std::size_t>(rank_)];
    std::unique_lock<std::mutex> lock(box.mutex);
    if (!box.ready.wait_for(lock, timeout, [&] { return !box.messages.empty(); })) {
      return std::nullopt;
    }
    Message message = std::move(box.messages.front());
    box.messages.pop_front();
    return message;
  }

 private:
  InProcessNetwork& network_;
  int rank_;
};

InProcessNetwork::InProcessNetwork(int size) {
  if (size < 1) throw std::invalid_argument("an in-process network needs at least one rank");
  for (int r = 0; r < size; ++r) {
    mailboxes_.push_back(std::make_unique<Mailbox>());
    endpoints_.push_back(std::make_unique<Endpoint>(*this, r));
  }
}

InProcessNetwork::~InProcessNetwork() = default;

Transport& InProcessNetwork::endpoint(int rank) {
  return *endpoints_.at(static_cast<std::size_t>(rank));
}

}  // namespace overseer
