#pragma once

#include <stdexcept>
#include <string>

namespace overseer {

// Exit codes shared by every subcommand.
inline constexpr int kExitOk = 0;
inline constexpr int kExitCampaignFailed = 1;
inline constexpr int kExitInputError = 2;
// The run paused (limits.walltime_s, or drained on SIGTERM/SIGUSR1) with trials left: resume it
// to continue.
inline constexpr int kExitResumable = 3;

// A mistake in something the user wrote: a campaign, space or UPF file, or a command-line
// override. It names the file and the JSON pointer so the message alone locates the problem.
class InputError : public std::runtime_error {
 public:
  InputError(std::string file, std::string pointer, const std::string& message);

  const std::string& file() const { return file_; }
  const std::string& pointer() const { return pointer_; }
  // What is wrong, without the file and the pointer.
  const std::string& message() const { return message_; }

 private:
  std::string file_;
  std::string pointer_;
  std::string message_;
};

}  // namespace overseer
