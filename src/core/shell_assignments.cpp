#include "overseer/core/shell_assignments.hpp"

#include <fstream>
#include <optional>
#include <set>
#include <stdexcept>

namespace overseer {
namespace {

const std::set<std::string> kOpeners = {"if", "case", "for", "while", "until", "select"};
const std::set<std::string> kClosers = {"fi", "esac", "done"};

bool name_start(char c) {
  return (c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z') || c == '_';
}
bool name_char(char c) {
  return name_start(c) || (c >= '0' && c <= '9');
}

// Why a command was not taken, thrown by the scanner and reported with its line.
struct NotTaken {
  std::string reason;
};

// One command of a line: words of assignments, scanned with the quoting and expansions above.
class Scanner {
 public:
  // `values` are the line's: ${NAME:=default} assigns NAME there, as the shell does.
  Scanner(const std::string& text, std::map<std::string, ShellValue>& values, ShellValue origin)
      : text_(text), values_(values), origin_(std::move(origin)) {}

  // The variables ${NAME:=default} assigned, in order.
  const std::vector<std::string>& defaulted() const { return defaulted_; }

  bool at_end() const { return pos_ >= text_.size(); }

  void skip_blanks() {
    while (!at_end() && (text_[pos_] == ' ' || text_[pos_] == '\t')) ++pos_;
  }

  // A `;` between commands, or the start of a comment, which ends the line.
  bool at_separator() {
    skip_blanks();
    if (at_end()) return true;
    if (text_[pos_] == '#') {
      pos_ = text_.size();
      return true;
    }
    if (text_[pos_] == ';') {
      ++pos_;
      return true;
    }
    return false;
  }

  std::optional<std::string> name() {
    if (at_end() || !name_start(text_[pos_])) return std::nullopt;
    const std::size_t start = pos_;
    while (!at_end() && name_char(text_[pos_])) ++pos_;
    return text_.substr(start, pos_ - start);
  }

  bool next_is(char c) const { return !at_end() && text_[pos_] == c; }
  void expect(char c) {
    if (!next_is(c)) throw NotTaken{"not an assignment"};
    ++pos_;
  }
  std::size_t position() const { return pos_; }
  void rewind(std::size_t to) { pos_ = to; }

  // A value: up to unquoted blank, `;` or the end of the line.
  std::string word() {
    std::string out;
    while (!at_end()) {
      const char c = text_[pos_];
      if (c == ' ' || c == '\t' || c == ';') break;
      if (c == '|' || c == '&' || c == '<' || c == '>' || c == '(' || c == ')') {
        throw NotTaken{"a pipe, list or redirection: not run"};
      }
      ++pos_;
      if (c == '\\') {
        if (!at_end()) out += text_[pos_++];
      } else {
        unquoted(c, out);
      }
    }
    return out;
  }

 private:
  // What an unquoted character stands for: a quoted string, an expansion, or itself.
  void unquoted(char c, std::string& out) {
    if (c == '\'') {
      out += single_quoted();
    } else if (c == '"') {
      out += double_quoted();
    } else {
      expanded(c, out);
    }
  }

  // What a character stands for inside double quotes too: an expansion, or itself.
  void expanded(char c, std::string& out) {
    if (c == '$') {
      out += expansion();
    } else if (c == '`') {
      throw NotTaken{"command substitution: not run"};
    } else {
      out += c;
    }
  }

  // After an opening ': everything up to the closing one, as written.
  std::string single_quoted() {
    const auto close = text_.find('\'', pos_);
    if (close == std::string::npos) throw NotTaken{"an unterminated quote"};
    std::string out = text_.substr(pos_, close - pos_);
    pos_ = close + 1;
    return out;
  }

  std::string double_quoted() {
    std::string out;
    while (true) {
      if (at_end()) throw NotTaken{"an unterminated quote"};
      const char c = text_[pos_++];
      if (c == '"') return out;
      if (c == '\\' && !at_end() && std::string("\"\\$`").find(text_[pos_]) != std::string::npos) {
        out += text_[pos_++];
      } else {
        expanded(c, out);
      }
    }
  }

  // After a `$`: a variable, with its default when it has one.
  std::string expansion() {
    if (next_is('(')) {
      if (unused_ == 0) throw NotTaken{"command substitution or arithmetic: not run"};
      skip_parentheses();
      return "";
    }
    if (!next_is('{')) {
      const auto variable = name();
      if (!variable) return "$";
      return value_of(*variable);
    }
    ++pos_;
    const auto variable = name();
    if (!variable) throw NotTaken{"an expansion this reader does not understand: not run"};
    if (next_is('}')) {
      ++pos_;
      return value_of(*variable);
    }
    bool colon = false;
    if (next_is(':')) {
      colon = true;
      ++pos_;
    }
    if (!next_is('-') && !next_is('=')) {
      throw NotTaken{"an expansion this reader does not understand: not run"};
    }
    const bool assigns = next_is('=');
    ++pos_;
    const auto it = values_.find(*variable);
    const bool set = it != values_.end() && (!colon || !it->second.text.empty());
    // As the shell does, a default is expanded only when it is taken.
    if (set) ++unused_;
    std::string fallback;
    while (!next_is('}')) {
      if (at_end()) throw NotTaken{"an unterminated ${...}"};
      unquoted(text_[pos_++], fallback);
    }
    ++pos_;
    if (set) {
      --unused_;
      return it->second.text;
    }
    if (assigns && unused_ == 0) {
      ShellValue value = origin_;
      value.text = fallback;
      values_[*variable] = value;
      defaulted_.push_back(*variable);
    }
    return fallback;
  }

  // Past a $(...) or $((...)) that an unused default holds, which is never run.
  void skip_parentheses() {
    int depth = 0;
    do {
      if (at_end()) throw NotTaken{"an unterminated $(...)"};
      const char c = text_[pos_++];
      depth += c == '(' ? 1 : c == ')' ? -1 : 0;
    } while (depth > 0);
  }

  std::string value_of(const std::string& variable) const {
    const auto it = values_.find(variable);
    if (it == values_.end()) {
      if (unused_ > 0) return "";
      throw NotTaken{"uses $" + variable + ", which is not set here (give it with --var " +
                     variable + "=VALUE)"};
    }
    return it->second.text;
  }

  const std::string& text_;
  std::map<std::string, ShellValue>& values_;
  ShellValue origin_;  // the file and line, for what ${NAME:=default} assigns
  std::vector<std::string> defaulted_;
  std::size_t pos_ = 0;
  int unused_ = 0;  // inside defaults that are not taken, whose variables need not be set
};

// The words of a line in command position (its first, and each after an unquoted `;`, `&` or
// `|`, or after a keyword that a command follows), where a block's keywords can be: quoted text
// and comments hold none.
std::vector<std::string> command_words(const std::string& text) {
  static const std::set<std::string> kBeforeCommand = {"then",  "do",    "else", "elif", "if",
                                                       "while", "until", "!",    "{",    "("};
  std::vector<std::string> words;
  std::string current;
  bool command_position = true, in_word = false;
  char quote = 0;
  const auto end_word = [&] {
    if (!in_word) return;
    if (command_position) words.push_back(current);
    command_position = command_position && kBeforeCommand.count(current) > 0;
    current.clear();
    in_word = false;
  };
  for (std::size_t i = 0; i < text.size(); ++i) {
    const char c = text[i];
    if (quote) {
      if (c == quote) quote = 0;
      continue;
    }
    if (c == '\\') {
      ++i;
      in_word = true;
      current += '\\';
    } else if (c == '\'' || c == '"') {
      quote = c;
      in_word = true;
      current += c;
    } else if (c == '#' && !in_word) {
      break;
    } else if (c == ' ' || c == '\t') {
      end_word();
    } else if (c == ';' || c == '&' || c == '|') {
      end_word();
      command_position = true;
    } else {
      current += c;
      in_word = true;
    }
  }
  end_word();
  return words;
}

std::string trimmed(const std::string& text) {
  const auto start = text.find_first_not_of(" \t\r");
  if (start == std::string::npos) return "";
  return text.substr(start, text.find_last_not_of(" \t\r") - start + 1);
}

// The assignments of one line, applied only when all of it was understood.
void read_line(const std::string& text, const std::filesystem::path& file, int line,
               ShellAssignments& into) {
  std::vector<std::pair<std::string, std::string>> taken;
  std::vector<std::string> scan_defaulted;
  // Values assigned earlier on the line count for the expansions after them.
  std::map<std::string, ShellValue> values = into.values;
  try {
    Scanner scan(text, values, {"", file, line});
    while (true) {
      if (scan.at_separator()) {
        if (scan.at_end()) break;
        continue;
      }
      bool exported = false;
      const std::size_t start = scan.position();
      if (const auto first = scan.name(); first && *first == "export" && !scan.next_is('=')) {
        exported = true;
      } else {
        scan.rewind(start);
      }
      bool any = false;
      while (!scan.at_separator()) {
        const auto variable = scan.name();
        if (!variable || !scan.next_is('=')) {
          // `export NAME` marks a variable for the environment: nothing to read.
          if (exported && variable && (scan.at_separator() || scan.at_end())) break;
          throw NotTaken{"a command, not an assignment: not run"};
        }
        scan.expect('=');
        const std::string value = scan.word();
        values[*variable] = {value, file, line};
        taken.emplace_back(*variable, value);
        any = true;
      }
      if (!any && !exported) throw NotTaken{"not an assignment"};
      if (scan.at_end()) break;
    }
    scan_defaulted = scan.defaulted();
  } catch (const NotTaken& why) {
    into.skipped.push_back({file, line, text, why.reason});
    return;
  }
  for (const auto& name : scan_defaulted) into.values[name] = values.at(name);
  for (const auto& [name, value] : taken) into.values[name] = {value, file, line};
}

}  // namespace

void read_shell_assignments(const std::filesystem::path& file, ShellAssignments& into) {
  std::ifstream in(file);
  if (!in) throw std::runtime_error(file.string() + ": cannot read the file");
  int depth = 0;
  int number = 0;
  std::string raw;
  while (std::getline(in, raw)) {
    const int line = ++number;
    std::string text = trimmed(raw);
    // A backslash at the end continues the line.
    while (!text.empty() && text.back() == '\\' && std::getline(in, raw)) {
      ++number;
      text.pop_back();
      text += trimmed(raw);
    }
    if (text.empty() || text.front() == '#') continue;
    int opened = 0, closed = 0;
    for (const auto& word : command_words(text)) {
      opened += kOpeners.count(word) ? 1 : 0;
      closed += kClosers.count(word) ? 1 : 0;
    }
    if (depth > 0 || opened > 0 || closed > 0) {
      depth = std::max(0, depth + opened - closed);
      into.skipped.push_back({file, line, text,
                              "part of a conditional or loop, which this reader does not "
                              "evaluate: not run"});
      continue;
    }
    read_line(text, file, line, into);
  }
}

}  // namespace overseer
