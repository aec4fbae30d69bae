#pragma once

#include <cstdint>
#include <functional>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "overseer/core/campaign.hpp"
#include "overseer/core/registry.hpp"
#include "overseer/core/trial.hpp"

namespace overseer {

// What `Searcher::ask` answers: a new point, "nothing until more results arrive", or "done".
struct Suggestion {
  enum class Kind { Point, Wait, Exhausted };
  Kind kind = Kind::Exhausted;
  json params;
  std::string label;
  // A trial of a DAG (search algorithm dag): the earlier trials it followed, by id (the n-th
  // point asked for becomes trial n), and the one whose final checkpoint it starts from.
  std::vector<TrialId> parents = {};
  std::optional<TrialId> warm_start = std::nullopt;
  // Not empty: the trial fails at once with this message, without running (a DAG's subtree
  // under a failed trial, with on_failure "fail").
  std::string doomed = {};

  static Suggestion point(json params, std::string label = {}) {
    return {Kind::Point, std::move(params), std::move(label)};
  }
  static Suggestion wait() { return {Kind::Wait, {}, {}}; }
  static Suggestion exhausted() { return {Kind::Exhausted, {}, {}}; }
};

// A search algorithm. The master asks for points and tells results in whatever order trials
// finish, failed ones included. Its state must be a function of the sequence of asks and tells,
// so replaying a journal restores it exactly.
class Searcher {
 public:
  virtual ~Searcher() = default;
  virtual Suggestion ask() = 0;
  virtual void tell(const TrialRecord& /*trial*/) {}
  // Number of distinct points the algorithm can produce, when finite (grid, upf).
  virtual std::optional<std::int64_t> size() const { return std::nullopt; }
  // Records for the journal that ask and tell produced since the last call (e.g. a GA
  // generation's statistics); the master writes each as a "search" event. Replaying a journal
  // produces them again, and the master drops those, so each is written once.
  virtual std::vector<json> take_events() { return {}; }
};

struct SearcherEntry {
  // Option names the algorithm accepts in the campaign's `search` object, besides the common
  // `algorithm`, `budget` and `seed`.
  std::vector<std::string> options;
  // Builds the searcher; throws InputError for bad options. `search` views the `search` object.
  std::function<std::unique_ptr<Searcher>(const Campaign&, const JsonView& search)> create;
};

using SearcherRegistry = Registry<SearcherEntry>;

// Validates the campaign's `search` object against the registry and builds its searcher.
std::unique_ptr<Searcher> make_searcher(const Campaign& campaign);

}  // namespace overseer
