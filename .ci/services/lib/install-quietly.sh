#!/usr/bin/env bash
# Sourced by the .ci/services scripts: `install_without_services NAME PACKAGE...` installs Debian packages
# whose scripts would start system services (MariaDB on 3306, ClickHouse on 9000/8123). The tests run
# their own servers, so service starts are forbidden for the duration of the install unless the image
# already forbids them. Uses $SUDO (empty for root).

install_without_services() {
  local name=$1
  shift
  echo "$name: installing $*"
  local policy=/usr/sbin/policy-rc.d
  local added_policy=""
  if [ ! -e "$policy" ]; then
    printf '#!/bin/sh\nexit 101\n' | $SUDO tee "$policy" >/dev/null
    $SUDO chmod 755 "$policy"
    added_policy="yes"
  fi
  local status=0
  DEBIAN_FRONTEND=noninteractive $SUDO apt-get update -qq &&
    DEBIAN_FRONTEND=noninteractive $SUDO apt-get install -y -qq --no-install-recommends "$@" >/dev/null ||
    status=$?
  if [ -n "$added_policy" ]; then $SUDO rm -f "$policy"; fi
  if [ "$status" -ne 0 ]; then return "$status"; fi
  echo "$name: installed $*"
}
