#!/usr/bin/env bash
# Hangar backing services (PostgreSQL, Redis, MinIO) as plain local processes,
# for machines without a Docker engine (Debian 12; root, sudo user or CI).
# With Docker, use docker-compose.yml instead.
#
# Usage:
#   scripts/services.sh up     [SERVICE...]   start (installing what is missing) and wait until they answer
#   scripts/services.sh down   [SERVICE...]   stop; data is kept
#   scripts/services.sh status [SERVICE...]   one line per service; exit 1 if any is down
#   scripts/services.sh start|stop|restart SERVICE...
#   SERVICE is postgres, redis or minio (default: all three).
#
# Everything lives in the git-ignored .hangar/ at the repo root:
#   .hangar/pg  .hangar/redis  .hangar/minio  .hangar/logs/<service>.log  .hangar/run (pid files, pg socket)
#
# PostgreSQL: our own cluster (not the Debian system cluster), superuser "hangar"
#   with password "hangar". TCP (127.0.0.1 only) uses scram-sha-256; the unix
#   socket in .hangar/run/pg uses trust. When run as root, the cluster runs as
#   the "postgres" OS user (postgres refuses to run as root).
# Redis: AOF on (a restart keeps queued jobs), no RDB snapshots.
# MinIO: built once with `go install` into ${XDG_CACHE_HOME:-~/.cache}/hangar/.
#
# Environment overrides (defaults match the app's config defaults):
#   HANGAR_PG_PORT=55432  HANGAR_REDIS_PORT=56379
#   HANGAR_MINIO_PORT=59000  HANGAR_MINIO_CONSOLE_PORT=59001
#   HANGAR_PG_PASSWORD=hangar (applied only when the cluster is created)
#   HANGAR_MINIO_ROOT_USER=hangar  HANGAR_MINIO_ROOT_PASSWORD=hangar-secret-key
#   HANGAR_WAIT_SECONDS=60 (per-service startup/shutdown wait)
#   HANGAR_MINIO_BIN (use this minio binary instead of building one)
#   HANGAR_DATA_DIR=.hangar (where data, logs and pid files go; tests start
#     throw-away instances of a service with their own dir and ports)
set -euo pipefail

MINIO_VERSION=v0.0.0-20260212201848-7aac2a2c5b7c
MINIO_MODULE=github.com/minio/minio
GO_MIN_MAJOR=1
GO_MIN_MINOR=24

ROOT_DIR=$(cd -- "$(dirname -- "${BASH_SOURCE[0]}")/.." && pwd -P)
DATA_DIR=${HANGAR_DATA_DIR:-$ROOT_DIR/.hangar}
RUN_DIR=$DATA_DIR/run
LOG_DIR=$DATA_DIR/logs

PG_PORT=${HANGAR_PG_PORT:-55432}
PG_USER=hangar
PG_PASSWORD=${HANGAR_PG_PASSWORD:-hangar}
PG_DB=hangar
PG_DATA=$DATA_DIR/pg
PG_SOCK=$RUN_DIR/pg # unix socket + external pid file; owned by the cluster's OS user
PG_PIDFILE=$PG_SOCK/postgres.pid
PG_LOG=$LOG_DIR/postgres.log

REDIS_PORT=${HANGAR_REDIS_PORT:-56379}
REDIS_DIR=$DATA_DIR/redis
REDIS_PIDFILE=$RUN_DIR/redis.pid
REDIS_LOG=$LOG_DIR/redis.log

MINIO_PORT=${HANGAR_MINIO_PORT:-59000}
MINIO_CONSOLE_PORT=${HANGAR_MINIO_CONSOLE_PORT:-59001}
MINIO_USER=${HANGAR_MINIO_ROOT_USER:-hangar}
MINIO_PASSWORD=${HANGAR_MINIO_ROOT_PASSWORD:-hangar-secret-key}
MINIO_DATA=$DATA_DIR/minio
MINIO_PIDFILE=$RUN_DIR/minio.pid
MINIO_LOG=$LOG_DIR/minio.log
MINIO_CACHE_DIR=${XDG_CACHE_HOME:-${HOME:-$(getent passwd "$(id -u)" | cut -d: -f6)}/.cache}/hangar/minio-$MINIO_VERSION
MINIO_BIN=${HANGAR_MINIO_BIN:-$MINIO_CACHE_DIR/minio}

