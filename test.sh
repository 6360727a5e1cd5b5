#!/usr/bin/env bash
# Runs the whole test suite against SQLite and against PostgreSQL (and the blob-store tests
# against an S3-compatible server). Installs what is missing (Debian's postgresql, the npm
# package s3rver), starts both on loopback in a temporary folder, stops them on exit.
# The last line is the totals: "Totals: N passed, N failed".
set -euo pipefail
cd "$(dirname "$0")"
ROOT=$(pwd)
WORK=$(mktemp -d /tmp/medialibrary-test.XXXXXX)
chmod 755 "$WORK"
TOOLS="${MEDIALIBRARY_TOOLS:-${XDG_CACHE_HOME:-$HOME/.cache}/medialibrary-test-tools}"
PG_PID_DIR="$WORK/pg"
S3_PID=""

log() { echo "test.sh: $*" >&2; }

as_pg_user() {
  if [ "$(id -u)" = 0 ]; then runuser -u postgres -- "$@"; else "$@"; fi
}

cleanup() {
  set +e
  if [ -n "${PG_BIN:-}" ] && [ -f "$PG_PID_DIR/postmaster.pid" ]; then
    as_pg_user "$PG_BIN/pg_ctl" -D "$PG_PID_DIR" -m immediate stop >/dev/null 2>&1
  fi
  if [ -n "$S3_PID" ]; then kill "$S3_PID" 2>/dev/null; wait "$S3_PID" 2>/dev/null; fi
  rm -rf "$WORK"
}
trap cleanup EXIT

free_port() {
  local port
  for port in $(seq "$1" $(( $1 + 200 ))); do
    if ! (exec 3<>"/dev/tcp/127.0.0.1/$port") 2>/dev/null; then echo "$port"; return; fi
  done
  log "no free port near $1"; exit 1
}

# --- PostgreSQL -------------------------------------------------------------------------------
PG_BIN=$(ls -d /usr/lib/postgresql/*/bin 2>/dev/null | sort -V | tail -n 1 || true)
if [ -z "$PG_BIN" ] || [ ! -x "$PG_BIN/initdb" ]; then
  log "installing PostgreSQL from Debian packages"
  export DEBIAN_FRONTEND=noninteractive
  apt-get update -qq >&2
  apt-get install -y -qq postgresql >&2
  PG_BIN=$(ls -d /usr/lib/postgresql/*/bin | sort -V | tail -n 1)
  # The package may start its own cluster on port 5432; the tests use a throwaway one.
  command -v pg_ctlcluster >/dev/null && pg_ctlcluster "$(basename "$(dirname "$PG_BIN")")" main stop >/dev/null 2>&1 || true
fi
if [ "$(id -u)" = 0 ] && ! id postgres >/dev/null 2>&1; then
  useradd --system --home-dir /var/lib/postgresql --shell /bin/bash postgres
fi
mkdir -p "$PG_PID_DIR" "$WORK/pgsock" "$WORK/pglog"
[ "$(id -u)" = 0 ] && chown postgres "$PG_PID_DIR" "$WORK/pgsock" "$WORK/pglog"
as_pg_user "$PG_BIN/initdb" -D "$PG_PID_DIR" -U postgres -A trust --no-sync >"$WORK/initdb.log" 2>&1 \
  || { cat "$WORK/initdb.log" >&2; exit 1; }
# A port nobody listens on can still be taken as the local end of an outgoing connection: try
# a few before giving up.
started_pg=""
for base in 55432 45432 35432; do
  PG_PORT=$(free_port "$base")
  if as_pg_user "$PG_BIN/pg_ctl" -D "$PG_PID_DIR" -l "$WORK/pglog/postgres.log" -w -t 60 start \
    -o "-h 127.0.0.1 -p $PG_PORT -k $WORK/pgsock -c fsync=off -c synchronous_commit=off -c full_page_writes=off -c max_connections=300" >/dev/null; then
    started_pg=1; break
  fi
  log "PostgreSQL could not listen on $PG_PORT; trying another port"
done
[ -n "$started_pg" ] || { cat "$WORK/pglog/postgres.log" >&2; exit 1; }
log "PostgreSQL on 127.0.0.1:$PG_PORT"

# --- S3-compatible server (s3rver) ------------------------------------------------------------
if [ ! -f "$TOOLS/node_modules/s3rver/bin/s3rver.js" ]; then
  log "installing s3rver 3.7.1 into $TOOLS"
  mkdir -p "$TOOLS"
  npm install --silent --no-audit --no-fund --prefix "$TOOLS" s3rver@3.7.1 >&2
fi
S3_PORT=$(free_port 54569)
mkdir -p "$WORK/s3"
node "$TOOLS/node_modules/s3rver/bin/s3rver.js" -d "$WORK/s3" -a 127.0.0.1 -p "$S3_PORT" --silent &
S3_PID=$!
for _ in $(seq 1 100); do (exec 3<>"/dev/tcp/127.0.0.1/$S3_PORT") 2>/dev/null && break; sleep 0.1; done
log "s3rver on 127.0.0.1:$S3_PORT"

export MEDIALIBRARY_TEST_POSTGRES="Host=127.0.0.1;Port=$PG_PORT;Username=postgres;Pooling=true;Maximum Pool Size=50"
export MEDIALIBRARY_TEST_S3="http://127.0.0.1:$S3_PORT"
export DOTNET_CLI_TELEMETRY_OPTOUT=1 DOTNET_NOLOGO=1

# --- Chromium for the browser tests (Debian's, driven by its chromedriver) --------------------
if [ ! -x /usr/bin/chromium ] || [ ! -x /usr/bin/chromedriver ]; then
  log "installing chromium and chromium-driver from Debian packages"
  export DEBIAN_FRONTEND=noninteractive
  apt-get update -qq >&2
  apt-get install -y -qq chromium chromium-driver >&2
fi

# --- build once, run the suite per database ---------------------------------------------------
dotnet build tests/MediaLibrary.Tests -c Release -nologo -v quiet

passed=0; failed=0; status=0
for provider in sqlite postgres; do
  log "running the suite on $provider"
  trx="$WORK/results-$provider.trx"
  MEDIALIBRARY_TEST_PROVIDER=$provider dotnet test tests/MediaLibrary.Tests -c Release --no-build -nologo \
    --logger "trx;LogFileName=$trx" --logger "console;verbosity=minimal" || status=1
  if [ -f "$trx" ]; then
    counters=$(grep -o '<Counters [^>]*>' "$trx")
    p=$(sed -E 's/.* passed="([0-9]+)".*/\1/' <<<"$counters")
    f=$(sed -E 's/.* failed="([0-9]+)".*/\1/' <<<"$counters")
    log "$provider: $p passed, $f failed"
    passed=$((passed + p)); failed=$((failed + f))
  else
    log "$provider: no results (the test run crashed)"
    failed=$((failed + 1)); status=1
  fi
done

[ "$failed" -gt 0 ] && status=1
echo "Totals: $passed passed, $failed failed"
exit $status
