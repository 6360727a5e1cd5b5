#!/usr/bin/env bash
# Batch edit (issue #29, SPEC §16): entries/s at saturation of single PATCHes (setMetadataProperty
# on random seeded entries, wrk -c CONNECTIONS) against PATCH /mediaLibrary with BATCH (100)
# entries per call (wrk -c BATCH_CONNECTIONS), on ENTRIES (200,000) seeded entries; the two
# alternate (single, batch, batch, single). Target: at least 5x the entries/s (the server's time
# per entry 5x smaller). Then the lost-update check: every entry's version is 1 + the writes
# answered 200. DB=sqlite|postgres.
source "$(dirname "$0")/lib.sh"
need wrk curl python3
DB=${DB:-sqlite}
export ENTRIES=${ENTRIES:-200000}
export BATCH=${BATCH:-100}
CONNECTIONS=${CONNECTIONS:-64}
BATCH_CONNECTIONS=${BATCH_CONNECTIONS:-8}
DURATION=${DURATION:-15}
# The first load of each kind warms the server up for WARMUP (20 s) seconds: in its first 20 s
# under load the runtime spends about 7 s of CPU compiling (tiered JIT, measured with
# dotnet_jit_compilation_time_seconds_total), which a 3 s warm-up left inside the measured runs.
WARMUP=${WARMUP:-20}
build_release
use_database "$DB"
env MediaLibrary__DataDirectory="$WORK/data" "${settings[@]}" dotnet "$WORK/app/MediaLibrary.dll" seed --entries "$ENTRIES" >&2

PORT=$(free_port 18880)
start_server "$PORT" "${settings[@]}"
T=$(token "${settings[@]}")
BASE="http://127.0.0.1:$PORT"
declare -A rate p99
writes=0
run() {  # run single|batch
  local script=patch.lua connections=$CONNECTIONS per=1
  [ "$1" = batch ] && { script=batch.lua; connections=$BATCH_CONNECTIONS; per=$BATCH; }
  local warm=3; [ -z "${rate[$1]:-}" ] && warm=$WARMUP
  run_wrk "$BASE" -s "$BENCH_DIR/lua/$script" -t2 -c"$connections" -d"${warm}s" -H "Authorization: Bearer $T" >/dev/null
  local r _mb p50 p bad n
  read -r r _mb p50 p bad n < <(run_wrk "$BASE" -s "$BENCH_DIR/lua/$script" -t2 -c"$connections" -d"${DURATION}s" -H "Authorization: Bearer $T")
  [ "$bad" = 0 ] || echo "bench: $bad non-2xx answers ($1)" >&2
  local entries; entries=$(python3 -c "print(round($r * $per))")
  rate[$1]="${rate[$1]:-} $entries"; p99[$1]="${p99[$1]:-} $p"
  echo "bench: $1: $r req/s = $entries entries/s, p50 $p50, p99 $p" >&2
}
run single; run batch; run batch; run single

# Lost updates: the sum of versions above 1 must equal the changes the events recorded.
changed=$(sql_scalar "SELECT COALESCE(SUM(version - 1), 0) FROM media_entries")
updates=$(sql_scalar "SELECT COUNT(*) FROM events WHERE name = 'mediaLibraryEntry.update'")
lost=$([ "$changed" = "$updates" ] && echo ok || echo "LOST: versions say $changed, update events $updates")

python3 - "$DB" "${rate[single]}" "${rate[batch]}" "${p99[single]}" "${p99[batch]}" "$lost" <<'PY'
import os, sys
db, single, batch, p_single, p_batch, lost = sys.argv[1:]
single, batch = [float(x) for x in single.split()], [float(x) for x in batch.split()]
print(f"| {db}, {os.environ['ENTRIES']} entries | value |")
print("|---|---|")
print(f"| single PATCH: entries/s (two runs), p99 | {' / '.join(f'{x:,.0f}' for x in single)}, {p_single.strip()} |")
print(f"| batch of {os.environ['BATCH']}: entries/s (two runs), p99 per call | {' / '.join(f'{x:,.0f}' for x in batch)}, {p_batch.strip()} |")
print(f"| batch / single (target >= 5x) | {sum(batch) / sum(single):.1f}x |")
print(f"| lost-update check | {lost} |")
PY