WAIT_SECONDS=${HANGAR_WAIT_SECONDS:-60}
ALL_SERVICES=(postgres redis minio)
PG_BIN='' # resolved lazily by pg_bin / pg_find_bin
PG_BIN_ERROR=''

# ---------------------------------------------------------------- helpers

say() { printf '%s\n' "$*"; }
die() {
  printf 'services.sh: error: %s\n' "$*" >&2
  exit 1
}
is_root() { [[ $(id -u) -eq 0 ]]; }

# Run a command as root (directly, or through sudo; never prompt in CI / without a tty).
as_root() {
  if is_root; then
    "$@"
  elif command -v sudo >/dev/null 2>&1; then
    if [[ -n ${CI:-} || ! -t 0 ]]; then sudo -n "$@"; else sudo "$@"; fi
  else
    die "need root to run '$*' but sudo is not installed; install the packages by hand"
  fi
}

apt_install() {
  command -v apt-get >/dev/null 2>&1 || die "missing packages ($*) and no apt-get: install them by hand"
  say "==> installing $* (apt-get)"
  as_root env DEBIAN_FRONTEND=noninteractive apt-get update -q
  as_root env DEBIAN_FRONTEND=noninteractive apt-get install -y -q --no-install-recommends "$@"
}

# read_pid FILE -> prints the pid in FILE (first line) if it looks like one.
read_pid() {
  local pid
  [[ -r $1 ]] || return 1
  pid=$(head -n 1 -- "$1" 2>/dev/null) || return 1
  [[ $pid =~ ^[0-9]+$ ]] || return 1
  printf '%s\n' "$pid"
}

# proc_is PID COMM [CWD]: PID is alive, is named COMM and (optionally) runs in CWD.
# Guards against pid files that survived a reboot / kill -9 and whose pid was reused.
proc_is() {
  local pid=$1 comm=$2 cwd=${3:-} actual
  [[ -r /proc/$pid/comm ]] || return 1
  actual=$(cat "/proc/$pid/comm" 2>/dev/null) || return 1
  [[ $actual == "$comm" ]] || return 1
  [[ -z $cwd ]] || [[ $(readlink "/proc/$pid/cwd" 2>/dev/null) == "$cwd" ]]
}

# port_open PORT: something accepts TCP connections on 127.0.0.1:PORT.
# shellcheck disable=SC2016 # $1 is expanded by the inner bash
port_open() { timeout 1 bash -c 'exec 3<>"/dev/tcp/127.0.0.1/$1"' _ "$1" 2>/dev/null; }

log_tail() {
  if [[ -s $1 ]]; then
    printf -- '--- last lines of %s ---\n' "$1" >&2
    tail -n 20 -- "$1" >&2
    printf -- '---\n' >&2
  fi
}

# wait_ready NAME LOG READY_FN RUNNING_FN
wait_ready() {
  local name=$1 log=$2 ready=$3 running=$4 start=$SECONDS
  until "$ready"; do
    if ((SECONDS - start >= WAIT_SECONDS)); then
      log_tail "$log"
      die "$name did not answer within ${WAIT_SECONDS}s; see $log"
    fi
    if ((SECONDS - start >= 3)) && ! "$running"; then
      log_tail "$log"
      die "$name exited during startup; see $log"
    fi
    sleep 0.2
  done
}

# wait_gone NAME RUNNING_FN
wait_gone() {
  local name=$1 running=$2 start=$SECONDS
  while "$running"; do
    ((SECONDS - start < WAIT_SECONDS)) || die "$name did not stop within ${WAIT_SECONDS}s"
    sleep 0.2
  done
}

