#include "overseer/balancer/worker.hpp"

#include <spdlog/spdlog.h>

#include "overseer/balancer/protocol.hpp"
#include "overseer/core/trial.hpp"

namespace overseer {
namespace {

constexpr int kMaster = 0;

}  // namespace

WorkerRole::WorkerRole(Transport& transport, const Layout& layout, ExecutorFactory make_executor)
    : transport_(transport),
      server_(layout.server_of(transport.rank())),
      make_executor_(std::move(make_executor)),
      host_(host_name()) {}

void WorkerRole::on_message(const Message& message) {
  switch (static_cast<Tag>(message.tag)) {
    case Tag::Setup:
      try {
        executor_ = make_executor_(decode(message.payload));
      } catch (const std::exception& e) {
        setup_error_ = e.what();
        spdlog::error("worker {}: setup failed: {}", transport_.rank(), setup_error_);
      }
      send(transport_, server_, Tag::Request, json::object());
      break;
    case Tag::Task: {
      json task = decode(message.payload);
      if (executor_) {
        executor_->start(task, [this](json result) { finished(std::move(result)); });
      } else {
        // A worker that could not set up fails its tasks, so the master's failure accounting
        // (retries on other workers, max_failures) decides what happens next.
        finished({{"trial", task.at("trial")},
                  {"attempt", task.at("attempt")},
                  {"status", "failed"},
                  {"message", "worker setup failed: " + setup_error_}});
      }
      break;
    }
    case Tag::Shutdown:
      done_ = true;
      break;
    default:
      spdlog::warn("worker {}: ignoring unexpected message {}", transport_.rank(), message.tag);
  }
}

void WorkerRole::finished(json result) {
  result["host"] = host_;
  send(transport_, kMaster, Tag::Result, result);
  // The master serves its own block from the result; other servers need a request.
  if (server_ != kMaster) send(transport_, server_, Tag::Request, json::object());
}

}  // namespace overseer
