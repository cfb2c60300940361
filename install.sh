#!/usr/bin/env bash
# Installs docker-ofelia as a Docker CLI plugin for the current user.
#
#   ./install.sh              build (cargo build --release --locked) and install
#   ./install.sh --uninstall  remove it
#
# Target: ${DOCKER_CONFIG:-$HOME/.docker}/cli-plugins/docker-ofelia, where the
# docker CLI looks for plugins. Safe to run again (it replaces the binary).
set -euo pipefail

cd "$(dirname "${BASH_SOURCE[0]}")"

config_dir="${DOCKER_CONFIG:-${HOME:?HOME is not set}/.docker}"
plugins_dir="$config_dir/cli-plugins"
target="$plugins_dir/docker-ofelia"

usage() {
    echo "usage: ./install.sh [--uninstall]"
}

case "${1:-}" in
"") ;;
--uninstall | uninstall)
    if [ -e "$target" ] || [ -L "$target" ]; then
        rm -f "$target"
        echo "Removed $target"
    else
        echo "docker-ofelia is not installed at $target (nothing to do)"
    fi
    exit 0
    ;;
-h | --help)
    usage
    exit 0
    ;;
*)
    usage >&2
    exit 2
    ;;
esac

if ! command -v cargo >/dev/null 2>&1; then
    echo "install.sh: cargo not found. Install Rust (https://rustup.rs), then run ./install.sh again." >&2
    exit 1
fi

echo "Building docker-ofelia (cargo build --release --locked)…"
cargo build --release --locked
built="${CARGO_TARGET_DIR:-target}/release/docker-ofelia"
[ -x "$built" ] || {
    echo "install.sh: the build did not produce $built" >&2
    exit 1
}

mkdir -p "$plugins_dir"
# Copy to a temporary name and rename: a running docker never sees half a file.
tmp="$(mktemp "$plugins_dir/.docker-ofelia.XXXXXX")"
trap 'rm -f "$tmp"' EXIT
cp "$built" "$tmp"
chmod 755 "$tmp"
mv -f "$tmp" "$target"
trap - EXIT
echo "Installed docker-ofelia $("$target" --version | awk '{print $NF}') to $target"

if command -v docker >/dev/null 2>&1; then
    echo "Checking: docker ofelia version"
    if ! docker ofelia version; then
        echo "(docker found the plugin; the engine did not answer. Start Docker, then run: docker ofelia version)"
    fi
else
    echo "docker is not installed here; once it is, try: docker ofelia version"
fi
