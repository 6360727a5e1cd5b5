#!/usr/bin/env bash
# The lifecycle at ENTRIES (1,000,000) entries (SPEC §14): the server's own deletion routine
# deletes 10 % of the library (the seed's photographers ending in "berg"); GET entry with
# CONNECTIONS (16) connections before, while and after it runs (p99 target: at most 2x); the server's RSS
# sampled every second during the run; then single DELETE requests/s. DB=sqlite (default) or
# postgres. Prints markdown for bench/README.md.
source "$(dirname "$0")/lib.sh"
need wrk curl python3
DB=${DB:-sqlite}
export ENTRIES=${ENTRIES:-1000000}
CONNECTIONS=${CONNECTIONS:-16}
DURATION=${DURATION:-10}
build_release
use_database "$DB"

started=$(date +%s)
env MediaLibrary__DataDirectory="$WORK/data" "${settings[@]}" dotnet "$WORK/app/MediaLibrary.dll" seed --entries "$ENTRIES" >&2
echo "seeded $ENTRIES entries in $(( $(date +%s) - started )) s" >&2

# The shipped media types, images with a routine: entry i has photographer i % 100, "…berg" for a
# tenth of them (credit "<name>", or "Agency X / <name>" for every tenth entry, which is a Ka… one).
python3 - "${SOURCE:-$ROOT}/src/MediaLibrary/MediaTypes/default-media-types.json" "$WORK/project.json" <<'PY'
import json, sys
config = json.load(open(sys.argv[1]))
names = [first + "berg" for first in ["Ka", "Lo", "Mi", "Ne", "Ro", "Sa", "Ti", "Va", "Wu", "Zo"]] + ["Agency X / Kaberg"]
for t in config["mediaTypes"]:
    if t["handle"] == "image":
        t["deletionRoutine"] = {"enabled": True, "filters": [{"key": "metadata.credit", "term": names}]}
json.dump(config, open(sys.argv[2], "w"))
PY
settings+=(MediaLibrary__MediaTypesFile="$WORK/project.json")
expected=$(( ENTRIES / 10 ))
preview=$(env MediaLibrary__DataDirectory="$WORK/data" "${settings[@]}" dotnet "$WORK/app/MediaLibrary.dll" lifecycle preview)
echo "$preview" >&2

# The routine's first run comes 45 s after the start: time for the baseline.
PORT=$(free_port 18480)
start_server "$PORT" "${settings[@]}" MediaLibrary__Lifecycle__RoutineMinutes=0.75
T=$(token "${settings[@]}")
BASE="http://127.0.0.1:$PORT"
# A cache still cold from the seed made the first baseline look better than it is: warm up longer.
run_wrk "$BASE" -s "$BENCH_DIR/lua/get-entry.lua" -t2 -c"$CONNECTIONS" -d10s -H "Authorization: Bearer $T" >/dev/null
read -r rps_before _ p50_before p99_before bad_before _ < <(run_wrk "$BASE" -s "$BENCH_DIR/lua/get-entry.lua" -t2 -c"$CONNECTIONS" -d"${DURATION}s" -H "Authorization: Bearer $T")
rss_before=$(rss_mib "$SERVER_PID")

count() { sql_scalar "SELECT COUNT(*) FROM media_entries"; }
until [ "$(count)" -lt "$ENTRIES" ]; do sleep 0.2; done
t0=$(date +%s.%N)
echo "bench: the routine started" >&2
# RSS every second until the routine is done, GET entry load for DURATION seconds meanwhile.
( while [ "$(count)" -gt $(( ENTRIES - expected )) ]; do echo "$(rss_mib "$SERVER_PID")"; sleep 1; done ) >"$WORK/rss" &
sampler=$!
PIDS+=("$sampler")
read -r rps_during _ p50_during p99_during bad_during _ < <(run_wrk "$BASE" -s "$BENCH_DIR/lua/get-entry.lua" -t2 -c"$CONNECTIONS" -d"${DURATION}s" -H "Authorization: Bearer $T")
wait_pid "$sampler"
t1=$(date +%s.%N)
left=$(count)
deleted=$(( ENTRIES - left ))
events=$(sql_scalar "SELECT COUNT(*) FROM events WHERE name = 'mediaLibraryEntry.delete'")
rate=$(python3 -c "import sys; print(round(int(sys.argv[1]) / (float(sys.argv[3]) - float(sys.argv[2]))))" "$deleted" "$t0" "$t1")
read -r rss_min rss_max < <(sort -n "$WORK/rss" | awk 'NR == 1 {min = $1} {max = $1} END {print min, max}')
# Without the routine again, on the cache the run left (non-2xx: ids it deleted).
read -r rps_after _ p50_after p99_after bad_after _ < <(run_wrk "$BASE" -s "$BENCH_DIR/lua/get-entry.lua" -t2 -c"$CONNECTIONS" -d"${DURATION}s" -H "Authorization: Bearer $T")

read -r del_rps _ del_p50 del_p99 del_bad _ < <(run_wrk "$BASE" -s "$BENCH_DIR/lua/delete.lua" -t2 -c"$CONNECTIONS" -d"${DURATION}s" -H "Authorization: Bearer $T")

echo "| $DB, $ENTRIES entries | value |"
echo "|---|---|"
echo "| routine: entries deleted (expected $expected) | $deleted ($events delete events) |"
echo "| routine: entries/s | $rate |"
echo "| GET entry, $CONNECTIONS connections, before: req/s, p50, p99 | $rps_before, $p50_before, $p99_before |"
echo "| GET entry during the routine: req/s, p50, p99 (non-2xx: deleted ids) | $rps_during, $p50_during, $p99_during ($bad_during) |"
echo "| GET entry after the routine: req/s, p50, p99 (non-2xx) | $rps_after, $p50_after, $p99_after ($bad_after) |"
echo "| server RSS before / during the routine (min–max) | $rss_before MiB / $rss_min–$rss_max MiB |"
echo "| single DELETE, $CONNECTIONS connections: req/s, p50, p99, non-2xx | $del_rps, $del_p50, $del_p99, $del_bad |"
