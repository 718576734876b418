#!/usr/bin/env bash
# Regenerates the labelled real-traffic log: Debian's nginx in front of a small JSON shop API (shop.mjs),
# about forty ordinary clients (clients.mjs) and, interleaved in time, Debian's wfuzz, sqlmap, dirb and
# wapiti, each from its own loopback address. See packages/eval/fixtures/real-traffic/README.md.
#
# Usage (as root, Debian): packages/eval/scripts/real-traffic/generate.sh [--out DIR] [--seconds S] [--seed N]
#   --out DIR      where access.log.gz, labels.json, clients.json and run.json go
#                  (default: packages/eval/fixtures/real-traffic)
#   --seconds S    length of the ordinary traffic; the tools start inside it (default 180)
#   --seed N       seed of the ordinary clients' choices (default 1)
#   KEEP_WORK=1    keeps the working directory (nginx config, tool logs) instead of removing it
#
# Safety: everything runs in a fresh network namespace whose only interface is loopback (unshare -n), so no
# request can leave the machine even if a tool tries; without unshare it still targets 127.0.0.1 only.
# It also runs in its own PID namespace (unshare -p) where this script is process 1: when it ends, the
# kernel stops every process it started. Every loop is bounded in count and time, every tool runs under
# `timeout`, and the trap below stops the servers on exit.
set -euo pipefail
set -f # the URLs below hold `?`: never glob them

HERE="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
OUT="$HERE/../../fixtures/real-traffic"
SECONDS_RUN=180
SEED=1
while [ $# -gt 0 ]; do
  case "$1" in
    --out) OUT="$2"; shift 2 ;;
    --seconds) SECONDS_RUN="$2"; shift 2 ;;
    --seed) SEED="$2"; shift 2 ;;
    *) echo "generate.sh: unknown option $1" >&2; exit 2 ;;
  esac
done
mkdir -p "$OUT"
OUT="$(cd "$OUT" && pwd)"

