#!/usr/bin/env bash
# Metrics' cost (issue #31): GET entry and PATCH setMetadataProperty with /metrics on (the
# default, scraped every second meanwhile, as a busy Prometheus would) against
# MediaLibrary__Metrics__Enabled=false, the two servers alternating (on, off, off, on) on the same
# ENTRIES (100,000) seeded entries. Target: on at least 0.97x of off. DB=sqlite|postgres.
source "$(dirname "$0")/lib.sh"
need wrk curl python3
DB=${DB:-sqlite}
export ENTRIES=${ENTRIES:-100000}
DURATION=${DURATION:-10}
build_release
use_database "$DB"
env MediaLibrary__DataDirectory="$WORK/data" "${settings[@]}" dotnet "$WORK/app/MediaLibrary.dll" seed --entries "$ENTRIES" >&2
PORT=$(free_port 18980)
T=$(token "${settings[@]}")
declare -A get patch
run() {  # run on|off
  local enabled=true; [ "$1" = off ] && enabled=false
  start_server "$PORT" "${settings[@]}" MediaLibrary__Metrics__Enabled=$enabled
  local base="http://127.0.0.1:$PORT"
  ( while true; do curl -fs -o /dev/null "$base/metrics"; sleep 1; done ) &
  local scraper=$!; PIDS+=("$scraper")
  run_wrk "$base" -s "$BENCH_DIR/lua/get-entry.lua" -t2 -c64 -d3s -H "Authorization: Bearer $T" >/dev/null
  local r _x
  read -r r _x < <(run_wrk "$base" -s "$BENCH_DIR/lua/get-entry.lua" -t2 -c64 -d"${DURATION}s" -H "Authorization: Bearer $T")
  get[$1]="${get[$1]:-} $r"
  read -r r _x < <(run_wrk "$base" -s "$BENCH_DIR/lua/patch.lua" -t2 -c64 -d"${DURATION}s" -H "Authorization: Bearer $T")
  patch[$1]="${patch[$1]:-} $r"
  echo "bench: metrics $1: GET ${get[$1]##* } req/s, PATCH ${patch[$1]##* } req/s" >&2
  stop_pid "$scraper"
  stop_server
}
run on; run off; run off; run on
python3 - "$DB" "${get[on]}" "${get[off]}" "${patch[on]}" "${patch[off]}" <<'PY'
import sys
db, g_on, g_off, p_on, p_off = sys.argv[1:]
f = lambda s: [float(x) for x in s.split()]
g_on, g_off, p_on, p_off = f(g_on), f(g_off), f(p_on), f(p_off)
print(f"| {db} | metrics on (req/s, two runs) | off | on / off (target >= 0.97x) |")
print("|---|---|---|---|")
print(f"| GET entry, 64 connections | {' / '.join(f'{x:,.0f}' for x in g_on)} | {' / '.join(f'{x:,.0f}' for x in g_off)} | {sum(g_on) / sum(g_off):.3f}x |")
print(f"| PATCH setMetadataProperty, 64 connections | {' / '.join(f'{x:,.0f}' for x in p_on)} | {' / '.join(f'{x:,.0f}' for x in p_off)} | {sum(p_on) / sum(p_off):.3f}x |")
PY
