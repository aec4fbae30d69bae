#include "overseer/sites/staging.hpp"

#include <optional>
#include <stdexcept>

#include "overseer/sites/placeholders.hpp"

namespace overseer::sites {
namespace {

std::filesystem::path canonical_or_normal(const std::filesystem::path& path) {
  std::error_code error;
  auto canonical = std::filesystem::weakly_canonical(path, error);
  return error ? std::filesystem::absolute(path).lexically_normal() : canonical;
}

// The copy of `path` when it is a staged entry or lies inside one.
std::optional<std::filesystem::path> staged_copy(const std::filesystem::path& path,
                                                 const StagePlan& plan) {
  for (const auto& entry : plan.entries) {
    if (path == entry.source) return entry.destination;
    const auto inside = path.lexically_relative(entry.source);
    if (!inside.empty() && *inside.begin() != ".." && *inside.begin() != ".") {
      return entry.destination / inside;
    }
  }
  return std::nullopt;
}

}  // namespace

std::filesystem::path scratch_directory(const std::string& scratch) {
  const std::string expanded = expand_environment(scratch);
  return expanded.empty() ? std::filesystem::temp_directory_path()
                          : std::filesystem::path(expanded);
}

StagePlan plan_staging(const Campaign& campaign, const std::filesystem::path& scratch) {
  StagePlan plan;
  plan.dir = scratch / ("overseer-" + campaign.name);
  for (const auto& entry : campaign.stage) {
    plan.entries.push_back(
        {canonical_or_normal(campaign.resolve_path(entry)), plan.dir / staged_name(entry)});
  }
  return plan;
}

json to_json(const StagePlan& plan) {
  json entries = json::array();
  for (const auto& e : plan.entries) {
    entries.push_back({{"source", e.source.string()}, {"destination", e.destination.string()}});
  }
  return {{"dir", plan.dir.string()}, {"entries", entries}};
}

StagePlan stage_plan_from_json(const json& value) {
  StagePlan plan;
  plan.dir = value.at("dir").get<std::string>();
  for (const auto& e : value.at("entries")) {
    plan.entries.push_back(
        {e.at("source").get<std::string>(), e.at("destination").get<std::string>()});
  }
  return plan;
}

std::vector<StageFile> stage_files(const StagePlan& plan) {
  std::vector<StageFile> files;
  for (const auto& entry : plan.entries) {
    if (!std::filesystem::is_directory(entry.source)) {
      files.push_back({entry.source, entry.destination, std::filesystem::file_size(entry.source)});
      continue;
    }
    for (const auto& item : std::filesystem::recursive_directory_iterator(entry.source)) {
      if (!item.is_regular_file()) continue;
      files.push_back({item.path(),
                       entry.destination / item.path().lexically_relative(entry.source),
                       item.file_size()});
    }
  }
  return files;
}

void copy_staged_files(const StagePlan& plan) {
  for (const auto& file : stage_files(plan)) {
    std::filesystem::create_directories(file.destination.parent_path());
    std::filesystem::copy_file(file.source, file.destination,
                               std::filesystem::copy_options::overwrite_existing);
  }
}

json rewrite_staged_paths(const json& value, const std::filesystem::path& base_dir,
                          const StagePlan& plan) {
  if (value.is_string()) {
    const std::filesystem::path path = value.get<std::string>();
    if (path.empty()) return value;
    const auto copy =
        staged_copy(canonical_or_normal(path.is_absolute() ? path : base_dir / path), plan);
    return copy ? json(copy->string()) : value;
  }
  if (value.is_structured()) {
    json out = value;
    for (auto& item : out.items())
      item.value() = rewrite_staged_paths(item.value(), base_dir, plan);
    return out;
  }
  return value;
}

void use_staged_copies(Campaign& campaign, const StagePlan& plan) {
  if (plan.entries.empty()) return;
  campaign.model.data = rewrite_staged_paths(campaign.model.data, campaign.base_dir, plan);
  campaign.model.params = rewrite_staged_paths(campaign.model.params, campaign.base_dir, plan);
}

}  // namespace overseer::sites
