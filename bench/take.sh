#!/bin/bash
# limiter:take() on each store next to the bare store operation: memory
# and Redis over loopback (a redis-server started here on a free port and
# stopped by its pid) under LuaJIT and Lua 5.4, then the shared dict in
# nginx. Expects the build of bench/run.sh.
set -u
root=$(cd "$(dirname "$0")/.." && pwd)
cd "$root" || exit 1
n=${IMERR_TAKE_N:-200000}
work=$(mktemp -d /tmp/imerr-bench-redis.XXXXXX)
stop_redis() {
  [ -s "$work/redis.pid" ] && kill "$(cat "$work/redis.pid")" 2>/dev/null
  sleep 0.2
  rm -rf "$work"
}
trap stop_redis EXIT
for _ in 1 2 3 4 5; do
  port=$((20000 + RANDOM % 20000))
  redis-server --bind 127.0.0.1 --port "$port" --save '' --appendonly no \
    --daemonize yes --pidfile "$work/redis.pid" --logfile "$work/redis.log" \
    --dir "$work" || continue
  for _ in $(seq 100); do
    [ "$(redis-cli -p "$port" ping 2>/dev/null)" = PONG ] && break
    sleep 0.05
  done
  [ "$(redis-cli -p "$port" ping 2>/dev/null)" = PONG ] && break
done
echo "$(redis-server --version | cut -d' ' -f1-3) on 127.0.0.1:$port"
for lua in luajit lua5.4; do
  abi=${lua#lua}
  [ "$lua" = luajit ] && abi=luajit
  LUA_PATH="lua/?.lua;lua/?/init.lua;;" LUA_CPATH="build/lua/$abi/?.so;;" \
    "$lua" bench/take_bench.lua "$n" "127.0.0.1:$port"
done
bash bench/take_nginx.sh "$n"
