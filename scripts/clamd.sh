#!/usr/bin/env bash
# Starts, stops or checks a clamd on 127.0.0.1:${CLAMAV_PORT:-3310} that uses the project's test
# signatures (test/fixtures/clamav: EICAR only; there is no internet for freshclam here).
#
#   scripts/clamd.sh start    idempotent: does nothing when a clamd already answers PING there
#   scripts/clamd.sh stop     stops only a clamd this script started (its PID file in .tmp/clamd-PORT)
#   scripts/clamd.sh status   exit 0 and print the version when PING answers PONG, else exit 1
#
# Environment: CLAMAV_PORT (3310), CLAMD_BIN (/usr/sbin/clamd), CLAMD_STREAM_MAX_LENGTH (100M),
# CLAMD_START_TIMEOUT seconds (60).
set -euo pipefail

ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
HOST=127.0.0.1
PORT="${CLAMAV_PORT:-3310}"
CLAMD_BIN="${CLAMD_BIN:-/usr/sbin/clamd}"
RUN_DIR="$ROOT/.tmp/clamd-$PORT"
PID_FILE="$RUN_DIR/clamd.pid"
LOG_FILE="$RUN_DIR/clamd.log"
OUT_FILE="$RUN_DIR/clamd.out"
CONFIG_FILE="$RUN_DIR/clamd.conf"

# Sends one z-command over bash's /dev/tcp (no nc needed) and prints the reply without its NUL.
clamd_command() {
  timeout 3 bash -c '
    exec 3<>"/dev/tcp/$1/$2" || exit 1
    printf "z%s\0" "$3" >&3
    IFS= read -r -d "" reply <&3 || [ -n "$reply" ] || exit 1
    printf "%s" "$reply"
  ' _ "$HOST" "$PORT" "$1" 2>/dev/null
}

answers_ping() {
  [ "$(clamd_command PING || true)" = "PONG" ]
}

our_pid() {
  [ -f "$PID_FILE" ] && kill -0 "$(cat "$PID_FILE")" 2>/dev/null && cat "$PID_FILE"
}

start() {
  if answers_ping; then
    echo "clamd already answers on $HOST:$PORT ($(clamd_command VERSION))"
    return 0
  fi
  if [ ! -x "$CLAMD_BIN" ]; then
    echo "clamd not found at $CLAMD_BIN: apt-get install -y clamav-daemon (or set CLAMD_BIN)" >&2
    return 1
  fi
  mkdir -p "$RUN_DIR"
  : >"$LOG_FILE" # only this run's lines in the tail printed on failure
  cat >"$CONFIG_FILE" <<EOF
DatabaseDirectory $ROOT/test/fixtures/clamav
TCPSocket $PORT
TCPAddr $HOST
Foreground yes
PidFile $PID_FILE
LogFile $LOG_FILE
TemporaryDirectory $RUN_DIR
StreamMaxLength ${CLAMD_STREAM_MAX_LENGTH:-100M}
MaxFileSize 100M
MaxScanSize 400M
SelfCheck 0
EOF
  # setsid + nohup: the daemon outlives this script and the CI step's session.
  setsid nohup "$CLAMD_BIN" --config-file="$CONFIG_FILE" >"$OUT_FILE" 2>&1 </dev/null &
  local pid=$!
  echo "$pid" >"$PID_FILE"

  local deadline=$((SECONDS + ${CLAMD_START_TIMEOUT:-60}))
  until answers_ping; do
    if ! kill -0 "$pid" 2>/dev/null; then
      echo "clamd exited before answering PING on $HOST:$PORT; its output:" >&2
      tail -n 20 "$OUT_FILE" "$LOG_FILE" >&2 2>/dev/null || true
      rm -f "$PID_FILE"
      return 1
    fi
    if [ "$SECONDS" -ge "$deadline" ]; then
      echo "clamd did not answer PING on $HOST:$PORT within ${CLAMD_START_TIMEOUT:-60} s; its output:" >&2
      tail -n 20 "$OUT_FILE" "$LOG_FILE" >&2 2>/dev/null || true
      kill "$pid" 2>/dev/null || true
      rm -f "$PID_FILE"
      return 1
    fi
    sleep 0.1
  done
  echo "clamd started on $HOST:$PORT, pid $pid ($(clamd_command VERSION)); run dir $RUN_DIR"
}

stop() {
  local pid
  if ! pid="$(our_pid)"; then
    rm -f "$PID_FILE"
    echo "no clamd started by this script is running"
    return 0
  fi
  kill "$pid"
  for _ in $(seq 1 50); do
    kill -0 "$pid" 2>/dev/null || break
    sleep 0.1
  done
  kill -0 "$pid" 2>/dev/null && kill -9 "$pid"
  rm -f "$PID_FILE"
  echo "clamd (pid $pid) stopped"
}

status() {
  if answers_ping; then
    echo "clamd answers on $HOST:$PORT: $(clamd_command VERSION)"
  else
    echo "no clamd answers on $HOST:$PORT"
    return 1
  fi
}

case "${1:-}" in
  start) start ;;
  stop) stop ;;
  status) status ;;
  *)
    echo "usage: $0 start|stop|status" >&2
    exit 2
    ;;
esac
