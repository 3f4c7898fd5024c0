#!/usr/bin/env bash
# PostgreSQL 15 (Debian package) with wal_level=logical, own cluster in the cache dir.
#   postgres://postgres:postgres@127.0.0.1:55432/postgres   (replication connections allowed too)
#   wal2json and the built-in pgoutput plugin are available for logical slots.
# Usage: postgres.sh up | down [--wipe] | status | install | psql [ARGS...]
set -euo pipefail
SVC=postgres
# shellcheck source-path=SCRIPTDIR source=lib.sh
source "$(dirname "${BASH_SOURCE[0]}")/lib.sh"

PG_MAJOR=15
PG_PORT=55432
PG_BIN="/usr/lib/postgresql/$PG_MAJOR/bin"
SVC_PORTS="$PG_PORT"
EXTRA_CMDS="psql"

svc_info() { echo "postgres://postgres:postgres@127.0.0.1:$PG_PORT/postgres"; }

# The server refuses to run as root. As root we run it as the `postgres` OS user, which cannot
# enter a root-only $HOME; then $CACHE/run/postgres is a symlink to a postgres-owned directory.
AS_PG=()
[[ $(id -u) -ne 0 ]] || AS_PG=(runuser -u postgres --)
as_pg() { "${AS_PG[@]}" "$@"; }

prepare_run_dir() {
  [[ $(id -u) -eq 0 ]] || { mkdir -p "$RUN_DIR"; return 0; }
  id postgres >/dev/null 2>&1 || return 0 # package not installed yet; called again after install
  mkdir -p "$RUN_ROOT"
  if [[ ! -L $RUN_DIR ]]; then
    mkdir -p "$RUN_DIR"
    chown postgres: "$RUN_DIR"
    runuser -u postgres -- test -w "$RUN_DIR" && return 0
    local alt
    alt="/var/tmp/tributary-postgres-$(echo "$RUN_DIR" | md5sum | cut -c1-8)"
    rm -rf "$RUN_DIR"
    mkdir -p "$alt" && chown postgres: "$alt" && chmod 700 "$alt"
    ln -s "$alt" "$RUN_DIR"
  fi
}

svc_install() {
  if [[ ! -x $PG_BIN/pg_ctl || ! -f /usr/lib/postgresql/$PG_MAJOR/lib/wal2json.so ]]; then
    if [[ ! -x $PG_BIN/pg_ctl && ! -e /etc/postgresql-common/createcluster.conf ]]; then
      # don't let the Debian package create and start its own cluster on 5432
      apt_install postgresql-common
      sed -i 's/^#\?\s*create_main_cluster.*/create_main_cluster = false/' /etc/postgresql-common/createcluster.conf
    fi
    apt_install "postgresql-$PG_MAJOR" "postgresql-$PG_MAJOR-wal2json" "postgresql-client-$PG_MAJOR"
  fi
  prepare_run_dir
}

svc_start() {
  prepare_run_dir
  local real data
  real=$(readlink -f "$RUN_DIR") data="$(readlink -f "$RUN_DIR")/data"
  rotate_log
  touch "$LOG_FILE"
  [[ $(id -u) -ne 0 ]] || chown postgres: "$LOG_FILE"
  if [[ ! -f $data/PG_VERSION ]]; then
    log "initdb $DATA_DIR"
    rm -rf "$data" && mkdir -p "$data"
    [[ $(id -u) -ne 0 ]] || chown postgres: "$data"
    local pw
    pw=$(mktemp) && echo postgres >"$pw" && chmod 644 "$pw"
    as_pg "$PG_BIN/initdb" -D "$data" -U postgres --pwfile="$pw" -E UTF8 --locale=C.UTF-8 \
      --auth-local=trust --auth-host=md5 >>"$LOG_FILE" 2>&1 || { rm -f "$pw"; show_log_tail; die "initdb failed"; }
    rm -f "$pw"
  fi
  # initdb's pg_hba.conf already has `host replication all 127.0.0.1/32 md5`
  grep -q 'tributary test settings' "$data/postgresql.conf" || as_pg tee -a "$data/postgresql.conf" >/dev/null <<EOF
# --- tributary test settings ---
listen_addresses = '127.0.0.1'
port = $PG_PORT
unix_socket_directories = '$real'
wal_level = logical
max_replication_slots = 20
max_wal_senders = 20
max_connections = 200
fsync = off
synchronous_commit = off
full_page_writes = off
log_line_prefix = '%m [%p] '
EOF
  # Newer 15.x point releases only allow listed output plugins for logical slots; allow wal2json too.
  if ! grep -q '^output_plugin_libraries' "$data/postgresql.conf" &&
    as_pg "$PG_BIN/postgres" --describe-config 2>/dev/null | grep -q '^output_plugin_libraries'; then
    echo "output_plugin_libraries = 'pgoutput, test_decoding, wal2json'" | as_pg tee -a "$data/postgresql.conf" >/dev/null
  fi
  # A postmaster killed with its session leaves postmaster.pid behind; its pid may since belong to
  # another process (PIDs are reused fast in containers), which makes postgres refuse to start.
  drop_stale_lock "$data/postmaster.pid"
  drop_stale_lock "$real/.s.PGSQL.$PG_PORT.lock"
  # pg_ctl daemonizes the postmaster (setsid); we keep its pid for status/idempotency checks.
  setsid "${AS_PG[@]}" "$PG_BIN/pg_ctl" -D "$data" -l "$real/$SVC.log" -W start </dev/null >/dev/null 2>&1 9>&- ||
    { show_log_tail; die "pg_ctl start failed"; }
  local pid=""
  for _ in $(seq 100); do
    pid=$(head -n1 "$data/postmaster.pid" 2>/dev/null) && is_postgres "$pid" && break
    pid=""
    sleep 0.1
  done
  [[ -n $pid ]] || { show_log_tail; die "postmaster did not start"; }
  record_pid "$pid"
}

is_postgres() { [[ -n ${1:-} && $(ps -o comm= -p "$1" 2>/dev/null) == postgres ]]; }

drop_stale_lock() {
  [[ -f $1 ]] || return 0
  is_postgres "$(head -n1 "$1")" || rm -f "$1"
}

svc_ready() {
  "$PG_BIN/pg_isready" -q -h 127.0.0.1 -p "$PG_PORT" -t 2 &&
    [[ $(PGPASSWORD=postgres PGCONNECT_TIMEOUT=3 psql -h 127.0.0.1 -p "$PG_PORT" -U postgres -d postgres \
      -tAXc "select current_setting('wal_level')") == logical ]]
}

svc_stop() {
  if [[ -f $DATA_DIR/postmaster.pid ]]; then
    as_pg "$PG_BIN/pg_ctl" -D "$(readlink -f "$DATA_DIR")" -m fast -w -t 60 stop >/dev/null || stop_pid 30
  fi
  rm -f "$PID_FILE"
}

svc_cmd_psql() {
  PGPASSWORD=postgres exec psql -h 127.0.0.1 -p "$PG_PORT" -U postgres -d postgres "$@"
}

prepare_run_dir
service_main "$@"
