#!/usr/bin/env bash
# A 3-member etcd cluster on loopback for tests, benchmarks and trying progress on etcd.
# (The commands follow shared/reference/etcd-scaleout.md; etcd 3.4 from Debian's etcd-server.)
#
#   etcd-cluster.sh start    <dir> [base-port]   start m1..m3, wait until healthy, print the endpoints
#   etcd-cluster.sh stop     <dir>               stop every member by pid (TERM, then KILL after 5 s)
#   etcd-cluster.sh kill     <dir> <m1|m2|m3>    SIGKILL one member (fault tests)
#   etcd-cluster.sh restart  <dir> <m1|m2|m3>    start a stopped member again on its data dir, wait for health
#   etcd-cluster.sh status   <dir>               pid, client URL and health of each member
#   etcd-cluster.sh endpoints <dir>              the client endpoints, comma-separated (for etcd://...)
#
# Ports: member N listens for clients on base+N-1 and for peers on base+10+N-1, on 127.0.0.1 only.
# Without a base port one is picked at random in 20000-59999 among ports nothing listens on.
# State lives in <dir>: cluster.env, mN.pid, data/mN, logs/mN.log. Remove <dir> after stop to
# forget the cluster. If `etcd` is missing it is installed with apt-get (Debian's etcd-server),
# which needs root; the package may also enable a system etcd.service on 2379: this script does
# not use it and does not touch it.
set -euo pipefail

MEMBERS=(m1 m2 m3)

die() { echo "etcd-cluster: $*" >&2; exit 1; }

ensure_etcd() {
  command -v etcd >/dev/null 2>&1 && return 0
  [ "$(id -u)" = 0 ] || die "etcd is not installed; run: sudo apt-get install -y etcd-server"
  echo "etcd-cluster: installing etcd-server with apt-get" >&2
  export DEBIAN_FRONTEND=noninteractive
  apt-get update -qq >&2 && apt-get install -y -qq etcd-server >&2 || die "apt-get install etcd-server failed"
  command -v etcd >/dev/null 2>&1 || die "etcd still missing after installing etcd-server"
}

port_in_use() { (exec 3<>"/dev/tcp/127.0.0.1/$1") 2>/dev/null; }

pick_base() {
  local base p free
  for _ in $(seq 1 50); do
    base=$(( 20000 + (RANDOM * 32768 + RANDOM) % 40000 ))
    free=1
    for p in 0 1 2 10 11 12; do
      if port_in_use $((base + p)); then free=0; break; fi
    done
    if [ "$free" = 1 ]; then echo "$base"; return 0; fi
  done
  die "no free port range found"
}

index_of() {
  case "$1" in m1) echo 1 ;; m2) echo 2 ;; m3) echo 3 ;; *) die "unknown member '$1' (m1, m2 or m3)" ;; esac
}

load_env() {
  [ -f "$DIR/cluster.env" ] || die "no cluster in $DIR (run start first)"
  # shellcheck disable=SC1091
  . "$DIR/cluster.env"
}

client_port() { echo $((BASE_PORT + $(index_of "$1") - 1)); }
peer_port() { echo $((BASE_PORT + 10 + $(index_of "$1") - 1)); }

pid_of() {
  local file="$DIR/$1.pid"
  [ -f "$file" ] || return 1
  local pid
  pid=$(cat "$file")
  kill -0 "$pid" 2>/dev/null || return 1
  echo "$pid"
}

# GET /health over bash's /dev/tcp: no curl needed. Healthy = {"health":"true"}.
healthy() {
  local port=$1 reply
  reply=$(
    exec 2>/dev/null
    exec 3<>"/dev/tcp/127.0.0.1/$port" || exit 1
    printf 'GET /health HTTP/1.0\r\nHost: 127.0.0.1\r\n\r\n' >&3
    timeout 2 cat <&3
  ) || return 1
  [[ "$reply" == *'"health":"true"'* ]]
}

