#!/usr/bin/env bash
# A second Docker engine on this machine that acts as another host: its own
# bridge, data root, exec root, socket and pid file. With the kernel's
# net.ipv4.ip_forward=0 (and --iptables=false on both engines) a container of
# one engine cannot reach a container of the other, as on two hosts, while
# both reach addresses on the host's loopback through their gateway.
#
#   scripts/second-engine.sh start   start it (if it does not answer yet), build the test image on it,
#                                    print its DOCKER_HOST on the last line
#   scripts/second-engine.sh stop    stop the dockerd this script started
set -euo pipefail

repo_root=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
name=${SWARM_ENGINE2_NAME:-swarm-engine2}
bridge=${SWARM_ENGINE2_BRIDGE:-swarmbr2}
bridge_addr=${SWARM_ENGINE2_BRIDGE_ADDR:-172.30.0.1/16}
root=/var/lib/$name
exec_root=/var/run/$name
sock=/var/run/$name.sock
pidfile=/var/run/$name.pid
log=/var/log/$name.log
host=unix://$sock
wait_seconds=${SWARM_ENGINE2_WAIT_SECONDS:-60}

answers() {
  DOCKER_HOST=$host timeout 10 docker info >/dev/null 2>&1
}

# True when the pid file names a live (not zombie) dockerd.
running_pid() {
  local pid stat
  pid=$(cat "$pidfile" 2>/dev/null) || return 1
  [[ $pid =~ ^[0-9]+$ ]] || return 1
  stat=$(cat "/proc/$pid/stat" 2>/dev/null) || return 1
  [[ $(cat "/proc/$pid/comm" 2>/dev/null) == dockerd && $(awk '{print $3}' <<<"${stat##*)}") != Z ]] || return 1
  echo "$pid"
}

start() {
  if answers; then
    echo "the second engine already answers at $host"
  else
    if ! ip link show "$bridge" >/dev/null 2>&1; then
      ip link add "$bridge" type bridge
      ip addr add "$bridge_addr" dev "$bridge"
    fi
    ip link set "$bridge" up
    if [[ -f $pidfile ]] && ! running_pid >/dev/null; then rm -f "$pidfile"; fi
    mkdir -p "$root" "$exec_root" "$(dirname "$log")"
    echo "starting the second engine (log: $log)"
    setsid dockerd -b "$bridge" --data-root "$root" --exec-root "$exec_root" -H "$host" --pidfile "$pidfile" \
      --iptables=false --ip-forward=false </dev/null >>"$log" 2>&1 &
    local deadline=$(($(date +%s) + wait_seconds))
    until answers; do
      if [[ $(date +%s) -ge $deadline ]]; then
        echo "error: the second engine did not answer within ${wait_seconds}s; last lines of $log:" >&2
        tail -n 30 "$log" >&2 || true
        exit 1
      fi
      sleep 1
    done
  fi
  if [[ $(cat /proc/sys/net/ipv4/ip_forward) != 0 ]]; then
    echo "warning: net.ipv4.ip_forward is on: containers of the two engines can reach each other" >&2
  fi
  DOCKER_HOST=$host bash "$repo_root/scripts/build-test-image.sh"
  echo "$host"
}

stop() {
  local pid
  pid=$(running_pid) || { echo "no second engine runs"; return 0; }
  kill -TERM "$pid"
  for _ in $(seq 1 30); do
    running_pid >/dev/null || return 0
    sleep 1
  done
  kill -KILL "$pid" 2>/dev/null || true
}

case "${1:-}" in
  start) start ;;
  stop) stop ;;
  *) echo "usage: $0 start|stop" >&2; exit 2 ;;
esac
