#!/usr/bin/env bash
# Finds or starts the Docker engine the tests use, and prints the shell lines
# that export it (run.sh does `eval "$(bash tests/engine/start.sh)"`):
#
#   DOCKER_OFELIA_TEST_HOST   the engine the tests talk to
#   DOCKER_OFELIA_TEST_STATE  set only when this script started a throwaway
#                             dockerd; tests/engine/stop.sh takes it down
#
# Knob: DOCKER_OFELIA_TEST_ENGINE
#   auto (default)  reuse DOCKER_OFELIA_TEST_HOST, else the default socket,
#                   if it answers; else start a throwaway dockerd
#   reuse           reuse only; fail when no engine answers
#   own             always start a throwaway dockerd (what a fresh CI machine
#                   does); several can run side by side
#
# Starting an engine needs root. Missing packages (docker.io, docker-compose,
# busybox-static) are installed from Debian's archive with apt-get, only when
# missing. Everything goes to stderr except the export lines.
set -euo pipefail

here="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
# shellcheck source=tests/engine/common.sh
. "$here/common.sh"

mode="${DOCKER_OFELIA_TEST_ENGINE:-auto}"
case "$mode" in auto | reuse | own) ;; *) die "DOCKER_OFELIA_TEST_ENGINE must be auto, reuse or own (got \"$mode\")" ;; esac

ensure_packages

emit() {
    printf 'export DOCKER_OFELIA_TEST_HOST=%q\n' "$1"
    if [ -n "${2:-}" ]; then
        printf 'export DOCKER_OFELIA_TEST_STATE=%q\n' "$2"
    else
        printf 'unset DOCKER_OFELIA_TEST_STATE\n'
    fi
}

if [ "$mode" != own ]; then
    for host in "${DOCKER_OFELIA_TEST_HOST:-}" "unix:///var/run/docker.sock"; do
        [ -n "$host" ] || continue
        if engine_answers "$host"; then
            log "reusing the Docker engine at $host"
            emit "$host"
            exit 0
        fi
    done
    if [ "$mode" = reuse ]; then
        die "no Docker engine answers (DOCKER_OFELIA_TEST_HOST=${DOCKER_OFELIA_TEST_HOST:-unset}, unix:///var/run/docker.sock)"
    fi
fi

[ "$(id -u)" = 0 ] || die "starting a throwaway dockerd needs root (or point DOCKER_OFELIA_TEST_HOST at a running engine)"
command -v dockerd >/dev/null || die "dockerd not found (apt-get install docker.io)"

# Everything this engine owns lives under one state directory, unique per run,
# plus one data root; stop.sh removes both.
mkdir -p "$STATE_PARENT"
state="$(mktemp -d "$STATE_PARENT/e.XXXXXX")"
chmod 700 "$state"
data_root="$DATA_PARENT/$(basename "$state")"
mkdir -p "$data_root"
echo "$data_root" >"$state/data-root"
echo '{}' >"$state/daemon.json"
sock="$state/docker.sock"
host="unix://$sock"
echo "$host" >"$state/host"
ns="docker-ofelia-test-$(basename "$state")"

fail() {
    log "dockerd did not come up; its log ($state/dockerd.log):"
    tail -n 40 "$state/dockerd.log" >&2 || true
    bash "$here/stop.sh" "$state" >&2 || true
    exit 1
}
trap fail ERR INT TERM

log "starting a throwaway dockerd at $host (data root $data_root)"
# setsid: the engine must not get the terminal's SIGINT meant for the tests.
setsid dockerd \
    --host "$host" \
    --data-root "$data_root" \
    --exec-root "$state/exec" \
    --pidfile "$state/docker.pid" \
    --config-file "$state/daemon.json" \
    --containerd-namespace "$ns" \
    --containerd-plugins-namespace "$ns-plugins" \
    --bridge=none --iptables=false --ip-forward=false --ip-masq=false \
    --log-level=warn \
    </dev/null >"$state/dockerd.log" 2>&1 &
echo $! >"$state/dockerd.launcher.pid"

deadline=$((SECONDS + ${DOCKER_OFELIA_TEST_START_TIMEOUT:-60}))
until engine_answers "$host"; do
    if ! kill -0 "$(cat "$state/dockerd.launcher.pid")" 2>/dev/null; then
        log "dockerd exited"
        fail
    fi
    if [ "$SECONDS" -ge "$deadline" ]; then
        log "dockerd did not answer within ${DOCKER_OFELIA_TEST_START_TIMEOUT:-60} s"
        fail
    fi
    sleep 0.2
done
trap - ERR INT TERM
log "dockerd answers at $host ($(docker -H "$host" version --format '{{.Server.Version}}, API {{.Server.APIVersion}}' 2>/dev/null))"
emit "$host" "$state"
