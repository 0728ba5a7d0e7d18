#include "process.hpp"

#include <fcntl.h>
#include <sys/resource.h>
#include <sys/wait.h>
#include <unistd.h>

#include <atomic>
#include <chrono>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <sstream>
#include <thread>

namespace tdmaker::test {

child start(const std::vector<std::string>& args, const std::vector<std::string>& env,
            const std::string& out_path, long max_fds) {
  child c;
  c.out_path = out_path;
  c.pid = fork();
  if (c.pid == 0) {
    int fd = ::open(out_path.c_str(), O_WRONLY | O_CREAT | O_TRUNC, 0644);
    dup2(fd, 1);
    dup2(fd, 2);
    if (max_fds > 0) {
      rlimit lim{static_cast<rlim_t>(max_fds), static_cast<rlim_t>(max_fds)};
      if (setrlimit(RLIMIT_NOFILE, &lim) != 0)
        _exit(126);
    }
    for (auto& kv : env) {
      auto eq = kv.find('=');
      auto k = kv.substr(0, eq), v = kv.substr(eq + 1);
      if (v.empty())
        unsetenv(k.c_str());
      else
        setenv(k.c_str(), v.c_str(), 1);
    }
    std::vector<char*> argv;
    // TDMAKER_E2E_BIN runs the suite against another build (e.g. main's, to show a
    // new test fails there).
    const char* other = std::getenv("TDMAKER_E2E_BIN");
    std::string bin = other && *other ? other : TDMAKER_BIN;
    argv.push_back(bin.data());
    std::vector<std::string> copy = args;
    for (auto& a : copy)
      argv.push_back(a.data());
    argv.push_back(nullptr);
    execv(bin.c_str(), argv.data());
    _exit(127);
  }
  return c;
}

int wait_exit(const child& c, double seconds) {
  auto deadline = std::chrono::steady_clock::now() + std::chrono::duration<double>(seconds);
  while (std::chrono::steady_clock::now() < deadline) {
    int st = 0;
    if (waitpid(c.pid, &st, WNOHANG) == c.pid)
      return WIFEXITED(st) ? WEXITSTATUS(st) : -1;
    std::this_thread::sleep_for(std::chrono::milliseconds(20));
  }
  kill(c.pid, SIGKILL);
  waitpid(c.pid, nullptr, 0);
  return -1;
}

std::string read_all(const std::string& path) {
  std::ifstream in(path);
  std::stringstream ss;
  ss << in.rdbuf();
  return ss.str();
}

std::pair<int, std::string> run(const std::vector<std::string>& args,
                                const std::vector<std::string>& env) {
  auto out = temp_dir("run") + "/out.txt";
  auto c = start(args, env, out);
  int rc = wait_exit(c, 60);
  return {rc, read_all(out)};
}

int announced_port(const child& c, const std::string& prefix, double seconds) {
  auto deadline = std::chrono::steady_clock::now() + std::chrono::duration<double>(seconds);
  while (std::chrono::steady_clock::now() < deadline) {
    auto out = read_all(c.out_path);
    auto pos = out.find(prefix);
    if (pos != std::string::npos) {
      pos += prefix.size();
      auto end = out.find_first_not_of("0123456789", pos);
      if (end != std::string::npos && end > pos) // the number is whole once something follows it
        return std::stoi(out.substr(pos, end - pos));
    }
    if (waitpid(c.pid, nullptr, WNOHANG) == c.pid)
      return -1;
    std::this_thread::sleep_for(std::chrono::milliseconds(20));
  }
  return -1;
}

std::string temp_dir(const std::string& tag) {
  static std::atomic<int> n{0};
  auto d = std::filesystem::temp_directory_path()
           / ("tdmaker-e2e-" + tag + "-" + std::to_string(getpid()) + "-" + std::to_string(n++));
  std::filesystem::remove_all(d);
  std::filesystem::create_directories(d);
  return d.string();
}

} // namespace tdmaker::test
