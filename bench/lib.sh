# Shared helpers of the bench scripts: install tools, build and start the Release server, make tokens.
# Everything listens on 127.0.0.1 only and is stopped on exit.
set -euo pipefail
BENCH_DIR=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
ROOT=$(cd "$BENCH_DIR/.." && pwd)
WORK=$(mktemp -d /tmp/medialibrary-bench.XXXXXX)
chmod 755 "$WORK"
PIDS=()

bench_cleanup() {
  for pid in "${PIDS[@]}"; do kill "$pid" 2>/dev/null || true; done
  wait 2>/dev/null || true
  rm -rf "$WORK"
}
trap bench_cleanup EXIT

need() {
  local missing=()
  for tool in "$@"; do command -v "$tool" >/dev/null || missing+=("$tool"); done
  if [ ${#missing[@]} -gt 0 ]; then
    echo "bench: installing ${missing[*]}" >&2
    local packages=()
    for tool in "${missing[@]}"; do case $tool in nginx) packages+=(nginx-light);; *) packages+=("$tool");; esac; done
    DEBIAN_FRONTEND=noninteractive apt-get install -y -qq "${packages[@]}" >&2 \
      || { apt-get update -qq >&2 && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq "${packages[@]}" >&2; }
    # Debian starts the packaged nginx on port 80; the benchmarks run their own.
    pkill -x nginx 2>/dev/null || true
  fi
}

free_port() {
  local port
  for port in $(seq "$1" $(( $1 + 200 ))); do
    if ! (exec 3<>"/dev/tcp/127.0.0.1/$port") 2>/dev/null; then echo "$port"; return; fi
  done
  echo "no free port near $1" >&2; exit 1
}

build_release() {
  dotnet publish "$ROOT/src/MediaLibrary" -c Release -o "$WORK/app" -nologo -v quiet >&2
}

# start_server PORT [env assignments...]: starts the published server with its data under $WORK/data.
start_server() {
  local port=$1; shift
  env MediaLibrary__DataDirectory="$WORK/data" Logging__LogLevel__Default=Warning "$@" \
    dotnet "$WORK/app/MediaLibrary.dll" --urls "http://127.0.0.1:$port" >"$WORK/server-$port.log" 2>&1 &
  SERVER_PID=$!
  PIDS+=("$SERVER_PID")
  for _ in $(seq 1 200); do
    curl -fs "http://127.0.0.1:$port/healthz" >/dev/null 2>&1 && return 0
    sleep 0.1
  done
  cat "$WORK/server-$port.log" >&2; exit 1
}

token() {
  env MediaLibrary__DataDirectory="$WORK/data" "$@" dotnet "$WORK/app/MediaLibrary.dll" token create --name "bench-$RANDOM$RANDOM" --scopes public-api:read,public-api:write 2>/dev/null
}

rss_mib() { awk '/VmRSS/ {printf "%.0f", $2/1024}' "/proc/$1/status"; }

# run_wrk URL [wrk args...]: prints "req/s MB/s p50 p99" from one wrk run.
run_wrk() {
  local url=$1; shift
  wrk --latency "$@" "$url" >"$WORK/wrk.out" 2>&1
  awk '
    /Requests\/sec/ {rps=$2}
    /Transfer\/sec/ {t=$2; if (t ~ /GB/) {sub("GB","",t); t*=1024} else if (t ~ /MB/) {sub("MB","",t)} else if (t ~ /KB/) {sub("KB","",t); t/=1024} else {t=t/1048576}; mbs=t}
    /^ +50%/ {p50=$2} /^ +99%/ {p99=$2}
    /Non-2xx/ {bad=$NF}
    END {printf "%s %.1f %s %s %s\n", rps, mbs, p50, p99, (bad==""?0:bad)}' "$WORK/wrk.out"
}
