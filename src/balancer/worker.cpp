#include "overseer/balancer/worker.hpp"

#include <unistd.h>

#include <spdlog/spdlog.h>

#include "overseer/balancer/protocol.hpp"

namespace overseer {

void run_worker(Transport& transport, const TaskHandlerFactory& make_handler) {
  constexpr int kMaster = 0;
  char host[256] = {};
  ::gethostname(host, sizeof host - 1);
  send(transport, kMaster, Tag::Ready, {{"host", host}});

  std::unique_ptr<TaskHandler> handler;
  std::string setup_error;
  while (true) {
    auto message = transport.receive(std::chrono::milliseconds(1000));
    if (!message) continue;
    switch (static_cast<Tag>(message->tag)) {
      case Tag::Setup:
        try {
          handler = make_handler(decode(message->payload));
        } catch (const std::exception& e) {
          setup_error = e.what();
          spdlog::error("worker {}: setup failed: {}", transport.rank(), setup_error);
        }
        break;
      case Tag::Task: {
        const json task = decode(message->payload);
        // A worker that could not set up fails its tasks, so the master's failure accounting
        // (retries on other workers, max_failures) decides what happens next.
        json result = handler ? handler->run(task)
                              : json{{"trial", task.at("trial")},
                                     {"attempt", task.at("attempt")},
                                     {"status", "failed"},
                                     {"message", "worker setup failed: " + setup_error}};
        result["host"] = host;
        send(transport, kMaster, Tag::Result, result);
        break;
      }
      case Tag::Shutdown:
        return;
      default:
        spdlog::warn("worker {}: ignoring unexpected message {}", transport.rank(), message->tag);
    }
  }
}

}  // namespace overseer
