#!/usr/bin/env bash
# Formats the C++ sources with clang-format (.clang-format: Google style).
#   scripts/format.sh           rewrites every tracked .cc and .h file in place
#   scripts/format.sh --check   changes nothing; lists the files clang-format
#                               would change and exits 1 if there are any
set -euo pipefail
cd "$(dirname "${BASH_SOURCE[0]}")/.."
scripts/deps.sh
mapfile -t files < <(git ls-files '*.cc' '*.h')
if [[ "${1:-}" != "--check" ]]; then
  clang-format -i "${files[@]}"
  exit 0
fi
bad=0
for f in "${files[@]}"; do
  if ! clang-format --dry-run --Werror "$f" >/dev/null 2>&1; then
    echo "$f"
    bad=1
  fi
done
exit "$bad"
