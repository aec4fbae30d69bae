#pragma once

#include <string>
#include <vector>

namespace overseer {

// Some models live in shared libraries that are loaded on first use, so that ranks which never
// train them do not pay for them: linking LibTorch costs every process ~0.7 s to start and
// ~160 MB. A plug-in registers its models from static initializers when it is loaded.
//
// Loads the plug-in that provides `model_name`, if one does. Returns an empty string when the
// name belongs to no plug-in or the plug-in is loaded, otherwise why it could not be loaded.
// Plug-ins are looked for in $OVERSEER_PLUGIN_DIR, then next to the executable and in
// ../lib/overseer relative to it.
std::string load_model_plugin(const std::string& model_name);

// The models that plug-ins provide, loaded or not (for listing what a campaign may name).
std::vector<std::string> plugin_model_names();

}  // namespace overseer
