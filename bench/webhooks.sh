#!/usr/bin/env bash
# Webhooks under load (issue #14): PATCH throughput without and with one webhook subscribed to
# every update, the time from a PATCH's commit to the receiver (createdAt → arrival) under that
# load, and how fast the backlog drains after the receiver was down for 60 s. DB=sqlite|postgres,
# ENTRIES (default 10,000), DURATION seconds per wrk run (default 15), WARMUP seconds of load
# before each (default 5). Receiver: bench/webhook-receiver.js (node).
source "$(dirname "$0")/lib.sh"
need wrk curl python3 node
DB=${DB:-sqlite}
ENTRIES=${ENTRIES:-10000}
DURATION=${DURATION:-15}
build_release
use_database "$DB"
env MediaLibrary__DataDirectory="$WORK/data" "${settings[@]}" dotnet "$WORK/app/MediaLibrary.dll" seed --entries "$ENTRIES" >&2
export ENTRIES
LUA="$BENCH_DIR/lua"

RPORT=$(free_port 18480)
node "$BENCH_DIR/webhook-receiver.js" "$RPORT" & PIDS+=($!)
RECEIVER_PID=$!
RECEIVER="http://127.0.0.1:$RPORT"
# The shipped media types plus one webhook.
python3 - "$ROOT/src/MediaLibrary/MediaTypes/default-media-types.json" "$WORK/project.json" "$RECEIVER/hook" <<'PY'
import json, sys
config = json.load(open(sys.argv[1]))
config["webhooks"] = {"active": True, "configurations": [{"handle": "bench", "url": sys.argv[3], "secret": "bench-secret",
                      "events": ["mediaLibraryEntry.update"]}]}
json.dump(config, open(sys.argv[2], "w"))
PY

cpu_ticks() { awk '{print $14 + $15}' "/proc/$1/stat"; }
machine_busy() { awk '/^cpu / {print $2 + $3 + $4 + $7 + $8}' /proc/stat; }
database_ticks() { # PostgreSQL's processes (0 on SQLite, which runs inside the server)
  local total=0 pid
  for pid in $(pgrep -x postgres || true); do total=$(( total + $(cpu_ticks "$pid" 2>/dev/null || echo 0) )); done
  echo "$total"
}
patch_load() { # patch_load CONNECTIONS SECONDS [SCRIPT]: prints "req/s p99 answered"; CPU shares to stderr
  local script=${3:-patch.lua}
  read -r _ _ _ _ _ _ < <(run_wrk "$BASE" -s "$LUA/$script" -t2 -c"$1" -d"${WARMUP:-5}s" --timeout 30s -H "Authorization: Bearer $T")
  # The receiver counts from here: the warm-up's deliveries were made by a process still compiling.
  curl -fs -XPOST "$RECEIVER/control/reset" >/dev/null
  local s0 r0 m0 d0 s1 r1 m1 d1
  s0=$(cpu_ticks "$SERVER_PID"); r0=$(cpu_ticks "$RECEIVER_PID"); m0=$(machine_busy); d0=$(database_ticks)
  read -r rps _ _ p99 _ answered < <(run_wrk "$BASE" -s "$LUA/$script" -t2 -c"$1" -d"$2s" --timeout 30s -H "Authorization: Bearer $T")
  s1=$(cpu_ticks "$SERVER_PID"); r1=$(cpu_ticks "$RECEIVER_PID"); m1=$(machine_busy); d1=$(database_ticks)
  echo "bench: $1 connections, $script: $rps req/s; CPU seconds: server $(( (s1 - s0) / 100 )).$(( (s1 - s0) % 100 / 10 )), receiver $(( (r1 - r0) / 100 )).$(( (r1 - r0) % 100 / 10 )), PostgreSQL $(( (d1 - d0) / 100 )), whole machine $(( (m1 - m0) / 100 )) of $(( $(nproc) * $2 ))" >&2
  echo "$rps $p99 $answered"
}
# Deliveries not yet made: retry rows waiting, and events the webhook's stream has not passed yet.
pending() {
  sql_scalar "SELECT (SELECT COUNT(*) FROM webhook_deliveries WHERE state = 'pending')
    + COALESCE((SELECT MAX(position) FROM events) - (SELECT position FROM webhook_streams WHERE webhook = 'bench'), 0)"
}
wait_drained() { for _ in $(seq 1 600); do [ "$(pending)" = 0 ] && return 0; sleep 0.5; done; echo "bench: deliveries did not drain" >&2; }

