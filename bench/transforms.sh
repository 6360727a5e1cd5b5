#!/usr/bin/env bash
# Image transforms at the origin (issue #17), in one run: cold renders/s (every request a new
# 400-px WebP variant of a 2000 × 1500 JPEG) against `vipsthumbnail` in batch mode on the same
# file and cores (one process per core, 60 files per call), and warm (cached) variants/s against
# nginx serving the cached variant file. Then 64 concurrent cold renders of a 24-megapixel JPEG:
# the server's peak RSS. Then image edits (issue #30): the warm edited original (pixelated and
# turned, rendered once) against the warm variant, and the cold render of an edited 24-megapixel
# JPEG (time, peak RSS). DURATION seconds per wrk run (default 10).
source "$(dirname "$0")/lib.sh"
need wrk nginx curl python3 vips vipsthumbnail
DURATION=${DURATION:-10}
build_release

# Sources: 2000 × 1500 and 6000 × 4000 JPEGs with photo-like noise.
for size in "2000 1500 src" "6000 4000 big"; do
  set -- $size
  vips gaussnoise "$WORK/$3-noise.v" "$1" "$2" --mean 128 --sigma 30
  vips cast "$WORK/$3-noise.v" "$WORK/$3-n8.v" uchar
  vips bandjoin "$WORK/$3-n8.v $WORK/$3-n8.v $WORK/$3-n8.v" "$WORK/$3-rgb.v"
  vips gaussblur "$WORK/$3-rgb.v" "$WORK/$3-blur.v" 2
  vips cast "$WORK/$3-blur.v" "$WORK/$3-out.v" uchar
  vips copy "$WORK/$3-out.v" "$WORK/$3.jpg[Q=85]"
  rm -f "$WORK"/$3-*.v
done

PORT=$(free_port 18780)
start_server "$PORT" MediaLibrary__Upload__MaxBytes=104857600
T=$(token)
API="http://127.0.0.1:$PORT/api/2026-05"
serve_path() {
  asset=$(curl -fs -H "Authorization: Bearer $T" --data-binary @"$1" "$API/mediaLibrary/assets?filename=$(basename "$1")")
  curl -fs -H "Authorization: Bearer $T" -H 'Content-Type: application/json' "$API/import/mediaLibrary" \
    -d "{\"mediaLibraryEntries\": [{\"mediaType\": \"image\", \"asset\": $asset, \"metadata\": {\"title\": \"bench\"}}]}" >/dev/null
  echo "/api/2026-05/mediaLibrary/serve-image/$(python3 -c 'import json,sys; print(json.loads(sys.argv[1])["key"])' "$asset")"
}
SRC=$(serve_path "$WORK/src.jpg")
BIG=$(serve_path "$WORK/big.jpg")
src_bytes=$(stat -c %s "$WORK/src.jpg"); big_bytes=$(stat -c %s "$WORK/big.jpg")

# The limit: vipsthumbnail in batch mode, one process per core, 60 files a call, 3 rounds, with
# the WebP settings the server uses (Q=75, effort=2).
mkdir -p "$WORK/vt"
for i in $(seq 1 60); do ln -sf "$WORK/src.jpg" "$WORK/vt/f$i.jpg"; done
cores=$(nproc)
started=$(date +%s.%N)
for round in 1 2 3; do
  jobs_started=()
  for c in $(seq 1 "$cores"); do
    (cd "$WORK/vt" && mkdir -p "o$c" && exec vipsthumbnail f*.jpg -s 400 -o "o$c/t-%s.webp[Q=75,effort=2]") &
    jobs_started+=($!); PIDS+=($!)
  done
  for job in "${jobs_started[@]}"; do wait_pid "$job"; done
done
vt_rate=$(python3 -c "import sys, time; print(f'{3 * 60 * $cores / (time.time() - $started):.1f}')")

# Cold: every request a new variant.
VARIANT_PATH="$SRC" run_wrk "http://127.0.0.1:$PORT" -s "$BENCH_DIR/lua/new-variant.lua" -t2 -c"$cores" -d3s -H "Authorization: Bearer $T" >/dev/null
read -r cold_rps _ cold_p50 cold_p99 cold_bad _ < <(VARIANT_PATH="$SRC" run_wrk "http://127.0.0.1:$PORT" -s "$BENCH_DIR/lua/new-variant.lua" -t2 -c"$cores" -d"${DURATION}s" --timeout 30s -H "Authorization: Bearer $T")
read -r cold16_rps _ _ cold16_p99 _ _ < <(VARIANT_PATH="$SRC" run_wrk "http://127.0.0.1:$PORT" -s "$BENCH_DIR/lua/new-variant.lua" -t2 -c16 -d"${DURATION}s" --timeout 30s -H "Authorization: Bearer $T")

