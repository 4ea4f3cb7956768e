#include "tests/testing/fakes.h"

#include <cstdio>
#include <cstdlib>
#include <filesystem>
#include <string>

namespace hubsync::testing {

std::string SequentialIds::NewId(std::string_view prefix) {
  char buf[17];
  std::snprintf(buf, sizeof buf, "%016llx",
                static_cast<unsigned long long>(next_++));
  return std::string(prefix) + "_" + buf;
}

TempDir::TempDir() {
  const char* base = std::getenv("TEST_TMPDIR");
  std::string tmpl =
      std::string(base && *base ? base : "/tmp") + "/hubsync_test_XXXXXX";
  char* made = mkdtemp(tmpl.data());
  if (made == nullptr) std::abort();  // the test cannot run without it
  path_ = made;
}

TempDir::~TempDir() {
  std::error_code ec;
  std::filesystem::remove_all(path_, ec);
}

std::string TempDir::File(std::string_view name) const {
  return path_ + "/" + std::string(name);
}

}  // namespace hubsync::testing
