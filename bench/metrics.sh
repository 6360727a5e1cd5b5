#!/usr/bin/env bash
# Telemetry's cost (issue #31): GET entry and PATCH setMetadataProperty in three modes on the same
# ENTRIES (100,000) seeded entries:
#   off   MediaLibrary__Metrics__Enabled=false, no traces;
#   on    /metrics on (the default), scraped every second meanwhile, as a busy Prometheus would
#         (the same scraper runs in every mode; off answers it 404);
#   otlp  /metrics on and scraped, and every span exported over OTLP/HTTP to a local receiver
#         (nginx answering 200 on /v1/traces): the standard OTEL_EXPORTER_OTLP_* variables.
# Reads first, then writes, so the writes' search backlog never meets a read run. Each phase runs
# the modes in the order off on otlp otlp on off, every run on a freshly started server with a
# WARMUP (10 s) warm-up, after one run that is not counted (SETTLE). Targets: on and otlp at least 0.97x of off. DB=sqlite|postgres.
source "$(dirname "$0")/lib.sh"
need wrk curl python3 nginx
DB=${DB:-sqlite}
export ENTRIES=${ENTRIES:-100000}
DURATION=${DURATION:-10}
# Warm-up per run (s): with telemetry on there is more code for the tiered JIT to compile, and
# 3 s left some of it unoptimised in the measured window.
WARMUP=${WARMUP:-10}
build_release
use_database "$DB"
env MediaLibrary__DataDirectory="$WORK/data" "${settings[@]}" dotnet "$WORK/app/MediaLibrary.dll" seed --entries "$ENTRIES" >&2
# Let the seed's writes settle (checkpoint, autovacuum's first look) before anything is measured.
sleep 5
PORT=$(free_port 18980)
RECEIVER_PORT=$(free_port 18990)
start_otlp_receiver "$RECEIVER_PORT"
T=$(token "${settings[@]}")
declare -A rates

run() {  # run MODE LUA: one measured wrk run on a fresh server in MODE
  local mode=$1 lua=$2 extra=()
  case "$mode" in
    off|settle) extra=(MediaLibrary__Metrics__Enabled=false) ;;
    on) extra=(MediaLibrary__Metrics__Enabled=true) ;;
    otlp) extra=(MediaLibrary__Metrics__Enabled=true OTEL_EXPORTER_OTLP_ENDPOINT="http://127.0.0.1:$RECEIVER_PORT"
                 OTEL_EXPORTER_OTLP_PROTOCOL=http/protobuf) ;;
  esac
  start_server "$PORT" "${settings[@]}" "${extra[@]}"
  local base="http://127.0.0.1:$PORT" scraper=""
  # The scraper runs in every mode (off answers it 404), so each mode carries the same extra load.
  ( while true; do curl -s -o /dev/null "$base/metrics"; sleep 1; done ) &
  scraper=$!; PIDS+=("$scraper")
  run_wrk "$base" -s "$BENCH_DIR/lua/$lua.lua" -t2 -c64 -d"${WARMUP}s" -H "Authorization: Bearer $T" >/dev/null
  local r _x
  read -r r _x < <(run_wrk "$base" -s "$BENCH_DIR/lua/$lua.lua" -t2 -c64 -d"${DURATION}s" -H "Authorization: Bearer $T")
  [ "$mode" = settle ] || rates[$lua-$mode]="${rates[$lua-$mode]:-} $r"
  echo "bench: $lua $mode: $r req/s" >&2
  stop_pid "$scraper"
  stop_server
}

# The first run after the seed was the host's fastest in every run so far (13,583 against 8,441
# req/s for the same build minutes later): one run, not counted, goes first (SETTLE=0: none).
[ "${SETTLE:-1}" = 0 ] || run settle get-entry
for lua in get-entry patch; do
  for mode in off on otlp otlp on off; do run "$mode" "$lua"; done
done

python3 - "$DB" "${rates[get-entry-off]}" "${rates[get-entry-on]}" "${rates[get-entry-otlp]}" \
  "${rates[patch-off]}" "${rates[patch-on]}" "${rates[patch-otlp]}" <<'PY'
import sys
db = sys.argv[1]
f = lambda s: [float(x) for x in s.split()]
rows = [("GET entry, 64 connections", *map(f, sys.argv[2:5])), ("PATCH setMetadataProperty, 64 connections", *map(f, sys.argv[5:8]))]
fmt = lambda xs: " / ".join(f"{x:,.0f}" for x in xs)
print(f"| {db} | off (req/s, two runs) | metrics on | metrics + OTLP traces | on / off | OTLP / off |")
print("|---|---|---|---|---|---|")
for label, off, on, otlp in rows:
    print(f"| {label} | {fmt(off)} | {fmt(on)} | {fmt(otlp)} | {sum(on) / sum(off):.3f}x | {sum(otlp) / sum(off):.3f}x |")
PY
