#!/usr/bin/env bash
# Search at 1,000,000 entries (SPEC §12): a one-word query that matches 1 % of the library, a
# filter-only query, and a cursor page 10,000 entries deep; p50/p99 with CONNECTIONS (64)
# connections. The library is filled by the seed command (its bulk path fires the same triggers
# as every write; on SQLite it then indexes the logged changes, as the server's indexer would).
# DB=sqlite (default) or DB=postgres; ENTRIES (1000000). Prints a markdown table for bench/README.md.
source "$(dirname "$0")/lib.sh"
need wrk curl python3
DB=${DB:-sqlite}
ENTRIES=${ENTRIES:-1000000}
CONNECTIONS=${CONNECTIONS:-64}
DURATION=${DURATION:-10}
build_release
use_database "$DB"

started=$(date +%s)
env MediaLibrary__DataDirectory="$WORK/data" "${settings[@]}" dotnet "$WORK/app/MediaLibrary.dll" seed --entries "$ENTRIES" >&2
echo "seeded $ENTRIES entries in $(( $(date +%s) - started )) s" >&2
PORT=$(free_port 18380)
start_server "$PORT" "${settings[@]}"
T=$(token "${settings[@]}")
API="http://127.0.0.1:$PORT/api/2026-05"

# The seed gives entry i the photographer name i % 100 ("Kaberg" is name 0): a 1 % word.
WORD=Kaberg
python3 - "$API" "$T" "$WORD" "$WORK" <<'PY'
import json, sys, urllib.request, urllib.parse
api, token, word, work = sys.argv[1:5]
def get(path):
    req = urllib.request.Request(api + path, headers={"Authorization": "Bearer " + token})
    with urllib.request.urlopen(req) as r:
        return json.loads(r.read())
first = get(f"/search/mediaLibrary?q={word}&limit=50")
print(f"'{word}': total {first['total']} ({first['totalRelation']})", file=sys.stderr)
# Walk 10,000 entries deep through the cursor of the filter-only search.
filters = "/search/mediaLibrary?mediaType=image&archived=false&limit=50"
cursor, depth = "", 0
while depth < 10000:
    page = get(filters + (f"&after={urllib.parse.quote(cursor)}" if cursor else ""))
    cursor, depth = page["cursor"], depth + len(page["results"])
open(f"{work}/urls", "w").write("\n".join([
    f"{api}/search/mediaLibrary?q={word}&limit=50",
    f"{api}/search/mediaLibrary?mediaType=image&archived=false&limit=50",
    f"{api}/search/mediaLibrary?mediaType=image&archived=false&limit=50&after={urllib.parse.quote(cursor)}",
]) + "\n")
PY

echo "| $DB, $ENTRIES entries, $CONNECTIONS connections | requests/s | p50 | p99 | non-2xx |"
echo "|---|---|---|---|---|"
labels=("one word, 1 % of entries (first page, 50)" "filter only: mediaType, archived (first page, 50)" "filter only, page 10,000 entries deep (50)")
i=0
while read -r url; do
  run_wrk "$url" -t2 -c"$CONNECTIONS" -d3s -H "Authorization: Bearer $T" >/dev/null
  read -r rps _ p50 p99 bad _ < <(run_wrk "$url" -t2 -c"$CONNECTIONS" -d"${DURATION}s" -H "Authorization: Bearer $T")
  echo "| ${labels[$i]} | $rps | $p50 | $p99 | $bad |"
  i=$((i + 1))
done <"$WORK/urls"
