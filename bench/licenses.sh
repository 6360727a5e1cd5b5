#!/usr/bin/env bash
# Licence profiles (issue #28, SPEC §15): document publish with REFS (50) image references, the
# licence gate on against off (target: at least 0.8x), the two servers alternating (on, off, off,
# on) on the same data; then the billing export of ROWS (1,000,000) usage-log rows filtered with
# billing=true, as CSV: rows/s and the server's RSS before and at its peak.
# DB=sqlite|postgres. Every seeded image gets a profile with a rule for `web` (most `inHouse`,
# every tenth `freelancer`), so publishing passes the gate: the cost measured is the check.
source "$(dirname "$0")/lib.sh"
need wrk curl python3
DB=${DB:-sqlite}
export ENTRIES=${ENTRIES:-10000}
export REFS=${REFS:-50}
ROWS=${ROWS:-1000000}
CONNECTIONS=${CONNECTIONS:-8}
DURATION=${DURATION:-10}
build_release
use_database "$DB"
env MediaLibrary__DataDirectory="$WORK/data" "${settings[@]}" dotnet "$WORK/app/MediaLibrary.dll" seed --entries "$ENTRIES" >&2

# The shipped media types, images with a `license` property; `regular` documents are `web`.
config() {
  python3 - "${SOURCE:-$ROOT}/src/MediaLibrary/MediaTypes/default-media-types.json" "$1" "$2" <<'PY'
import json, sys
config = json.load(open(sys.argv[1]))
for t in config["mediaTypes"]:
    if t["handle"] == "image":
        t["metadata"].append({"handle": "license", "type": "li-license-profile"})
config["usagePurposes"] = [{"handle": "web", "internal": True, "contentType": ["regular"]}, {"handle": "print", "contentType": ["page"]}]
config["licenseProfiles"] = {"enabled": sys.argv[3] == "on", "profiles": [
    {"handle": "inHouse", "color": "#2fb181", "rules": {"web": {"costClass": "free", "billingMode": "never"}, "print": {"costClass": "free", "billingMode": "never"}}},
    {"handle": "freelancer", "color": "#e0b32d", "rules": {"web": {"costClass": "low", "billingMode": "always"}}},
    {"handle": "restricted", "color": "#d94f4f", "approvalRequired": True, "rules": {"web": {"costClass": "high"}}}]}
json.dump(config, open(sys.argv[2], "w"))
PY
}
config "$WORK/on.json" on
config "$WORK/off.json" off

profiles="CASE WHEN id LIKE '%0' THEN 'freelancer' ELSE 'inHouse' END"
if [ "$DB" = postgres ]; then
  "${PG_PSQL[@]}" -c "UPDATE media_entries SET metadata = jsonb_set(metadata, '{license}', to_jsonb($profiles))" >&2
  "${PG_PSQL[@]}" -c "VACUUM ANALYZE media_entries" >&2
else
  python3 - "$WORK/data/medialibrary.db" "$profiles" <<'PY'
import sqlite3, sys
c = sqlite3.connect(sys.argv[1])
c.execute(f"UPDATE media_entries SET metadata = json_set(metadata, '$.license', {sys.argv[2]})")
c.commit()
PY
fi

PORT=$(free_port 18780)
declare -A rps p99
run() {  # run on|off: one server with that config, warm-up then the measured run
  start_server "$PORT" "${settings[@]}" MediaLibrary__MediaTypesFile="$WORK/$1.json"
  local t; t=$(token "${settings[@]}" MediaLibrary__MediaTypesFile="$WORK/$1.json")
  run_wrk "http://127.0.0.1:$PORT" -s "$BENCH_DIR/lua/publish.lua" -t2 -c"$CONNECTIONS" -d3s -H "Authorization: Bearer $t" >/dev/null
  local r _mb p50 p bad _n
  read -r r _mb p50 p bad _n < <(run_wrk "http://127.0.0.1:$PORT" -s "$BENCH_DIR/lua/publish.lua" -t2 -c"$CONNECTIONS" -d"${DURATION}s" -H "Authorization: Bearer $t")
  [ "$bad" = 0 ] || { echo "bench: $bad non-2xx answers with the gate $1" >&2; tail -5 "$WORK/server-$PORT.log" >&2; }
  rps[$1]="${rps[$1]:-} $r"; p99[$1]="${p99[$1]:-} $p"
  echo "bench: gate $1: $r req/s, p50 $p50, p99 $p" >&2
  stop_server
}
run on; run off; run off; run on
logged=$(sql_scalar "SELECT COUNT(*) FROM usage_log")

