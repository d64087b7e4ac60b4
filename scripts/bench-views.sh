#!/usr/bin/env bash
# bench-views.sh: issue 19's table, measured from outside the process with wrk.
#
# In one run, with the same wrk flags (-t2 -c64 -d6s), the same connection
# count and the same loopback for every row: nginx serving a small static
# file, then `httpcheck serve` answering a per-view cache hit
# (views/cached?ttl=3600), the uncached view (views/uncached), a page whose
# sidebar fragment is a cache hit (views/fragment?user=U) beside the same page
# for a new user on every request (the sidebar rendered and stored), and
# session reads (session/get) with the SQLite store, plus Redis and
# PostgreSQL when their servers answer. It prints the
# req/s of each row and the ratios the issue asks for.
#
#   scripts/bench-views.sh               # every row
#   DURATION=10s scripts/bench-views.sh  # longer runs
#   ROUNDS=3 scripts/bench-views.sh      # three rounds, ratios of the medians
#
# wrk and nginx are installed from Debian when missing, the way .ci/run's
# need() does (policy-rc.d keeps their services from starting). Every server
# the script starts listens on 127.0.0.1 and is stopped when it exits.
set -euo pipefail

cd "$(dirname "$0")/.."
DURATION=${DURATION:-6s}
ROUNDS=${ROUNDS:-1} # more rounds: every row again, and the median of each
THREADS=2
CONNS=64
work=$(mktemp -d)
chmod 755 "$work" # nginx's workers run as another user
pids=()
cleanup() {
  for pid in "${pids[@]}"; do kill "$pid" 2>/dev/null || true; done
  wait 2>/dev/null || true
  if [ -n "${redis_base:-}" ]; then
    redis-cli -u "$REDIS" --scan --pattern "$space:*" | xargs -r redis-cli -u "$REDIS" del >/dev/null 2>&1 || true
  fi
  if [ -n "${pg_schema:-}" ]; then psql -q "$POSTGRES" -c "DROP SCHEMA $space CASCADE" >/dev/null 2>&1 || true; fi
  rm -rf "$work"
}
trap cleanup EXIT

# need PACKAGE COMMAND: installs PACKAGE from Debian when COMMAND is missing.
need() {
  command -v "$2" >/dev/null 2>&1 || [ -x "/usr/sbin/$2" ] && return 0
  echo "$2 is missing; installing $1" >&2
  local policy=/usr/sbin/policy-rc.d ours=""
  if [ ! -e "$policy" ]; then printf '#!/bin/sh\nexit 101\n' >"$policy" && chmod +x "$policy" && ours=1; fi
  local rc=0
  apt-get install -y -q --no-install-recommends "$1" >/dev/null 2>&1 ||
    { apt-get update -q >/dev/null && apt-get install -y -q --no-install-recommends "$1" >/dev/null; } || rc=$?
  if [ -n "$ours" ]; then rm -f "$policy"; fi
  return "$rc"
}
need wrk wrk
need nginx nginx
NGINX=$(command -v nginx || echo /usr/sbin/nginx)

# free_port prints a loopback port nothing listens on.
free_port() { python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1])'; }

# wait_http URL: until URL answers, at most 10 s.
wait_http() {
  for _ in $(seq 100); do curl -fso /dev/null "$1" && return 0; sleep 0.1; done
  echo "no answer from $1" >&2
  return 1
}

# measure NAME URL [wrk args...]: one wrk run; prints the row and adds its
# rate to NAME's list.
declare -A runs order
names=()
measure() {
  local name=$1 url=$2
  shift 2
  local out r
  out=$(wrk -t"$THREADS" -c"$CONNS" -d"$DURATION" "$@" "$url")
  if grep -q 'Non-2xx' <<<"$out"; then
    echo "$name: wrk saw non-2xx answers from $url" >&2
    echo "$out" >&2
    exit 1
  fi
  r=$(awk '/^Requests\/sec:/ {printf "%d", $2}' <<<"$out")
  [ -n "${order[$name]:-}" ] || { order[$name]=1; names+=("$name"); }
  runs[$name]="${runs[$name]:-} $r"
  printf '| %-48s | %9s |\n' "$name" "$r"
}

# median NAME: the median of NAME's rates.
median() { tr ' ' '\n' <<<"${runs[$1]}" | grep . | sort -n | awk '{v[NR] = $1} END {print v[int((NR + 1) / 2)]}'; }

ratio() { awk -v a="$(median "$1")" -v b="$(median "$2")" 'BEGIN {printf "%.2f", a / b}'; }

echo "building httpcheck" >&2
go build -o "$work/httpcheck" ./cmd/httpcheck

# nginx with a small static file, as a user's nginx would serve it.
nport=$(free_port)
mkdir -p "$work/www" "$work/nginx"
printf '{"renders":1,"rendered_at":"2026-01-01T00:00:00.000000000Z"}\n' >"$work/www/static.json"
cat >"$work/nginx/nginx.conf" <<EOF
daemon off;
worker_processes 2;
pid $work/nginx/nginx.pid;
error_log $work/nginx/error.log;
events { worker_connections 1024; }
http {
  access_log off;
  client_body_temp_path $work/nginx/body;
  proxy_temp_path $work/nginx/proxy;
  fastcgi_temp_path $work/nginx/fastcgi;
  uwsgi_temp_path $work/nginx/uwsgi;
  scgi_temp_path $work/nginx/scgi;
  server {
    listen 127.0.0.1:$nport;
    root $work/www;
  }
}
EOF
"$NGINX" -c "$work/nginx/nginx.conf" -p "$work/nginx" &
pids+=($!)

