// Time and randomness behind interfaces so tests can fake them.
#ifndef HUBSYNC_COMMON_CLOCK_H_
#define HUBSYNC_COMMON_CLOCK_H_

#include <cstdint>
#include <string>
#include <string_view>

namespace hubsync {

class Clock {
 public:
  virtual ~Clock() = default;
  virtual int64_t NowUnixSeconds() = 0;
  static Clock* Real();  // process-wide, thread-safe
};

// Makes opaque, non-sequential ids such as "lrn_9f3a0c1e5b7d2a44".
class IdGenerator {
 public:
  virtual ~IdGenerator() = default;
  virtual std::string NewId(std::string_view prefix) = 0;
  static IdGenerator* Real();  // random, thread-safe
};

}  // namespace hubsync

#endif  // HUBSYNC_COMMON_CLOCK_H_
