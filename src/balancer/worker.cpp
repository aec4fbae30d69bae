#include "overseer/balancer/worker.hpp"

#include <spdlog/spdlog.h>

#include "overseer/balancer/protocol.hpp"

namespace overseer {

WorkerRole::WorkerRole(Transport& transport, const Layout& layout, ExecutorFactory make_executor,
                       std::string node)
    : transport_(transport),
      server_(layout.server_of(transport.rank())),
      make_executor_(std::move(make_executor)),
      host_(std::move(node)) {}

void WorkerRole::on_message(const Message& message) {
  switch (static_cast<Tag>(message.tag)) {
    case Tag::Setup:
      try {
        executor_ = make_executor_(decode(message.payload));
      } catch (const std::exception& e) {
        setup_error_ = e.what();
        spdlog::error("worker {}: setup failed: {}", transport_.rank(), setup_error_);
      }
      send(transport_, server_, Tag::Request,
           {{"slots", decode(message.payload).value("prefetch", 1)}, {"node", host_}});
      break;
    case Tag::Task:
      if (busy_) {
        waiting_.push_back(decode(message.payload));
      } else {
        run(decode(message.payload));
      }
      break;
    case Tag::Shutdown:
      done_ = true;
      break;
    case Tag::Control:
      if (executor_) executor_->on_control(decode(message.payload));
      break;
    default:
      spdlog::warn("worker {}: ignoring unexpected message {}", transport_.rank(), message.tag);
  }
}

void WorkerRole::run(const json& task) {
  busy_ = true;
  leads_ = task.value("member", 0) == 0;
  if (executor_) {
    executor_->start(task, *this, [this](json result) { finished(std::move(result)); });
  } else {
    // A worker that could not set up fails its tasks, so the master's failure accounting
    // (retries on other workers, max_failures) decides what happens next.
    finished({{"trial", task.at("trial")},
              {"attempt", task.at("attempt")},
              {"status", "failed"},
              {"message", "worker setup failed: " + setup_error_}});
  }
}

void WorkerRole::finished(json result) {
  if (leads_) {
    result["host"] = host_;
    transport_.send(kMasterRank, static_cast<int>(Tag::Result), encode_result(result));
  }
  // The master serves its own block from the result; other servers, and the master for the
  // other members of a group, need a request.
  if (server_ != kMasterRank || !leads_) send(transport_, server_, Tag::Request, json::object());
  // Still busy, so that tasks among them queue behind the ones already waiting.
  while (!deferred_.empty()) {
    const Message message = std::move(deferred_.front());
    deferred_.pop_front();
    on_message(message);
  }
  busy_ = false;
  if (!waiting_.empty()) {
    json next = std::move(waiting_.front());
    waiting_.pop_front();
    run(next);
  }
}

void WorkerRole::send_progress(const json& batch) {
  send(transport_, kMasterRank, Tag::Progress, batch);
}

std::vector<json> WorkerRole::receive_control(std::chrono::microseconds timeout) {
  std::vector<json> control;
  const auto until = std::chrono::steady_clock::now() + timeout;
  for (auto wait = timeout; auto message = transport_.receive(wait);) {
    if (static_cast<Tag>(message->tag) == Tag::Control) {
      control.push_back(decode(message->payload));
    } else {
      deferred_.push_back(std::move(*message));
    }
    // Once one has come, only what is already there.
    const auto left = until - std::chrono::steady_clock::now();
    wait = control.empty() && left > left.zero()
               ? std::chrono::duration_cast<std::chrono::microseconds>(left)
               : std::chrono::microseconds(0);
  }
  return control;
}

}  // namespace overseer