PORT=$(free_port 18380)
BASE="http://127.0.0.1:$PORT"
start_plain() { start_server "$PORT" "${settings[@]}"; }
start_hooked() { start_server "$PORT" "${settings[@]}" MediaLibrary__MediaTypesFile="$WORK/project.json" MediaLibrary__Webhooks__AllowPrivateTargets=true; }
stop() { kill "$SERVER_PID"; wait "$SERVER_PID" 2>/dev/null || true; }

# Without and with the webhook in the order none, hook, hook, none: the library grows with every
# run (events, search changes), and this order cancels a steady drift. Ratios of the sums.
curl -fs -XPOST "$RECEIVER/control/reset" >/dev/null
start_plain; T=$(token "${settings[@]}"); read -r rps_none1 p99_none1 _ < <(patch_load 64 "$DURATION"); stop
start_hooked; read -r rps_hook1 p99_hook1 _ < <(patch_load 64 "$DURATION"); wait_drained; stop
start_hooked; read -r rps_hook2 p99_hook2 _ < <(patch_load 64 "$DURATION"); wait_drained
stats=$(curl -fs "$RECEIVER/stats")
stop
start_plain; read -r rps_none2 p99_none2 _ < <(patch_load 64 "$DURATION"); stop
rps_none=$(python3 -c "print(($rps_none1 + $rps_none2) / 2)")
rps_hook=$(python3 -c "print(($rps_hook1 + $rps_hook2) / 2)")
p99_none="$p99_none1, $p99_none2"
p99_hook="$p99_hook1, $p99_hook2"
echo "bench: PATCH req/s none $rps_none1, hook $rps_hook1, hook $rps_hook2, none $rps_none2" >&2
start_hooked

# Commit-to-receiver latency under a steady load the machine sustains with the webhook
# (8 connections, 10 ms between requests on each: at most ~800 PATCHes/s).
curl -fs -XPOST "$RECEIVER/control/reset" >/dev/null
read -r rps_moderate _ _ < <(patch_load 8 "$DURATION" patch-paced.lua)
wait_drained
moderate=$(curl -fs "$RECEIVER/stats")

# Outage: the receiver answers 503 for 60 s while PATCHes keep coming (8 connections, 10 s).
curl -fs -XPOST "$RECEIVER/control/reset" >/dev/null
curl -fs -XPOST "$RECEIVER/control/down" >/dev/null
down_at=$(date +%s.%N)
read -r _ _ queued < <(patch_load 8 10)
sleep "$(python3 -c "import time; print(max(0, 60 - (time.time() - $down_at)))")"
backlog=$(pending)
curl -fs -XPOST "$RECEIVER/control/up" >/dev/null
up_at=$(date +%s.%N)
wait_drained
drained_at=$(date +%s.%N)
outage=$(curl -fs "$RECEIVER/stats")

python3 - "$DB" "$ENTRIES" "$rps_none" "$p99_none" "$rps_hook" "$p99_hook" "$stats" "$backlog" "$up_at" "$drained_at" "$outage" "$rps_moderate" "$moderate" <<'PY'
import json, sys
db, entries, rps_none, p99_none, rps_hook, p99_hook, stats, backlog, up_at, drained_at, outage, rps_moderate, moderate = sys.argv[1:]
s, o, m = json.loads(stats), json.loads(outage), json.loads(moderate)
ratio = float(rps_hook) / float(rps_none)
print(f"| {db} | {entries} | {float(rps_none):.0f} ({p99_none}) | {float(rps_hook):.0f} ({p99_hook}) | {ratio:.2f}x | {s['p50']} / {s['p99']} ms | {float(rps_moderate):.0f} | {m['p50']} / {m['p99']} ms | {m['delivered']} ({m['unique']} ids) |")
span = max(0.001, (o['lastOk'] - o['firstOk']) / 1000)
print(f"\noutage ({db}): {backlog} deliveries pending after 60 s down; all delivered {float(drained_at) - float(up_at):.1f} s after the receiver came back "
      f"(the retries wait for their backoff); once attempts were due: {o['delivered']} in {span:.1f} s = {o['delivered'] / span:.0f} deliveries/s")
PY
