// A real service binary as a child process, its stderr (JSON logs) in a file: for tests that
// start, stop, signal and kill services.
#pragma once

#include <arpa/inet.h>
#include <fcntl.h>
#include <netinet/in.h>
#include <signal.h>
#include <spawn.h>
#include <sys/socket.h>
#include <sys/wait.h>
#include <unistd.h>

#include <fstream>
#include <regex>
#include <sstream>
#include <string>
#include <vector>

#include "absl/strings/str_cat.h"
#include "absl/time/clock.h"
#include "common/mysql/connection_pool.h"
#include "gtest/gtest.h"

extern char** environ;

namespace sla {

// The flags a test starts a service with: any free port, `db`'s account and database (over
// TCP), the password in `dir`/db.password and the key in `dir`/jwt.key; then `extra`, which
// wins over them.
inline std::vector<std::string> ServiceFlags(const mysql::ConnectionOptions& db,
                                             const std::string& dir, int drain_seconds,
                                             int pool_size,
                                             const std::vector<std::string>& extra = {}) {
  std::vector<std::string> args{"--port=0",
                                absl::StrCat("--db_port=", db.port),
                                absl::StrCat("--db_user=", db.user),
                                absl::StrCat("--db_password_file=", dir, "/db.password"),
                                absl::StrCat("--db_name=", db.database),
                                absl::StrCat("--jwt_key_file=", dir, "/jwt.key"),
                                absl::StrCat("--drain_seconds=", drain_seconds),
                                absl::StrCat("--db_pool_size=", pool_size)};
  args.insert(args.end(), extra.begin(), extra.end());
  return args;
}

// A loopback TCP port nothing listens on right now (0 if none could be found).
inline int FreePort() {
  const int fd = socket(AF_INET, SOCK_STREAM, 0);
  sockaddr_in addr{};
  addr.sin_family = AF_INET;
  addr.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  socklen_t len = sizeof(addr);
  if (bind(fd, reinterpret_cast<sockaddr*>(&addr), sizeof(addr)) != 0 ||
      getsockname(fd, reinterpret_cast<sockaddr*>(&addr), &len) != 0) {
    close(fd);
    return 0;
  }
  close(fd);
  return ntohs(addr.sin_port);
}

inline std::string ReadFile(const std::string& path) {
  std::ifstream in(path);
  std::stringstream ss;
  ss << in.rdbuf();
  return ss.str();
}

// A service process with its stderr (JSON logs) in a file.
class ServiceProcess {
 public:
  ServiceProcess(std::string binary, std::vector<std::string> args, std::string log_path)
      : log_path_(std::move(log_path)) {
    std::vector<char*> argv;
    argv.push_back(binary.data());
    for (std::string& a : args) argv.push_back(a.data());
    argv.push_back(nullptr);
    posix_spawn_file_actions_t actions;
    posix_spawn_file_actions_init(&actions);
    posix_spawn_file_actions_addopen(&actions, STDERR_FILENO, log_path_.c_str(),
                                     O_WRONLY | O_CREAT | O_TRUNC, 0600);
    EXPECT_EQ(posix_spawn(&pid_, binary.c_str(), &actions, nullptr, argv.data(), environ), 0);
    posix_spawn_file_actions_destroy(&actions);
  }
  ~ServiceProcess() {
    if (pid_ > 0) {
      kill(pid_, SIGKILL);
      waitpid(pid_, nullptr, 0);
    }
  }

  // Waits for the "serving" log line and returns the port, or 0 if the process died or took
  // longer than 30 s.
  int WaitForPort() {
    static const std::regex kServing("\"msg\":\"serving\".*\"port\":\"([0-9]+)\"");
    for (int i = 0; i < 300; ++i) {
      std::smatch m;
      const std::string log = ReadFile(log_path_);
      if (std::regex_search(log, m, kServing)) return std::stoi(m[1]);
      int status = 0;
      if (waitpid(pid_, &status, WNOHANG) == pid_) {
        pid_ = -1;
        ADD_FAILURE() << "service exited during start-up:\n" << log;
        return 0;
      }
      absl::SleepFor(absl::Milliseconds(100));
    }
    ADD_FAILURE() << "service did not report serving:\n" << ReadFile(log_path_);
    return 0;
  }

  // Sends SIGTERM and returns the exit status (-1 if it had to be killed after 20 s).
  // A process already reaped is not signalled: kill(-1, …) would reach every process.
  int Terminate() {
    if (pid_ <= 0) return -1;
    kill(pid_, SIGTERM);
    return WaitForExit();
  }

  // Waits up to 20 s for the process to exit by itself; its exit status, or -1.
  int WaitForExit() {
    if (pid_ <= 0) return -1;
    for (int i = 0; i < 200; ++i) {
      int status = 0;
      if (waitpid(pid_, &status, WNOHANG) == pid_) {
        pid_ = -1;
        return WIFEXITED(status) ? WEXITSTATUS(status) : -1;
      }
      absl::SleepFor(absl::Milliseconds(100));
    }
    return -1;
  }

  std::string log() const { return ReadFile(log_path_); }
  pid_t pid() const { return pid_; }
  // The most memory the process has held resident since it started (VmHWM), in bytes; -1 if
  // it cannot be read.
  long long PeakResidentBytes() const {
    std::ifstream in(absl::StrCat("/proc/", pid_, "/status"));
    std::string line;
    while (std::getline(in, line)) {
      if (line.rfind("VmHWM:", 0) == 0) return std::stoll(line.substr(6)) * 1024;  // kB
    }
    return -1;
  }
  // SIGKILL: no drain, no clean-up, as a crash.
  void Kill() {
    if (pid_ <= 0) return;
    kill(pid_, SIGKILL);
    waitpid(pid_, nullptr, 0);
    pid_ = -1;
  }

 private:
  std::string log_path_;
  pid_t pid_ = -1;
};

}  // namespace sla
