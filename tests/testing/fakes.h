// Fakes for time and randomness, and a temporary directory.
#ifndef HUBSYNC_TESTS_TESTING_FAKES_H_
#define HUBSYNC_TESTS_TESTING_FAKES_H_

#include <atomic>
#include <string>
#include <string_view>

#include "common/clock.h"

namespace hubsync::testing {

class FakeClock : public Clock {
 public:
  explicit FakeClock(int64_t now = 1790000000) : now_(now) {}
  int64_t NowUnixSeconds() override { return now_.load(); }
  void Advance(int64_t seconds) { now_ += seconds; }

 private:
  std::atomic<int64_t> now_;
};

// "lrn_0000000000000001", "lrn_0000000000000002", ...
class SequentialIds : public IdGenerator {
 public:
  std::string NewId(std::string_view prefix) override;

 private:
  std::atomic<uint64_t> next_{1};
};

// A fresh directory under $TEST_TMPDIR or /tmp, removed on destruction.
class TempDir {
 public:
  TempDir();
  ~TempDir();
  TempDir(const TempDir&) = delete;
  TempDir& operator=(const TempDir&) = delete;
  const std::string& path() const { return path_; }
  std::string File(std::string_view name) const;

 private:
  std::string path_;
};

}  // namespace hubsync::testing

#endif  // HUBSYNC_TESTS_TESTING_FAKES_H_
