#pragma once

#include <functional>
#include <optional>
#include <vector>

#include "overseer/core/random.hpp"
#include "overseer/search/acquisition.hpp"
#include "overseer/search/space_encoding.hpp"
#include "overseer/search/surrogate.hpp"

namespace overseer {

// The next point a model-based search proposes: the best of a batch of candidates, uniform over
// the cube plus neighbours of the best points so far (where the optimum usually is), then, for
// a smooth surrogate, polished by NLopt's BOBYQA over the continuous coordinates. `excluded`
// rejects points that must not be proposed (pending or already evaluated); none is returned
// when every candidate is rejected.
struct AcquisitionSearch {
  std::size_t random_candidates = 128;
  std::size_t neighbours = 16;  // per incumbent
  std::size_t polish_starts = 2;
  int polish_evaluations = 50;

  std::optional<std::vector<double>> maximize(
      const Surrogate& surrogate, const Acquisition& acquisition, const SpaceEncoding& encoding,
      const std::vector<std::vector<double>>& incumbents,
      const std::function<bool(const std::vector<double>&)>& excluded, Rng& rng) const;
};

}  // namespace overseer
