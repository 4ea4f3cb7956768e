# shellcheck shell=bash
# Sourced by scripts/demo.sh, load.sh and test.sh (after they cd to the
# repository root and set BUILD_DIR): a hubsyncd of $BUILD_DIR on a free
# loopback port, started in the sourcing shell so that its EXIT trap can stop
# it with server_stop. Each script says in its own words what went wrong.

server_pid=""
port=""

# server_operator_key DB LOG PREFIX: creates the first operator key of DB
# (hubsyncd --init-operator-key, docs/SECURITY.md) and exports it as
# HUBSYNC_OPERATOR_KEY. On failure prints "PREFIXhubsyncd --init-operator-key
# failed:" and the server's stderr (kept in LOG) on stderr, and returns 1.
server_operator_key() {
  local db="$1" log="$2" prefix="$3"
  if ! HUBSYNC_OPERATOR_KEY="$("$BUILD_DIR/hubsyncd" --db "$db" --init-operator-key 2>"$log")"; then
    echo "${prefix}hubsyncd --init-operator-key failed:" >&2
    cat "$log" >&2
    return 1
  fi
  export HUBSYNC_OPERATOR_KEY
}

# server_start DB LOG [FLAG...]: starts hubsyncd on 127.0.0.1:0 with DB (and
# the FLAGs) in the background (its output in LOG), sets server_pid, and
# waits up to 20 s for
# the "hubsyncd listening on" line, setting port from it. Returns 1, with port
# empty, if the server exits or says nothing in that time.
server_start() {
  local db="$1" log="$2" i
  shift 2
  "$BUILD_DIR/hubsyncd" --listen 127.0.0.1:0 --db "$db" "$@" >"$log" 2>&1 &
  server_pid=$!
  port=""
  for ((i = 0; i < 200; i++)); do
    # LOG may not exist yet: the background shell creates it.
    port="$(sed -nE 's/^hubsyncd listening on 127\.0\.0\.1:([0-9]+).*/\1/p' "$log" 2>/dev/null | head -n1)"
    [[ -n "$port" ]] && return 0
    kill -0 "$server_pid" 2>/dev/null || break
    sleep 0.1
  done
  return 1
}

# server_stop: stops the server server_start started, if it still runs, and
# waits for it (for EXIT traps: never fails).
server_stop() {
  if [[ -n "$server_pid" ]] && kill -0 "$server_pid" 2>/dev/null; then
    kill "$server_pid" 2>/dev/null || true
    wait "$server_pid" 2>/dev/null || true
  fi
}