# serve STORE: starts httpcheck serve with that session store; sets base to
# its URL.
serve() {
  local port
  port=$(free_port)
  "$work/httpcheck" serve --addr "127.0.0.1:$port" --tls-addr "" --cache memory --sessions "$1" >"$work/serve-$port.log" 2>&1 &
  pids+=($!)
  base="http://127.0.0.1:$port/"
  wait_http "${base}manifest"
}

# session_cookie BASE: a session holding n=1; prints its Cookie header.
session_cookie() {
  curl -fs -o /dev/null -c "$work/jar" -H 'Content-Type: application/json' \
    -d '{"key":"n","value":1}' "$1session/set"
  awk '$6 == "sessionid" {print "Cookie: sessionid=" $7}' "$work/jar"
}

# Redis and PostgreSQL: the servers tests use ($HTTPCHECK_TEST_REDIS,
# $HTTPCHECK_TEST_POSTGRES, as internal/storetest reads them), under a key
# prefix and a schema of this run's own, removed at the end. A row whose
# server does not answer is left out, with the reason.
REDIS=${HTTPCHECK_TEST_REDIS:-redis://127.0.0.1:6379/0}
POSTGRES=${HTTPCHECK_TEST_POSTGRES:-postgres://postgres@127.0.0.1:5432/test?sslmode=disable}
space=httpcheck_bench_$$

# The fragment's render: each request names a user of its own, so the
# sidebar misses, renders and is stored; the row measures the page without
# the fragment cache's help (a render plus a store), beside the hit.
cat >"$work/fresh-user.lua" <<'EOF'
threads, n = 0, 0
function setup(thread) threads = threads + 1; thread:set("id", threads) end
function request()
  n = n + 1
  return wrk.format("GET", "/views/fragment?user=fresh-" .. id .. "-" .. n)
end
EOF

serve "sqlite:$work/sessions.sqlite3"
sqlite_base=$base
wait_http "http://127.0.0.1:$nport/static.json"
curl -fso /dev/null "${base}views/cached?ttl=3600"     # the miss that fills the cache
curl -fso /dev/null "${base}views/fragment?user=bench" # the sidebar's miss
cookie=$(session_cookie "$sqlite_base")
if redis-cli -u "$REDIS" ping >/dev/null 2>&1; then
  redis_base=starting
  serve "$REDIS?prefix=$space"
  redis_base=$base
  redis_cookie=$(session_cookie "$redis_base")
fi
if psql -q "$POSTGRES" -c "CREATE SCHEMA $space" >/dev/null 2>&1; then
  pg_schema=1
  serve "$POSTGRES&search_path=$space"
  pg_base=$base
  pg_cookie=$(session_cookie "$pg_base")
fi

# rows: every row once, in the table's order.
rows() {
  measure "nginx, a small static file" "http://127.0.0.1:$nport/static.json"
  measure "views/cached?ttl=3600 (a hit)" "${base}views/cached?ttl=3600"
  measure "views/uncached" "${base}views/uncached"
  measure "views/fragment, the sidebar a hit" "${base}views/fragment?user=bench"
  measure "views/fragment, the sidebar rendered and stored" "$base" -s "$work/fresh-user.lua"
  measure "session/get (SQLite store)" "${base}session/get?key=n" -H "$cookie"
  if [ -n "${redis_cookie:-}" ]; then
    measure "session/get (Redis store)" "${redis_base}session/get?key=n" -H "$redis_cookie"
  else
    echo "| session/get (Redis store): no Redis at $REDIS | - |"
  fi
  if [ -n "${pg_cookie:-}" ]; then
    measure "session/get (PostgreSQL store)" "${pg_base}session/get?key=n" -H "$pg_cookie"
  else
    echo "| session/get (PostgreSQL store): no PostgreSQL at $POSTGRES | - |"
  fi
  measure "nginx, a small static file (again)" "http://127.0.0.1:$nport/static.json"
}

base=$sqlite_base
echo
echo "wrk -t$THREADS -c$CONNS -d$DURATION, loopback, $(date -u +%Y-%m-%dT%H:%MZ), $(nproc) CPUs, $(uname -sm), load $(cut -d' ' -f1-3 /proc/loadavg)"
for round in $(seq "$ROUNDS"); do
  echo
  echo "round $round of $ROUNDS"
  printf '| %-48s | %9s |\n' endpoint req/s
  echo "|---|---|"
  rows
done
if [ "$ROUNDS" -gt 1 ]; then
  echo
  echo "median of $ROUNDS rounds (the lower middle one for an even number)"
  printf '| %-48s | %9s | %s |\n' endpoint req/s rounds
  echo "|---|---|---|"
  for name in "${names[@]}"; do
    printf '| %-48s | %9s | %s |\n' "$name" "$(median "$name")" "${runs[$name]# }"
  done
fi

hit='views/cached?ttl=3600 (a hit)'
echo
echo "views/cached hit / views/uncached:     $(ratio "$hit" views/uncached) (want >= 1.30)"
echo "views/cached hit / nginx static file:  $(ratio "$hit" 'nginx, a small static file') (want >= 0.80; $(ratio "$hit" 'nginx, a small static file (again)') against the last nginx row)"
echo "fragment hit / fragment rendered:      $(ratio 'views/fragment, the sidebar a hit' 'views/fragment, the sidebar rendered and stored') (want > 1)"