# Warm: one cached variant, against nginx serving its file.
WARM="http://127.0.0.1:$PORT$SRC?w=400&fm=webp"
curl -fs -o "$WORK/warm.webp" -H "Authorization: Bearer $T" "$WARM"
variant_bytes=$(stat -c %s "$WORK/warm.webp")
variant_file=$(find "$WORK/data/assets/_variants" -type f -size "${variant_bytes}c" -print -quit)
NGINX_PORT=$(free_port 18880)
start_nginx "$NGINX_PORT" "$WORK/data/assets" 2
NGINX_URL="http://127.0.0.1:$NGINX_PORT/${variant_file#"$WORK/data/assets/"}"
run_wrk "$NGINX_URL" -t2 -c64 -d3s >/dev/null
read -r nginx_rps _ nginx_p50 nginx_p99 _ _ < <(run_wrk "$NGINX_URL" -t2 -c64 -d"${DURATION}s")
run_wrk "$WARM" -t2 -c64 -d3s -H "Authorization: Bearer $T" >/dev/null
read -r warm_rps _ warm_p50 warm_p99 warm_bad _ < <(run_wrk "$WARM" -t2 -c64 -d"${DURATION}s" -H "Authorization: Bearer $T")
read -r warm16_rps _ warm16_p50 warm16_p99 _ _ < <(run_wrk "$WARM" -t2 -c16 -d"${DURATION}s" -H "Authorization: Bearer $T")

# 64 concurrent cold renders of the 24-megapixel source: peak RSS.
rss_before=$(rss_mib "$SERVER_PID")
VARIANT_PATH="$BIG" wrk --latency -s "$BENCH_DIR/lua/new-variant.lua" -t2 -c64 -d"${DURATION}s" --timeout 60s -H "Authorization: Bearer $T" "http://127.0.0.1:$PORT" >"$WORK/big.wrk" 2>&1 &
WRK=$!; PIDS+=("$WRK")
rss_peak=$(peak_rss_while "$WRK" 0.2 "$rss_before")
wait_pid "$WRK" || true
read -r big_rps _ _ big_p99 big_bad _ < <(wrk_summary "$WORK/big.wrk")

# Edits: the same sources under new keys, each entry pixelated in its middle and turned a quarter.
edit() {  # edit PATH: imports a copy of the file and edits its entry; prints the serve-image path
  cp "$1" "$WORK/edit-$(basename "$1")"
  local asset id
  asset=$(curl -fs -H "Authorization: Bearer $T" --data-binary @"$WORK/edit-$(basename "$1")" "$API/mediaLibrary/assets?filename=edit-$(basename "$1")")
  id=$(curl -fs -H "Authorization: Bearer $T" -H 'Content-Type: application/json' "$API/import/mediaLibrary" \
    -d "{\"mediaLibraryEntries\": [{\"mediaType\": \"image\", \"asset\": $asset, \"metadata\": {\"title\": \"edited\"}}]}" |
    python3 -c 'import json,sys; print(json.load(sys.stdin)["results"][0]["id"])')
  curl -fs -X PATCH -H "Authorization: Bearer $T" -H 'Content-Type: application/json' "http://127.0.0.1:$PORT/api/2026-07/mediaLibrary/$id" \
    -d '{"patches": [{"operation": "setImageEdits", "value": {"rotate": 90, "pixelate": [{"x": 0.3, "y": 0.3, "w": 0.4, "h": 0.4}]}}]}' >/dev/null
  echo "/api/2026-07/mediaLibrary/serve-image/$(python3 -c 'import json,sys; print(json.loads(sys.argv[1])["key"])' "$asset")"
}
EDITED="http://127.0.0.1:$PORT$(edit "$WORK/src.jpg")"
curl -fs -o "$WORK/edited.jpg" -H "Authorization: Bearer $T" "$EDITED"
edited_bytes=$(stat -c %s "$WORK/edited.jpg")
run_wrk "$EDITED" -t2 -c64 -d3s -H "Authorization: Bearer $T" >/dev/null
read -r edited_rps _ edited_p50 edited_p99 edited_bad _ < <(run_wrk "$EDITED" -t2 -c64 -d"${DURATION}s" -H "Authorization: Bearer $T")
# The variant of the same size and kind: the whole 2000 × 1500 source as a JPEG at q=90.
WARM_FULL="http://127.0.0.1:$PORT$SRC?w=2000&fm=jpg&q=90"
curl -fs -o "$WORK/full.jpg" -H "Authorization: Bearer $T" "$WARM_FULL"
full_bytes=$(stat -c %s "$WORK/full.jpg")
run_wrk "$WARM_FULL" -t2 -c64 -d3s -H "Authorization: Bearer $T" >/dev/null
read -r warm2_rps _ warm2_p50 warm2_p99 _ _ < <(run_wrk "$WARM_FULL" -t2 -c64 -d"${DURATION}s" -H "Authorization: Bearer $T")
BIG_EDITED="http://127.0.0.1:$PORT$(edit "$WORK/big.jpg")"
rss_before_edit=$(rss_mib "$SERVER_PID")
curl -fs -o "$WORK/big-edited.jpg" -w '%{time_total}\n' -H "Authorization: Bearer $T" "$BIG_EDITED" >"$WORK/big-edited.time" &
CURL=$!; PIDS+=("$CURL")
rss_peak_edit=$(peak_rss_while "$CURL" 0.05 "$rss_before_edit")
wait_pid "$CURL"
big_edited_seconds=$(cat "$WORK/big-edited.time")
big_edited_size=$(python3 -c 'import sys; from subprocess import check_output; print(check_output(["vipsheader", sys.argv[1]]).decode().split(": ")[1].split(",")[0].strip())' "$WORK/big-edited.jpg")

