#!/usr/bin/env bash
# Run by `npm test` before the suites: makes sure the servers and the browser they start are installed.
# The services are one list, the scripts in .ci/services/ (the same ones .ci/run calls): each installs
# one thing idempotently and answers `--check` without installing. A new service is a new script there.
# As root, the missing ones are installed (Debian packages); otherwise this stops at once with one line
# naming the command to run, rather than let suites fail one by one later.
set -euo pipefail
cd "$(dirname "$0")/../.."

missing() {
  local service what
  for service in .ci/services/*.sh; do
    if ! what=$(bash "$service" --check); then
      printf '%s\t%s\n' "$service" "$what"
    fi
  done
}

absent=$(missing)
if [ -z "$absent" ]; then
  exit 0
fi

scripts=$(cut -f1 <<<"$absent")
things=$(cut -f2 <<<"$absent" | paste -sd ',' | sed 's/,/, /g')

if [ "$(id -u)" -ne 0 ]; then
  commands=$(sed 's/^/sudo bash /' <<<"$scripts" | paste -sd '&' | sed 's/&/ \&\& /g')
  echo "npm test needs ${things}: install with \`${commands}\`, then run npm test again" >&2
  exit 1
fi

echo "npm test: installing ${things} (${scripts//$'\n'/, })"
while IFS= read -r service; do
  bash "$service"
done <<<"$scripts"

still=$(missing)
if [ -n "$still" ]; then
  echo "npm test: still missing after installing: $(cut -f2 <<<"$still" | paste -sd ',' | sed 's/,/, /g')" >&2
  exit 1
fi
