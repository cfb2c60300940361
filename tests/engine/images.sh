#!/usr/bin/env bash
# Builds the test images on the test engine, without any registry:
#
#   docker-ofelia-test/busybox:latest  `docker import` of a rootfs holding
#       Debian's static busybox (/bin/busybox and its applet links), an
#       /etc/passwd with root and nobody, /etc/group, /tmp, and PATH.
#   docker-ofelia-test/<name>:latest   for every tests/images/<name>/: the base
#       rootfs with tests/images/<name>/rootfs/ copied over it, imported with
#       each line of tests/images/<name>/changes as a --change (e.g.
#       `CMD ["/bin/sh"]`, `LABEL ofelia.service=true`). Empty lines and lines
#       starting with # are ignored.
#
# Idempotent: each image carries the label org.docker-ofelia.test.hash, a hash
# of everything it is built from, and is skipped when that is unchanged.
# Engine: DOCKER_OFELIA_TEST_HOST (default: the default socket).
set -euo pipefail

here="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
# shellcheck source=tests/engine/common.sh
. "$here/common.sh"
images_dir="$(cd "$here/.." && pwd)/images"
host="${DOCKER_OFELIA_TEST_HOST:-unix:///var/run/docker.sock}"
busybox="${BUSYBOX:-/bin/busybox}"
label=org.docker-ofelia.test.hash
# Bump when the way images are built changes.
recipe=1

static_busybox || die "$busybox is not a static busybox (apt-get install busybox-static)"

dk() { env -u DOCKER_CONTEXT docker -H "$host" "$@"; }

work="$(mktemp -d)"
trap 'rm -rf "$work"' EXIT

# The base rootfs.
base="$work/base"
mkdir -p "$base/bin" "$base/etc" "$base/tmp" "$base/root" "$base/proc" "$base/sys" "$base/dev"
chmod 1777 "$base/tmp"
chmod 700 "$base/root"
cp "$busybox" "$base/bin/busybox"
chmod 755 "$base/bin/busybox"
for applet in $("$busybox" --list); do
    [ "$applet" = busybox ] || ln -sf busybox "$base/bin/$applet"
done
cat >"$base/etc/passwd" <<'PASSWD'
root:x:0:0:root:/root:/bin/sh
nobody:x:65534:65534:nobody:/nonexistent:/bin/false
PASSWD
cat >"$base/etc/group" <<'GROUP'
root:x:0:
nogroup:x:65534:
GROUP
path_env='PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin'

# A stable hash of a directory tree: paths, types, modes, link targets, contents.
tree_hash() {
    (
        cd "$1"
        find . -print0 | LC_ALL=C sort -z | while IFS= read -r -d '' f; do
            if [ -L "$f" ]; then
                printf 'L %s %s\n' "$f" "$(readlink "$f")"
            elif [ -d "$f" ]; then
                printf 'D %s %s\n' "$f" "$(stat -c %a "$f")"
            else
                printf 'F %s %s %s\n' "$f" "$(stat -c %a "$f")" "$(sha256sum <"$f" | cut -d' ' -f1)"
            fi
        done
    ) | sha256sum | cut -d' ' -f1
}

# build NAME ROOTFS_DIR CHANGES_FILE|"" : imports unless the hash label matches.
build() {
    local name="$1" rootfs="$2" changes="$3" ref="docker-ofelia-test/$1:latest"
    local -a change_args=(--change "ENV $path_env")
    if [ "$name" = busybox ]; then
        change_args+=(--change 'CMD ["/bin/sh"]')
    fi
    if [ -n "$changes" ] && [ -f "$changes" ]; then
        while IFS= read -r line || [ -n "$line" ]; do
            case "$line" in '' | '#'*) continue ;; esac
            change_args+=(--change "$line")
        done <"$changes"
    fi
    local hash
    hash="$({
        echo "recipe $recipe"
        tree_hash "$rootfs"
        printf '%s\n' "${change_args[@]}"
    } | sha256sum | cut -c1-32)"
    if [ "$(dk image inspect --format "{{index .Config.Labels \"$label\"}}" "$ref" 2>/dev/null || true)" = "$hash" ]; then
        log "$ref is up to date"
        return 0
    fi
    tar -C "$rootfs" --numeric-owner --owner=0 --group=0 -cf - . |
        dk import "${change_args[@]}" --change "LABEL $label=$hash" - "$ref" >/dev/null
    log "built $ref"
}

build busybox "$base" ""

if [ -d "$images_dir" ]; then
    for dir in "$images_dir"/*/; do
        [ -d "$dir" ] || continue
        name="$(basename "$dir")"
        case "$name" in
        busybox) die "tests/images/busybox would replace the base image; pick another name" ;;
        *[!a-z0-9._-]*) die "tests/images/$name: image names use [a-z0-9._-] only" ;;
        esac
        root="$work/$name"
        cp -a "$base" "$root"
        if [ -d "$dir/rootfs" ]; then
            cp -a "$dir/rootfs/." "$root/"
        fi
        build "$name" "$root" "$dir/changes"
    done
fi
