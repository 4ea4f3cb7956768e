#include "common/clock.h"

#include <sys/random.h>

#include <cerrno>
#include <chrono>
#include <cstdio>
#include <cstdlib>

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

// Ids come from the kernel's CSPRNG (getrandom), not a seeded PRNG: a key
// for one school sees many ids, and a Mersenne Twister's outputs give away
// its state, so every later id (another school's too) could be predicted.
// 64 unpredictable bits per id cannot be enumerated through the API.
class RandomIdGenerator : public IdGenerator {
 public:
  std::string NewId(std::string_view prefix) override {
    uint64_t v = 0;
    char* p = reinterpret_cast<char*>(&v);
    size_t got = 0;
    while (got < sizeof v) {
      const ssize_t n = getrandom(p + got, sizeof v - got, 0);
      if (n < 0) {
        if (errno == EINTR) continue;
        std::perror("hubsync: getrandom");  // no entropy: nothing safe to do
        std::abort();
      }
      got += static_cast<size_t>(n);
    }
    char buf[17];
    std::snprintf(buf, sizeof buf, "%016llx",
                  static_cast<unsigned long long>(v));
    std::string id(prefix);
    id += '_';
    id += buf;
    return id;
  }
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
