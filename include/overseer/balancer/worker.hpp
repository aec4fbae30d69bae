#pragma once

#include <functional>
#include <memory>

#include "overseer/balancer/transport.hpp"
#include "overseer/core/json_view.hpp"

namespace overseer {

// What a worker does with the tasks it receives; the balancer itself never looks inside them.
class TaskHandler {
 public:
  virtual ~TaskHandler() = default;
  // Returns the result body sent back to the master.
  virtual json run(const json& task) = 0;
};

// Builds a worker's handler from the master's Setup message.
using TaskHandlerFactory = std::function<std::unique_ptr<TaskHandler>(const json& setup)>;

// A resident worker: announces itself, builds its handler once, then runs tasks until told to
// stop. Returns when the master sends Shutdown.
void run_worker(Transport& transport, const TaskHandlerFactory& make_handler);

}  // namespace overseer
