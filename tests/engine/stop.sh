#!/usr/bin/env bash
# Stops a throwaway dockerd started by tests/engine/start.sh and removes
# everything it left: processes, mounts, the exec root, the data root and the
# state directory. Usage: stop.sh STATE_DIR (default $DOCKER_OFELIA_TEST_STATE).
# Safe to run twice; does nothing for an engine it did not start.
set -uo pipefail

here="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
# shellcheck source=tests/engine/common.sh
. "$here/common.sh"

state="${1:-${DOCKER_OFELIA_TEST_STATE:-}}"
state="${state%/}"
[ -n "$state" ] || exit 0
[ -d "$state" ] || exit 0
case "$state" in "$STATE_PARENT"/e.*) ;; *) die "refusing to remove $state: not a state directory of start.sh" ;; esac
data_root="$(cat "$state/data-root" 2>/dev/null || true)"

pid="$(cat "$state/docker.pid" 2>/dev/null || cat "$state/dockerd.launcher.pid" 2>/dev/null || true)"
if [ -n "$pid" ] && kill -0 "$pid" 2>/dev/null; then
    # Remove the test containers first, so their shims go away with them.
    host="$(cat "$state/host" 2>/dev/null || true)"
    if [ -n "$host" ]; then
        ids="$(timeout 20 docker -H "$host" ps -aq 2>/dev/null || true)"
        # shellcheck disable=SC2086
        [ -z "$ids" ] || timeout 60 docker -H "$host" rm -f $ids >/dev/null 2>&1 || true
    fi
    kill -TERM "$pid" 2>/dev/null || true
    for _ in $(seq 1 150); do
        kill -0 "$pid" 2>/dev/null || break
        sleep 0.2
    done
    if kill -0 "$pid" 2>/dev/null; then
        log "dockerd $pid did not stop in 30 s; killing it"
        kill -KILL "$pid" 2>/dev/null || true
    fi
fi

# Anything still running from this engine's exec root (its containerd,
# container shims) goes too: match on the process's command line.
# (A scan of /proc rather than pgrep: procps may be missing on a fresh machine.)
for dir in /proc/[0-9]*; do
    p="${dir#/proc/}"
    [ "$p" != "$$" ] || continue
    cmdline="$({ tr '\0' ' ' <"$dir/cmdline"; } 2>/dev/null || true)"
    case "$cmdline" in *"$state/"*) kill -KILL "$p" 2>/dev/null || true ;; esac
done

# Processes of containers that outlived their shim (dockerd killed hard):
# found through the containers' cgroups (cgroupfs v1 and v2, and systemd).
if [ -n "$data_root" ] && [ -d "$data_root/containers" ]; then
    for c in "$data_root"/containers/*/; do
        id="$(basename "$c")"
        [ ${#id} -eq 64 ] || continue
        for cg in /sys/fs/cgroup/*/docker/"$id" /sys/fs/cgroup/docker/"$id" \
            /sys/fs/cgroup/*/system.slice/docker-"$id".scope /sys/fs/cgroup/system.slice/docker-"$id".scope; do
            [ -f "$cg/cgroup.procs" ] || continue
            while read -r p; do kill -KILL "$p" 2>/dev/null || true; done <"$cg/cgroup.procs"
        done
        sleep 0.1
        for cg in /sys/fs/cgroup/*/docker/"$id" /sys/fs/cgroup/docker/"$id"; do
            [ -d "$cg" ] && rmdir "$cg" 2>/dev/null || true
        done
    done
fi

# Unmount whatever is still mounted under the exec root or data root, deepest first.
for root in "$state" ${data_root:+"$data_root"}; do
    awk -v r="$root" '$5 == r || index($5, r "/") == 1 { print $5 }' /proc/self/mountinfo |
        sort -r | while read -r m; do
        umount "$m" 2>/dev/null || umount -l "$m" 2>/dev/null || log "could not unmount $m"
    done
done

rm -rf "$state"
if [ -n "$data_root" ]; then
    case "$data_root" in "$DATA_PARENT"/e.*) rm -rf "$data_root" ;; esac
fi
rmdir "$STATE_PARENT" "$DATA_PARENT" 2>/dev/null || true
log "stopped and removed the throwaway dockerd ($state)"
