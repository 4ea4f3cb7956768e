#!/usr/bin/env bash
# Installs dependencies (scripts/deps.sh), configures and builds hubsync with
# warnings as errors. Works from any directory. BUILD_DIR overrides the build
# directory (default: build, relative to the repository root).
set -euo pipefail

cd "$(dirname "${BASH_SOURCE[0]}")/.."
BUILD_DIR="${BUILD_DIR:-build}"

scripts/deps.sh
cmake -S . -B "$BUILD_DIR" -G Ninja -DCMAKE_BUILD_TYPE=RelWithDebInfo -DHUBSYNC_WERROR=ON
ninja -C "$BUILD_DIR" -j "$(nproc)"
