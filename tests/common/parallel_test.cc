// The fork-join helpers the classifier's results must not depend on.
#include "common/parallel.h"

#include <algorithm>
#include <atomic>
#include <cstddef>
#include <mutex>
#include <numeric>
#include <random>
#include <vector>

#include "gmock/gmock.h"
#include "gtest/gtest.h"

namespace hubsync {
namespace {

// Every index is in exactly one chunk, the chunks are the fixed ranges
// [c * chunk, (c + 1) * chunk) cut at n, and thread numbers stay below the
// thread count, whatever the sizes.
TEST(ParallelChunks, EveryIndexOnceInFixedChunks) {
  for (size_t n : {size_t{0}, size_t{1}, size_t{2047}, size_t{2048},
                   size_t{2049}, size_t{10000}}) {
    for (size_t threads : {size_t{1}, size_t{2}, size_t{8}}) {
      constexpr size_t kChunk = 2048;
      std::vector<std::atomic<int>> hits(n);
      std::mutex mu;
      std::vector<std::pair<size_t, size_t>> ranges((n + kChunk - 1) / kChunk,
                                                    {0, 0});
      std::atomic<bool> thread_ok{true};
      ParallelChunks(n, kChunk, threads,
                     [&](size_t t, size_t c, size_t begin, size_t end) {
                       if (t >= threads) thread_ok = false;
                       {
                         std::lock_guard<std::mutex> lock(mu);
                         ranges.at(c) = {begin, end};
                       }
                       for (size_t i = begin; i < end; ++i) hits[i]++;
                     });
      EXPECT_TRUE(thread_ok) << n << " " << threads;
      for (size_t i = 0; i < n; ++i) ASSERT_EQ(hits[i], 1) << i << " of " << n;
      for (size_t c = 0; c < ranges.size(); ++c) {
        EXPECT_EQ(ranges[c].first, c * kChunk);
        EXPECT_EQ(ranges[c].second, std::min(n, (c + 1) * kChunk));
      }
    }
  }
}

// Per-chunk results joined in chunk order are the serial result, with work
// so uneven that the threads finish chunks out of order.
TEST(ParallelChunks, ChunkResultsJoinedInOrderAreTheSerialResult) {
  const size_t n = 5000;
  std::vector<size_t> serial;
  for (size_t i = 0; i < n; ++i) {
    if (i % 7 == 3) serial.push_back(i * i);
  }
  std::vector<std::vector<size_t>> parts((n + 63) / 64);
  ParallelChunks(n, 64, 4, [&](size_t, size_t c, size_t begin, size_t end) {
    volatile size_t burn = 0;
    for (size_t k = 0; k < (c % 5) * 20000; ++k) burn = burn + k;  // uneven
    for (size_t i = begin; i < end; ++i) {
      if (i % 7 == 3) parts[c].push_back(i * i);
    }
  });
  std::vector<size_t> joined;
  for (const auto& p : parts) joined.insert(joined.end(), p.begin(), p.end());
  EXPECT_EQ(joined, serial);
}

TEST(ParallelSort, SortsLikeStdSort) {
  std::vector<int> v(50000);
  std::mt19937 rng(5);
  for (int& x : v) x = static_cast<int>(rng() % 1000);
  std::vector<int> want = v;
  std::sort(want.begin(), want.end());
  ParallelSort(v.begin(), v.end());
  EXPECT_EQ(v, want);
}

}  // namespace
}  // namespace hubsync
