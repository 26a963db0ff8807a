#!/bin/bash
# Mutation testing of imerr's specs (opt-in, not part of scripts/test.sh;
# see docs/mutation.md). Builds the Lua 5.4 modules when needed, starts a
# redis-server on a free loopback port with --redis (stopped by its pid on
# the way out, whatever happened), then runs tools/mutate.lua with the
# other arguments.
#   scripts/mutate.sh [--redis] [--build DIR] [tools/mutate.lua options]
# A Redis named in IMERR_REDIS=host:port is used as it is.
set -u
root=$(cd "$(dirname "$0")/.." && pwd)
cd "$root" || exit 1

build=$root/build
want_redis=""
args=()
while [ $# -gt 0 ]; do
  case "$1" in
  --redis) want_redis=yes ;;
  --build)
    build=$2
    shift
    ;;
  *) args+=("$1") ;;
  esac
  shift
done

for tool in lua5.4 busted cc git; do
  command -v "$tool" >/dev/null || {
    echo "mutate: $tool is missing (bash scripts/deps.sh test)"
    exit 2
  }
done

# An incremental build: a no-op when the modules are current.
cmake -S "$root" -B "$build" -DIMERR_TESTS=ON >/dev/null &&
  cmake --build "$build" --parallel 2 >/dev/null || {
  echo "mutate: the build failed: cmake --build $build"
  exit 2
}

# Whether process $1 runs (a zombie counts as gone).
running() {
  local state
  state=$(ps -o stat= -p "$1" 2>/dev/null) || return 1
  case "$state" in Z*) return 1 ;; esac
}

work=""
stop_redis() {
  [ -n "$work" ] || return 0
  if [ -s "$work/redis.pid" ]; then
    local pid
    pid=$(cat "$work/redis.pid")
    kill "$pid" 2>/dev/null
    for _ in $(seq 100); do
      running "$pid" || break
      sleep 0.02
    done
    running "$pid" && kill -KILL "$pid"
  fi
  rm -rf "$work"
  work=""
}
trap stop_redis EXIT

if [ -n "$want_redis" ] && [ -z "${IMERR_REDIS:-}" ]; then
  command -v redis-server >/dev/null || {
    echo "mutate: --redis needs redis-server (bash scripts/deps.sh test)"
    exit 2
  }
  work=$(mktemp -d /tmp/imerr-mutate-redis.XXXXXX)
  for _ in 1 2 3 4 5; do
    port=$((20000 + RANDOM % 20000))
    if redis-server --bind 127.0.0.1 --port "$port" --save '' \
      --appendonly no --daemonize yes --pidfile "$work/redis.pid" \
      --logfile "$work/redis.log" --dir "$work" 2>/dev/null; then
      for _ in $(seq 100); do
        [ "$(redis-cli -p "$port" ping 2>/dev/null)" = PONG ] && break
        sleep 0.05
      done
      if [ "$(redis-cli -p "$port" ping 2>/dev/null)" = PONG ]; then
        export IMERR_REDIS=127.0.0.1:$port
        break
      fi
    fi
    stop_redis
    work=$(mktemp -d /tmp/imerr-mutate-redis.XXXXXX)
  done
  [ -n "${IMERR_REDIS:-}" ] || {
    echo "mutate: redis-server did not start"
    exit 2
  }
  echo "redis-server on $IMERR_REDIS, pid $(cat "$work/redis.pid")"
fi

lua5.4 tools/mutate.lua --build "$build" "${args[@]}"
