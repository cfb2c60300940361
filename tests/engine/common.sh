# Shared by the tests/engine scripts (sourced, not run).

STATE_PARENT="${DOCKER_OFELIA_TEST_STATE_PARENT:-/run/docker-ofelia-test}"
DATA_PARENT="${DOCKER_OFELIA_TEST_DATA_PARENT:-/var/lib/docker-ofelia-test}"

log() { printf 'tests/engine: %s\n' "$*" >&2; }
die() {
    log "error: $*"
    exit 1
}

# True when the docker CLI gets an answer from the engine at $1, within 5 s.
engine_answers() {
    command -v docker >/dev/null || return 1
    timeout 5 env -u DOCKER_CONTEXT -u DOCKER_TLS_VERIFY -u DOCKER_CERT_PATH \
        docker -H "$1" version --format '{{.Server.APIVersion}}' >/dev/null 2>&1
}

# True when /bin/busybox (or $BUSYBOX) is a statically linked busybox.
static_busybox() {
    local b="${BUSYBOX:-/bin/busybox}"
    [ -x "$b" ] || return 1
    # ldd (libc-bin, always there) fails on a static executable.
    ! LC_ALL=C ldd "$b" >/dev/null 2>&1 && "$b" --list >/dev/null 2>&1
}

# Installs docker.io, docker-compose, busybox-static and openssl from Debian, each only
# when missing. Needs root and apt-get; otherwise says what is missing.
ensure_packages() {
    local pkgs=()
    { command -v docker >/dev/null && command -v dockerd >/dev/null; } || pkgs+=(docker.io)
    command -v docker-compose >/dev/null || pkgs+=(docker-compose)
    static_busybox || pkgs+=(busybox-static)
    command -v openssl >/dev/null || pkgs+=(openssl) # tests/tls.rs makes certificates
    [ "${#pkgs[@]}" -gt 0 ] || return 0
    if [ "$(id -u)" != 0 ] || ! command -v apt-get >/dev/null; then
        log "missing: ${pkgs[*]} (install them: apt-get install ${pkgs[*]})"
        return 0
    fi
    log "installing ${pkgs[*]} from Debian"
    export DEBIAN_FRONTEND=noninteractive
    apt-get update -qq >&2
    apt-get install -y -qq --no-install-recommends "${pkgs[@]}" >&2
}
