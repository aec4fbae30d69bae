#pragma once

#include <cstdint>
#include <filesystem>
#include <string>
#include <vector>

#include "overseer/core/campaign.hpp"

namespace overseer::sites {

struct StagedEntry {
  std::filesystem::path source;       // absolute, as the campaign names it
  std::filesystem::path destination;  // its copy in node-local storage
};

// Where a campaign's `stage` entries go on every node: DIR/overseer-NAME/<entry's name>.
struct StagePlan {
  std::filesystem::path dir;
  std::vector<StagedEntry> entries;
};

// The node-local directory of a site's `scratch` ($VARS expanded here); empty: $TMPDIR or /tmp.
std::filesystem::path scratch_directory(const std::string& scratch);
StagePlan plan_staging(const Campaign& campaign, const std::filesystem::path& scratch);

json to_json(const StagePlan& plan);
StagePlan stage_plan_from_json(const json& value);

// One regular file to copy: every file of a staged directory is one.
struct StageFile {
  std::filesystem::path source;
  std::filesystem::path destination;
  std::uintmax_t size = 0;
};
std::vector<StageFile> stage_files(const StagePlan& plan);

// Copies every file in one process (a run without MPI).
void copy_staged_files(const StagePlan& plan);

// A JSON value with every string that names a staged file or a path inside a staged directory
// (relative to `base_dir`, as the campaign's paths are) replaced by the copy's path.
json rewrite_staged_paths(const json& value, const std::filesystem::path& base_dir,
                          const StagePlan& plan);
// Points the campaign's model.data and model.params at the staged copies.
void use_staged_copies(Campaign& campaign, const StagePlan& plan);

}  // namespace overseer::sites
