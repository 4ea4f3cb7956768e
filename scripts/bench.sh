#!/usr/bin/env bash
# Runs the benchmarks (Google Benchmark) and prints one table.
#   scripts/bench.sh           the whole set (2,000 to 1,000,000 learners; 3-5 min)
#   scripts/bench.sh --quick   the 2,000-learner (and 500-email) cases and the
#                              default Argon2id cost only: checks they run
# Record the figures, the machine and this command in docs/BENCHMARKS.md.
# The raw Google Benchmark JSON is left in $BUILD_DIR/bench.json.
set -euo pipefail
cd "$(dirname "${BASH_SOURCE[0]}")/.."
BUILD_DIR="${BUILD_DIR:-build}"
filter='.*'
if [[ "${1:-}" == "--quick" ]]; then
  filter='^BM_[^D].*/2000(/|$)|BM_DeliverQueuedEmails/500(/|$)|BM_Argon2idHash/2/64/'
fi
BUILD_DIR="$BUILD_DIR" scripts/build.sh >/dev/null
echo "machine: $(nproc) cores, $(grep -m1 'model name' /proc/cpuinfo | cut -d: -f2 | sed 's/^ //')"
if ! "$BUILD_DIR/hubsync_bench" --benchmark_filter="$filter" --benchmark_format=console \
  --benchmark_out="$BUILD_DIR/bench.json" --benchmark_out_format=json \
  >"$BUILD_DIR/bench.log" 2>&1; then
  cat "$BUILD_DIR/bench.log"
  exit 1
fi
python3 - "$BUILD_DIR/bench.json" <<'PY'
import json, sys
runs = json.load(open(sys.argv[1]))["benchmarks"]
by = {}
for r in runs:
    if r.get("run_type") == "aggregate" and r.get("aggregate_name") != "median":
        continue  # repeated cases (BM_Argon2idHash): the median only
    parts = r["run_name"].split("/")
    if parts[0] == "BM_Argon2idHash":  # /OPS/MIB: a cost, not a size
        name, size = f"{parts[0]} t={parts[1]} m={parts[2]} MiB", 0
    else:
        name, size = parts[0], int(parts[1])
    by[(name, size)] = r
def ms(r):
    t = r["real_time"]
    return {"ns": t / 1e6, "us": t / 1e3, "ms": t, "s": t * 1e3}[r["time_unit"]]
def fmt(v):
    return f"{v:,.0f}" if v >= 100 else f"{v:,.1f}"
rows = []
for (name, size), r in sorted(by.items(), key=lambda kv: (kv[0][0], kv[0][1])):
    if r.get("error_occurred"):
        rows.append((name, size, "ERROR", r.get("error_message", "")))
        continue
    t, notes = ms(r), []
    if name in ("BM_ProceedToLastRow", "BM_LoadAndStream"):
        notes.append(f"first batch {fmt(r['first_batch_ms'])} ms")
        notes.append(f"server peak {fmt(r['server_peak_mb'])} MiB")
        notes.append(f"{int(r['rows']):,} rows")
        notes.append(f"panel {fmt(r['panel_ms'])} ms")
        base = by.get(("BM_LoadAndStream", size))
        if name == "BM_ProceedToLastRow" and base and not base.get("error_occurred"):
            notes.append(f"{t / ms(base):.1f}x load-and-stream")
    elif name == "BM_Save":
        notes.append(f"{int(r['changed']):,} changed")
    elif name == "BM_SessionMemory":
        notes.append(f"server RSS after 2 / 5 / 30 sessions {fmt(r['rss_after_2_mb'])} / "
                     f"{fmt(r['rss_after_5_mb'])} / {fmt(r['rss_after_30_mb'])} MiB "
                     f"(bound {fmt(r['bound_mb'])})")
    elif name == "BM_DeliverQueuedEmails":
        notes.append(f"{r['emails_per_s']:,.0f} emails/s, "
                     f"{r['cpu_us_per_email']:,.0f} us CPU per email "
                     f"(sink {r['sink_cpu_us_per_email']:,.0f} us)")
    elif name.startswith("BM_Argon2idHash"):
        notes.append("median of 9 hashes")
    elif name == "BM_UploadPlainCsv":
        notes.append(f"{r['bytes_per_second'] / 1e6:.1f} MB/s")
    rows.append((name, size, fmt(t) + " ms", ", ".join(notes)))
if any(t == "ERROR" for _, _, t, _ in rows):
    failed = True
else:
    failed = False
w = max(len(r[0]) for r in rows)
print(f"{'benchmark':<{w}}  {'learners':>9}  {'time':>11}  notes")
for name, size, t, notes in rows:
    shown = f"{size:,}" if size else ""
    print(f"{name:<{w}}  {shown:>9}  {t:>11}  {notes}")
sys.exit(1 if failed else 0)
PY
