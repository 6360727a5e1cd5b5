#!/usr/bin/env bash
# Usage log (issue #16): GET /mediaLibrary/{id}/usageLog of one entry with HOT (10,000) log
# entries under load (wrk -t2 -c16), and the billing export of ROWS (1,000,000) usage-log entries
# as CSV: rows/s and the server's RSS before and at its peak while it streams.
# DB=sqlite|postgres. Log rows are seeded with SQL (the API's write path is the PATCH benchmark's).
source "$(dirname "$0")/lib.sh"
need wrk curl python3
DB=${DB:-sqlite}
ROWS=${ROWS:-1000000}
HOT=${HOT:-10000}
DURATION=${DURATION:-10}
build_release
use_database "$DB"
env MediaLibrary__DataDirectory="$WORK/data" "${settings[@]}" dotnet "$WORK/app/MediaLibrary.dll" seed --entries 10000 >&2

# ROWS log entries spread over the 10,000 entries, one a second from 2026-05-01, plus HOT on one entry.
if [ "$DB" = postgres ]; then
  "${PG_PSQL[@]}" -c "
    INSERT INTO usage_log (id, entry_id, purpose, state, params, publication_date, reporting_date, reported_by)
    SELECT 'r' || lpad(g::text, 8, '0'), e.id, 'print', 'confirmed', '{\"page\":' || (g % 64 + 1) || ',\"edition\":\"Morning\"}',
           timestamptz '2026-05-01 00:00:00+00' + g * interval '1 second', now(), 'bench'
    FROM generate_series(1, $ROWS) g
    JOIN (SELECT id, row_number() OVER (ORDER BY id) - 1 AS n FROM media_entries) e ON e.n = g % 10000;
    INSERT INTO usage_log (id, entry_id, purpose, state, params, publication_date, reporting_date, reported_by)
    SELECT 'h' || lpad(g::text, 8, '0'), (SELECT min(id) FROM media_entries), 'web', 'pending', '{}',
           timestamptz '2026-06-01 00:00:00+00' + g * interval '1 second', now(), 'bench'
    FROM generate_series(1, $HOT) g;
    ANALYZE usage_log;" >&2
  HOT_ID=$("${PG_PSQL[@]}" -c "SELECT min(id) FROM media_entries")
else
  python3 - "$WORK/data/medialibrary.db" "$ROWS" "$HOT" <<'PY'
import sqlite3, sys
db, rows, hot = sys.argv[1], int(sys.argv[2]), int(sys.argv[3])
c = sqlite3.connect(db)
c.executescript(f"""
CREATE TEMP TABLE e AS SELECT id, row_number() OVER (ORDER BY id) - 1 AS n FROM media_entries;
WITH RECURSIVE g(x) AS (SELECT 1 UNION ALL SELECT x + 1 FROM g WHERE x < {rows})
INSERT INTO usage_log (id, entry_id, purpose, state, params, publication_date, reporting_date, reported_by)
SELECT 'r' || printf('%08d', x), e.id, 'print', 'confirmed', '{{"page":' || (x % 64 + 1) || ',"edition":"Morning"}}',
       strftime('%Y-%m-%dT%H:%M:%fZ', '2026-05-01 00:00:00', '+' || x || ' seconds'), strftime('%Y-%m-%dT%H:%M:%fZ', 'now'), 'bench'
FROM g JOIN e ON e.n = x % 10000;
WITH RECURSIVE g(x) AS (SELECT 1 UNION ALL SELECT x + 1 FROM g WHERE x < {hot})
INSERT INTO usage_log (id, entry_id, purpose, state, params, publication_date, reporting_date, reported_by)
SELECT 'h' || printf('%08d', x), (SELECT min(id) FROM media_entries), 'web', 'pending', '{{}}',
       strftime('%Y-%m-%dT%H:%M:%fZ', '2026-06-01 00:00:00', '+' || x || ' seconds'), strftime('%Y-%m-%dT%H:%M:%fZ', 'now'), 'bench'
FROM g;
ANALYZE;
""")
c.commit()
PY
  HOT_ID=$(sql_scalar "SELECT min(id) FROM media_entries")
fi
total=$(sql_scalar "SELECT COUNT(*) FROM usage_log")

PORT=$(free_port 18680)
start_server "$PORT" "${settings[@]}"
T=$(token "${settings[@]}")
API="http://127.0.0.1:$PORT/api/2026-05"
# The export first, on a fresh server: its RSS is not inflated by the GET load.
before=$(rss_mib "$SERVER_PID")
started=$(date +%s.%N)
curl -fs -H "Authorization: Bearer $T" -H 'Accept: text/csv' -o "$WORK/export.csv" "$API/usageLog" &
CURL=$!; PIDS+=("$CURL")
peak=$(peak_rss_while "$CURL" 0.2 "$before")
wait_pid "$CURL"
finished=$(date +%s.%N)
lines=$(( $(wc -l <"$WORK/export.csv") - 1 ))
mib=$(( $(stat -c %s "$WORK/export.csv") / 1048576 ))
curl -fs -o "$WORK/hot.json" -H "Authorization: Bearer $T" "$API/mediaLibrary/$HOT_ID/usageLog"
hot_entries=$(python3 -c 'import json,sys; print(len(json.load(open(sys.argv[1]))["results"]))' "$WORK/hot.json")
hot_bytes=$(stat -c %s "$WORK/hot.json")
run_wrk "$API/mediaLibrary/$HOT_ID/usageLog" -t2 -c16 -d3s -H "Authorization: Bearer $T" >/dev/null
read -r rps _ p50 p99 bad _ < <(run_wrk "$API/mediaLibrary/$HOT_ID/usageLog" -t2 -c16 -d"${DURATION}s" --timeout 30s -H "Authorization: Bearer $T")

python3 - "$DB" "$hot_entries" "$hot_bytes" "$rps" "$p50" "$p99" "$bad" "$lines" "$total" "$mib" "$started" "$finished" "$before" "$peak" <<'PY'
import sys
db, hot, hot_bytes, rps, p50, p99, bad, lines, total, mib, started, finished, before, peak = sys.argv[1:]
seconds = float(finished) - float(started)
print("| db | GET usageLog of an entry with %s log entries (%.1f MB): req/s, p50 / p99 | CSV export: rows (of the log's %s) | time | rows/s | size | server RSS before / peak |" % (hot, int(hot_bytes) / 1e6, total))
print("|---|---|---|---|---|---|---|")
print(f"| {db} | {float(rps):.0f}, {p50} / {p99} (non-2xx: {bad}) | {lines} | {seconds:.1f} s | {int(lines) / seconds:,.0f} | {mib} MiB | {before} / {peak} MiB (+{int(peak) - int(before)}) |")
PY
