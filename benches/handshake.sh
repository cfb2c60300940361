#!/usr/bin/env bash
# Benchmarks the plugin handshake: whole-process time of
# `docker-ofelia docker-cli-plugin-metadata`, which docker runs before every
# `docker ofelia …` and for `docker --help`/`docker info`. Target: median < 5 ms.
#
#   bash benches/handshake.sh [BINARY] [RUNS]
#
# BINARY defaults to target/release/docker-ofelia (built with --locked when
# missing). Uses hyperfine when available (as root with apt-get, it installs
# Debian's hyperfine when missing); else a bash loop timing each run with
# EPOCHREALTIME. Prints the median in ms on the last line. Also times
# `docker-ofelia --version` (argument parsing, no runtime) and, when an engine
# answers, `docker ofelia version` end to end, for comparison.
set -euo pipefail
cd "$(dirname "${BASH_SOURCE[0]}")/.."

bin="${1:-target/release/docker-ofelia}"
runs="${2:-300}"
if [ ! -x "$bin" ]; then
    cargo build --release --locked >&2
fi

if ! command -v hyperfine >/dev/null 2>&1 && [ "$(id -u)" = 0 ] && command -v apt-get >/dev/null 2>&1 &&
    [ -z "${NO_INSTALL:-}" ]; then
    DEBIAN_FRONTEND=noninteractive apt-get install -y -qq hyperfine >/dev/null 2>&1 ||
        echo "(hyperfine not installable; using a bash loop)" >&2
fi

# median_loop RUNS CMD…: whole-process wall time per run, median in ms.
median_loop() {
    local n="$1"
    shift
    local i t0 t1
    local -a times=()
    for _ in 1 2 3 4 5 6 7 8 9 10; do "$@" >/dev/null; done # warm up
    for ((i = 0; i < n; i++)); do
        t0=$EPOCHREALTIME
        "$@" >/dev/null
        t1=$EPOCHREALTIME
        times+=("$(((${t1/./} - ${t0/./})))") # microseconds
    done
    printf '%s\n' "${times[@]}" | sort -n | awk '{a[NR]=$1} END {m=(NR%2)?a[(NR+1)/2]:(a[NR/2]+a[NR/2+1])/2; printf "%.2f\n", m/1000}'
}

# bench NAME RUNS CMD…: prints "NAME: median X ms" using hyperfine or the loop.
bench() {
    local name="$1" n="$2"
    shift 2
    local median
    if command -v hyperfine >/dev/null 2>&1; then
        local json
        json="$(mktemp)"
        hyperfine -N --warmup 20 --runs "$n" --export-json "$json" "$(printf '%q ' "$@")" >/dev/null 2>&1
        median="$(grep -o '"median": *[0-9.e-]*' "$json" | head -1 | awk -F: '{printf "%.2f", $2*1000}')"
        rm -f "$json"
        echo "$name: median $median ms ($n runs, hyperfine)"
    else
        median="$(median_loop "$n" "$@")"
        echo "$name: median $median ms ($n runs, bash loop)"
    fi
}

host="${DOCKER_OFELIA_TEST_HOST:-${DOCKER_HOST:-unix:///var/run/docker.sock}}"
bench "/bin/true (process start-up baseline)" "$runs" /bin/true
bench "docker-ofelia --version" "$runs" "$bin" --version
if DOCKER_HOST="$host" "$bin" version >/dev/null 2>&1; then
    bench "docker-ofelia version (engine at $host)" 50 env DOCKER_HOST="$host" "$bin" version
fi
bench "DOCKER_HOST=unix:///nonexistent.sock docker-ofelia version (unreachable engine)" 50 \
    env DOCKER_HOST=unix:///nonexistent.sock sh -c '"$0" version 2>/dev/null; true' "$bin"
# A tcp endpoint that accepts and never answers (needs python3): the 2 s bound.
if command -v python3 >/dev/null 2>&1; then
    port_file="$(mktemp)"
    python3 -c 'import socket,sys,time
s=socket.socket(); s.bind(("127.0.0.1",0)); s.listen(64)
open(sys.argv[1],"w").write(str(s.getsockname()[1])); held=[]
while True: held.append(s.accept())' "$port_file" &
    silent=$!
    for _ in $(seq 1 50); do [ -s "$port_file" ] && break; sleep 0.1; done
    bench "docker-ofelia -H tcp://<silent> version (engine that never answers)" 5 \
        sh -c '"$0" -H "tcp://127.0.0.1:$1" version 2>/dev/null; true' "$bin" "$(cat "$port_file")"
    kill "$silent" 2>/dev/null || true
    rm -f "$port_file"
fi
bench "docker-ofelia docker-cli-plugin-metadata (handshake)" "$runs" "$bin" docker-cli-plugin-metadata
