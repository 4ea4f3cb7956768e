#include "common/clock.h"

#include <chrono>
#include <cstdio>
#include <mutex>
#include <random>

namespace hubsync {
namespace {

class RealClock : public Clock {
 public:
  int64_t NowUnixSeconds() override {
    return std::chrono::duration_cast<std::chrono::seconds>(
               std::chrono::system_clock::now().time_since_epoch())
        .count();
  }
};

class RandomIdGenerator : public IdGenerator {
 public:
  std::string NewId(std::string_view prefix) override {
    uint64_t v;
    {
      std::lock_guard<std::mutex> lock(mu_);
      v = rng_();
    }
    char buf[17];
    std::snprintf(buf, sizeof buf, "%016llx", static_cast<unsigned long long>(v));
    std::string id(prefix);
    id += '_';
    id += buf;
    return id;
  }

 private:
  std::mutex mu_;
  std::mt19937_64 rng_{std::random_device{}()};
};

}  // namespace

Clock* Clock::Real() {
  static RealClock* clock = new RealClock;
  return clock;
}

IdGenerator* IdGenerator::Real() {
  static RandomIdGenerator* gen = new RandomIdGenerator;
  return gen;
}

}  // namespace hubsync
