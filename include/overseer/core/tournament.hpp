#pragma once

#include <cstddef>
#include <cstdint>
#include <vector>

#include <nlohmann/json.hpp>

namespace overseer {

using json = nlohmann::json;

// A trial's part in an LTFB campaign (scheduler ltfb, docs/schedulers.md): it is trainer
// `trainer` of `trainers`, trains on its own shard of the training rows, of which the last
// `fraction` is its tournament set, and meets another trainer after every `interval` steps
// before `until`. The master sends it with the task.
struct TournamentPlan {
  int trainer = 0;
  int trainers = 1;
  double fraction = 0.2;
  std::int64_t interval = 1;
  std::int64_t until = 0;
  std::uint64_t seed = 0;  // draws the shards, the same for every trainer

  json to_json() const;
  // Throws json::exception for a malformed plan.
  static TournamentPlan from_json(const json& plan);

  // Whether the report after `step` meets a partner.
  bool due(std::int64_t step) const { return step % interval == 0 && step < until; }

  struct Shard {
    std::vector<std::size_t> train, tournament;
  };
  // This trainer's rows of `train` (a split's training rows): the trainers' shards are
  // disjoint, cover every row, and differ in size by at most one.
  Shard shard(const std::vector<std::size_t>& train) const;
};

}  // namespace overseer
