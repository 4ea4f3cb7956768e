#include "tests/testing/smtp_sink.h"

#include <algorithm>
#include <chrono>
#include <filesystem>
#include <fstream>
#include <sstream>
#include <thread>

#include "absl/strings/match.h"
#include "absl/strings/numbers.h"
#include "google/protobuf/util/json_util.h"
#include "gtest/gtest.h"

namespace hubsync::testing {
namespace {

std::vector<std::string> Argv(const std::string& dir,
                              const std::vector<std::string>& flags, int port) {
  std::vector<std::string> argv = {"/usr/bin/python3",
                                   HUBSYNC_SOURCE_DIR
                                   "/tests/testing/smtp_sink.py",
                                   "--dir",
                                   dir,
                                   "--port",
                                   std::to_string(port)};
  argv.insert(argv.end(), flags.begin(), flags.end());
  return argv;
}

// The finished records in `dir`, by name (the .json is written last).
std::vector<std::string> RecordFiles(const std::string& dir) {
  std::vector<std::string> out;
  std::error_code ec;
  for (const auto& e : std::filesystem::directory_iterator(dir, ec)) {
    const std::string name = e.path().filename().string();
    if (absl::EndsWith(name, ".json") && !absl::StartsWith(name, "."))
      out.push_back(e.path().string());
  }
  std::sort(out.begin(), out.end());
  return out;
}

}  // namespace

SmtpSink::SmtpSink(const std::string& dir,
                   const std::vector<std::string>& flags, int port)
    : dir_(dir), child_(Argv(dir, flags, port)) {
  const std::string line = child_.WaitForLine("listening on");
  EXPECT_TRUE(absl::SimpleAtoi(line.substr(line.rfind(' ') + 1), &port_))
      << "smtp_sink printed: " << line;
}

std::vector<google::protobuf::Struct> SmtpSink::Messages() const {
  std::vector<google::protobuf::Struct> out;
  for (const std::string& path : RecordFiles(dir_)) {
    std::ifstream in(path, std::ios::binary);
    std::stringstream text;
    text << in.rdbuf();
    google::protobuf::Struct& s = out.emplace_back();
    EXPECT_TRUE(
        google::protobuf::util::JsonStringToMessage(text.str(), &s).ok())
        << path;
  }
  return out;
}

bool SmtpSink::WaitForMessages(size_t n, int timeout_s) const {
  const auto end =
      std::chrono::steady_clock::now() + std::chrono::seconds(timeout_s);
  while (RecordFiles(dir_).size() < n) {
    if (std::chrono::steady_clock::now() > end) return false;
    std::this_thread::sleep_for(std::chrono::milliseconds(50));
  }
  return true;
}

std::string StructText(const google::protobuf::Struct& s,
                       const std::string& field) {
  auto it = s.fields().find(field);
  return it == s.fields().end() ? "" : it->second.string_value();
}

}  // namespace hubsync::testing
