# Shared helpers of the bench scripts: install tools, build and start the Release server, make tokens.
# Everything listens on 127.0.0.1 only. A script stops exactly what it started, on exit (also on
# Ctrl-C or SIGTERM): its background processes by their recorded PID, each of its nginx instances
# through the pid file in that instance's own prefix folder, its PostgreSQL cluster with
# `pg_ctl stop -D` on that cluster's own data folder. Nothing else on the machine is signalled.
set -euo pipefail
BENCH_DIR=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
ROOT=$(cd "$BENCH_DIR/.." && pwd)
WORK=$(mktemp -d /tmp/medialibrary-bench.XXXXXX)
chmod 755 "$WORK"
PIDS=()              # background processes started by this script and not yet waited for
declare -A NGINX_PID # prefix folder -> PID of the nginx master started there

bench_cleanup() {
  local dir
  for dir in "${!NGINX_PID[@]}"; do stop_nginx "$dir"; done
  [ ${#PIDS[@]} -eq 0 ] || stop_pid "${PIDS[@]}"
  stop_postgres
  rm -rf "$WORK"
}
trap bench_cleanup EXIT   # bash runs it on SIGINT, SIGTERM and SIGHUP too

# forget PID: drops a process that has exited and been waited for (its number may be reused).
forget() {
  local keep=() pid
  for pid in "${PIDS[@]}"; do [ "$pid" = "$1" ] || keep+=("$pid"); done
  PIDS=("${keep[@]}")
}
# wait_pid PID: waits for one of this script's background processes; returns its status.
wait_pid() { local rc=0; wait "$1" || rc=$?; forget "$1"; return "$rc"; }
# stop_pid PID...: SIGTERM to these background processes of this script, SIGKILL to any still
# there after 20 s; waits for them.
stop_pid() {
  local pid left
  kill "$@" 2>/dev/null || true
  for _ in $(seq 1 200); do
    left=0; for pid in "$@"; do if kill -0 "$pid" 2>/dev/null; then left=1; fi; done
    [ $left = 0 ] && break; sleep 0.1
  done
  for pid in "$@"; do
    if kill -0 "$pid" 2>/dev/null; then kill -KILL "$pid" 2>/dev/null || true; fi
    wait "$pid" 2>/dev/null || true
    forget "$pid"
  done
}

# apt_install PACKAGE...: Debian packages, without recommends; `apt-get update` first if needed.
apt_install() {
  [ "$(id -u)" = 0 ] || { echo "bench: missing Debian packages: $* (apt-get install $* as root)" >&2; exit 1; }
  echo "bench: installing $*" >&2
  DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends "$@" >&2 \
    || { apt-get update -qq >&2 && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends "$@" >&2; }
}

# need TOOL...: installs the Debian package of each missing tool (wrk, nginx, curl, python3,
# vips/vipsthumbnail from libvips-tools, pgrep from procps). dotnet (the .NET 10 SDK) is not in
# Debian's archive and must be there already.
need() {
  command -v dotnet >/dev/null || { echo "bench: dotnet (the .NET 10 SDK) is missing; it is not a Debian package" >&2; exit 1; }
  local tool package packages=()
  for tool in "$@"; do
    command -v "$tool" >/dev/null && continue
    case $tool in
      vips|vipsthumbnail) package=libvips-tools;;
      pgrep) package=procps;;
      *) package=$tool;;   # wrk, nginx, curl, python3: the package has the tool's name
    esac
    [[ " ${packages[*]} " == *" $package "* ]] || packages+=("$package")
  done
  [ ${#packages[@]} -gt 0 ] || return 0
  apt_install "${packages[@]}"
  if [[ " ${packages[*]} " == *" nginx "* ]]; then
    # Installing Debian's nginx starts its packaged service on port 80. This run installed the
    # package, so that service is the one it started: stop it (the benchmarks run their own).
    service nginx stop >/dev/null 2>&1 || true
  fi
}

free_port() {
  local port
  for port in $(seq "$1" $(( $1 + 200 ))); do
    if ! (exec 3<>"/dev/tcp/127.0.0.1/$port") 2>/dev/null; then echo "$port"; return; fi
  done
  echo "no free port near $1" >&2; exit 1
}

# build_release: publishes this tree's server into $WORK/app, or with APP=DIR uses that published
# build instead (bench/ab.sh builds two commits once and runs each several times).
build_release() {
  if [ -n "${APP:-}" ]; then
    ln -s "$APP" "$WORK/app"
    return
  fi
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

# stop_server: stops the server start_server started last.
stop_server() { stop_pid "$SERVER_PID"; }

token() {
  env MediaLibrary__DataDirectory="$WORK/data" "$@" dotnet "$WORK/app/MediaLibrary.dll" token create --name "bench-$RANDOM$RANDOM" --scopes public-api:read,public-api:write 2>/dev/null
}

# run_nginx DIR: starts nginx (in the foreground, as a background job of this script) with prefix
# DIR and DIR/nginx.conf, which must say `pid DIR/nginx.pid;`. Sets NGINX_PID[DIR]; stopped on exit.
run_nginx() {
  local dir=$1
  nginx -p "$dir" -c "$dir/nginx.conf" -e "$dir/error.log" -g 'daemon off;' &
  NGINX_PID[$dir]=$!
  for _ in $(seq 1 50); do [ -s "$dir/nginx.pid" ] && return 0; sleep 0.1; done
  cat "$dir/error.log" >&2 2>/dev/null || true
  echo "bench: nginx in $dir did not start" >&2; exit 1
}

# stop_nginx DIR: `nginx -s quit` for the instance of DIR (its own conf and pid file), then waits
# for its master; stop_pid on that master's PID if it has not gone after 5 s.
stop_nginx() {
  local dir=$1 pid=${NGINX_PID[$1]}
  nginx -p "$dir" -c "$dir/nginx.conf" -e "$dir/error.log" -s quit 2>/dev/null || kill "$pid" 2>/dev/null || true
  for _ in $(seq 1 50); do [ -e "$dir/nginx.pid" ] || break; sleep 0.1; done
  if [ -e "$dir/nginx.pid" ]; then PIDS+=("$pid"); stop_pid "$pid"; else wait "$pid" 2>/dev/null || true; fi
  unset "NGINX_PID[$dir]"
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
  run_nginx "$WORK/nginx"
}

rss_mib() { awk '/VmRSS/ {printf "%.0f", $2/1024}' "/proc/$1/status"; }

# peak_rss_while PID INTERVAL START: the server's (SERVER_PID) highest RSS in MiB, sampled every
# INTERVAL seconds while the background process PID runs, at least START. The caller waits for PID.
peak_rss_while() {
  local peak=$3 rss
  while kill -0 "$1" 2>/dev/null; do
    rss=$(rss_mib "$SERVER_PID"); [ "$rss" -gt "$peak" ] && peak=$rss
    sleep "$2"
  done
  echo "$peak"
}

# start_otlp_receiver PORT: nginx on loopback answering 200 to every OTLP/HTTP export (a trace
# receiver that costs next to nothing), stopped on exit.
start_otlp_receiver() {
  mkdir -p "$WORK/otlp"
  cat >"$WORK/otlp/nginx.conf" <<CONF
pid $WORK/otlp/nginx.pid;
events { worker_connections 1024; }
http { access_log off; client_max_body_size 64m; server { listen 127.0.0.1:$1; location / { return 200; } } }
CONF
  run_nginx "$WORK/otlp"
}

# wrk_summary FILE: "req/s MB/s p50 p99 non-2xx answered" from the output of `wrk --latency`.
wrk_summary() {
  awk '
    /Requests\/sec/ {rps=$2}
    /Transfer\/sec/ {t=$2; if (t ~ /GB/) {sub("GB","",t); t*=1024} else if (t ~ /MB/) {sub("MB","",t)} else if (t ~ /KB/) {sub("KB","",t); t/=1024} else {t=t/1048576}; mbs=t}
    /^ +50%/ {p50=$2} /^ +99%/ {p99=$2}
    /Non-2xx/ {bad=$NF}
    / requests in / {total=$1}
    END {printf "%s %.1f %s %s %s %s\n", rps, mbs, p50, p99, (bad==""?0:bad), total}' "$1"
}

# run_wrk URL [wrk args...]: prints "req/s MB/s p50 p99 non-2xx answered" from one wrk run.
run_wrk() {
  local url=$1; shift
  wrk --latency "$@" "$url" >"$WORK/wrk.out" 2>&1
  wrk_summary "$WORK/wrk.out"
}

# start_postgres: a throwaway cluster in $WORK/pg (PG_DATA) on a free loopback port; sets
# PG_CONNECTION. Stopped on exit with `pg_ctl stop -D $PG_DATA`. If PostgreSQL is missing, installs
# Debian's `postgresql` and stops the cluster that package starts (15/main): this run started it.
start_postgres() {
  local bin
  bin=$(ls -d /usr/lib/postgresql/*/bin 2>/dev/null | sort -V | tail -n 1 || true)
  if [ -z "$bin" ]; then
    apt_install postgresql
    bin=$(ls -d /usr/lib/postgresql/*/bin | sort -V | tail -n 1)
    local version
    version=$(basename "$(dirname "$bin")")
    pg_ctlcluster "$version" main stop >/dev/null 2>&1 || true
  fi
  local as=()
  [ "$(id -u)" = 0 ] && as=(runuser -u postgres --)
  PG_DATA="$WORK/pg"
  mkdir -p "$PG_DATA" "$WORK/pgrun"
  [ "$(id -u)" = 0 ] && chown postgres "$PG_DATA" "$WORK/pgrun"
  local port
  port=$(free_port 56432)
  "${as[@]}" "$bin/initdb" -D "$PG_DATA" -U postgres -A trust --no-sync >/dev/null
  PG_STOP=("${as[@]}" "$bin/pg_ctl" -D "$PG_DATA" -m fast -w stop)
  "${as[@]}" "$bin/pg_ctl" -D "$PG_DATA" -l "$WORK/pgrun/log" -w start \
    -o "-h 127.0.0.1 -p $port -k $WORK/pgrun -c shared_buffers=512MB -c synchronous_commit=off" >/dev/null
  PG_PSQL=("$bin/psql" -h 127.0.0.1 -p "$port" -U postgres -d media -tAq)
  "${as[@]}" "$bin/psql" -h 127.0.0.1 -p "$port" -U postgres -qc "CREATE DATABASE media" >/dev/null
  PG_CONNECTION="Host=127.0.0.1;Port=$port;Username=postgres;Database=media${PG_POOL:+;Maximum Pool Size=$PG_POOL}"
}

# postmaster_pid: the PID of this script's PostgreSQL cluster (empty without one).
postmaster_pid() { [ -n "${PG_DATA:-}" ] && [ -s "$PG_DATA/postmaster.pid" ] && head -n 1 "$PG_DATA/postmaster.pid" || true; }

# sql_scalar SQL: one value from the benchmark's database (SQLite file or PostgreSQL cluster).
sql_scalar() {
  if [ -n "${PG_PSQL+x}" ]; then
    "${PG_PSQL[@]}" -c "$1"
  else
    python3 -c 'import sqlite3, sys; print(sqlite3.connect(sys.argv[1]).execute(sys.argv[2]).fetchone()[0])' "$WORK/data/medialibrary.db" "$1"
  fi
}

stop_postgres() {
  if [ -n "${PG_STOP+x}" ]; then "${PG_STOP[@]}" >/dev/null 2>&1 || true; unset PG_STOP; fi
}

# use_database sqlite|postgres: sets `settings` (environment for the server and the CLI); a
# PostgreSQL cluster is started here and stopped on exit.
use_database() {
  settings=()
  if [ "$1" = postgres ]; then
    start_postgres
    settings=(MediaLibrary__Database__Provider=postgres "MediaLibrary__Database__ConnectionString=$PG_CONNECTION")
  fi
}
