#include "actors/audit.hpp"

#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cstdio>
#include <filesystem>

#include <caf/actor_system.hpp>
#include <caf/typed_event_based_actor.hpp>
#include <spdlog/spdlog.h>

#include "actors/instrumented.hpp"
#include "actors/spawn_blocking.hpp"

namespace tdmaker {
namespace {

class audit_impl : public audit_actor::base {
public:
  audit_impl(caf::actor_config& cfg, std::string log_dir) : audit_actor::base(cfg), dir_(std::move(log_dir)) {
    name_exceptions(*this);
  }

  behavior_type make_behavior() override {
    std::error_code ec;
    std::filesystem::create_directories(dir_, ec);
    path_ = (std::filesystem::path(dir_) / "audit.jsonl").string();
    file_ = open_private(path_);
    if (!file_)
      spdlog::error("audit: cannot open {}: audit lines go to the log only", path_);
    return {
      [=, this](audit_line& l) { write(l.json); },
      [=, this](flush_atom) {
        if (file_)
          std::fflush(file_);
        return file_ != nullptr;
      },
    };
  }

  caf::invoke_message_result consume(caf::mailbox_element& x) override {
    crash_if_asked(*this, x, "audit"); // not instrumented: it has no telemetry of its own
    return audit_actor::base::consume(x);
  }

  void on_exit() override {
    if (file_)
      std::fclose(file_);
    file_ = nullptr;
  }

private:
  // The trail holds every order and fill: owner and group only, whatever the umask,
  // and a file an older build left world-readable is tightened.
  static std::FILE* open_private(const std::string& path) {
    int fd = ::open(path.c_str(), O_WRONLY | O_APPEND | O_CREAT | O_CLOEXEC, 0640);
    if (fd < 0)
      return nullptr;
    if (::fchmod(fd, 0640) != 0)
      spdlog::warn("audit: cannot restrict the mode of {}", path);
    std::FILE* f = ::fdopen(fd, "a");
    if (!f)
      ::close(fd);
    return f;
  }

  void write(const std::string& json) {
    if (!file_) {
      spdlog::info("audit: {}", json);
      return;
    }
    // One fwrite per line and a flush: a line is whole on disk or absent.
    std::string line = json;
    line += '\n';
    if (std::fwrite(line.data(), 1, line.size(), file_) != line.size() || std::fflush(file_) != 0) {
      if (!failed_)
        spdlog::error("audit: write to {} failed; lines go to the log", path_);
      failed_ = true;
      spdlog::info("audit: {}", json);
    }
  }

  std::string dir_;
  std::string path_;
  std::FILE* file_ = nullptr;
  bool failed_ = false;
};

} // namespace

audit_actor spawn_audit(caf::actor_system& sys, std::string log_dir) {
  return spawn_blocking<audit_impl>(sys, sys, std::move(log_dir));
}

} // namespace tdmaker
