#!/bin/bash
# Runs the Redis specs of imerr.store, imerr.ratelimit and imerr.budget
# against a real redis-server on a free loopback port, under every Lua
# the redis-lua client serves, then the fleet test (four processes, a
# Redis restart in the middle). Redis runs without persistence and is
# stopped by its pid on the way out, whatever happened.
#   spec/fleet/redis.sh [BUILD_DIR]
#   spec/fleet/redis.sh restart   (used by the fleet test, through
#                                  IMERR_REDIS_RESTART)
set -u
root=$(cd "$(dirname "$0")/../.." && pwd)

# start_redis DIR PORT: starts a daemon with its pid in DIR/redis.pid and
# waits until it answers.
start_redis() {
  redis-server --bind 127.0.0.1 --port "$2" --save '' --appendonly no \
    --daemonize yes --pidfile "$1/redis.pid" --logfile "$1/redis.log" \
    --dir "$1" || return 1
  for _ in $(seq 100); do
    [ "$(redis-cli -p "$2" ping 2>/dev/null)" = PONG ] && return 0
    sleep 0.05
  done
  return 1
}

# Whether process $1 runs (a daemon that exited may stay a zombie until
# whoever adopted it reaps it: that counts as gone).
running() {
  local state
  state=$(ps -o stat= -p "$1" 2>/dev/null) || return 1
  case "$state" in Z*) return 1 ;; esac
}

# stop_redis DIR: stops the daemon of DIR/redis.pid and waits for it.
stop_redis() {
  [ -s "$1/redis.pid" ] || return 0
  local pid
  pid=$(cat "$1/redis.pid")
  kill "$pid" 2>/dev/null
  for _ in $(seq 100); do running "$pid" || break; sleep 0.02; done
  running "$pid" && kill -KILL "$pid"
  rm -f "$1/redis.pid"
}

if [ "${1:-}" = restart ]; then
  stop_redis "$IMERR_REDIS_DIR"
  sleep 0.3
  start_redis "$IMERR_REDIS_DIR" "${IMERR_REDIS##*:}"
  exit
fi

build=${1:-$root/build}
work=$(mktemp -d /tmp/imerr-redis.XXXXXX)
trap 'stop_redis "$work"; rm -rf "$work"' EXIT

started=""
for _ in 1 2 3 4 5; do
  port=$((20000 + RANDOM % 20000))
  if start_redis "$work" "$port" 2>"$work/start.log"; then
    started=yes
    break
  fi
  stop_redis "$work"
done
if [ -z "$started" ]; then
  echo "redis-server did not start:"
  cat "$work/start.log" "$work/redis.log" 2>/dev/null
  exit 1
fi
echo "$(redis-server --version | cut -d' ' -f1-3) on 127.0.0.1:$port, pid $(cat "$work/redis.pid")"

export IMERR_REDIS=127.0.0.1:$port IMERR_REDIS_DIR=$work IMERR_ROOT=$root
export IMERR_REDIS_RESTART="bash $root/spec/fleet/redis.sh restart"
cd "$root" || exit 1
failed=0
for abi in luajit 5.1 5.3 5.4; do
  lua=lua$abi
  [ "$abi" = luajit ] && lua=luajit
  echo "== busted, $lua, Redis specs"
  busted --lua="$lua" --cpath="$build/lua/$abi/?.so" --output=utfTerminal \
    spec/store_spec.lua spec/ratelimit_spec.lua spec/budget_spec.lua ||
    failed=1
done
echo "== fleet, luajit"
LUA_PATH="$root/lua/?.lua;$root/lua/?/init.lua;$root/spec/?.lua;;" \
  LUA_CPATH="$build/lua/luajit/?.so;;" IMERR_FLEET_LUA=luajit \
  busted --lua=luajit --cpath="$build/lua/luajit/?.so" --pattern=_test \
  --output=utfTerminal spec/fleet || failed=1
exit $failed
