#!/usr/bin/env bash
# Installs everything tscompose needs on a fresh Debian 12 machine (run as root, from a clone)
# and builds it. Idempotent: each step checks first and does nothing when already done, so a
# second run takes a second or two.
#
#   ./scripts/setup.sh
#
# Environment:
#   TSCOMPOSE_SETUP_NO_APT=1   never call apt-get (fail if a Debian package is missing)
set -euo pipefail

cd "$(dirname "${BASH_SOURCE[0]}")/.."

log() { printf 'setup: %s\n' "$*" >&2; }
die() { printf 'setup: error: %s\n' "$*" >&2; exit 1; }

# --- 1. Debian packages --------------------------------------------------------------------
# git, ca-certificates: cloning, npm over TLS.
# docker-compose: Debian's docker-compose 1.29.2, the anchor of bench/config.
# runc, conmon, nftables, iproute2: the bundled engine (OCI runtime, container monitor,
#   published ports and NAT, bridges/veth/netns).
# tini: the init a container gets with `init: true`; procps: `ps` for `top`.
# docker.io: dockerd, for the docker adapter and the contract tests run against it.
APT_PACKAGES=(
  ca-certificates
  git
  docker-compose
  runc
  conmon
  tini
  procps
  nftables
  iproute2
  docker.io
  attr
  zstd
  tar
)

is_installed() {
  [ "$(dpkg-query -W -f='${Status}' "$1" 2>/dev/null)" = 'install ok installed' ]
}

install_debian_packages() {
  local missing=() p
  if ! command -v dpkg-query >/dev/null 2>&1; then
    log "not a Debian system (no dpkg-query): skipping Debian packages (${APT_PACKAGES[*]})"
    return 0
  fi
  for p in "${APT_PACKAGES[@]}"; do
    is_installed "$p" || missing+=("$p")
  done
  [ ${#missing[@]} -eq 0 ] && return 0

  if [ "${TSCOMPOSE_SETUP_NO_APT:-}" = 1 ]; then
    die "missing Debian packages: ${missing[*]} (TSCOMPOSE_SETUP_NO_APT=1 forbids installing them)"
  fi
  if [ "$(id -u)" -ne 0 ]; then
    die "missing Debian packages: ${missing[*]}; run this script as root (or: apt-get install ${missing[*]})"
  fi

  log "installing Debian packages: ${missing[*]}"
  # Package scripts must not start daemons (dockerd, containerd) here: tests start what they need.
  local policy=/usr/sbin/policy-rc.d own_policy=0
  if [ ! -e "$policy" ]; then
    printf '#!/bin/sh\nexit 101\n' >"$policy"
    chmod 0755 "$policy"
    own_policy=1
    trap 'rm -f /usr/sbin/policy-rc.d' EXIT
  fi
  export DEBIAN_FRONTEND=noninteractive
  apt-get update -qq
  apt-get install -y -qq --no-install-recommends "${missing[@]}" >/dev/null
  if [ "$own_policy" = 1 ]; then
    rm -f "$policy"
    trap - EXIT
  fi
  for p in "${missing[@]}"; do
    is_installed "$p" || die "Debian package $p did not install"
  done
}

# --- 2. Node.js ----------------------------------------------------------------------------
check_node() {
  command -v node >/dev/null 2>&1 || die "Node.js is not installed; tscompose needs Node.js 20 or newer"
  command -v npm >/dev/null 2>&1 || die "npm is not installed; tscompose needs npm (it comes with Node.js)"
  local version major
  version=$(node --version)          # v20.20.2
  major=${version#v}
  major=${major%%.*}
  case "$major" in
    '' | *[!0-9]*) die "cannot read the Node.js version from '$version'" ;;
  esac
  [ "$major" -ge 20 ] || die "Node.js $version is too old; tscompose needs Node.js 20 or newer"
}

# --- 3. npm packages -----------------------------------------------------------------------
install_npm_packages() {
  if [ -f node_modules/.package-lock.json ] && [ ! package-lock.json -nt node_modules/.package-lock.json ]; then
    return 0
  fi
  log "installing npm packages (npm ci)"
  npm ci --no-audit --no-fund --loglevel=error
}

# --- 4. Build ------------------------------------------------------------------------------
# tsc → dist/. Skipped when dist/ is newer than every source that goes into it.
build() {
  local stamp=dist/.build-stamp
  if [ -f "$stamp" ] && [ -f dist/cli/main.js ] \
    && [ -z "$(find src schemas tsconfig.json package.json -newer "$stamp" -print -quit 2>/dev/null)" ]; then
    return 0
  fi
  log "building (npm run build)"
  npm run --silent build
  touch "$stamp"
}

# --- 5. Test fixtures ----------------------------------------------------------------------
# Stand-in images (busybox, debian, mysql, wordpress) served by a local registry on
# 127.0.0.1:5000, for the engine's integration and e2e tests: the workplace's
# shared/fixtures/standin-images.sh (see its README), used in place. It is idempotent (~2 s when
# its cache is warm, 2-3 min cold) and starts the registry when it is not running.
# TSCOMPOSE_SHARED names the shared folder; else ../shared beside this checkout, else /work/shared.
# TSCOMPOSE_SETUP_NO_FIXTURES=1 skips it (for the README's first command, which needs no images yet).
setup_fixtures() {
  if [ "${TSCOMPOSE_SETUP_NO_FIXTURES:-}" = 1 ]; then
    return
  fi
  local shared="${TSCOMPOSE_SHARED:-}"
  if [ -z "$shared" ]; then
    if [ -d "$PWD/../shared/fixtures" ]; then shared="$PWD/../shared"; else shared=/work/shared; fi
  fi
  local script="$shared/fixtures/standin-images.sh"
  if [ ! -x "$script" ]; then
    die "the test fixtures are missing: $script (set TSCOMPOSE_SHARED to the shared folder)"
  fi
  log "fixtures: stand-in images and the local registry ($script)"
  "$script" all >/tmp/tscompose-fixtures.log 2>&1 || { tail -20 /tmp/tscompose-fixtures.log >&2; die "fixture setup failed (log: /tmp/tscompose-fixtures.log)"; }
}

install_debian_packages
check_node
install_npm_packages
build
setup_fixtures
log "done"
