#pragma once

#include <map>
#include <string>
#include <vector>

namespace overseer::sites {

// Site files write values that depend on the job as {name} (`{nodes}`, `{local_rank}`, ...).
// A "${" opens a shell expansion and is left for the shell, so "${HOME}" is no placeholder.
std::vector<std::string> placeholders(const std::string& text);
// Replaces every {name} that `values` holds; others stay as written.
std::string expand(const std::string& text, const std::map<std::string, std::string>& values);
// Replaces $NAME and ${NAME} with the variable's value in this process (empty when unset).
std::string expand_environment(const std::string& text);
// `word` as one word of a POSIX shell command line (single-quoted unless it needs no quotes).
std::string shell_quote(const std::string& word);

}  // namespace overseer::sites
