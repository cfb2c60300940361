#!/bin/sh
# Whole-process time of `docker-ofelia explain` (target: median < 5 ms).
# Uses hyperfine when installed, else a loop timed with date +%s%N.
# Usage: benches/explain.sh [path/to/docker-ofelia]   (default: a release build)
set -eu
cd "$(dirname "$0")/.."
BIN=${1:-}
if [ -z "$BIN" ]; then
    cargo build --release --quiet
    BIN=target/release/docker-ofelia
fi
EXPR='0 0 8 * * 1'
if command -v hyperfine >/dev/null 2>&1; then
    hyperfine -N --warmup 20 --runs 300 --export-json "${TMPDIR:-/tmp}/explain-bench.json" \
        "$BIN explain '$EXPR' --tz Europe/Paris" \
        "$BIN explain '0 30 2 * * *' --flavor ofelia-0.4 --tz Europe/Berlin --format json"
else
    N=300
    TIMES=$(mktemp)
    i=0
    while [ $i -lt $N ]; do
        s=$(date +%s%N)
        "$BIN" explain "$EXPR" --tz Europe/Paris >/dev/null
        e=$(date +%s%N)
        echo $(( (e - s) / 1000 )) >>"$TIMES"
        i=$((i + 1))
    done
    sort -n "$TIMES" | awk '{a[NR]=$1} END {printf "median %.2f ms over %d runs\n", a[int((NR+1)/2)]/1000, NR}'
    rm -f "$TIMES"
fi
if [ -f "${TMPDIR:-/tmp}/explain-bench.json" ] && command -v python3 >/dev/null 2>&1; then
    python3 -c 'import json,sys; [print("median %.2f ms  %s" % (r["median"]*1000, r["command"])) for r in json.load(open(sys.argv[1]))["results"]]' "${TMPDIR:-/tmp}/explain-bench.json"
fi
