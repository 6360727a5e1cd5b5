#!/usr/bin/env bash
# serve-image against nginx serving the same files, in one run: 200 KB and 5 MB JPEGs,
# wrk -t2 -c64 -d${DURATION:-15}s on loopback. Prints a markdown table for bench/README.md.
source "$(dirname "$0")/lib.sh"
need wrk nginx curl python3
DURATION=${DURATION:-15}
build_release

PORT=$(free_port 18080)
start_server "$PORT"
T=$(token)
API="http://127.0.0.1:$PORT/api/2026-03"

# Two JPEGs: a real header, random bytes, an end-of-image marker.
make_jpeg() {
  python3 - "$1" "$2" <<'PY'
import os, struct, sys
path, size = sys.argv[1], int(sys.argv[2])
sof = bytes([8]) + struct.pack(">HH", 1200, 1600) + bytes([3, 1, 0x11, 0, 2, 0x11, 0, 3, 0x11, 0])
head = b"\xff\xd8" + b"\xff\xc0" + struct.pack(">H", len(sof) + 2) + sof + b"\xff\xda\x00\x0c\x03\x01\x00\x02\x11\x03\x11\x00\x3f\x00"
body = bytearray(os.urandom(size - len(head) - 2))
for i in range(len(body)):
    if body[i] == 0xFF: body[i] = 0xFE
open(path, "wb").write(head + bytes(body) + b"\xff\xd9")
PY
}
declare -A KEYS
for name in 200k 5m; do
  bytes=$([ $name = 200k ] && echo 204800 || echo 5242880)
  make_jpeg "$WORK/$name.jpg" "$bytes"
  asset=$(curl -fs -H "Authorization: Bearer $T" --data-binary @"$WORK/$name.jpg" "$API/mediaLibrary/assets?filename=$name.jpg")
  curl -fs -H "Authorization: Bearer $T" -H 'Content-Type: application/json' "$API/import/mediaLibrary" \
    -d "{\"mediaLibraryEntries\": [{\"mediaType\": \"image\", \"asset\": $asset, \"metadata\": {\"title\": \"$name\"}}]}" >/dev/null
  KEYS[$name]=$(python3 -c 'import json,sys; print(json.loads(sys.argv[1])["key"])' "$asset")
done

NGINX_PORT=$(free_port 18180)
start_nginx "$NGINX_PORT" "$WORK/data/assets" 2

echo "| file | server | requests/s | MB/s | p50 | p99 | non-2xx | server RSS |"
echo "|---|---|---|---|---|---|---|---|"
for name in 200k 5m; do
  key=${KEYS[$name]}
  curl -fs -o /dev/null "http://127.0.0.1:$NGINX_PORT/$key"
  read -r n_rps n_mbs n_p50 n_p99 n_bad _ < <(run_wrk "http://127.0.0.1:$NGINX_PORT/$key" -t2 -c64 -d"${DURATION}s")
  echo "| $name | nginx | $n_rps | $n_mbs | $n_p50 | $n_p99 | $n_bad | - |"
  # Warm-up: tiered JIT and dynamic PGO need a few seconds of load before the code is steady.
  run_wrk "$API/mediaLibrary/serve-image/$key" -t2 -c64 -d10s -H "Authorization: Bearer $T" >/dev/null
  read -r m_rps m_mbs m_p50 m_p99 m_bad _ < <(run_wrk "$API/mediaLibrary/serve-image/$key" -t2 -c64 -d"${DURATION}s" -H "Authorization: Bearer $T")
  echo "| $name | MediaLibrary | $m_rps | $m_mbs | $m_p50 | $m_p99 | $m_bad | $(rss_mib "$SERVER_PID") MiB |"
  echo "| $name | ratio | $(python3 -c "print(f'{$m_rps/$n_rps:.2f}x')") | $(python3 -c "print(f'{$m_mbs/$n_mbs:.2f}x')") | | | | |"
done