# The billing export: ROWS usage-log rows with their rule snapshot, half billed.
if [ "$DB" = postgres ]; then
  "${PG_PSQL[@]}" -c "
    INSERT INTO usage_log (id, entry_id, purpose, state, params, publication_date, reporting_date, reported_by, license_profile, license_rule, billing)
    SELECT 'r' || lpad(g::text, 8, '0'), e.id, 'web', 'pending', '{}', timestamptz '2026-07-01 00:00:00+00' + g * interval '1 second', now(), 'bench',
           'freelancer', '{\"costClass\":\"low\",\"billingMode\":\"always\"}', g % 2 = 0
    FROM generate_series(1, $ROWS) g
    JOIN (SELECT id, row_number() OVER (ORDER BY id) - 1 AS n FROM media_entries) e ON e.n = g % $ENTRIES;
    ANALYZE usage_log;" >&2
else
  python3 - "$WORK/data/medialibrary.db" "$ROWS" "$ENTRIES" <<'PY'
import sqlite3, sys
db, rows, entries = sys.argv[1], int(sys.argv[2]), int(sys.argv[3])
c = sqlite3.connect(db)
c.executescript(f"""
CREATE TEMP TABLE e AS SELECT id, row_number() OVER (ORDER BY id) - 1 AS n FROM media_entries;
WITH RECURSIVE g(x) AS (SELECT 1 UNION ALL SELECT x + 1 FROM g WHERE x < {rows})
INSERT INTO usage_log (id, entry_id, purpose, state, params, publication_date, reporting_date, reported_by, license_profile, license_rule, billing)
SELECT 'r' || printf('%08d', x), e.id, 'web', 'pending', '{{}}', strftime('%Y-%m-%dT%H:%M:%fZ', '2026-07-01 00:00:00', '+' || x || ' seconds'),
       strftime('%Y-%m-%dT%H:%M:%fZ', 'now'), 'bench', 'freelancer', '{{"costClass":"low","billingMode":"always"}}', x % 2 = 0
FROM g JOIN e ON e.n = x % {entries};
ANALYZE;
""")
c.commit()
PY
fi
billed=$(sql_scalar "SELECT COUNT(*) FROM usage_log WHERE billing")

start_server "$PORT" "${settings[@]}" MediaLibrary__MediaTypesFile="$WORK/on.json"
T=$(token "${settings[@]}" MediaLibrary__MediaTypesFile="$WORK/on.json")
before=$(rss_mib "$SERVER_PID")
started=$(date +%s.%N)
curl -fs -H "Authorization: Bearer $T" -H 'Accept: text/csv' -o "$WORK/export.csv" "http://127.0.0.1:$PORT/api/2026-07/usageLog?billing=true" &
CURL=$!; PIDS+=("$CURL")
peak=$(peak_rss_while "$CURL" 0.2 "$before")
wait_pid "$CURL"
finished=$(date +%s.%N)
lines=$(( $(wc -l <"$WORK/export.csv") - 1 ))

python3 - "$DB" "${rps[on]}" "${rps[off]}" "${p99[on]}" "${p99[off]}" "$lines" "$billed" "$started" "$finished" "$before" "$peak" "$logged" <<'PY'
import os, sys
db, on, off, p_on, p_off, lines, billed, started, finished, before, peak, logged = sys.argv[1:]
on, off = [float(x) for x in on.split()], [float(x) for x in off.split()]
seconds = float(finished) - float(started)
print(f"| {db} | value |")
print("|---|---|")
print(f"| publish, {os.environ.get('REFS', '50')} references: gate on, req/s (two runs) | {' / '.join(f'{x:.0f}' for x in on)} (p99 {p_on.strip()}) |")
print(f"| publish: gate off, req/s (two runs) | {' / '.join(f'{x:.0f}' for x in off)} (p99 {p_off.strip()}) |")
print(f"| on / off (target >= 0.8x) | {sum(on) / sum(off):.2f}x |")
print(f"| usage-log rows the publishes recorded | {logged} |")
print(f"| CSV export, billing=true: rows (of {billed} billed) | {lines} |")
print(f"| export time, rows/s | {seconds:.1f} s, {int(lines) / seconds:,.0f} |")
print(f"| server RSS before / peak | {before} / {peak} MiB (+{int(peak) - int(before)}) |")
PY
