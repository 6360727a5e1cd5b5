#!/usr/bin/env bash
# The whole API under load: seeds ENTRIES entries (default 1,000,000) and ENTRIES/5 published
# documents with 10 references each through the bulk path, starts the Release build and loads
# each endpoint with wrk (-t2 -c64, WARMUP s warm-up (5), DURATION s measured). DB=sqlite|postgres.
# Prints one markdown table: requests/s, p50, p99, non-2xx and the server's RSS after each run.
# ONLY=PATCH (a part of a row's label; several separated by |, as ONLY='PATCH|import') measures
# just the matching rows. WEBHOOK=1 configures one webhook (every update, to a local nginx
# answering 204). APP=DIR uses a build made elsewhere
# (bench/ab.sh), SOURCE=DIR that build's source tree (for its media types file).
source "$(dirname "$0")/lib.sh"
need wrk curl python3
DB=${DB:-sqlite}
ENTRIES=${ENTRIES:-1000000}
DOCUMENTS=${DOCUMENTS:-$((ENTRIES / 5))}
DURATION=${DURATION:-15}
build_release
use_database "$DB"
env MediaLibrary__DataDirectory="$WORK/data" "${settings[@]}" dotnet "$WORK/app/MediaLibrary.dll" db migrate 2>/dev/null
env MediaLibrary__DataDirectory="$WORK/data" "${settings[@]}" dotnet "$WORK/app/MediaLibrary.dll" seed --entries "$ENTRIES" --documents "$DOCUMENTS" >&2

# WEBHOOK=1: one webhook subscribed to every update, delivered to a local nginx that answers 204.
hook_settings=()
if [ -n "${WEBHOOK:-}" ]; then
  need nginx
  mkdir -p "$WORK/receiver"
  RECEIVER_PORT=$(free_port 18480)
  cat >"$WORK/receiver/nginx.conf" <<CONF
pid $WORK/receiver/nginx.pid;
worker_processes 1;
events {}
http { access_log off; server { listen 127.0.0.1:$RECEIVER_PORT; location / { return 204; } } }
CONF
  run_nginx "$WORK/receiver"
  python3 - "${SOURCE:-$ROOT}/src/MediaLibrary/MediaTypes/default-media-types.json" "$WORK/project.json" "http://127.0.0.1:$RECEIVER_PORT/hook" <<'PY'
import json, sys
config = json.load(open(sys.argv[1]))
config["webhooks"] = {"active": True, "configurations": [{"handle": "bench", "url": sys.argv[3], "events": ["mediaLibraryEntry.update"]}]}
json.dump(config, open(sys.argv[2], "w"))
PY
  hook_settings=(MediaLibrary__MediaTypesFile="$WORK/project.json" MediaLibrary__Webhooks__AllowPrivateTargets=true)
fi

PORT=$(free_port 18380)
start_server "$PORT" "${settings[@]}" "${hook_settings[@]}"
T=$(token "${settings[@]}")
BASE="http://127.0.0.1:$PORT"
API="$BASE/api/2026-03"
# One entry outside the seeded ids, which the PATCH load never touches: the search-lag probe's.
PROBE=$(curl -fs -H "Authorization: Bearer $T" -H 'Content-Type: application/json' "$API/import/mediaLibrary" \
  -d '{"mediaLibraryEntries":[{"mediaType":"image","asset":{"key":"seed/sample.jpg","url":"u","size":23,"width":1600,"height":900,"mimeType":"image/jpeg","filename":"sample.jpg"},"metadata":{"title":"Served"}}]}' \
  | python3 -c 'import json, sys; print(json.load(sys.stdin)["results"][0]["id"])')
export ENTRIES
LUA="$BENCH_DIR/lua"

