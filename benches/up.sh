#!/usr/bin/env bash
# Benchmark: `docker ofelia up -d` (image present) against `docker run -d` of
# the same configuration, in the same run, with hyperfine. Target: ≤ 1.5×.
#
#   benches/up.sh [RUNS]
#
# Needs: hyperfine (apt-get install -y hyperfine), python3, the test image
# docker-ofelia-test/scheduler:latest (tests/engine/images.sh builds it), and
# the release binary (built if missing). Engine: DOCKER_OFELIA_TEST_HOST, else
# the default socket. Every container it creates is named ofelia-bench-* and
# removed at the end, even on failure.
set -euo pipefail

runs="${1:-20}"
root="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
host="${DOCKER_OFELIA_TEST_HOST:-unix:///var/run/docker.sock}"
image="${BENCH_IMAGE:-docker-ofelia-test/scheduler:latest}"
bin="${DOCKER_OFELIA_BIN:-$root/target/release/docker-ofelia}"
name=ofelia-bench-$$

command -v hyperfine >/dev/null || { echo "hyperfine is not installed (apt-get install -y hyperfine)" >&2; exit 1; }
[ -x "$bin" ] || (cd "$root" && cargo build --release)

export DOCKER_HOST="$host"
unset DOCKER_CONTEXT
docker image inspect "$image" >/dev/null 2>&1 || { echo "$image is missing: run tests/engine/images.sh" >&2; exit 1; }

# The plugin, installed the way docker finds it, in a throwaway config dir.
cfg="$(mktemp -d)"
mkdir -p "$cfg/cli-plugins"
ln -s "$bin" "$cfg/cli-plugins/docker-ofelia"
export DOCKER_CONFIG="$cfg"
cleanup() {
    docker rm -f "$name" >/dev/null 2>&1 || true
    rm -rf "$cfg"
}
trap cleanup EXIT

sock="${host#unix://}"
[ "$sock" = "$host" ] && sock=/var/run/docker.sock
json="$(mktemp)"
trap 'cleanup; rm -f "$json"' EXIT

# The same container `up -d --name $name --tz UTC` creates.
run_cmd="docker run -d --name $name --restart unless-stopped \
  --mount type=bind,source=$sock,target=/var/run/docker.sock,readonly \
  -e TZ=UTC --label ofelia.service=true --label ofelia.enabled=true \
  --label io.docker-ofelia.managed=true --label io.docker-ofelia.project= \
  --label io.docker-ofelia.flavor=ofelia-0.3 $image daemon --docker"
up_cmd="docker ofelia up -d --name $name --tz UTC --image $image"
noop_cmd="docker ofelia up -d --name $name --tz UTC --image $image"

hyperfine --warmup 2 --runs "$runs" --style basic \
    --prepare "docker rm -f $name >/dev/null 2>&1 || true" \
    --command-name "docker run -d" "$run_cmd" \
    --command-name "docker ofelia up -d" "$up_cmd" \
    --export-json "$json"

# The idempotent case: the same configuration already running.
docker rm -f "$name" >/dev/null 2>&1 || true
$up_cmd >/dev/null 2>&1
hyperfine --warmup 2 --runs "$runs" --style basic \
    --command-name "docker ofelia up -d (already running)" "$noop_cmd"

python3 - "$json" <<'PY'
import json, sys
r = {x["command"]: x for x in json.load(open(sys.argv[1]))["results"]}
run, up = r["docker run -d"]["mean"], r["docker ofelia up -d"]["mean"]
print(f"\ndocker run -d:        {run*1000:7.1f} ms")
print(f"docker ofelia up -d:  {up*1000:7.1f} ms")
print(f"ratio:                {up/run:7.2f}x (target <= 1.50x)")
sys.exit(0 if up / run <= 1.5 else 1)
PY
