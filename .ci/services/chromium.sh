#!/usr/bin/env bash
# Installs Debian's chromium for the report-html browser tests (playwright-core drives /usr/bin/chromium;
# playwright's own browser download cannot work here: only Debian and npm packages are reachable).
# Idempotent: does nothing when /usr/bin/chromium is already there.
set -euo pipefail

if [ -x /usr/bin/chromium ]; then
  exit 0
fi

SUDO=""
if [ "$(id -u)" -ne 0 ]; then
  SUDO="sudo"
fi

export DEBIAN_FRONTEND=noninteractive
$SUDO apt-get update
$SUDO apt-get install -y --no-install-recommends chromium fonts-dejavu-core

/usr/bin/chromium --version
