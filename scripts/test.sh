#!/usr/bin/env bash
# Builds hubsync and runs every check: the layering rule, the house format, the unit and
# end-to-end tests (ctest), the same tests again under ASan + UBSan, a short
# libFuzzer run per parser, the reflection check against a real server, and
# README.md's grpcurl section run as written with grpcurl (when there is one).
# Exits non-zero on any failure; the last line says PASS or FAIL.
# BUILD_DIR overrides the build directory (default: build).
set -euo pipefail

cd "$(dirname "${BASH_SOURCE[0]}")/.."
export BUILD_DIR="${BUILD_DIR:-build}"
CTEST_TIMEOUT="${CTEST_TIMEOUT:-600}"  # seconds per test without its own TIMEOUT
FUZZ_SECONDS="${FUZZ_SECONDS:-20}"   # per fuzz target
SAN_BUILD_DIR="${SAN_BUILD_DIR:-build-asan}"
# Tests too slow under the sanitizers to run in CI (ctest -E regex), each with
# its reason in docs/ARCHITECTURE.md ("Sanitizers"). Empty: every test runs.
SAN_CTEST_EXCLUDE=""
san_exclude=()
[[ -n "$SAN_CTEST_EXCLUDE" ]] && san_exclude=(-E "$SAN_CTEST_EXCLUDE")

failures=()
verdict=""
step() { printf '\n=== %s ===\n' "$*"; }
fail() { failures+=("$1"); printf 'test.sh: FAILED: %s\n' "$1" >&2; }

step "build ($BUILD_DIR)"
if ! scripts/build.sh; then
  echo "test.sh: FAIL (build)"
  exit 1
fi

# CMake cannot stop a stray include (every system header is in /usr/include),
# so the layering rule of docs/ARCHITECTURE.md is checked here.
step "layering"
transport_re='^[[:space:]]*#[[:space:]]*include[[:space:]]*[<"]((grpcpp|grpc\+\+|grpc|google/protobuf)/[^>"]*|[^>"]*\.pb\.h)[>"]'
layering_ok=1
for dir in common server/storage server/session server/auth server/mail; do
  if hits="$(grep -rnE --include='*.h' --include='*.cc' "$transport_re" "$dir" 2>/dev/null)"; then
    printf '%s must not include gRPC or protobuf headers:\n%s\n' "$dir/" "$hits" >&2
    layering_ok=0
  fi
done
common_re='^[[:space:]]*#[[:space:]]*include[[:space:]]*[<"](sqlite3\.h|curl/[^>"]*)[>"]'
if hits="$(grep -rnE --include='*.h' --include='*.cc' "$common_re" common 2>/dev/null)"; then
  printf 'common/ must not include sqlite3.h or libcurl:\n%s\n' "$hits" >&2
  layering_ok=0
fi
if ((layering_ok)); then
  echo "layering: ok (common/, server/storage/, server/session/, server/auth/, server/mail/ are transport-free)"
else
  fail "layering"
fi

# The house style (.clang-format: Google; README): every C++
# file as clang-format would write it. `scripts/format.sh` rewrites them.
step "format"
if unformatted="$(scripts/format.sh --check)"; then
  echo "format: ok"
else
  printf 'not as clang-format writes them (run scripts/format.sh):\n%s\n' "$unformatted" >&2
  fail "format"
fi

step "ctest"
if ! ctest --test-dir "$BUILD_DIR" --output-on-failure -j2 --timeout "$CTEST_TIMEOUT"; then
  fail "ctest"
fi

# The same tests again under AddressSanitizer + UndefinedBehaviorSanitizer
# (gcc, -DHUBSYNC_SANITIZE=ON: -O1 -g1, the test code with ASan only; see
# CMakeLists.txt), in their own build directory. Any report stops the test that made it
# (halt_on_error; UBSan is built without recovery), and LeakSanitizer reports
# leaks at exit. The servers and CLIs the end-to-end tests start are the
# sanitized ones of that build, and a report in one of them fails the test
# (tests/testing/subprocess.h). RUN_SANITIZERS=0 skips this step for a quick
# local run; CI runs it (docs/ARCHITECTURE.md, "Sanitizers and fuzzing").
step "ctest under ASan + UBSan ($SAN_BUILD_DIR)"
if [[ "${RUN_SANITIZERS:-1}" == 0 ]]; then
  echo "skipped (RUN_SANITIZERS=0)"
