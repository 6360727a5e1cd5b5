#!/usr/bin/env bash
# Incoming document references at depth: one image referenced by DOCS (100,000) published
# documents with 10 image references each (1,000,000 references overall), seeded through
# POST /import/documents. Then first page, a page at depth 50,000 by offset and by cursor.
# DB=sqlite (default) or DB=postgres. Prints a markdown table for bench/README.md.
source "$(dirname "$0")/lib.sh"
need wrk curl python3
DB=${DB:-sqlite}
DOCS=${DOCS:-100000}
DURATION=${DURATION:-10}
build_release
use_database "$DB"
PORT=$(free_port 18280)
start_server "$PORT" "${settings[@]}"
T=$(token "${settings[@]}")
API="http://127.0.0.1:$PORT/api/2026-03"

python3 - "$API" "$T" "$DOCS" "$WORK" <<'PY'
import json, sys, time, urllib.request, struct, os
api, token, docs, work = sys.argv[1], sys.argv[2], int(sys.argv[3]), sys.argv[4]
def call(method, path, body, ctype="application/json"):
    req = urllib.request.Request(api + path, data=body, method=method,
        headers={"Authorization": "Bearer " + token, "Content-Type": ctype})
    with urllib.request.urlopen(req) as r:
        return json.loads(r.read())
sof = bytes([8]) + struct.pack(">HH", 600, 800) + bytes([3, 1, 0x11, 0, 2, 0x11, 0, 3, 0x11, 0])
jpeg = b"\xff\xd8\xff\xc0" + struct.pack(">H", len(sof) + 2) + sof + b"\xff\xda\x00\x0c\x03\x01\x00\x02\x11\x03\x11\x00\x3f\x00" + b"\x00" * 64 + b"\xff\xd9"
asset = call("POST", "/mediaLibrary/assets?filename=target.jpg", jpeg, "image/jpeg")
target = call("POST", "/import/mediaLibrary", json.dumps({"mediaLibraryEntries": [{"mediaType": "image", "asset": asset, "metadata": {"title": "Target"}}]}).encode())["results"][0]["id"]
started = time.time()
for batch in range(0, docs, 100):
    documents = []
    for n in range(batch, min(batch + 100, docs)):
        components = [{"id": f"c{k}", "component": "image", "content": {"image": {"mediaId": target if k == 0 else f"other-{(n * 10 + k) % 50000}"}}} for k in range(10)]
        documents.append({"externalId": f"doc-{n}", "contentType": "regular", "title": f"Story {n}", "content": components, "publish": True})
    results = call("POST", "/import/documents", json.dumps({"systemName": "bench", "documents": documents}).encode())["results"]
    assert all(r["ok"] for r in results), results[:1]
elapsed = time.time() - started
print(f"seeded {docs} documents ({docs * 10} references) in {elapsed:.0f} s: {docs / elapsed:.0f} documents/s", file=sys.stderr)
cursor, depth = "", 0
while depth < min(50000, docs - 100):
    page = call("GET", f"/mediaLibrary/{target}/incomingDocumentReferences?limit=100" + (f"&after={cursor}" if cursor else ""), None)
    cursor, depth = page["cursor"], depth + len(page["results"])
open(f"{work}/urls", "w").write("\n".join([
    f"{api}/mediaLibrary/{target}/incomingDocumentReferences?limit=100",
    f"{api}/mediaLibrary/{target}/incomingDocumentReferences?limit=100&offset={depth}",
    f"{api}/mediaLibrary/{target}/incomingDocumentReferences?limit=100&after={cursor}",
]) + "\n")
print(f"depth {depth}, total {page['total']}", file=sys.stderr)
PY

echo "| $DB, $DOCS documents | requests/s | p50 | p99 |"
echo "|---|---|---|---|"
labels=("first page" "deep page by offset" "deep page by cursor")
i=0
while read -r url; do
  run_wrk "$url" -t1 -c8 -d3s -H "Authorization: Bearer $T" >/dev/null
  read -r rps _ p50 p99 bad _ < <(run_wrk "$url" -t1 -c8 -d"${DURATION}s" -H "Authorization: Bearer $T")
  echo "| ${labels[$i]} | $rps | $p50 | $p99 |"
  i=$((i + 1))
done <"$WORK/urls"
