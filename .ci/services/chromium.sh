#!/usr/bin/env bash
# Installs Debian's chromium for the report-html browser tests (playwright-core drives /usr/bin/chromium,
# or $CHROMIUM_PATH; playwright's own browser download cannot work here: only Debian and npm packages
# are reachable). Idempotent: does nothing when the browser is already there.
# `--check`: installs nothing; exits 0 when the browser is there, else 1 after naming what is missing
# (tooling/scripts/ensure-services.sh asks every .ci/services script this before `npm test`).
set -euo pipefail

browser="${CHROMIUM_PATH:-/usr/bin/chromium}"
if [ -x "$browser" ]; then
  exit 0
fi
if [ "${1:-}" = "--check" ]; then
  echo "Chromium ($browser)"
  exit 1
fi

SUDO=""
if [ "$(id -u)" -ne 0 ]; then
  SUDO="sudo"
fi

export DEBIAN_FRONTEND=noninteractive
$SUDO apt-get update
$SUDO apt-get install -y --no-install-recommends chromium fonts-dejavu-core

/usr/bin/chromium --version
