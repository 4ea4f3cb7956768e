// FNV-1a (64-bit) over bytes: hashes of names and keys built without
// building strings.
#ifndef HUBSYNC_COMMON_FNV_H_
#define HUBSYNC_COMMON_FNV_H_

#include <cstdint>
#include <string_view>

namespace hubsync {

class Fnv1a {
 public:
  Fnv1a& Byte(unsigned char c) {
    h_ ^= c;
    h_ *= 0x100000001b3ULL;
    return *this;
  }
  Fnv1a& Bytes(std::string_view s) {
    for (unsigned char c : s) Byte(c);
    return *this;
  }
  // The bytes of `s`, then 0xff, a byte no UTF-8 text contains: so that the
  // parts ("ab", "c") and ("a", "bc") hash apart.
  Fnv1a& Part(std::string_view s) { return Bytes(s).Byte(0xff); }
  uint64_t value() const { return h_; }

 private:
  uint64_t h_ = 0xcbf29ce484222325ULL;
};

}  // namespace hubsync

#endif  // HUBSYNC_COMMON_FNV_H_
