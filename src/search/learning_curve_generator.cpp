// learning_curve: the same model trained on growing shares of the training rows, with one
// fixed validation and test set, as IMPROVE's learning-curve analysis does. Each size is
// trained `repeats` times on other draws of its rows; a larger size holds every row of a
// smaller one of the same repeat. Nodes are independent (no parents), with ids "SIZE:REPEAT".
#include <cmath>

#include "overseer/search/dag.hpp"

namespace overseer {
namespace {

std::vector<double> sizes_of(const JsonView& view) {
  std::vector<double> sizes;
  if (auto list = view.find("sizes")) {
    if (view.find("num")) view.at("num").fail("give sizes or num, not both");
    for (const auto& element : list->elements()) {
      const double size = element.number();
      if (!(size > 0) || (size > 1 && size != std::floor(size))) {
        element.fail(
            "a size is a share of the training rows above 0 and at most 1, or a whole "
            "number of rows");
      }
      if (!sizes.empty() && size <= sizes.back()) element.fail("sizes must grow");
      sizes.push_back(size);
    }
    if (sizes.empty()) list->fail("needs at least one size");
    return sizes;
  }
  // Log-spaced shares from `smallest` to the whole training set.
  const std::int64_t num = view.integer_or("num", 6);
  if (num < 2 || num > 100) {
    (view.find("num") ? view.at("num") : view).fail("num must be between 2 and 100");
  }
  const double smallest = view.number_or("smallest", 0.05);
  if (!(smallest > 0 && smallest < 1)) {
    view.at("smallest").fail("smallest must be a share above 0 and below 1");
  }
  for (std::int64_t i = 0; i < num; ++i) {
    sizes.push_back(std::exp(std::log(smallest) * static_cast<double>(num - 1 - i) /
                             static_cast<double>(num - 1)));
  }
  sizes.front() = smallest;
  sizes.back() = 1;
  return sizes;
}

std::vector<DagNode> expand(const JsonView& view) {
  const std::vector<double> sizes = sizes_of(view);
  const std::int64_t repeats = view.integer_or("repeats", 1);
  if (repeats < 1 || repeats > 1000) {
    view.at("repeats").fail("repeats must be between 1 and 1000");
  }
  std::vector<DagNode> nodes;
  for (std::int64_t r = 1; r <= repeats; ++r) {
    for (double size : sizes) {
      DagNode node;
      node.id = json(size).dump() + ":" + std::to_string(r);
      node.params = {{"train_size", size}, {"train_size_seed", r}};
      nodes.push_back(std::move(node));
    }
  }
  return nodes;
}

const bool registered = DagGeneratorRegistry::instance().add(
    "learning_curve", {{"sizes", "num", "smallest", "repeats"}, expand});

}  // namespace
}  // namespace overseer
