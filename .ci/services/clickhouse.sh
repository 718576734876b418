#!/usr/bin/env bash
# Installs Debian's ClickHouse server (18.16), which the ClickHouse tests start as a 2-shard cluster of
# their own processes on loopback. Idempotent: does nothing when it is present. Installs only: no
# system service is started (the tests write their own config files and stop their servers).
# `--check`: installs nothing; exits 0 when it is there, else 1 after naming what is missing
# (tooling/scripts/ensure-services.sh asks every .ci/services script this before `npm test`).
set -euo pipefail

SUDO=""
if [ "$(id -u)" -ne 0 ]; then SUDO="sudo"; fi

has_binary() {
  local name
  for name in "$@"; do
    if command -v "$name" >/dev/null 2>&1 || [ -x "/usr/bin/$name" ] || [ -x "/usr/sbin/$name" ]; then
      return 0
    fi
  done
  return 1
}

packages=()
if ! has_binary clickhouse-server; then
  packages+=(clickhouse-server)
fi

if [ "${1:-}" = "--check" ]; then
  if [ "${#packages[@]}" -eq 0 ]; then exit 0; fi
  echo "the clickhouse-server binary"
  exit 1
fi
if [ "${#packages[@]}" -eq 0 ]; then
  echo "clickhouse: clickhouse-server already installed"
  exit 0
fi

# shellcheck source=lib/install-quietly.sh
source "$(dirname "$0")/lib/install-quietly.sh"
install_without_services clickhouse "${packages[@]}"
