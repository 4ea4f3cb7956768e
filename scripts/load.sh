#!/usr/bin/env bash
# Load test: starts hubsyncd on loopback (port 0, a fresh database in a temp
# directory), runs hubsync_load against it (N concurrent admins doing whole
# sync sessions on their own schools, each with its school's admin key, plus
# readers streaming rows with viewer keys), stops the server, and exits
# non-zero unless there were no errors and every school's hub is exactly what
# its sessions saved.
#   scripts/load.sh                          50 clients x 60 s, 5 readers
#   scripts/load.sh --clients 20 --duration 30 --readers 5 --learners 100
# Record the figures, the machine and the command in docs/BENCHMARKS.md ("Load").
set -euo pipefail
cd "$(dirname "${BASH_SOURCE[0]}")/.."
BUILD_DIR="${BUILD_DIR:-build}"

clients=50 duration=60 readers=5 learners=100
while (($#)); do
  case "$1" in
    --clients) clients="$2"; shift 2 ;;
    --duration) duration="$2"; shift 2 ;;
    --readers) readers="$2"; shift 2 ;;
    --learners) learners="$2"; shift 2 ;;
    -h|--help) sed -n '2,10p' "$0"; exit 0 ;;
    *) echo "load.sh: unknown argument '$1' (see --help)" >&2; exit 2 ;;
  esac
done

BUILD_DIR="$BUILD_DIR" scripts/build.sh >/dev/null
echo "machine: $(nproc) cores, $(grep -m1 'model name' /proc/cpuinfo | cut -d: -f2 | sed 's/^ //'), load average $(cut -d' ' -f1-3 /proc/loadavg)"

tmp="$(mktemp -d -t hubsync-load.XXXXXX)"
source scripts/lib/server.sh
cleanup() {
  server_stop
  rm -rf "$tmp"
}
trap cleanup EXIT

# The first operator key, made the documented way (docs/SECURITY.md); the
# driver creates each school and its admin and viewer keys with it.
server_operator_key "$tmp/hub.db" "$tmp/init.log" "load.sh: " || exit 1
if ! server_start "$tmp/hub.db" "$tmp/server.log"; then
  echo "load.sh: hubsyncd did not start:" >&2
  cat "$tmp/server.log" >&2
  exit 1
fi

status=0
"$BUILD_DIR/hubsync_load" --server "127.0.0.1:$port" --clients "$clients" \
  --duration "$duration" --readers "$readers" --learners "$learners" || status=$?
echo "database: $(du -h "$tmp/hub.db" | cut -f1) after the run"
kill "$server_pid"
if ! wait "$server_pid"; then
  echo "load.sh: hubsyncd did not shut down cleanly:" >&2
  tail -n 20 "$tmp/server.log" >&2
  status=1
fi
server_pid=""
exit "$status"