# Separate runs in the (appended) log files.
log_marker() { printf '\n=== %s: scripts/services.sh starting %s ===\n' "$(date -Is)" "$2" >>"$1"; }

ensure_dirs() {
  mkdir -p -- "$RUN_DIR" "$LOG_DIR" "$REDIS_DIR" "$MINIO_DATA"
  [[ -e $DATA_DIR/.gitignore ]] || printf '*\n' >"$DATA_DIR/.gitignore"
}

# ---------------------------------------------------------------- postgres

# Run a command as the cluster's OS user (postgres when we are root).
as_pg() {
  if is_root; then
    (cd / && runuser -u postgres -- "$@")
  else
    "$@"
  fi
}

# Sets PG_BIN (the cluster's version if it exists, else 15, else the newest
# installed); on failure sets PG_BIN_ERROR and returns 1.
pg_find_bin() {
  local ver latest
  if [[ -f $PG_DATA/PG_VERSION ]]; then
    ver=$(<"$PG_DATA/PG_VERSION")
    if [[ -x /usr/lib/postgresql/$ver/bin/postgres ]]; then
      PG_BIN=/usr/lib/postgresql/$ver/bin
      return 0
    fi
    PG_BIN_ERROR="$PG_DATA was created by PostgreSQL $ver, which is not installed (apt-get install postgresql-$ver)"
    return 1
  fi
  if [[ -x /usr/lib/postgresql/15/bin/postgres ]]; then
    PG_BIN=/usr/lib/postgresql/15/bin
    return 0
  fi
  latest=$(printf '%s\n' /usr/lib/postgresql/*/bin/postgres | sort -V | tail -n 1)
  if [[ -x $latest ]]; then
    PG_BIN=${latest%/postgres}
    return 0
  fi
  PG_BIN_ERROR="PostgreSQL server binaries not found under /usr/lib/postgresql/*/bin"
  return 1
}

pg_bin() { [[ -n $PG_BIN ]] || pg_find_bin || die "$PG_BIN_ERROR"; }

pg_pid() { read_pid "$PG_DATA/postmaster.pid"; }
pg_running() {
  local pid
  pid=$(pg_pid) && proc_is "$pid" postgres "$PG_DATA"
}
pg_ready() { "$PG_BIN/pg_isready" -q -h 127.0.0.1 -p "$PG_PORT" -t 1 >/dev/null 2>&1; }
pg_up() { pg_running && pg_ready; }

pg_prepare_dirs() {
  mkdir -p -- "$PG_SOCK"
  touch -- "$PG_LOG"
  if is_root; then
    getent passwd postgres >/dev/null || die "OS user 'postgres' is missing (it comes with the postgresql package)"
    chmod go+rx -- "$DATA_DIR" "$RUN_DIR" "$LOG_DIR"
    chown -- postgres: "$PG_SOCK" "$PG_LOG"
    if [[ -d $PG_DATA && $(stat -c %U -- "$PG_DATA") != postgres ]]; then
      chown -R -- postgres: "$PG_DATA"
    fi
    as_pg test -w "$PG_SOCK" -a -w "$PG_LOG" ||
      die "the postgres OS user cannot reach $DATA_DIR (every parent directory needs o+x, e.g. chmod o+x on it); or clone the repo somewhere world-traversable"
  fi
  chmod 0755 -- "$PG_SOCK"
  local sock=$PG_SOCK/.s.PGSQL.$PG_PORT
  ((${#sock} < 100)) || die "unix socket path too long for PostgreSQL ($sock); clone the repo to a shorter path"
}

pg_init() {
  [[ -f $PG_DATA/PG_VERSION ]] && return 0
  if [[ -d $PG_DATA ]] && [[ -n $(ls -A -- "$PG_DATA") ]]; then
    die "$PG_DATA exists but is not a PostgreSQL cluster; remove it to start afresh"
  fi
  local tmp=$DATA_DIR/pg.initdb pwfile
  say "==> creating PostgreSQL cluster in $PG_DATA"
  rm -rf -- "$tmp"
  mkdir -p -- "$tmp"
  pwfile=$(mktemp)
  printf '%s\n' "$PG_PASSWORD" >"$pwfile"
  if is_root; then chown -- postgres: "$tmp" "$pwfile"; fi
  if ! as_pg "$PG_BIN/initdb" -D "$tmp" -U "$PG_USER" --pwfile="$pwfile" \
    --auth-local=trust --auth-host=scram-sha-256 -E UTF8 --no-locale >"$LOG_DIR/initdb.log" 2>&1; then
    rm -f -- "$pwfile"
    log_tail "$LOG_DIR/initdb.log"
    die "initdb failed; see $LOG_DIR/initdb.log"
  fi
  rm -f -- "$pwfile"
  [[ ! -d $PG_DATA ]] || rmdir -- "$PG_DATA"
  mv -- "$tmp" "$PG_DATA"
}

# Launch without waiting; returns 0 if already up.
pg_start() {
  pg_bin
  if pg_up; then
    say "postgres: already running (pid $(pg_pid))"
    return 0
  fi
  pg_prepare_dirs
  if pg_running; then
    say "postgres: process running, waiting for it to answer"
    return 0
  fi
  port_open "$PG_PORT" && die "port $PG_PORT is in use by another process (not our postgres); stop it or set HANGAR_PG_PORT"
  pg_init
  # Stale locks from a kill -9 / reboot: postgres only clears them itself when
  # the recorded pid is gone, not when it was reused (or is an unreaped zombie).
  # Our postmaster is not running and the port is free, so they are ours and dead.
  if [[ -e $PG_DATA/postmaster.pid ]]; then
    say "postgres: removing stale postmaster.pid"
    rm -f -- "$PG_DATA/postmaster.pid"
  fi
  rm -f -- "$PG_SOCK/.s.PGSQL.$PG_PORT" "$PG_SOCK/.s.PGSQL.$PG_PORT.lock" "$PG_PIDFILE"
  say "postgres: starting on 127.0.0.1:$PG_PORT"
  log_marker "$PG_LOG" postgres
  as_pg "$PG_BIN/pg_ctl" start -W -D "$PG_DATA" -l "$PG_LOG" \
    -o "-p $PG_PORT -c listen_addresses=127.0.0.1 -k '$PG_SOCK' -c max_connections=200 -c external_pid_file='$PG_PIDFILE'" \
    >/dev/null
}

pg_wait() { wait_ready postgres "$PG_LOG" pg_ready pg_running; }

pg_psql() { "$PG_BIN/psql" -X -q -v ON_ERROR_STOP=1 -h "$PG_SOCK" -p "$PG_PORT" -U "$PG_USER" "$@"; }

pg_ensure_db() {
  local exists
  exists=$(pg_psql -d postgres -tAc "SELECT 1 FROM pg_database WHERE datname = '$PG_DB'") ||
    die "cannot query postgres through $PG_SOCK; see $PG_LOG"
  if [[ $exists != 1 ]]; then
    say "postgres: creating database $PG_DB"
    "$PG_BIN/createdb" -h "$PG_SOCK" -p "$PG_PORT" -U "$PG_USER" -O "$PG_USER" "$PG_DB"
  fi
}

pg_stop() {
  if ! pg_find_bin || ! pg_running; then
    say "postgres: not running"
    return 0
  fi
  say "postgres: stopping"
  as_pg "$PG_BIN/pg_ctl" stop -D "$PG_DATA" -m fast -w -t "$WAIT_SECONDS" >/dev/null
}

pg_url() { say "postgresql://$PG_USER:$PG_PASSWORD@127.0.0.1:$PG_PORT/$PG_DB"; }

# ---------------------------------------------------------------- redis

redis_pid() { read_pid "$REDIS_PIDFILE"; }
redis_running() {
  local pid
  pid=$(redis_pid) && proc_is "$pid" redis-server "$REDIS_DIR"
}
redis_ready() { [[ $(timeout 2 redis-cli -h 127.0.0.1 -p "$REDIS_PORT" ping 2>/dev/null) == PONG ]]; }
redis_up() { redis_running && redis_ready; }

redis_start() {
  if redis_up; then
    say "redis: already running (pid $(redis_pid))"
    return 0
  fi
  if redis_running; then
    say "redis: process running, waiting for it to answer"
    return 0
  fi
  rm -f -- "$REDIS_PIDFILE"
  port_open "$REDIS_PORT" && die "port $REDIS_PORT is in use by another process (not our redis); stop it or set HANGAR_REDIS_PORT"
  say "redis: starting on 127.0.0.1:$REDIS_PORT"
  log_marker "$REDIS_LOG" redis
  redis-server --port "$REDIS_PORT" --bind 127.0.0.1 --dir "$REDIS_DIR" \
    --daemonize yes --pidfile "$REDIS_PIDFILE" --logfile "$REDIS_LOG" \
    --save "" --appendonly yes </dev/null >/dev/null
}

redis_wait() { wait_ready redis "$REDIS_LOG" redis_ready redis_running; }

redis_stop() {
  local pid
  if ! redis_running; then
    say "redis: not running"
    rm -f -- "$REDIS_PIDFILE"
    return 0
  fi
  pid=$(redis_pid)
  say "redis: stopping"
  # NOSAVE only skips the RDB snapshot; the AOF is still flushed and fsynced.
  timeout 5 redis-cli -h 127.0.0.1 -p "$REDIS_PORT" shutdown nosave >/dev/null 2>&1 || kill -TERM "$pid" 2>/dev/null || true
  wait_gone redis redis_running
  rm -f -- "$REDIS_PIDFILE"
}

redis_url() { say "redis://127.0.0.1:$REDIS_PORT"; }

# ---------------------------------------------------------------- minio

minio_pid() { read_pid "$MINIO_PIDFILE"; }
minio_running() {
  local pid comm=${MINIO_BIN##*/}
  pid=$(minio_pid) && proc_is "$pid" "${comm:0:15}" &&
    tr '\0' '\n' <"/proc/$pid/cmdline" 2>/dev/null | grep -qxF -- "$MINIO_DATA"
}
minio_ready() { curl -fsS -m 2 -o /dev/null "http://127.0.0.1:$MINIO_PORT/minio/health/live" 2>/dev/null; }
minio_up() { minio_running && minio_ready; }

find_go() {
  if command -v go >/dev/null 2>&1; then
    command -v go
  elif [[ -x /usr/local/go/bin/go ]]; then
    say /usr/local/go/bin/go
  else
    return 1
  fi
}

minio_build() {
  [[ -x $MINIO_BIN ]] && return 0
  [[ -z ${HANGAR_MINIO_BIN:-} ]] || die "HANGAR_MINIO_BIN=$HANGAR_MINIO_BIN is not an executable"
  local go goversion tmp buildlog=$LOG_DIR/minio-build.log
  go=$(find_go) || die "MinIO must be built from source and Go >= $GO_MIN_MAJOR.$GO_MIN_MINOR is needed, but 'go' was not found (install it from https://go.dev/dl/ and put it on PATH)"
  goversion=$("$go" env GOVERSION 2>/dev/null || true)
  if [[ $goversion =~ ^go([0-9]+)\.([0-9]+) ]]; then
    if ((BASH_REMATCH[1] < GO_MIN_MAJOR || (BASH_REMATCH[1] == GO_MIN_MAJOR && BASH_REMATCH[2] < GO_MIN_MINOR))); then
      die "Go >= $GO_MIN_MAJOR.$GO_MIN_MINOR is needed to build MinIO, found $goversion ($go)"
    fi
  fi
  say "==> building MinIO $MINIO_VERSION with $goversion (one-off, takes a few minutes; log: $buildlog)"
  mkdir -p -- "$MINIO_CACHE_DIR"
  tmp=$(mktemp -d "$MINIO_CACHE_DIR/.build.XXXXXX")
  if ! GOBIN=$tmp CGO_ENABLED=0 "$go" install "$MINIO_MODULE@$MINIO_VERSION" >"$buildlog" 2>&1; then
    rm -rf -- "$tmp"
    log_tail "$buildlog"
    die "building MinIO failed; see $buildlog"
  fi
  mv -f -- "$tmp/minio" "$MINIO_BIN"
  rm -rf -- "$tmp"
}

minio_start() {
  if minio_up; then
    say "minio: already running (pid $(minio_pid))"
    return 0
  fi
  if minio_running; then
    say "minio: process running, waiting for it to answer"
    return 0
  fi
  rm -f -- "$MINIO_PIDFILE"
  port_open "$MINIO_PORT" && die "port $MINIO_PORT is in use by another process (not our minio); stop it or set HANGAR_MINIO_PORT"
  port_open "$MINIO_CONSOLE_PORT" && die "port $MINIO_CONSOLE_PORT is in use by another process (not our minio); stop it or set HANGAR_MINIO_CONSOLE_PORT"
  minio_build
  say "minio: starting on 127.0.0.1:$MINIO_PORT (console 127.0.0.1:$MINIO_CONSOLE_PORT)"
  log_marker "$MINIO_LOG" minio
  # setsid: own session, so it outlives this script and the terminal. The inner
  # shell writes its own pid (= minio's after exec) whether or not setsid forks.
  # shellcheck disable=SC2016 # expanded by the inner bash
  MINIO_ROOT_USER=$MINIO_USER MINIO_ROOT_PASSWORD=$MINIO_PASSWORD \
    setsid nohup bash -c 'echo "$$" >"$1"; shift; exec "$@"' _ "$MINIO_PIDFILE" \
    "$MINIO_BIN" server "$MINIO_DATA" \
    --address "127.0.0.1:$MINIO_PORT" --console-address "127.0.0.1:$MINIO_CONSOLE_PORT" \
    </dev/null >>"$MINIO_LOG" 2>&1 &
  # Wait (briefly) for the pid file so minio_running works right away.
  local _
  for _ in {1..50}; do
    [[ -s $MINIO_PIDFILE ]] && break
    sleep 0.02
  done
  return 0
}

minio_wait() { wait_ready minio "$MINIO_LOG" minio_ready minio_running; }

minio_stop() {
  local pid start=$SECONDS
  if ! minio_running; then
    say "minio: not running"
    rm -f -- "$MINIO_PIDFILE"
    return 0
  fi
  pid=$(minio_pid)
  say "minio: stopping"
  kill -TERM "$pid" 2>/dev/null || true
  while minio_running; do
    if ((SECONDS - start >= WAIT_SECONDS)); then
      say "minio: still running after ${WAIT_SECONDS}s, sending SIGKILL"
      kill -KILL "$pid" 2>/dev/null || true
    fi
    sleep 0.2
  done
  rm -f -- "$MINIO_PIDFILE"
}

minio_url() { say "http://127.0.0.1:$MINIO_PORT"; }

# ---------------------------------------------------------------- commands

# Install whatever the requested services need and is missing (one apt-get run).
ensure_packages() {
  local svc pkgs=()
  for svc in "$@"; do
    case $svc in
      postgres) pg_find_bin || pkgs+=(postgresql) ;;
      redis)
        command -v redis-server >/dev/null 2>&1 || pkgs+=(redis-server)
        command -v redis-cli >/dev/null 2>&1 || pkgs+=(redis-tools)
        ;;
      minio) command -v curl >/dev/null 2>&1 || pkgs+=(curl ca-certificates) ;;
    esac
  done
  ((${#pkgs[@]} == 0)) || apt_install "${pkgs[@]}"
}

print_urls() {
  local svc
  say ""
  for svc in "$@"; do
    case $svc in
      postgres) say "DATABASE_URL=$(pg_url)" ;;
      redis) say "REDIS_URL=$(redis_url)" ;;
      minio)
        say "S3_ENDPOINT=$(minio_url)"
        say "S3_ACCESS_KEY=$MINIO_USER"
        say "S3_SECRET_KEY=$MINIO_PASSWORD"
        say "# MinIO console: http://127.0.0.1:$MINIO_CONSOLE_PORT"
        ;;
    esac
  done
}

cmd_up() {
  local svc
  ensure_packages "$@"
  ensure_dirs
  # Launch everything first, then wait: the services start in parallel.
  for svc in "$@"; do
    case $svc in
      postgres) pg_start ;;
      redis) redis_start ;;
      minio) minio_start ;;
    esac
  done
  for svc in "$@"; do
    case $svc in
      postgres) pg_wait && pg_ensure_db ;;
      redis) redis_wait ;;
      minio) minio_wait ;;
    esac
  done
  print_urls "$@"
}