# 1. Tools: Debian's packages, installed if missing. A web vulnerability scanner: Debian's nikto is in
#    non-free (not in main), so wapiti (main) plays that part; it is skipped if it has no candidate.
if [ -z "${ODDITY_IN_NETNS:-}" ]; then
  need=()
  for tool in nginx sqlmap dirb wfuzz; do command -v "$tool" >/dev/null || need+=("$tool"); done
  command -v wapiti >/dev/null || need+=(wapiti)
  if [ ${#need[@]} -gt 0 ]; then
    apt-get update
    available=()
    for pkg in "${need[@]}"; do
      if apt-cache policy "$pkg" | grep -q 'Candidate: [0-9]'; then available+=("$pkg"); else echo "no Debian package $pkg: skipped"; fi
    done
    DEBIAN_FRONTEND=noninteractive apt-get install -y --no-install-recommends "${available[@]}"
  fi
  for tool in nginx sqlmap dirb wfuzz node; do command -v "$tool" >/dev/null || { echo "generate.sh: $tool is missing" >&2; exit 1; }; done
  if command -v unshare >/dev/null && unshare -n -p -f --mount-proc true 2>/dev/null; then
    exec unshare -n -p -f --mount-proc env ODDITY_IN_NETNS=1 bash "${BASH_SOURCE[0]}" --out "$OUT" --seconds "$SECONDS_RUN" --seed "$SEED"
  fi
  echo "unshare -n is not available: running in this network namespace, against 127.0.0.1 only"
else
  ip link set lo up
fi

WORK="$(mktemp -d /tmp/oddity-real-traffic.XXXXXX)"
chmod 755 "$WORK"
PIDS=()
cleanup() {
  for pid in "${PIDS[@]}"; do kill "$pid" 2>/dev/null || true; done
  if [ -f "$WORK/nginx.pid" ]; then kill -QUIT "$(cat "$WORK/nginx.pid")" 2>/dev/null || true; fi
  wait 2>/dev/null || true
}
trap cleanup EXIT

NGINX_PORT=18080
SHOP_PORT=18090
# tool address and forwarder port: each tool talks to its own forwarder, which connects from its address
declare -A TOOL_ADDRESS=([sqlmap]=127.0.0.201 [dirb]=127.0.0.202 [wfuzz]=127.0.0.203 [wapiti]=127.0.0.204)
declare -A TOOL_PORT=([sqlmap]=18101 [dirb]=18102 [wfuzz]=18103 [wapiti]=18104)

# 2. The site: static files served by nginx itself (so 304s and 206s come from nginx), the rest proxied.
node "$HERE/site.mjs" "$WORK/www"
mkdir -p "$WORK/logs" "$WORK/tmp" "$WORK/home"
cat >"$WORK/nginx.conf" <<EOF
user www-data;
worker_processes 1;
daemon off;
pid $WORK/nginx.pid;
error_log $WORK/logs/error.log warn;
events { worker_connections 1024; }
http {
  include /etc/nginx/mime.types;
  default_type application/octet-stream;
  access_log $WORK/logs/access.log combined;
  client_body_temp_path $WORK/tmp/body;
  proxy_temp_path $WORK/tmp/proxy;
  fastcgi_temp_path $WORK/tmp/fastcgi;
  uwsgi_temp_path $WORK/tmp/uwsgi;
  scgi_temp_path $WORK/tmp/scgi;
  sendfile on;
  keepalive_timeout 30;
  upstream shop { server 127.0.0.1:$SHOP_PORT; keepalive 16; }
  server {
    listen 127.0.0.1:$NGINX_PORT;
    server_name shop.local;
    root $WORK/www;
    location /static/ { }
    location = /favicon.ico { }
    location = /robots.txt { }
    location = /sitemap.xml { }
    location / {
      proxy_pass http://shop;
      proxy_http_version 1.1;
      proxy_set_header Connection "";
      proxy_set_header Host \$host;
      proxy_set_header X-Forwarded-For \$remote_addr;
    }
  }
}
EOF

node "$HERE/shop.mjs" "$SHOP_PORT" >"$WORK/logs/shop.log" 2>&1 &
PIDS+=($!)
nginx -c "$WORK/nginx.conf" -p "$WORK" &
PIDS+=($!)
ready=""
for _ in $(seq 100); do
  if curl -fsS -o /dev/null "http://127.0.0.1:$NGINX_PORT/health" 2>/dev/null; then ready=1; break; fi
  sleep 0.1
done
[ -n "$ready" ] || { echo "generate.sh: nginx did not answer on 127.0.0.1:$NGINX_PORT" >&2; cat "$WORK/logs/error.log" >&2; exit 1; }
# the readiness probes are nobody's traffic
: >"$WORK/logs/access.log"

routes=()
for tool in "${!TOOL_ADDRESS[@]}"; do routes+=("${TOOL_PORT[$tool]}=${TOOL_ADDRESS[$tool]}"); done
node "$HERE/forward.mjs" "$NGINX_PORT" "${routes[@]}" >"$WORK/logs/forward.log" 2>&1 &
PIDS+=($!)

# 3. Ordinary clients for the whole run; the tools start inside it, one after another.
node "$HERE/clients.mjs" --port "$NGINX_PORT" --seconds "$SECONDS_RUN" --seed "$SEED" --plan "$WORK/clients.json" \
  >"$WORK/logs/clients.log" 2>&1 &
CLIENTS=$!
PIDS+=($CLIENTS)

url() { echo "http://127.0.0.1:${TOOL_PORT[$1]}$2"; }
at() { sleep "$(awk -v s="$SECONDS_RUN" -v f="$1" 'BEGIN { printf "%d", s * f }')"; }
export HOME="$WORK/home" # the tools keep sessions and histories under HOME

# The commands, as recorded in run.json. Options beyond the defaults only bound the work (or keep it local).
WFUZZ_1="wfuzz -z file,/usr/share/wfuzz/wordlist/Injections/All_attack.txt $(url wfuzz '/api/v1/products?page=FUZZ')"
WFUZZ_2="wfuzz -z file,/usr/share/wfuzz/wordlist/Injections/SQL.txt $(url wfuzz '/api/v1/search?q=FUZZ')"
# --batch takes sqlmap's default answer to every question but one: it would skip `page` at once because the
# API casts it to an integer; real APIs that cast still pass the payload on to their logs, so it tests on.
SQLMAP="sqlmap -u $(url sqlmap '/api/v1/products?page=2') --batch --answers=cases=N --output-dir=$WORK/sqlmap"
SQLMAP_2="sqlmap -u $(url sqlmap '/api/v1/search?q=lamp') --batch --output-dir=$WORK/sqlmap"
DIRB="dirb $(url dirb /) /usr/share/dirb/wordlists/small.txt -r -S"
WAPITI="wapiti -u $(url wapiti /) -m blindsql,cookieflags,csp,exec,file,http_headers,permanentxss,redirect,sql,xss --max-scan-time 60 --flush-session -f txt -o $WORK/wapiti"
{ at 0.08; timeout 60 $WFUZZ_1 >"$WORK/logs/wfuzz-1.log" 2>&1 || true; timeout 30 $WFUZZ_2 >"$WORK/logs/wfuzz-2.log" 2>&1 || true; } &
TOOLS=($!)
{ at 0.25; timeout 100 $SQLMAP >"$WORK/logs/sqlmap.log" 2>&1 || true; timeout 60 $SQLMAP_2 >"$WORK/logs/sqlmap-2.log" 2>&1 || true; } &
TOOLS+=($!)
{ at 0.45; timeout 60 $DIRB >"$WORK/logs/dirb.log" 2>&1 || true; } &
TOOLS+=($!)
if command -v wapiti >/dev/null; then
  { at 0.55; timeout 75 $WAPITI >"$WORK/logs/wapiti.log" 2>&1 || true; } &
  TOOLS+=($!)
else
  WAPITI=""
fi
PIDS+=("${TOOLS[@]}")
for pid in "${TOOLS[@]}"; do wait "$pid" || true; done
wait "$CLIENTS" || true
cat "$WORK/logs/clients.log"
# let nginx finish the last lines
kill -QUIT "$(cat "$WORK/nginx.pid")"
for _ in $(seq 50); do [ -f "$WORK/nginx.pid" ] || break; sleep 0.1; done

# 4. Labels and the fixture.
tools="sqlmap=${TOOL_ADDRESS[sqlmap]},dirb=${TOOL_ADDRESS[dirb]},wfuzz=${TOOL_ADDRESS[wfuzz]},wapiti=${TOOL_ADDRESS[wapiti]}"
pairs="$(echo "$tools" | awk -F, '{ for (i = 1; i <= NF; i++) { split($i, p, "="); printf "%s%s=%s", (i > 1 ? "," : ""), p[2], p[1] } }')"
node "$HERE/labels.mjs" "$WORK/logs/access.log" "$WORK/clients.json" "$pairs" "$OUT/labels.json" | tee "$WORK/counts.json"
gzip -9 -n <"$WORK/logs/access.log" >"$OUT/access.log.gz"
cp "$WORK/clients.json" "$OUT/clients.json"
version() { "$@" 2>&1 | head -n 1 | tr -d '\r' || true; }
node -e '
  const [out, counts, ...rest] = process.argv.slice(1);
  const fs = require("node:fs");
  const pairs = []; for (let i = 0; i < rest.length; i += 2) pairs.push([rest[i], rest[i + 1]]);
  const run = { generated: new Date().toISOString(), ...Object.fromEntries(pairs), counts: JSON.parse(fs.readFileSync(counts, "utf8")) };
  fs.writeFileSync(out, JSON.stringify(run, null, 2) + "\n");
' "$OUT/run.json" "$WORK/counts.json" \
  seconds "$SECONDS_RUN" seed "$SEED" \
  nginx "$(version nginx -v)" \
  sqlmap "$(dpkg-query -W -f '${Version}' sqlmap 2>/dev/null || true)" \
  dirb "$(dpkg-query -W -f '${Version}' dirb 2>/dev/null || true)" \
  wfuzz "$(dpkg-query -W -f '${Version}' wfuzz 2>/dev/null || true)" \
  wapiti "$(dpkg-query -W -f '${Version}' wapiti 2>/dev/null || true)" \
  node "$(node -v)" \
  "command wfuzz 1" "timeout 60 $WFUZZ_1" "command wfuzz 2" "timeout 30 $WFUZZ_2" \
  "command sqlmap 1" "timeout 100 $SQLMAP" "command sqlmap 2" "timeout 60 $SQLMAP_2" "command dirb" "timeout 60 $DIRB" "command wapiti" "${WAPITI:+timeout 75 $WAPITI}"
echo "wrote $OUT/access.log.gz, labels.json, clients.json, run.json"
if [ -n "${KEEP_WORK:-}" ]; then echo "kept $WORK (tool logs under logs/)"; else rm -rf "$WORK"; fi
