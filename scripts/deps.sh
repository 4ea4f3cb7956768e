#!/usr/bin/env bash
# Installs the Debian 12 packages hubsync needs to build, test and demo.
# Idempotent and quiet: when everything is installed it prints nothing and
# touches nothing; otherwise it runs apt-get update + install for the missing
# packages only (with sudo when not root).
set -euo pipefail

PACKAGES=(
  cmake ninja-build g++ pkg-config
  libgrpc++-dev protobuf-compiler-grpc libprotobuf-dev protobuf-compiler
  libabsl-dev grpc-proto libsqlite3-dev libsodium-dev openssl libssl-dev
  libgtest-dev libgmock-dev libbenchmark-dev libicu-dev
  libgoogle-perftools-dev  # tcmalloc, the server's allocator
  python3-grpcio python3-protobuf
  libncurses-dev tmux sqlite3  # the console (ncursesw) and its tests (tmux)
  clang libclang-rt-14-dev  # libFuzzer and the sanitizer runtimes (scripts/fuzz.sh)
  clang-format  # the house style, checked by scripts/test.sh
  libcurl4-openssl-dev python3-aiosmtpd  # email over SMTP, and its test relay
)

missing=()
for pkg in "${PACKAGES[@]}"; do
  status="$(dpkg-query -W -f='${Status}' "$pkg" 2>/dev/null || true)"
  if [[ "$status" != "install ok installed" ]]; then
    missing+=("$pkg")
  fi
done

if ((${#missing[@]} == 0)); then
  exit 0
fi

echo "deps.sh: installing ${missing[*]}" >&2
SUDO=()
if [[ "$(id -u)" -ne 0 ]]; then
  if ! command -v sudo >/dev/null 2>&1; then
    echo "deps.sh: not root and sudo is not available; install as root: ${missing[*]}" >&2
    exit 1
  fi
  SUDO=(sudo)
fi
export DEBIAN_FRONTEND=noninteractive
"${SUDO[@]}" apt-get update -qq
"${SUDO[@]}" apt-get install -y -qq --no-install-recommends "${missing[@]}"
