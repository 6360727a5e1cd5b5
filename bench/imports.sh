#!/usr/bin/env bash
# Import by URL (issue #15): 1,000 JPEGs of 200 KB served by a local nginx, imported as one job.
# Measures items/s and the job's total time (POST to finished status), and the server's resident
# memory before, at its peak while the job runs, and after. Two runs: the defaults (4 items at a
# time per process, 2 per source host: all files come from one host here) and 8/8.
# DB=sqlite|postgres, ITEMS (default 1000).
source "$(dirname "$0")/lib.sh"
need nginx curl python3
DB=${DB:-sqlite}
ITEMS=${ITEMS:-1000}
build_release
use_database "$DB"

# ITEMS distinct 200 KB JPEGs: a real header, random bytes, the index in the first body bytes.
mkdir -p "$WORK/src"
python3 - "$WORK/src" "$ITEMS" <<'PY'
import os, struct, sys
folder, count = sys.argv[1], int(sys.argv[2])
sof = bytes([8]) + struct.pack(">HH", 1200, 1600) + bytes([3, 1, 0x11, 0, 2, 0x11, 0, 3, 0x11, 0])
head = b"\xff\xd8" + b"\xff\xc0" + struct.pack(">H", len(sof) + 2) + sof + b"\xff\xda\x00\x0c\x03\x01\x00\x02\x11\x03\x11\x00\x3f\x00"
body = os.urandom(204800 - len(head) - 2 - 8).replace(b"\xff", b"\xfe")
for i in range(count):
    with open(os.path.join(folder, f"{i}.jpg"), "wb") as f:
        f.write(head + struct.pack(">Q", i).replace(b"\xff", b"\xfe") + body + b"\xff\xd9")
PY

NGINX_PORT=$(free_port 18280)
start_nginx "$NGINX_PORT" "$WORK/src" 1

PORT=$(free_port 18580)
API="http://127.0.0.1:$PORT/api/2026-03"
run_job() { # run_job LABEL CONCURRENCY PER_HOST: prints one table row
  start_server "$PORT" "${settings[@]}" MediaLibrary__Imports__AllowPrivateTargets=true \
    MediaLibrary__Imports__Concurrency="$2" MediaLibrary__Imports__ConcurrencyPerHost="$3"
  local T job started peak before after finished rss
  T=$(token "${settings[@]}")
  python3 -c 'import json, sys
n, port, system = int(sys.argv[1]), sys.argv[2], sys.argv[3]
print(json.dumps({"systemName": system, "images": [{"url": f"http://127.0.0.1:{port}/{i}.jpg", "id": str(i), "fileName": f"{i}.jpg",
      "metadata": {"title": f"Archive picture {i}"}} for i in range(n)]}))' "$ITEMS" "$NGINX_PORT" "$1" >"$WORK/job.json"
  before=$(rss_mib "$SERVER_PID"); peak=$before
  started=$(date +%s.%N)
  job=$(curl -fs -H "Authorization: Bearer $T" -H 'Content-Type: application/json' --data-binary @"$WORK/job.json" "$API/import/images" | python3 -c 'import json,sys; print(json.load(sys.stdin)["id"])')
  while :; do
    curl -fs -H "Authorization: Bearer $T" -o "$WORK/status.json" "$API/import/images/status?id=$job"
    rss=$(rss_mib "$SERVER_PID"); [ "$rss" -gt "$peak" ] && peak=$rss
    grep -q '"finished":true' "$WORK/status.json" && break
    sleep 0.2
  done
  finished=$(date +%s.%N)
  after=$(rss_mib "$SERVER_PID")
  python3 - "$DB" "$1" "$ITEMS" "$started" "$finished" "$before" "$peak" "$after" "$WORK/status.json" <<'PY'
import json, sys
db, label, items, started, finished, before, peak, after, status = sys.argv[1:]
s = json.load(open(status))
states = {}
for i in s["images"]: states[i["state"]] = states.get(i["state"], 0) + 1
seconds = float(finished) - float(started)
print(f"| {db} | {label} | {items} | {seconds:.1f} s | {int(items) / seconds:.0f} | {before} / {peak} / {after} MiB | {states} |")
PY
  stop_server
}

echo "| db | concurrency (process / host) | items | total time | items/s | server RSS before / peak / after | outcome |"
echo "|---|---|---|---|---|---|---|"
run_job "4 / 2 (defaults)" 4 2
run_job "8 / 8" 8 8
