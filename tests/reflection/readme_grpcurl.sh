#!/usr/bin/env bash
# Runs the code blocks of README.md's "## grpcurl" section in bash, as
# written, with a real grpcurl against a running hubsyncd, and fails on the
# first error. scripts/test.sh runs it against a fresh server whenever it
# finds a grpcurl (CI has grpcurl 1.8.5, the oldest the README promises).
#
#   tests/reflection/readme_grpcurl.sh GRPCURL HOST:PORT OPERATOR_KEY
#
# The only change made to the README's lines: its address 127.0.0.1:50051
# becomes HOST:PORT (the test server's free port). `grpcurl` and `python3`
# are whatever PATH finds, grpcurl being GRPCURL. The lines run in a
# temporary directory (they write school.json, key.json, session.json).
# Besides the exit status of every line it checks that `describe` showed the
# API's comments and that grpcurl's JSON spelled fields as the README reads
# them (schoolId). Prints the commands and everything they print.
set -euo pipefail

if (($# != 3)); then
  echo "usage: $0 GRPCURL HOST:PORT OPERATOR_KEY" >&2
  exit 2
fi
grpcurl_bin="$(realpath "$1")"
address="$2"
operator_key="$3"
repo="$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)"

work="$(mktemp -d -t hubsync-readme-grpcurl.XXXXXX)"
trap 'rm -rf "$work"' EXIT
mkdir "$work/bin"
ln -s "$grpcurl_bin" "$work/bin/grpcurl"

# The fenced ```sh blocks between "## grpcurl" and the next "## " heading.
awk '
  /^## / { in_section = ($0 == "## grpcurl"); next }
  in_section && /^```sh$/ { in_block = 1; next }
  in_section && in_block && /^```$/ { in_block = 0; print ""; next }
  in_section && in_block { print }
' "$repo/README.md" >"$work/section.sh"
if ! grep -q grpcurl "$work/section.sh"; then
  echo "readme_grpcurl: README.md has no grpcurl code blocks under '## grpcurl'" >&2
  exit 1
fi
sed -i "s/127\.0\.0\.1:50051/$address/g" "$work/section.sh"
echo "readme_grpcurl: $(grep -c '^grpcurl' "$work/section.sh") grpcurl commands from README.md," \
  "with $("$grpcurl_bin" -version 2>&1) against $address"

# bash -x prints each command before it runs; -e stops at the first failure,
# pipefail catches a grpcurl failing into tee.
status=0
(
  cd "$work"
  export PATH="$work/bin:$PATH" OPERATOR_KEY="$operator_key"
  bash -x -euo pipefail section.sh
) >"$work/run.log" 2>&1 || status=$?
cat "$work/run.log"
if ((status != 0)); then
  echo "readme_grpcurl: FAIL: the README's grpcurl section stopped with exit $status (above)" >&2
  exit 1
fi
# What a person would look for in the output.
if ! grep -q "The pupil sync session" "$work/run.log"; then
  echo "readme_grpcurl: FAIL: 'grpcurl describe hubsync.v1.SyncService' shows no comments" >&2
  exit 1
fi
if ! grep -q '"schoolId"' "$work/school.json"; then
  echo "readme_grpcurl: FAIL: grpcurl printed no schoolId for CreateSchool" >&2
  exit 1
fi
if ! grep -q '"done": true' "$work/run.log"; then
  echo "readme_grpcurl: FAIL: StreamRows printed no last batch with \"done\": true" >&2
  exit 1
fi
echo "readme_grpcurl: the README's grpcurl section ran as written"