launch() {
  local name=$1 cport pport cluster=""
  cport=$(client_port "$name")
  pport=$(peer_port "$name")
  for m in "${MEMBERS[@]}"; do cluster+="${cluster:+,}$m=http://127.0.0.1:$(peer_port "$m")"; done
  mkdir -p "$DIR/data" "$DIR/logs"
  # With an existing data dir etcd ignores the --initial-* flags and rejoins with its own state.
  nohup etcd --name "$name" --data-dir "$DIR/data/$name" \
    --listen-client-urls "http://127.0.0.1:$cport" --advertise-client-urls "http://127.0.0.1:$cport" \
    --listen-peer-urls "http://127.0.0.1:$pport" --initial-advertise-peer-urls "http://127.0.0.1:$pport" \
    --initial-cluster "$cluster" --initial-cluster-token "$TOKEN" --initial-cluster-state new \
    --max-txn-ops 128 --max-request-bytes 1572864 \
    --logger zap --log-level warn \
    </dev/null >>"$DIR/logs/$name.log" 2>&1 &
  echo $! >"$DIR/$name.pid"
}

wait_healthy() {
  local name deadline=$((SECONDS + ${ETCD_START_TIMEOUT_S:-60}))
  for name in "$@"; do
    until healthy "$(client_port "$name")"; do
      pid_of "$name" >/dev/null || die "$name exited during start-up; see $DIR/logs/$name.log"
      [ "$SECONDS" -lt "$deadline" ] || die "$name not healthy after ${ETCD_START_TIMEOUT_S:-60} s; see $DIR/logs/$name.log"
      sleep 0.2
    done
  done
}

endpoints() {
  local out="" m
  for m in "${MEMBERS[@]}"; do out+="${out:+,}127.0.0.1:$(client_port "$m")"; done
  echo "$out"
}

cmd_start() {
  ensure_etcd
  mkdir -p "$DIR"
  if [ -f "$DIR/cluster.env" ]; then
    load_env
  else
    BASE_PORT=${1:-$(pick_base)}
    TOKEN="progress-$(date +%s)-$$-$RANDOM"
    printf 'BASE_PORT=%s\nTOKEN=%s\n' "$BASE_PORT" "$TOKEN" >"$DIR/cluster.env"
  fi
  local m
  for m in "${MEMBERS[@]}"; do
    if pid_of "$m" >/dev/null; then continue; fi
    launch "$m"
  done
  wait_healthy "${MEMBERS[@]}"
  endpoints
}

stop_member() {
  local name=$1 pid
  pid=$(pid_of "$name") || { rm -f "$DIR/$name.pid"; return 0; }
  kill -TERM "$pid" 2>/dev/null || true
  for _ in $(seq 1 50); do
    kill -0 "$pid" 2>/dev/null || break
    sleep 0.1
  done
  kill -KILL "$pid" 2>/dev/null || true
  rm -f "$DIR/$name.pid"
}

cmd_stop() {
  [ -f "$DIR/cluster.env" ] || return 0
  local m
  for m in "${MEMBERS[@]}"; do stop_member "$m"; done
}

cmd_kill() {
  local name=${1:?member name}
  index_of "$name" >/dev/null
  local pid
  pid=$(pid_of "$name") || die "$name is not running"
  kill -KILL "$pid"
  while kill -0 "$pid" 2>/dev/null; do sleep 0.05; done
  rm -f "$DIR/$name.pid"
}

cmd_restart() {
  local name=${1:?member name}
  index_of "$name" >/dev/null
  ensure_etcd
  pid_of "$name" >/dev/null && die "$name is already running"
  launch "$name"
  wait_healthy "$name"
}

cmd_status() {
  local m pid state
  for m in "${MEMBERS[@]}"; do
    pid=$(pid_of "$m") || pid="-"
    if [ "$pid" != "-" ] && healthy "$(client_port "$m")"; then state=healthy; elif [ "$pid" != "-" ]; then state=unhealthy; else state=stopped; fi
    echo "$m pid=$pid client=http://127.0.0.1:$(client_port "$m") $state"
  done
}

COMMAND=${1:-}
DIR=${2:-}
[ -n "$COMMAND" ] && [ -n "$DIR" ] || die "usage: $0 start|stop|kill|restart|status|endpoints <dir> [arg]"
shift 2
DIR=$(mkdir -p "$DIR" && cd "$DIR" && pwd)
case "$COMMAND" in
  start) cmd_start "$@" ;;
  stop) cmd_stop ;;
  kill) load_env; cmd_kill "$@" ;;
  restart) load_env; cmd_restart "$@" ;;
  status) load_env; cmd_status ;;
  endpoints) load_env; endpoints ;;
  *) die "unknown command '$COMMAND'" ;;
esac
