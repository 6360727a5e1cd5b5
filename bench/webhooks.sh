#!/usr/bin/env bash
# Webhooks under load (issue #14): PATCH throughput without and with one webhook subscribed to
# every update, the time from a PATCH's commit to the receiver (createdAt → arrival) under that
# load, and how fast the backlog drains after the receiver was down for 60 s. DB=sqlite|postgres,
# ENTRIES (default 10,000), DURATION seconds per wrk run (default 15), WARMUP seconds of load
# before each (default 30), PAIRS of runs without and with the webhook (default 2).
# The receiver is nginx: it answers 204 (503 while a "down" file exists) and logs each arrival
# with its delivery id; bench/webhook-stats.py finds each event's createdAt in the database by
# the event id inside the delivery id. (A node receiver used 5 % of the two cores under load,
# taken from the server it measures; nginx uses a fraction of that.)
source "$(dirname "$0")/lib.sh"
need wrk curl python3 nginx pgrep
DB=${DB:-sqlite}
ENTRIES=${ENTRIES:-10000}
DURATION=${DURATION:-15}
PAIRS=${PAIRS:-2}
export WARMUP=${WARMUP:-30}
build_release
use_database "$DB"
env MediaLibrary__DataDirectory="$WORK/data" "${settings[@]}" dotnet "$WORK/app/MediaLibrary.dll" seed --entries "$ENTRIES" >&2
export ENTRIES
LUA="$BENCH_DIR/lua"

