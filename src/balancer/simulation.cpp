#include "overseer/balancer/simulation.hpp"

#include <algorithm>
#include <limits>
#include <stdexcept>

namespace overseer {
namespace {

constexpr double kNever = std::numeric_limits<double>::infinity();

struct Later {
  template <typename E>
  bool operator()(const E& a, const E& b) const {
    return a.time != b.time ? a.time > b.time : a.sequence > b.sequence;
  }
};

}  // namespace

class Simulation::Endpoint : public Transport {
 public:
  Endpoint(Simulation& simulation, int rank) : simulation_(simulation), rank_(rank) {}
  int rank() const override { return rank_; }
  int size() const override { return static_cast<int>(simulation_.endpoints_.size()); }
  double now() const override { return simulation_.now_; }

  void send(int destination, int tag, Payload payload) override {
    Simulation& s = simulation_;
    ++s.messages_;
    // A message leaves when its sender has finished handling the current event.
    const double leaves = std::max(s.now_, s.busy_until_[static_cast<std::size_t>(rank_)]);
    s.push(Event{leaves + s.options_.latency_s,
                 0,
                 destination,
                 Kind::Deliver,
                 Message{rank_, tag, std::move(payload)},
                 {}});
  }

  std::optional<Message> receive(std::chrono::microseconds) override {
    throw std::logic_error("simulated ranks are driven by Simulation::run, not receive");
  }

 private:
  Simulation& simulation_;
  int rank_;
};

Simulation::Simulation(int ranks, Options options)
    : options_(options),
      roles_(static_cast<std::size_t>(ranks), nullptr),
      busy_until_(static_cast<std::size_t>(ranks), 0),
      busy_time_(static_cast<std::size_t>(ranks), 0),
      timer_at_(static_cast<std::size_t>(ranks), kNever),
      inbox_(static_cast<std::size_t>(ranks)) {
  for (int r = 0; r < ranks; ++r) endpoints_.push_back(std::make_unique<Endpoint>(*this, r));
}

Simulation::~Simulation() = default;

Transport& Simulation::endpoint(int rank) {
  return *endpoints_.at(static_cast<std::size_t>(rank));
}

void Simulation::set_role(int rank, Role& role) {
  roles_.at(static_cast<std::size_t>(rank)) = &role;
}

void Simulation::at(double time, int rank, std::function<void()> action) {
  push(Event{time, 0, rank, Kind::Action, {}, std::move(action)});
}

void Simulation::charge(int rank, double seconds) {
  const auto r = static_cast<std::size_t>(rank);
  busy_until_[r] = std::max(busy_until_[r], now_) + seconds;
  busy_time_[r] += seconds;
}

void Simulation::push(Event event) {
  event.sequence = sequence_++;
  events_.push_back(std::move(event));
  std::push_heap(events_.begin(), events_.end(), Later{});
}

void Simulation::run() {
  for (std::size_t r = 0; r < roles_.size(); ++r) {
    if (roles_[r] == nullptr) throw std::logic_error("simulation: a rank has no role");
  }
  for (std::size_t r = 0; r < roles_.size(); ++r) {
    roles_[r]->start();
    after_event(static_cast<int>(r));
  }
  while (!events_.empty()) {
    std::pop_heap(events_.begin(), events_.end(), Later{});
    Event event = std::move(events_.back());
    events_.pop_back();
    const auto r = static_cast<std::size_t>(event.rank);
    if (event.kind == Kind::Timer && timer_at_[r] != event.time) continue;  // superseded
    if (event.kind == Kind::Wake) {
      now_ = event.time;
      Event next = std::move(inbox_[r].front());
      inbox_[r].pop_front();
      handle(next);
    } else if (busy_until_[r] > event.time || !inbox_[r].empty()) {
      // A rank handles one event at a time: later arrivals wait in order until it is free.
      if (inbox_[r].empty()) push(Event{busy_until_[r], 0, event.rank, Kind::Wake, {}, {}});
      inbox_[r].push_back(std::move(event));
      continue;
    } else {
      now_ = event.time;
      handle(event);
    }
    if (!inbox_[r].empty()) {
      push(Event{std::max(busy_until_[r], now_), 0, event.rank, Kind::Wake, {}, {}});
    }
  }
}

void Simulation::handle(Event& event) {
  const auto r = static_cast<std::size_t>(event.rank);
  Role& role = *roles_[r];
  if (role.done()) return;
  switch (event.kind) {
    case Kind::Deliver:
      busy_until_[r] = now_ + options_.handle_s;
      busy_time_[r] += options_.handle_s;
      role.on_message(event.message);
      break;
    case Kind::Timer:
      if (timer_at_[r] != event.time) return;
      timer_at_[r] = kNever;
      role.on_timer();
      break;
    case Kind::Action:
      event.action();
      break;
    case Kind::Wake:
      break;
  }
  after_event(event.rank);
}

void Simulation::after_event(int rank) {
  const auto r = static_cast<std::size_t>(rank);
  const Role& role = *roles_[r];
  const double next = role.done() ? kNever : role.next_timer();
  if (next == timer_at_[r] || next == kNever) return;
  timer_at_[r] = std::max(next, now_);
  push(Event{timer_at_[r], 0, rank, Kind::Timer, {}, {}});
}

}  // namespace overseer