else
  san_start=$SECONDS
  if cmake -S . -B "$SAN_BUILD_DIR" -G Ninja -DCMAKE_BUILD_TYPE=RelWithDebInfo \
        -DHUBSYNC_WERROR=ON -DHUBSYNC_SANITIZE=ON >/dev/null &&
      ninja -C "$SAN_BUILD_DIR" -j "$(nproc)"; then
    echo "sanitizer build: $((SECONDS - san_start)) s"
    # The children the tests start inherit LSAN_OPTIONS: the suppressions
    # are for leaks inside system libraries, each with its reason in the file.
    if ! ASAN_OPTIONS="halt_on_error=1:detect_leaks=1:abort_on_error=1" \
        LSAN_OPTIONS="suppressions=$PWD/tests/sanitize/lsan.supp:print_suppressions=0" \
        UBSAN_OPTIONS="halt_on_error=1:print_stacktrace=1" \
        ctest --test-dir "$SAN_BUILD_DIR" --output-on-failure -j2 \
          --timeout "$CTEST_TIMEOUT" "${san_exclude[@]}"; then
      fail "ctest under sanitizers"
    fi
  else
    fail "sanitizer build"
  fi
  echo "sanitizers (build + ctest): $((SECONDS - san_start)) s"
fi

# libFuzzer on the CSV and OneRoster parsers and the name normaliser, briefly
# (scripts/fuzz.sh SECONDS for a long run; README).
step "fuzz (scripts/fuzz.sh $FUZZ_SECONDS)"
if [[ "${SKIP_FUZZ:-0}" == 1 ]]; then
  echo "skipped (SKIP_FUZZ=1)"
elif ! scripts/fuzz.sh "$FUZZ_SECONDS"; then
  fail "fuzz"
fi

step "benchmarks still run (scripts/bench.sh --quick)"
if ! BUILD_DIR="$BUILD_DIR" scripts/bench.sh --quick; then
  fail "bench --quick"
fi

step "load smoke run (scripts/load.sh, 3 clients x 3 s)"
if ! BUILD_DIR="$BUILD_DIR" scripts/load.sh --clients 3 --duration 3 --readers 1 --learners 20; then
  fail "load smoke"
fi

step "reflection check against a real hubsyncd"
tmp="$(mktemp -d -t hubsync-test.XXXXXX)"
source scripts/lib/server.sh
cleanup() {
  local rc=$?
  if ((rc != 0)) && [[ -z "$verdict" ]]; then
    echo "test.sh: FAIL (stopped by an unexpected error, exit $rc)"
  fi
  server_stop
  rm -rf "$tmp"
}
trap cleanup EXIT

# Starts hubsyncd on a free port in this shell (so the trap knows its pid)
# and sets $port from the line it prints when ready (scripts/lib/server.sh).
start_server() {
  # The first operator key, printed once; the check creates the rest.
  server_operator_key "$tmp/hub.db" "$tmp/init.log" "" || return 1
  if ! server_start "$tmp/hub.db" "$tmp/server.log"; then
    echo "hubsyncd did not report its port; its output:" >&2
    cat "$tmp/server.log" >&2
    return 1
  fi
}

if [[ ! -x "$BUILD_DIR/hubsyncd" ]]; then
  fail "reflection (no $BUILD_DIR/hubsyncd)"
elif ! start_server; then
  fail "reflection (server did not start)"
else
  echo "hubsyncd listening on 127.0.0.1:$port"
  if ! /usr/bin/python3 tests/reflection/reflection_check.py --server "127.0.0.1:$port"; then
    fail "reflection"
    echo "--- hubsyncd output ---" >&2
    cat "$tmp/server.log" >&2
  fi
fi

# README.md's grpcurl section, its code blocks run in bash as written (the
# address becomes the fresh server's) with a real grpcurl: $GRPCURL, else
# grpcurl on PATH, else ../shared/tools/grpcurl beside the checkout (where CI
# has grpcurl 1.8.5). tests/reflection/readme_grpcurl.sh does the running.
step "README grpcurl section against a fresh hubsyncd"
grpcurl_bin="${GRPCURL:-$(command -v grpcurl || true)}"
if [[ -z "$grpcurl_bin" && -x ../shared/tools/grpcurl ]]; then
  grpcurl_bin="$(realpath ../shared/tools/grpcurl)"
fi
if [[ -z "$grpcurl_bin" ]]; then
  echo "skipped (no grpcurl)"
elif [[ ! -x "$BUILD_DIR/hubsyncd" ]]; then
  fail "README grpcurl (no $BUILD_DIR/hubsyncd)"
else
  server_stop
  mkdir -p "$tmp/readme"
  if ! server_operator_key "$tmp/readme/hub.db" "$tmp/readme/init.log" "" ||
      ! server_start "$tmp/readme/hub.db" "$tmp/readme/server.log"; then
    cat "$tmp/readme/server.log" >&2 2>/dev/null || true
    fail "README grpcurl (server did not start)"
  elif ! tests/reflection/readme_grpcurl.sh "$grpcurl_bin" "127.0.0.1:$port" \
      "$HUBSYNC_OPERATOR_KEY"; then
    fail "README grpcurl"
    echo "--- hubsyncd output ---" >&2
    cat "$tmp/readme/server.log" >&2
  fi
fi

echo
verdict=done
if ((${#failures[@]} == 0)); then
  echo "test.sh: PASS (build, layering, format, ctest, ctest under ASan + UBSan, fuzz, bench --quick, load smoke, reflection, README grpcurl)"
else
  echo "test.sh: FAIL (${failures[*]})"
  exit 1
fi
