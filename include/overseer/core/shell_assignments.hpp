#pragma once

#include <filesystem>
#include <map>
#include <string>
#include <vector>

namespace overseer {

// The variable assignments of a shell configuration file (CANDLE/Supervisor's cfg-*.sh), read
// WITHOUT running it: nothing the file says is executed. Understood, one or more per line and
// separated by `;`: `NAME=value` and `export NAME=value`, with values quoted ('...', "...") or
// not, and expansions of variables set earlier (or given): `$NAME`, `${NAME}`,
// `${NAME:-default}`, `${NAME-default}`, `${NAME:=default}` (which sets NAME), a default being
// expanded only when it is taken. Anything else is reported, not
// run: commands, command substitution (`$(...)`, backquotes), pipes and lists, and every line
// of an `if`, `case`, `for` or `while` block (whose assignments depend on a condition this
// reader does not evaluate), as is an assignment that uses a variable nobody set.

struct ShellValue {
  std::string text;
  std::filesystem::path file;  // empty for a value given on the command line
  int line = 0;
};

struct SkippedShellLine {
  std::filesystem::path file;
  int line = 0;
  std::string text;
  std::string reason;
};

struct ShellAssignments {
  std::map<std::string, ShellValue> values;
  std::vector<SkippedShellLine> skipped;
};

// Reads `file`'s assignments into `into`, on top of what it holds (an earlier file's values, or
// given ones), as sourcing the files in that order would. Throws std::runtime_error when the
// file cannot be read.
void read_shell_assignments(const std::filesystem::path& file, ShellAssignments& into);

}  // namespace overseer