python3 - <<PY
cold, vt, warm, nginx = float("$cold_rps"), float("$vt_rate"), float("$warm_rps"), float("$nginx_rps")
print("| what | requests/s | p50 / p99 | ratio | target |")
print("|---|---|---|---|---|")
print(f"| vipsthumbnail, batch, $cores processes ($((src_bytes / 1024)) KB JPEG → 400-px WebP) | {vt:.1f} | - | - | the cold limit |")
print(f"| cold: a new variant each request, $cores connections | {cold:.1f} | $cold_p50 / $cold_p99 | {cold / vt:.2f}× vipsthumbnail | ≥ 0.7× |")
print(f"| cold: 16 connections (queued behind the render limit) | {float('$cold16_rps'):.1f} | - / $cold16_p99 | {float('$cold16_rps') / vt:.2f}× | |")
print(f"| nginx serving the cached variant file ($variant_bytes bytes), 64 connections | {nginx:.0f} | $nginx_p50 / $nginx_p99 | - | the warm ceiling |")
print(f"| warm: the cached variant, 64 connections | {warm:.0f} | $warm_p50 / $warm_p99 | {warm / nginx:.2f}× nginx | ≥ 0.5×, p99 ≤ 10 ms |")
print(f"| warm: 16 connections | {float('$warm16_rps'):.0f} | $warm16_p50 / $warm16_p99 | {float('$warm16_rps') / nginx:.2f}× | |")
print(f"| 64 concurrent cold renders of a 6000 × 4000 JPEG ($((big_bytes / 1024)) KB) | {float('$big_rps'):.1f} | - / $big_p99 | RSS $rss_before → peak $rss_peak MiB | bounded |")
print(f"\nnon-2xx: cold $cold_bad, warm $warm_bad, big $big_bad")
edited, warm2 = float("$edited_rps"), float("$warm2_rps")
print()
print("| image edits | requests/s | p50 / p99 | ratio | target |")
print("|---|---|---|---|---|")
print(f"| warm edited original ($edited_bytes bytes, turned and pixelated), 64 connections | {edited:.0f} | $edited_p50 / $edited_p99 | {edited / warm2:.2f}× the warm variant | ≥ 0.9× |")
print(f"| (the 400-px WebP variant above, for scale) | {float('$warm_rps'):.0f} | - | - | |")
print(f"| warm variant of the same size (w=2000, JPEG q=90, $full_bytes bytes), the same run, 64 connections | {warm2:.0f} | $warm2_p50 / $warm2_p99 | - | |")
print(f"| cold render of an edited 6000 × 4000 JPEG (the original URL; output $big_edited_size) | - | {float('$big_edited_seconds') * 1000:.0f} ms | RSS $rss_before_edit → peak $rss_peak_edit MiB | |")
print(f"\nnon-2xx: edited $edited_bad")
PY
