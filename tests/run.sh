#!/usr/bin/env bash
# THE test command: runs every test (unit, conformance, integration) against a
# real Docker engine.
#
#   bash tests/run.sh [extra cargo test args…]
#
# 1. Finds an engine (DOCKER_OFELIA_TEST_HOST, else the default socket) or, as
#    root, installs docker.io/docker-compose/busybox-static from Debian when
#    missing and starts a throwaway dockerd with its own socket, data root,
#    exec root and pid file (--bridge=none --iptables=false).
#    DOCKER_OFELIA_TEST_ENGINE=own forces the throwaway engine; =reuse forbids it.
# 2. Builds the test images (tests/engine/images.sh; no registry needed).
# 3. Runs `cargo test --locked` with DOCKER_OFELIA_TEST_HOST exported.
# 4. Stops and removes the throwaway engine (also on failure or Ctrl-C) and
#    exits with the tests' status.
#
# With CI=true a missing engine fails the tests; it never skips them.
set -euo pipefail

cd "$(dirname "${BASH_SOURCE[0]}")/.."

started=""
cleanup() {
    local status=$?
    trap - EXIT INT TERM
    if [ -n "$started" ]; then
        bash tests/engine/stop.sh "$started" || true
    fi
    exit "$status"
}
trap cleanup EXIT
trap 'exit 130' INT
trap 'exit 143' TERM

command -v cargo >/dev/null || {
    echo "tests/run.sh: cargo not found: install Rust (https://rustup.rs)" >&2
    exit 1
}

# start.sh prints `export …` lines; it cleans up after itself when it fails.
exports="$(bash tests/engine/start.sh)"
eval "$exports"
started="${DOCKER_OFELIA_TEST_STATE:-}"
echo "tests/run.sh: engine $DOCKER_OFELIA_TEST_HOST" >&2

bash tests/engine/images.sh

# cargo runs in the background so that a SIGINT/SIGTERM sent to this script
# is handled at once (bash defers traps until a foreground child ends): the
# signal is passed on to cargo, then the EXIT trap removes the engine.
cargo test --locked "$@" &
tests=$!
trap 'kill -INT "$tests" 2>/dev/null; wait "$tests"; exit 130' INT
trap 'kill -TERM "$tests" 2>/dev/null; wait "$tests"; exit 143' TERM
status=0
wait "$tests" || status=$?
exit "$status"
