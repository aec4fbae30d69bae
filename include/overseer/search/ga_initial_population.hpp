#pragma once

#include <cstdint>
#include <filesystem>
#include <vector>

#include "overseer/core/search_space.hpp"

namespace overseer::ga {

// The first individuals of a GA from a file (`init_params_file`, Supervisor's INIT_PARAMS_FILE):
// a CSV whose header names every searched parameter (in any order) and whose rows are
// individuals, each value checked against the space. At most `population_size` rows; a
// population larger than the file is filled with random points. Throws InputError naming the
// file, and the line and column of a bad value.
std::vector<json> read_initial_population(const std::filesystem::path& file,
                                          const SearchSpace& space, std::int64_t population_size);

}  // namespace overseer::ga
