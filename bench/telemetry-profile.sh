#!/usr/bin/env bash
# Telemetry's cost as a share of the server's own CPU (issue #31), which the host's drift cannot
# blur as it blurs throughput: the server under GET entry load (wrk -t2 -c64) is sampled with
# `perf record` (999 Hz, 8 s) in two modes, and the share of samples in telemetry code is printed:
#   on    /metrics on (the default), scraped every second;
#   otlp  the same, and every request traced and exported over OTLP/HTTP to a local nginx.
# The symbols come from the runtime's perf map (DOTNET_PerfMapEnabled=1; W^X off so perf can read
# the JIT's code). ENTRIES (100,000) entries on SQLite. Needs perf (Debian: linux-perf).
source "$(dirname "$0")/lib.sh"
need wrk curl python3 nginx
command -v perf >/dev/null || apt_install linux-perf
export ENTRIES=${ENTRIES:-100000}
build_release
use_database sqlite
env MediaLibrary__DataDirectory="$WORK/data" "${settings[@]}" dotnet "$WORK/app/MediaLibrary.dll" seed --entries "$ENTRIES" >&2
PORT=$(free_port 18980)
RECEIVER_PORT=$(free_port 18990)
start_otlp_receiver "$RECEIVER_PORT"
T=$(token "${settings[@]}")

profile() {  # profile MODE
  local extra=(DOTNET_PerfMapEnabled=1 DOTNET_EnableWriteXorExecute=0 MediaLibrary__Metrics__Enabled=true)
  [ "$1" = otlp ] && extra+=(OTEL_EXPORTER_OTLP_ENDPOINT="http://127.0.0.1:$RECEIVER_PORT" OTEL_EXPORTER_OTLP_PROTOCOL=http/protobuf)
  start_server "$PORT" "${settings[@]}" "${extra[@]}"
  local base="http://127.0.0.1:$PORT"
  ( while true; do curl -fs -o /dev/null "$base/metrics"; sleep 1; done ) &
  local scraper=$!; PIDS+=("$scraper")
  run_wrk "$base" -s "$BENCH_DIR/lua/get-entry.lua" -t2 -c64 -d5s -H "Authorization: Bearer $T" >/dev/null
  run_wrk "$base" -s "$BENCH_DIR/lua/get-entry.lua" -t2 -c64 -d12s -H "Authorization: Bearer $T" >"$WORK/wrk-$1.txt" &
  local load=$!
  sleep 1
  perf record -F 999 -g -p "$SERVER_PID" -o "$WORK/perf-$1.data" -- sleep 8 >/dev/null 2>&1
  wait "$load"
  stop_pid "$scraper"
  stop_server
  perf report -i "$WORK/perf-$1.data" --no-children --sort symbol -g none 2>/dev/null | grep '%' >"$WORK/perf-$1.txt"
}

profile on
profile otlp
python3 - "$WORK" <<'PY'
import re, sys
work = sys.argv[1]
groups = {
    "OpenTelemetry SDK and exporters": lambda s: "[OpenTelemetry" in s,
    "System.Diagnostics (meters, activities)": lambda s: "[System.Diagnostics.DiagnosticSource]" in s,
    "ASP.NET Core's own metrics and diagnostics": lambda s: "HostingMetrics" in s or "HostingApplicationDiagnostics" in s or "KestrelMetrics" in s,
}
print("| mode | GET entry req/s | " + " | ".join(groups) + " | telemetry in all |")
print("|---|---|" + "---|" * len(groups) + "---|")
for mode in ("on", "otlp"):
    shares = dict.fromkeys(groups, 0.0)
    for line in open(f"{work}/perf-{mode}.txt"):
        m = re.match(r"\s*([\d.]+)%\s+\[.\]\s+(.*)", line)
        if m:
            for name, test in groups.items():
                if test(m.group(2)):
                    shares[name] += float(m.group(1))
    rps = open(f"{work}/wrk-{mode}.txt").read().split()[0]
    print(f"| {mode} | {float(rps):,.0f} | " + " | ".join(f"{v:.1f} %" for v in shares.values()) + f" | {sum(shares.values()):.1f} % |")
PY