cmd_down() {
  local i svc
  for ((i = $#; i >= 1; i--)); do
    svc=${!i}
    case $svc in
      postgres) pg_stop ;;
      redis) redis_stop ;;
      minio) minio_stop ;;
    esac
  done
}

cmd_status() {
  local svc state pid url log rc=0
  for svc in "$@"; do
    pid=-
    case $svc in
      postgres)
        log=$PG_LOG url=$(pg_url)
        if pg_find_bin; then
          pg_running && pid=$(pg_pid)
          if pg_up; then state=up; elif pg_running; then state=starting; else state=down; fi
        else
          state="not-installed"
        fi
        ;;
      redis)
        log=$REDIS_LOG url=$(redis_url)
        redis_running && pid=$(redis_pid)
        if redis_up; then state=up; elif redis_running; then state=starting; else state=down; fi
        ;;
      minio)
        log=$MINIO_LOG url="$(minio_url) (console http://127.0.0.1:$MINIO_CONSOLE_PORT)"
        minio_running && pid=$(minio_pid)
        if minio_up; then state=up; elif minio_running; then state=starting; else state=down; fi
        ;;
    esac
    if [[ $state == up ]]; then
      printf '%-9s %-8s pid %-8s %s\n' "$svc" "$state" "$pid" "$url"
    else
      rc=1
      printf '%-9s %-8s pid %-8s log %s\n' "$svc" "$state" "$pid" "$log"
    fi
  done
  return "$rc"
}

usage() {
  sed -n '2,/^set -euo/p' "${BASH_SOURCE[0]}" | sed -e '$d' -e 's/^# \{0,1\}//'
}

main() {
  local cmd=${1:-}
  [[ $# -eq 0 ]] || shift
  local svc services=()
  for svc in "$@"; do
    case $svc in
      postgres | redis | minio) services+=("$svc") ;;
      pg | postgresql) services+=(postgres) ;;
      *) die "unknown service '$svc' (expected postgres, redis or minio)" ;;
    esac
  done
  if ((${#services[@]} == 0)); then
    case $cmd in
      start | stop | restart) die "'$cmd' needs a service name (postgres, redis, minio); use up/down for all" ;;
    esac
    services=("${ALL_SERVICES[@]}")
  fi

  case $cmd in
    up | start) cmd_up "${services[@]}" ;;
    down | stop) cmd_down "${services[@]}" ;;
    restart) cmd_down "${services[@]}" && cmd_up "${services[@]}" ;;
    status) cmd_status "${services[@]}" ;;
    -h | --help | help) usage ;;
    *)
      usage >&2
      exit 2
      ;;
  esac
}

main "$@"
