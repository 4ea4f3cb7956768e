#!/usr/bin/env bash
# Fuzzes the parsers with libFuzzer (clang 14, Debian's libclang-rt-14-dev):
# the plain CSV / hub learner CSV reader, the OneRoster set parser, and the
# ICU name normaliser, each for SECONDS (default 300) under ASan and UBSan.
#
#   scripts/fuzz.sh            # 5 minutes per target
#   scripts/fuzz.sh 20         # what scripts/test.sh runs
#   scripts/fuzz.sh 3600 fuzz_oneroster   # one target, an hour
#
# Builds in FUZZ_BUILD_DIR (default build-fuzz) with -DHUBSYNC_FUZZ=ON. Each
# target starts from its committed seeds (tests/fuzz/corpus/NAME) plus what
# earlier runs found (FUZZ_BUILD_DIR/corpus/NAME, not committed). A crash,
# leak or sanitizer report fails the run; the input is saved as
# FUZZ_BUILD_DIR/artifacts/NAME/crash-* and the command to replay it printed.
# A finding that gets fixed belongs in a regression test (tests/common/).
set -euo pipefail

cd "$(dirname "${BASH_SOURCE[0]}")/.."
SECONDS_PER_TARGET="${1:-300}"
shift || true
TARGETS=("$@")
((${#TARGETS[@]})) || TARGETS=(fuzz_plain_csv fuzz_oneroster fuzz_normalise)
FUZZ_BUILD_DIR="${FUZZ_BUILD_DIR:-build-fuzz}"

corpus_of() {
  case "$1" in
    fuzz_plain_csv) echo plain_csv ;;
    fuzz_oneroster) echo oneroster ;;
    fuzz_normalise) echo normalise ;;
    *) echo "fuzz.sh: unknown target $1" >&2; return 1 ;;
  esac
}

scripts/deps.sh
CC=clang CXX=clang++ cmake -S . -B "$FUZZ_BUILD_DIR" -G Ninja \
  -DCMAKE_BUILD_TYPE=RelWithDebInfo -DHUBSYNC_FUZZ=ON -DHUBSYNC_WERROR=ON >/dev/null
ninja -C "$FUZZ_BUILD_DIR" -j "$(nproc)" "${TARGETS[@]}"

export ASAN_OPTIONS="halt_on_error=1:detect_leaks=1:abort_on_error=1"
export UBSAN_OPTIONS="halt_on_error=1:print_stacktrace=1"
failed=()
for t in "${TARGETS[@]}"; do
  name="$(corpus_of "$t")"
  work="$FUZZ_BUILD_DIR/corpus/$name"
  artifacts="$FUZZ_BUILD_DIR/artifacts/$name"
  mkdir -p "$work" "$artifacts"
  echo "== $t: ${SECONDS_PER_TARGET}s from tests/fuzz/corpus/$name"
  # New inputs go to the first corpus dir (the work one); seeds are read only.
  if "$FUZZ_BUILD_DIR/$t" "$work" "tests/fuzz/corpus/$name" \
      -max_total_time="$SECONDS_PER_TARGET" -max_len=65536 -timeout=10 \
      -rss_limit_mb=2048 -print_final_stats=1 -artifact_prefix="$artifacts/" \
      >"$FUZZ_BUILD_DIR/$t.log" 2>&1; then
    grep -E '^stat::number_of_executed_units|^Done' "$FUZZ_BUILD_DIR/$t.log" || true
  else
    failed+=("$t")
    tail -n 60 "$FUZZ_BUILD_DIR/$t.log" >&2
    for a in "$artifacts"/*; do
      [[ -e "$a" ]] && echo "replay: $FUZZ_BUILD_DIR/$t $a" >&2
    done
  fi
done
if ((${#failed[@]})); then
  echo "fuzz.sh: FAIL (${failed[*]})"
  exit 1
fi
echo "fuzz.sh: PASS (${TARGETS[*]}, ${SECONDS_PER_TARGET}s each)"
