#pragma once
// Starting and stopping the real tdmaker binary from e2e tests.
#include <sys/types.h>

#include <string>
#include <vector>

namespace tdmaker::test {

struct child {
  pid_t pid = -1;
  std::string out_path; // stdout+stderr
};

/// Starts TDMAKER_BIN with `args`, extra environment entries "K=V" (or "K=" to unset).
/// `max_fds` > 0 lowers the child's RLIMIT_NOFILE to it before exec (fd exhaustion tests).
child start(const std::vector<std::string>& args, const std::vector<std::string>& env,
            const std::string& out_path, long max_fds = 0);
/// Waits up to `seconds` for exit; returns the exit code, or -1 on timeout/signal.
int wait_exit(const child& c, double seconds);
/// Runs to completion and returns {exit code, output}.
std::pair<int, std::string> run(const std::vector<std::string>& args,
                                const std::vector<std::string>& env = {});
std::string read_all(const std::string& path);
/// The port a child announced in its output as `prefix` followed by digits (e.g.
/// "listening on 127.0.0.1:" for a listener bound to port 0), waiting up to
/// `seconds` for the line; -1 if it never came or the child exited first.
/// Children bind port 0 and say what they got: a port chosen beforehand could be
/// taken by a parallel test before the child binds it.
int announced_port(const child& c, const std::string& prefix, double seconds);
std::string temp_dir(const std::string& tag);

} // namespace tdmaker::test
