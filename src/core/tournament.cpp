#include "overseer/core/tournament.hpp"

#include <algorithm>
#include <cmath>

#include "overseer/core/random.hpp"

namespace overseer {

json TournamentPlan::to_json() const {
  json plan = json::object();
  plan["trainer"] = trainer;
  plan["trainers"] = trainers;
  plan["fraction"] = fraction;
  plan["interval"] = interval;
  plan["until"] = until;
  plan["seed"] = seed;
  return plan;
}

TournamentPlan TournamentPlan::from_json(const json& plan) {
  TournamentPlan p;
  p.trainer = plan.at("trainer").get<int>();
  p.trainers = plan.at("trainers").get<int>();
  p.fraction = plan.at("fraction").get<double>();
  p.interval = plan.at("interval").get<std::int64_t>();
  p.until = plan.at("until").get<std::int64_t>();
  p.seed = plan.at("seed").get<std::uint64_t>();
  if (p.trainers < 1 || p.trainer < 0 || p.trainer >= p.trainers || p.interval < 1 ||
      !(p.fraction > 0 && p.fraction < 1)) {
    throw json::other_error::create(501, "malformed tournament plan " + plan.dump(), &plan);
  }
  return p;
}

TournamentPlan::Shard TournamentPlan::shard(const std::vector<std::size_t>& train) const {
  // Rows are dealt out in a seeded order rather than in file order, which groups them by cell
  // or drug.
  std::vector<std::size_t> order = train;
  std::sort(order.begin(), order.end());
  Rng rng(mix_seed(seed, 0x6c746662ULL));  // "ltfb"
  overseer::shuffle(order, rng);
  const std::size_t n = order.size();
  const auto k = static_cast<std::size_t>(trainers);
  const auto i = static_cast<std::size_t>(trainer);
  const auto first = order.begin() + static_cast<std::ptrdiff_t>(n * i / k);
  const auto last = order.begin() + static_cast<std::ptrdiff_t>(n * (i + 1) / k);
  const auto size = static_cast<std::size_t>(last - first);
  const auto held =
      std::min(size, static_cast<std::size_t>(std::llround(fraction * static_cast<double>(size))));
  Shard shard;
  shard.train.assign(first, last - static_cast<std::ptrdiff_t>(held));
  shard.tournament.assign(last - static_cast<std::ptrdiff_t>(held), last);
  return shard;
}

}  // namespace overseer
