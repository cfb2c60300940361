#!/usr/bin/env bash
# Benchmark: `docker-ofelia check -f FILE` on a generated compose file of N
# services (default 200), as a whole process (start, read, check, print),
# with hyperfine. Target: median under 50 ms. No engine needed.
#
#   benches/check.sh [SERVICES] [RUNS]
#
# Needs: the release binary (built if missing); hyperfine
# (apt-get install -y hyperfine), else a plain loop with `date +%s%N`.
set -euo pipefail

services="${1:-200}"
runs="${2:-30}"
root="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
bin="${DOCKER_OFELIA_BIN:-$root/target/release/docker-ofelia}"
[ -x "$bin" ] || (cd "$root" && cargo build --release)

dir="$(mktemp -d)"
trap 'rm -rf "$dir"' EXIT
file="$dir/compose.yml"

# One scheduler and SERVICES app services, each with three jobs; every tenth
# service carries a mistake (so the check has findings to format).
{
    echo "services:"
    echo "  ofelia:"
    echo "    image: mcuadros/ofelia:latest"
    echo "    command: daemon --docker -f label=com.docker.compose.project=bench"
    echo "    volumes:"
    echo "      - /var/run/docker.sock:/var/run/docker.sock:ro"
    for i in $(seq 1 "$services"); do
        echo "  app$i:"
        echo "    image: nginx:alpine"
        echo "    environment:"
        echo "      TZ: Europe/Berlin"
        echo "    labels:"
        echo "      ofelia.enabled: \"true\""
        echo "      ofelia.job-exec.backup$i.schedule: \"0 0 3 * * *\""
        echo "      ofelia.job-exec.backup$i.command: \"pg_dump -f /backup/db.sql\""
        echo "      ofelia.job-exec.clean$i.schedule: \"@every 1h\""
        echo "      ofelia.job-exec.clean$i.command: \"find /tmp -delete\""
        echo "      ofelia.job-exec.ping$i.schedule: \"0 */5 * * * *\""
        if [ $((i % 10)) -eq 0 ]; then
            echo "      ofelia.job-exec.ping$i.command: \"curl -s http://x | grep ok\""
        else
            echo "      ofelia.job-exec.ping$i.command: \"curl -s http://x\""
        fi
    done
} >"$file"

cd "$dir"
echo "compose file: $services services, $(wc -l <"$file") lines"
"$bin" check -p bench -f compose.yml | tail -1

if command -v hyperfine >/dev/null; then
    hyperfine --warmup 3 --runs "$runs" -N --ignore-failure \
        --export-json "$dir/result.json" \
        "$bin check -p bench -f compose.yml" \
        "$bin check -p bench -f compose.yml --format json"
    python3 - "$dir/result.json" <<'PY'
import json, sys
for r in json.load(open(sys.argv[1]))["results"]:
    print(f"median {r['median'] * 1000:.1f} ms  ({r['command'].split('/')[-1]})")
PY
else
    times=()
    for _ in $(seq 1 "$runs"); do
        s=$(date +%s%N)
        "$bin" check -p bench -f compose.yml >/dev/null || true
        e=$(date +%s%N)
        times+=($(((e - s) / 1000)))
    done
    printf '%s\n' "${times[@]}" | sort -n | awk '{a[NR]=$1} END {printf "median %.1f ms over %d runs\n", a[int((NR+1)/2)]/1000, NR}'
fi
