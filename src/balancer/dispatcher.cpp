#include "overseer/balancer/dispatcher.hpp"

#include <algorithm>

#include "overseer/balancer/protocol.hpp"

namespace overseer {

Dispatcher::Dispatcher(Transport& transport, const Layout& layout, DispatcherOptions options,
                       TaskSource& source)
    : transport_(transport),
      layout_(layout),
      options_(options),
      source_(source),
      server0_(transport, layout, options.server, [this](int n) { needs_[0] += n; }),
      needs_(static_cast<std::size_t>(layout.servers()), 0) {}

void Dispatcher::setup_workers(const json& setup) {
  const Payload payload = encode(setup);
  for (int r = layout_.servers(); r < layout_.ranks(); ++r) {
    transport_.send(r, static_cast<int>(Tag::Setup), payload);
  }
}

bool Dispatcher::handle(const Message& message) {
  switch (static_cast<Tag>(message.tag)) {
    case Tag::Result:
      --outstanding_;
      source_.on_result(message.source, message.payload);
      // The master's own workers ask for more through their result.
      if (layout_.server_of(message.source) == 0) server0_.worker_idle(message.source);
      return true;
    case Tag::Progress:
      source_.on_progress(message.source, decode(message.payload));
      return true;
    case Tag::Need:
      needs_[static_cast<std::size_t>(message.source)] +=
          decode(message.payload).at("n").get<int>();
      return true;
    case Tag::Cancelled: {
      const json body = decode(message.payload);
      withdrawn(body.at("tasks"));
      // Only the answer to Cancel counts; late stolen tasks come back without "reply".
      if (body.value("reply", false)) --cancels_pending_;
      return true;
    }
    default:
      return server0_.handle(message);
  }
}

void Dispatcher::feed() {
  if (stopped_) return;
  if (options_.inject_at_one_server) {
    // Everything goes to server 0 at once, whatever anyone asked for.
    std::vector<json> batch;
    while (auto task = source_.next_task()) batch.push_back(std::move(*task));
    outstanding_ += static_cast<std::int64_t>(batch.size());
    if (!batch.empty()) server0_.add(std::move(batch), false);
    return;
  }
  const int candidates = layout_.servers();
  // Serving server 0 may raise its own need again, so repeat until nothing moves.
  for (bool moved = true; moved;) {
    moved = false;
    std::vector<int> needy;
    for (int s = 0; s < candidates; ++s) {
      if (needs_[static_cast<std::size_t>(s)] > 0) needy.push_back(s);
    }
    // Least loaded first: the server that asked for the most.
    std::stable_sort(needy.begin(), needy.end(),
                     [&](int a, int b) { return needs_[a] > needs_[b]; });
    for (int s : needy) {
      std::vector<json> batch;
      for (; needs_[s] > 0; --needs_[s]) {
        auto task = source_.next_task();
        if (!task) break;
        batch.push_back(std::move(*task));
      }
      if (batch.empty()) return;  // the source has nothing more for now
      moved = true;
      outstanding_ += static_cast<std::int64_t>(batch.size());
      if (s == 0) {
        server0_.add(std::move(batch), true);
      } else {
        send(transport_, s, Tag::Batch, {{"tasks", std::move(batch)}});
      }
    }
  }
}

void Dispatcher::stop_feeding() {
  stopped_ = true;
  withdrawn(server0_.cancel());
  for (int s = 1; s < layout_.servers(); ++s) send(transport_, s, Tag::Cancel, json::object());
  cancels_pending_ = layout_.servers() - 1;
}

void Dispatcher::withdrawn(const json& trials) {
  for (const auto& trial : trials) {
    --outstanding_;
    source_.on_withdrawn(trial);
  }
}

bool Dispatcher::all_servers_starved() const {
  return std::all_of(needs_.begin(), needs_.end(), [](int n) { return n > 0; });
}

void Dispatcher::shutdown_all() {
  shutdown_others(transport_);
}

void Dispatcher::send_control(int worker, const json& body) {
  send(transport_, worker, Tag::Control, body);
}

}  // namespace overseer