RPORT=$(free_port 18480)
RECEIVER="http://127.0.0.1:$RPORT"
mkdir -p "$WORK/receiver"
RECEIVER_LOG="$WORK/receiver/deliveries.log"
DOWN_FILE="$WORK/receiver/down"
cat >"$WORK/receiver/nginx.conf" <<CONF
worker_processes 1;
pid $WORK/receiver/nginx.pid;
error_log $WORK/receiver/error.log;
events { worker_connections 1024; }
http {
  log_format delivery '\$msec \$status \$http_x_livingdocs_delivery';
  access_log $RECEIVER_LOG delivery buffer=256k flush=1s;
  keepalive_requests 10000000;
  server {
    listen 127.0.0.1:$RPORT;
    location / {
      if (-f $DOWN_FILE) { return 503; }
      return 204;
    }
  }
}
CONF
run_nginx "$WORK/receiver"   # its own prefix and pid file; stopped on exit (lib.sh)
RECEIVER_PID=${NGINX_PID[$WORK/receiver]}
for _ in $(seq 1 50); do (exec 3<>"/dev/tcp/127.0.0.1/$RPORT") 2>/dev/null && break; sleep 0.1; done
receiver_down() { touch "$DOWN_FILE"; }
receiver_up() { rm -f "$DOWN_FILE"; }
# mark: where the receiver's statistics start (a byte offset into its log, flushed every second).
mark() { sleep 1.1; stat -c %s "$RECEIVER_LOG" 2>/dev/null || echo 0; }
# stats FROM: the deliveries logged since mark printed FROM, as JSON (see bench/webhook-stats.py).
stats() {
  sleep 1.1
  if [ -n "${PG_PSQL+x}" ]; then
    "${PG_PSQL[@]}" -F ' ' -c "SELECT position, extract(epoch FROM created_at) * 1000 FROM events WHERE position IS NOT NULL"
  else
    python3 -c 'import sqlite3, sys
for p, at in sqlite3.connect(sys.argv[1]).execute("SELECT position, (julianday(created_at) - 2440587.5) * 86400000.0 FROM events WHERE position IS NOT NULL"): print(p, at)' "$WORK/data/medialibrary.db"
  fi >"$WORK/receiver/created"
  python3 "$BENCH_DIR/webhook-stats.py" "$RECEIVER_LOG" "$1" "$WORK/receiver/created"
}
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
receiver_ticks() { # nginx's master and its worker
  local total=0 pid
  for pid in "$RECEIVER_PID" $(pgrep -P "$RECEIVER_PID" || true); do total=$(( total + $(cpu_ticks "$pid" 2>/dev/null || echo 0) )); done
  echo "$total"
}
database_ticks() { # this run's PostgreSQL cluster: its postmaster and children (0 on SQLite, which runs inside the server)
  local total=0 pid pm
  pm=$(postmaster_pid)
  for pid in ${pm:+$pm $(pgrep -P "$pm" || true)}; do total=$(( total + $(cpu_ticks "$pid" 2>/dev/null || echo 0) )); done
  echo "$total"
}
patch_load() { # patch_load CONNECTIONS SECONDS [SCRIPT]: prints "req/s p99 answered"; CPU shares to stderr
  local script=${3:-patch.lua}
  read -r _ _ _ _ _ _ < <(run_wrk "$BASE" -s "$LUA/$script" -t2 -c"$1" -d"${WARMUP}s" --timeout 30s -H "Authorization: Bearer $T")
  # The receiver counts from here: the warm-up's deliveries were made by a process still compiling.
  mark >"$WORK/receiver/from"
  local s0 r0 m0 d0 s1 r1 m1 d1
  s0=$(cpu_ticks "$SERVER_PID"); r0=$(receiver_ticks); m0=$(machine_busy); d0=$(database_ticks)
  read -r rps _ _ p99 _ answered < <(run_wrk "$BASE" -s "$LUA/$script" -t2 -c"$1" -d"$2s" --timeout 30s -H "Authorization: Bearer $T")
  s1=$(cpu_ticks "$SERVER_PID"); r1=$(receiver_ticks); m1=$(machine_busy); d1=$(database_ticks)
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
stop() { stop_server; }

# Without and with the webhook, PAIRS times in the order none, hook, hook, none: the library
# grows with every run (events, search changes), and this order cancels a steady drift. The
# ratio is of the sums. Each hook run's deliveries (from after its warm-up until drained) give
# the commit-to-receiver latency at saturation.
none=() hook=() p99_none=() p99_hook=() saturated=()
run_none() { start_plain; [ -n "${T:-}" ] || T=$(token "${settings[@]}"); read -r rps p99 _ < <(patch_load 64 "$DURATION"); stop; none+=("$rps"); p99_none+=("$p99"); }
run_hook() {
  start_hooked; read -r rps p99 _ < <(patch_load 64 "$DURATION"); wait_drained
  saturated+=("$(stats "$(cat "$WORK/receiver/from")")"); stop; hook+=("$rps"); p99_hook+=("$p99")
}
for pair in $(seq 1 "$PAIRS"); do
  if [ $((pair % 2)) = 1 ]; then run_none; run_hook; else run_hook; run_none; fi
done
echo "bench: PATCH req/s without the webhook ${none[*]}; with it ${hook[*]}" >&2
start_hooked

# Commit-to-receiver latency under a steady load the machine sustains with the webhook
# (8 connections, 10 ms between requests on each: at most ~800 PATCHes/s).
read -r rps_moderate _ _ < <(patch_load 8 "$DURATION" patch-paced.lua)
wait_drained
moderate=$(stats "$(cat "$WORK/receiver/from")")

# Outage: the receiver answers 503 for 60 s while PATCHes keep coming (8 connections, WARMUP + 10 s).
from=$(mark)
receiver_down
down_at=$(date +%s.%N)
read -r _ _ queued < <(patch_load 8 10)
sleep "$(python3 -c "import time; print(max(0, 60 - (time.time() - $down_at)))")"
backlog=$(pending)
receiver_up
up_at=$(date +%s.%N)
wait_drained
drained_at=$(date +%s.%N)
outage=$(stats "$from")

python3 - "$DB" "$ENTRIES" "${none[*]}" "${p99_none[*]}" "${hook[*]}" "${p99_hook[*]}" "$(printf '%s\n' "${saturated[@]}")" "$backlog" "$up_at" "$drained_at" "$outage" "$rps_moderate" "$moderate" <<'PY'
import json, sys
db, entries, none, p99_none, hook, p99_hook, saturated, backlog, up_at, drained_at, outage, rps_moderate, moderate = sys.argv[1:]
none, hook = [float(x) for x in none.split()], [float(x) for x in hook.split()]
runs = [json.loads(line) for line in saturated.splitlines()]
o, m = json.loads(outage), json.loads(moderate)
ratio = sum(hook) / sum(none)
fmt = lambda xs: ", ".join(f"{x:,.0f}" for x in xs)
lat = ", ".join(f"{r['p50']} / {r['p99']}" for r in runs)
once = all(r["delivered"] == r["unique"] for r in runs + [m, o])
print(f"| {db} | {fmt(none)} ({p99_none.replace(' ', ', ')}) | {fmt(hook)} ({p99_hook.replace(' ', ', ')}) | {ratio:.2f}x | {lat} ms | {float(rps_moderate):.0f} | {m['p50']} / {m['p99']} ms |")
print(f"\neach delivery id arrived once: {once} ({sum(r['delivered'] for r in runs + [m, o])} deliveries counted)")
span = max(0.001, (o['lastOk'] - o['firstOk']) / 1000)
print(f"outage ({db}): {backlog} deliveries pending after 60 s down; all delivered {float(drained_at) - float(up_at):.1f} s after the receiver came back "
      f"(the retries wait for their backoff); once attempts were due: {o['delivered']} in {span:.1f} s = {o['delivered'] / span:.0f} deliveries/s")
PY
