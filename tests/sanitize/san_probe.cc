// A child process that makes a sanitizer report on purpose, for
// child_report_test.cc: it shows that a report in a child (hubsyncd, hubsync)
// fails the test that ran it. Built only with -DHUBSYNC_SANITIZE=ON.
//
//   san_probe clean       prints "ready", exits 0
//   san_probe leak        leaks a block, exits 0 (LeakSanitizer at exit)
//   san_probe overflow    signed integer overflow (UBSan)
//   san_probe uaf         prints "ready", then a heap use after free (ASan)
//   san_probe serve       prints "ready", exits 0 on SIGTERM
//   san_probe serve-leak  prints "ready", leaks, exits 0 on SIGTERM
#include <unistd.h>

#include <climits>
#include <csignal>
#include <cstdio>
#include <cstdlib>
#include <cstring>

namespace {

// Volatile, so that the compiler can neither elide nor warn about what the
// probe does on purpose.
void* volatile g_sink = nullptr;
volatile int g_big = INT_MAX;
volatile sig_atomic_t g_stop = 0;

__attribute__((noinline)) void Leak() {
  g_sink = std::malloc(64);
  g_sink = nullptr;
}

void Ready() {
  std::puts("ready");
  std::fflush(stdout);
}

}  // namespace

int main(int argc, char** argv) {
  const char* mode = argc > 1 ? argv[1] : "";
  if (std::strcmp(mode, "clean") == 0) {
    Ready();
    return 0;
  }
  if (std::strcmp(mode, "leak") == 0) {
    Leak();
    return 0;
  }
  if (std::strcmp(mode, "overflow") == 0) {
    int sum = g_big + 1;
    std::printf("%d\n", sum);
    return 0;
  }
  if (std::strcmp(mode, "uaf") == 0) {
    Ready();
    char* volatile block = static_cast<char*>(std::malloc(8));
    std::free(block);
    return block[0];
  }
  if (std::strcmp(mode, "serve") == 0 || std::strcmp(mode, "serve-leak") == 0) {
    std::signal(SIGTERM, [](int) { g_stop = 1; });
    if (std::strcmp(mode, "serve-leak") == 0) Leak();
    Ready();
    while (!g_stop) pause();
    return 0;
  }
  std::fprintf(stderr,
               "usage: san_probe clean|leak|overflow|uaf|serve|serve-leak\n");
  return 2;
}
