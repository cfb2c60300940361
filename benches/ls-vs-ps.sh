#!/usr/bin/env bash
# Benchmark: `docker ofelia ls -a` against
# `docker ps -a --filter label=ofelia.enabled=true --format '{{.Labels}}'`
# over N (default 1000) labelled containers, in the same run, with
# hyperfine; then the peak memory of each (/usr/bin/time -v).
# Targets: ls ≤ 2× docker ps, peak RSS < 30 MiB.
#
#   benches/ls-vs-ps.sh [N] [RUNS]
#
# Needs: hyperfine and time (apt-get install -y hyperfine time), python3, the
# test image docker-ofelia-test/busybox:latest, the release binary (built if
# missing). Engine: DOCKER_OFELIA_TEST_HOST, else the default socket. The
# fixture containers (benches/fixtures/many-containers.sh) are created, not
# started, and removed at the end, even on failure.
set -euo pipefail

n="${1:-1000}"
runs="${2:-20}"
root="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
host="${DOCKER_OFELIA_TEST_HOST:-unix:///var/run/docker.sock}"
bin="${DOCKER_OFELIA_BIN:-$root/target/release/docker-ofelia}"
fixture="$root/benches/fixtures/many-containers.sh"

command -v hyperfine >/dev/null || { echo "hyperfine is not installed (apt-get install -y hyperfine)" >&2; exit 1; }
[ -x /usr/bin/time ] || { echo "/usr/bin/time is not installed (apt-get install -y time)" >&2; exit 1; }
[ -x "$bin" ] || (cd "$root" && cargo build --release)

export DOCKER_HOST="$host"
unset DOCKER_CONTEXT COMPOSE_PROJECT_NAME COMPOSE_FILE
# The plugin, installed the way docker finds it, in a throwaway config dir;
# run from an empty directory so no compose file narrows the project.
work="$(mktemp -d)"
mkdir -p "$work/cfg/cli-plugins"
ln -s "$bin" "$work/cfg/cli-plugins/docker-ofelia"
export DOCKER_CONFIG="$work/cfg"
cleanup() {
    DOCKER_OFELIA_TEST_HOST="$host" "$fixture" remove || true
    rm -rf "$work"
}
trap cleanup EXIT
cd "$work"

echo "Creating $n labelled containers…" >&2
DOCKER_OFELIA_TEST_HOST="$host" "$fixture" create "$n" >/dev/null
total="$(docker ps -aq --filter label=ofelia.enabled=true | wc -l)"
jobs="$(docker ofelia ls -a -q 2>/dev/null | wc -l)"
echo "Engine: $host, $total containers with ofelia.enabled=true, $jobs job names" >&2

ps_cmd="docker ps -a --filter label=ofelia.enabled=true --format '{{.Labels}}'"
ls_cmd="docker ofelia ls -a"
hyperfine --warmup 3 --runs "$runs" --export-json "$work/h.json" --output=pipe \
    -n "docker ps" "$ps_cmd" \
    -n "docker ofelia ls" "$ls_cmd" \
    -n "docker-ofelia ls (standalone)" "$bin ls -a" >&2

rss() { /usr/bin/time -v "$@" 2>&1 >/dev/null | awk -F': ' '/Maximum resident set size/ {print $2}'; }
ps_rss="$(rss docker ps -a --filter label=ofelia.enabled=true --format '{{.Labels}}')"
ls_rss="$(rss "$bin" ls -a)"
json_rss="$(rss "$bin" ls -a --format json)"
next_rss="$(rss "$bin" next -n 100)"

python3 - "$work/h.json" "$ps_rss" "$ls_rss" "$json_rss" "$next_rss" "$n" <<'PY'
import json, sys
h = json.load(open(sys.argv[1]))["results"]
ps_rss, ls_rss, json_rss, next_rss, n = (int(x) for x in sys.argv[2:7])
m = {r["command"]: r for r in h}
ps, ls, sa = m["docker ps"], m["docker ofelia ls"], m["docker-ofelia ls (standalone)"]
ratio = ls["mean"] / ps["mean"]
print(f"containers: {n}")
for name, r in (("docker ps", ps), ("docker ofelia ls", ls), ("docker-ofelia ls (standalone)", sa)):
    print(f"{name:32} mean {r['mean']*1000:7.1f} ms ± {r['stddev']*1000:5.1f}  (min {r['min']*1000:.1f}, max {r['max']*1000:.1f})")
print(f"ratio docker ofelia ls / docker ps: {ratio:.2f}x (target <= 2x) {'OK' if ratio <= 2 else 'OVER'}")
print(f"peak RSS: docker ps {ps_rss/1024:.1f} MiB, docker-ofelia ls {ls_rss/1024:.1f} MiB, ls --format json {json_rss/1024:.1f} MiB, next -n 100 {next_rss/1024:.1f} MiB (target < 30 MiB) {'OK' if max(ls_rss, json_rss, next_rss) < 30*1024 else 'OVER'}")
PY
