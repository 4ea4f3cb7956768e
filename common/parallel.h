// Fork-join helpers for the classifier: fixed slices or chunks, joined in
// order, so that results never depend on scheduling or on the number of
// cores.
#ifndef HUBSYNC_COMMON_PARALLEL_H_
#define HUBSYNC_COMMON_PARALLEL_H_

#include <algorithm>
#include <atomic>
#include <cstddef>
#include <iterator>
#include <thread>
#include <vector>

namespace hubsync {

// Up to 8 threads (the cores), one below 4,096 items, where threads cost
// more than they save.
inline size_t ThreadsFor(size_t n) {
  return std::clamp<size_t>(std::thread::hardware_concurrency(), 1,
                            n < 4096 ? 1 : 8);
}

// Runs body(t, begin, end) over [0, n) in contiguous slices, one per
// thread. Slices are fixed by n and the thread count only, and callers join
// per-slice results in slice order, so results never depend on scheduling.
template <typename Body>
void ParallelSlices(size_t n, size_t threads, Body&& body) {
  if (threads <= 1) {
    body(size_t{0}, size_t{0}, n);
    return;
  }
  std::vector<std::thread> pool;
  for (size_t t = 1; t < threads; ++t) {
    pool.emplace_back([&body, n, threads, t] {
      body(t, n * t / threads, n * (t + 1) / threads);
    });
  }
  body(size_t{0}, size_t{0}, n / threads);
  for (std::thread& th : pool) th.join();
}

// Runs body(t, c, begin, end) for every chunk c = [c * chunk, ...) of
// [0, n) on `threads` threads (t is the thread's number, for per-thread
// scratch), each thread taking the next chunk not yet taken. Uneven work
// then keeps every core busy to the end, where fixed slices leave one idle
// while the other finishes the costlier half. Which thread runs a chunk
// depends on scheduling, so callers keep per-chunk results and join them
// in chunk order: the result is the same whatever the thread count.
template <typename Body>
void ParallelChunks(size_t n, size_t chunk, size_t threads, Body&& body) {
  chunk = std::max<size_t>(chunk, 1);
  const size_t chunks = (n + chunk - 1) / chunk;
  std::atomic<size_t> next{0};
  auto run = [&](size_t t) {
    for (size_t c = next.fetch_add(1); c < chunks; c = next.fetch_add(1)) {
      body(t, c, c * chunk, std::min(n, (c + 1) * chunk));
    }
  };
  threads = std::clamp<size_t>(threads, 1, std::max<size_t>(chunks, 1));
  std::vector<std::thread> pool;
  for (size_t t = 1; t < threads; ++t) pool.emplace_back(run, t);
  run(0);
  for (std::thread& th : pool) th.join();
}

template <typename F>
void ParallelFor(size_t n, F&& f) {
  ParallelSlices(n, ThreadsFor(n), [&f](size_t, size_t begin, size_t end) {
    for (size_t i = begin; i < end; ++i) f(i);
  });
}

// std::sort on two threads (two halves sorted, then merged) when there are
// many items. `less` must be a strict weak order; with equal items the
// order among them is unspecified, as with std::sort, so callers that need
// one result make `less` total.
template <typename It, typename Less>
void ParallelSort(It first, It last, Less less) {
  const auto n = static_cast<size_t>(std::distance(first, last));
  if (n < 8192 || std::thread::hardware_concurrency() < 2) {
    std::sort(first, last, less);
    return;
  }
  const It mid = first + static_cast<std::ptrdiff_t>(n / 2);
  std::thread other([&] { std::sort(mid, last, less); });
  std::sort(first, mid, less);
  other.join();
  std::inplace_merge(first, mid, last, less);
}

template <typename It>
void ParallelSort(It first, It last) {
  ParallelSort(first, last, std::less<>());
}

}  // namespace hubsync

#endif  // HUBSYNC_COMMON_PARALLEL_H_