# measure LABEL URL [wrk args]: CONNECTIONS (default 64) concurrent connections.
measure() {
  local label=$1; shift
  local part match= parts
  IFS='|' read -r -a parts <<<"${ONLY:-}"
  [ ${#parts[@]} -gt 0 ] || parts=("")
  for part in "${parts[@]}"; do case $label in *"$part"*) match=1;; esac; done
  [ -n "$match" ] || return 0
  local c=${CONNECTIONS:-64} rss versions_before warm answered
  [[ $label == PATCH* ]] && versions_before=$(sql_scalar "SELECT SUM(version) FROM media_entries")
  read -r _ _ _ _ _ warm < <(run_wrk "$@" -t2 -c"$c" -d"${WARMUP:-5}s" --timeout 30s -H "Authorization: Bearer $T")
  # Under the PATCH load, search's lag (bench/search-lag.py) on an entry the load does not touch.
  # SQLite only: it indexes after the commit. PostgreSQL writes the words with the row, and there
  # the probe's word search, ~1 s under this load, would cost more than the PATCHes it measures.
  local lag_pid=
  if [[ $label == PATCH* && $DB == sqlite ]]; then
    python3 "$BENCH_DIR/search-lag.py" "$BASE/api/2026-05" "$T" "$DURATION" "$PROBE" >"$WORK/lag.out" &
    lag_pid=$!
    PIDS+=("$lag_pid")
  fi
  read -r rps _ p50 p99 bad answered < <(run_wrk "$@" -t2 -c"$c" -d"${DURATION}s" --timeout 30s -H "Authorization: Bearer $T")
  rss=$(rss_mib "$SERVER_PID")
  echo "| $label | $DB | $ENTRIES | $rps | $p50 | $p99 | $bad | $rss MiB |"
  if [[ $label == PATCH* ]]; then
    # No lost updates under load: every PATCH answered 200 changed a value, so the versions must
    # have grown by at least the number of answers (at most 2 × $c more: requests still in flight
    # when each of the two wrk runs stopped counting).
    local probe lag_patches=0 lag_samples=0 lag_p50 lag_p99 lag_max
    if [ -n "$lag_pid" ]; then
      wait_pid "$lag_pid" || echo "bench: the search-lag probe failed" >&2
      read -r probe lag_patches lag_samples lag_p50 lag_p99 lag_max <"$WORK/lag.out" || true
    fi
    local grown=$(( $(sql_scalar "SELECT SUM(version) FROM media_entries") - versions_before ))
    local acked=$(( warm + answered + lag_patches ))
    [ "$lag_samples" = 0 ] || CHECKS+=("search lag under the PATCH load ($DB, $ENTRIES): $lag_samples writes, p50 $lag_p50 ms, p99 $lag_p99 ms, max $lag_max ms")
    local verdict=ok; { [ "$grown" -lt "$acked" ] || [ "$grown" -gt $(( acked + 2 * c )) ] || [ "$bad" != 0 ]; } && verdict=LOST
    CHECKS+=("lost-update check ($DB, $ENTRIES): $acked PATCHes answered 200, versions grew by $grown: $verdict")
  fi
}
CHECKS=()

echo "| endpoint | db | entries | requests/s | p50 | p99 | non-2xx | server RSS |"
echo "|---|---|---|---|---|---|---|---|"
measure "GET /healthz/live (no I/O: the ceiling)" "$BASE/healthz/live"
measure "GET /healthz (SELECT 1)" "$BASE/healthz"
measure "GET entry" "$BASE" -s "$LUA/get-entry.lua"
measure "GET list of 100 ids" "$BASE" -s "$LUA/list.lua"
measure "PATCH setMetadataProperty" "$BASE" -s "$LUA/patch.lua"
measure "incoming references, first page" "$API/mediaLibrary/seed0000000/incomingDocumentReferences"
measure "serve-image (tiny JPEG)" "$API/mediaLibrary/serve-image/seed/sample.jpg"
CONNECTIONS=8 measure "import of 100 entries (8 connections)" "$BASE" -s "$LUA/import.lua"
if [ -n "${WEBHOOK:-}" ]; then
  # The webhook kept up (its stream's position against the newest event), or did not deliver at all.
  CHECKS+=("webhook: its stream is at event $(sql_scalar "SELECT COALESCE((SELECT position FROM webhook_streams WHERE webhook = 'bench'), 0)") of $(sql_scalar "SELECT COALESCE(MAX(position), 0) FROM events")")
fi
for check in "${CHECKS[@]}"; do echo; echo "$check"; done
