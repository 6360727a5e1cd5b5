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

# start_nginx PORT ROOT WORKERS: nginx serving the folder ROOT on loopback (sendfile, ETags), stopped on exit.
start_nginx() {
  mkdir -p "$WORK/nginx"
  cat >"$WORK/nginx/nginx.conf" <<CONF
worker_processes $3;
pid $WORK/nginx/nginx.pid;
error_log $WORK/nginx/error.log;
events { worker_connections 1024; }
http {
  access_log off;
  sendfile on; tcp_nopush on;
  default_type image/jpeg;
  server { listen 127.0.0.1:$1; root $2; etag on; }
}
CONF
  nginx -c "$WORK/nginx/nginx.conf" -p "$WORK/nginx" -g 'daemon off;' &
  PIDS+=($!)
  sleep 0.5
}

rss_mib() { awk '/VmRSS/ {printf "%.0f", $2/1024}' "/proc/$1/status"; }

# run_wrk URL [wrk args...]: prints "req/s MB/s p50 p99 non-2xx answered" from one wrk run.
run_wrk() {
  local url=$1; shift
  wrk --latency "$@" "$url" >"$WORK/wrk.out" 2>&1
  awk '
    /Requests\/sec/ {rps=$2}
    /Transfer\/sec/ {t=$2; if (t ~ /GB/) {sub("GB","",t); t*=1024} else if (t ~ /MB/) {sub("MB","",t)} else if (t ~ /KB/) {sub("KB","",t); t/=1024} else {t=t/1048576}; mbs=t}
    /^ +50%/ {p50=$2} /^ +99%/ {p99=$2}
    /Non-2xx/ {bad=$NF}
    / requests in / {total=$1}
    END {printf "%s %.1f %s %s %s %s\n", rps, mbs, p50, p99, (bad==""?0:bad), total}' "$WORK/wrk.out"
}

# start_postgres: a throwaway cluster in $WORK on a free loopback port; sets PG_CONNECTION.
start_postgres() {
  local bin
  bin=$(ls -d /usr/lib/postgresql/*/bin 2>/dev/null | sort -V | tail -n 1 || true)
  if [ -z "$bin" ]; then
    DEBIAN_FRONTEND=noninteractive apt-get install -y -qq postgresql >&2 \
      || { apt-get update -qq >&2 && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq postgresql >&2; }
    bin=$(ls -d /usr/lib/postgresql/*/bin | sort -V | tail -n 1)
  fi
  local as=()
  [ "$(id -u)" = 0 ] && as=(runuser -u postgres --)
  mkdir -p "$WORK/pg" "$WORK/pgrun"
  [ "$(id -u)" = 0 ] && chown postgres "$WORK/pg" "$WORK/pgrun"
  local port
  port=$(free_port 56432)
  "${as[@]}" "$bin/initdb" -D "$WORK/pg" -U postgres -A trust --no-sync >/dev/null
  "${as[@]}" "$bin/pg_ctl" -D "$WORK/pg" -l "$WORK/pgrun/log" -w start \
    -o "-h 127.0.0.1 -p $port -k $WORK/pgrun -c shared_buffers=512MB -c synchronous_commit=off" >/dev/null
  PG_STOP=("${as[@]}" "$bin/pg_ctl" -D "$WORK/pg" -m fast stop)
  PG_PSQL=("$bin/psql" -h 127.0.0.1 -p "$port" -U postgres -d media -tAq)
  "${as[@]}" "$bin/psql" -h 127.0.0.1 -p "$port" -U postgres -qc "CREATE DATABASE media" >/dev/null
  PG_CONNECTION="Host=127.0.0.1;Port=$port;Username=postgres;Database=media${PG_POOL:+;Maximum Pool Size=$PG_POOL}"
}

# sql_scalar SQL: one value from the benchmark's database (SQLite file or PostgreSQL cluster).
sql_scalar() {
  if [ -n "${PG_PSQL+x}" ]; then
    "${PG_PSQL[@]}" -c "$1"
  else
    python3 -c 'import sqlite3, sys; print(sqlite3.connect(sys.argv[1]).execute(sys.argv[2]).fetchone()[0])' "$WORK/data/medialibrary.db" "$1"
  fi
}

stop_postgres() { [ -n "${PG_STOP+x}" ] && "${PG_STOP[@]}" >/dev/null 2>&1 || true; }

# use_database sqlite|postgres: sets `settings` (environment for the server and the CLI); a
# PostgreSQL cluster is started here and stopped on exit.
use_database() {
  settings=()
  trap 'stop_postgres; bench_cleanup' EXIT
  if [ "$1" = postgres ]; then
    start_postgres
    settings=(MediaLibrary__Database__Provider=postgres "MediaLibrary__Database__ConnectionString=$PG_CONNECTION")
  fi
}
