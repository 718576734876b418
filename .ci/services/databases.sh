#!/usr/bin/env bash
# Installs the MariaDB and PostgreSQL servers that @oddity/source-sql's tests start on loopback (from
# Debian packages). Idempotent: does nothing when both are present. Installs only: the tests initialise
# and start their own throwaway servers, so no system service is started here.
# `--check`: installs nothing; exits 0 when both are there, else 1 after naming what is missing
# (tooling/scripts/ensure-services.sh asks every .ci/services script this before `npm test`).
set -euo pipefail

SUDO=""
if [ "$(id -u)" -ne 0 ]; then SUDO="sudo"; fi

has_binary() {
  local name
  for name in "$@"; do
    if command -v "$name" >/dev/null 2>&1 || [ -x "/usr/sbin/$name" ] || compgen -G "/usr/lib/postgresql/*/bin/$name" >/dev/null; then
      return 0
    fi
  done
  return 1
}

packages=()
if ! has_binary mariadbd mysqld || ! has_binary mariadb-install-db mysql_install_db; then
  packages+=(mariadb-server)
fi
if ! has_binary postgres || ! has_binary initdb; then
  packages+=(postgresql)
fi

if [ "${1:-}" = "--check" ]; then
  if [ "${#packages[@]}" -eq 0 ]; then exit 0; fi
  echo "the ${packages[*]} server binaries"
  exit 1
fi
if [ "${#packages[@]}" -eq 0 ]; then
  echo "databases: MariaDB and PostgreSQL already installed"
  exit 0
fi

# shellcheck source=lib/install-quietly.sh
source "$(dirname "$0")/lib/install-quietly.sh"
install_without_services databases "${packages[@]}"
