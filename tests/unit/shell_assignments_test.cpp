// Reading a shell configuration file's assignments without running it.
#include "overseer/core/shell_assignments.hpp"

#include <gtest/gtest.h>

#include "process.hpp"

using namespace overseer;
using overseer::test::ScratchDir;
using overseer::test::write_text;

namespace {

ShellAssignments read(const ScratchDir& dir, const std::string& text,
                      std::map<std::string, std::string> given = {}) {
  write_text(dir / "cfg.sh", text);
  ShellAssignments out;
  for (const auto& [name, value] : given) out.values[name] = {value, {}, 0};
  read_shell_assignments(dir / "cfg.sh", out);
  return out;
}

std::string value(const ShellAssignments& a, const std::string& name) {
  const auto it = a.values.find(name);
  return it == a.values.end() ? "<unset>" : it->second.text;
}

}  // namespace

TEST(ShellAssignments, PlainExportedQuotedAndDefaultedValues) {
  ScratchDir dir;
  const auto a = read(dir,
                      "# a comment\n"
                      "\n"
                      "SEED=1\n"
                      "export PROCS=${PROCS:-4}   # four ranks\n"
                      "QUEUE='debug queue'\n"
                      "TITLE=\"run $SEED of ${PROCS}\"\n"
                      "EMPTY=${EMPTY:-}\n"
                      "DASH=${UNSET-fallback}\n"
                      "ASSIGN=${ALSO_UNSET:=other}\n"
                      "A=1 B=$A; export C=3\n"
                      "LONG=one\\\n"
                      "two\n"
                      "export SEED\n"
                      "ESCAPED=a\\ b\n");
  EXPECT_TRUE(a.skipped.empty()) << a.skipped.front().text << ": " << a.skipped.front().reason;
  EXPECT_EQ(value(a, "SEED"), "1");
  EXPECT_EQ(value(a, "PROCS"), "4");
  EXPECT_EQ(value(a, "QUEUE"), "debug queue");
  EXPECT_EQ(value(a, "TITLE"), "run 1 of 4");
  EXPECT_EQ(value(a, "EMPTY"), "");
  EXPECT_EQ(value(a, "DASH"), "fallback");
  EXPECT_EQ(value(a, "ASSIGN"), "other");
  EXPECT_EQ(value(a, "A"), "1");
  EXPECT_EQ(value(a, "B"), "1");
  EXPECT_EQ(value(a, "C"), "3");
  EXPECT_EQ(value(a, "LONG"), "onetwo");
  EXPECT_EQ(value(a, "ESCAPED"), "a b");
  EXPECT_EQ(a.values.at("PROCS").line, 4);
  EXPECT_EQ(a.values.at("PROCS").file, dir / "cfg.sh");
}

TEST(ShellAssignments, AGivenValueWinsOverADefaultButNotOverAPlainAssignment) {
  ScratchDir dir;
  const auto a = read(dir,
                      "PROCS=${PROCS:-4}\nPPN=1\nEMPTY_GIVEN=${EMPTY_GIVEN:-d}\n"
                      "SPACE=${SPACE:-$EMEWS_PROJECT_ROOT/data/space.json}\n",
                      {{"PROCS", "64"}, {"PPN", "8"}, {"EMPTY_GIVEN", ""}, {"SPACE", "s.json"}});
  EXPECT_TRUE(a.skipped.empty());
  // A default that is not taken is not expanded: EMEWS_PROJECT_ROOT need not be set.
  EXPECT_EQ(value(a, "SPACE"), "s.json");
  EXPECT_EQ(value(a, "PROCS"), "64");
  EXPECT_EQ(value(a, "PPN"), "1");
  // `:-` takes the default for an empty value too.
  EXPECT_EQ(value(a, "EMPTY_GIVEN"), "d");
}

TEST(ShellAssignments, WhatCannotBeReadWithoutRunningItIsReportedNotApplied) {
  ScratchDir dir;
  const auto a = read(dir,
                      "RANKS=$(( PROCS - 2 ))\n"
                      "HOST=`hostname`\n"
                      "DATE=$(date)\n"
                      "source $WORKFLOWS_ROOT/common/sh/utils.sh\n"
                      "X=1 python3 run.py\n"
                      "ROOT=$EMEWS_PROJECT_ROOT/data\n"
                      "if [ \"$MODEL_NAME\" = \"combo\" ]; then\n"
                      "    PARAM_SET_FILE=combo.json\n"
                      "else\n"
                      "    PARAM_SET_FILE=other.json\n"
                      "fi\n"
                      "AFTER=ok\n"
                      "LIST=a | tee x\n");
  std::vector<int> lines;
  for (const auto& s : a.skipped) lines.push_back(s.line);
  EXPECT_EQ(lines, (std::vector<int>{1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 13}));
  for (const char* name : {"RANKS", "HOST", "DATE", "X", "ROOT", "PARAM_SET_FILE", "LIST"}) {
    EXPECT_EQ(value(a, name), "<unset>") << name;
  }
  EXPECT_EQ(value(a, "AFTER"), "ok");
  EXPECT_EQ(a.skipped[0].reason, "command substitution or arithmetic: not run");
  EXPECT_EQ(a.skipped[3].reason, "a command, not an assignment: not run");
  EXPECT_EQ(a.skipped[5].reason,
            "uses $EMEWS_PROJECT_ROOT, which is not set here (give it with --var "
            "EMEWS_PROJECT_ROOT=VALUE)");
  EXPECT_EQ(a.skipped[6].text, "if [ \"$MODEL_NAME\" = \"combo\" ]; then");
}

TEST(ShellAssignments, KeywordsInCommentsAndQuotesOpenNoBlock) {
  ScratchDir dir;
  const auto a = read(dir,
                      "POPULATION_SIZE=${POPULATION_SIZE:-4}  # for the GA, if any\n"
                      "DESC=\"run if needed; done\"\n"
                      "Y=${X:=5}\n"
                      "Z=$X\n"
                      "if [ -n \"$Z\" ]; then  # fi in a comment does not close it\n"
                      "  W=1\n"
                      "fi\n"
                      "A=${GIVEN:-$(pwd)}\n"
                      "AFTER=ok\n",
                      {{"GIVEN", "g"}});
  std::vector<int> lines;
  for (const auto& s : a.skipped) lines.push_back(s.line);
  EXPECT_EQ(lines, (std::vector<int>{5, 6, 7}));
  EXPECT_EQ(value(a, "POPULATION_SIZE"), "4");
  EXPECT_EQ(value(a, "DESC"), "run if needed; done");
  // ${X:=5} assigns X, as the shell does.
  EXPECT_EQ(value(a, "Y"), "5");
  EXPECT_EQ(value(a, "X"), "5");
  EXPECT_EQ(value(a, "Z"), "5");
  EXPECT_EQ(value(a, "W"), "<unset>");
  // A default that is not taken is never run.
  EXPECT_EQ(value(a, "A"), "g");
  EXPECT_EQ(value(a, "AFTER"), "ok");
}
