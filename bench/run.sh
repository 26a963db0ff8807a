#!/bin/bash
# Benchmarks imerr (not part of the test suite): builds, then prints ns per
# call and ratios against baselines measured in the same run, under Lua
# 5.4 and LuaJIT, plus the C core alone and its instructions per call.
set -eu
cd "$(dirname "$0")/.."
bash scripts/deps.sh test
cmake -S . -B build -DCMAKE_BUILD_TYPE=Release >/dev/null
cmake --build build --parallel 2 >/dev/null
N=${IMERR_BENCH_N:-2000000}

echo "machine: $(nproc) cores, $(grep -m1 'model name' /proc/cpuinfo | cut -d: -f2 | sed 's/^ //')"
echo "date:    $(date -u +%Y-%m-%d)"
echo
for lua in lua5.4 luajit; do
  abi=${lua#lua}
  [ "$lua" = luajit ] && abi=luajit
  export LUA_PATH="lua/?.lua;lua/?/init.lua;;" LUA_CPATH="build/lua/$abi/?.so;;"
  "$lua" bench/lua_bench.lua "$N"
  # require is measured once per process: five fresh processes.
  for _ in 1 2 3 4 5; do "$lua" bench/require_bench.lua; done
  echo
done

# require's instructions (callgrind), beyond loading imerr.core itself; the
# process exits without closing the state, so freeing is not counted.
count() {
  valgrind --tool=callgrind --callgrind-out-file=/dev/null "$@" 2>&1 |
    awk '/Collected/ { print $NF }'
}
for lua in lua5.4 luajit; do
  abi=${lua#lua}
  [ "$lua" = luajit ] && abi=luajit
  export LUA_PATH="lua/?.lua;lua/?/init.lua;;" LUA_CPATH="build/lua/$abi/?.so;;"
  base=$(count "$lua" -e 'require "imerr.core" os.exit(0)')
  full=$(count "$lua" -e 'require "imerr" os.exit(0)')
  texts=$(count "$lua" -e 'require("imerr").name(0) os.exit(0)')
  echo "$lua: require \"imerr\": $((full - base)) instructions," \
    "then the first text: $((texts - full)) (callgrind)"
done
echo

cc -std=c99 -O2 -Wall -Wextra -Wpedantic -Werror -Isrc -o build/c_bench \
  bench/c_bench.c build/libimerr.a
./build/c_bench
# Instructions per call: the difference between two call counts cancels
# start-up, and counts do not depend on the machine's load. The loop and
# the call itself are the empty call's count; what imerr adds is the rest.
ir() {
  local a b
  a=$(valgrind --tool=callgrind --callgrind-out-file=/dev/null \
    build/c_bench "$1" 100000 2>&1 | awk '/Collected/ { print $NF }')
  b=$(valgrind --tool=callgrind --callgrind-out-file=/dev/null \
    build/c_bench "$1" 200000 2>&1 | awk '/Collected/ { print $NF }')
  echo $(((b - a) / 100000))
}
empty=$(ir empty)
find=$(ir find)
name=$(ir name)
echo "empty call: $empty instructions per call, loop included (callgrind)"
echo "imerr_find: $find instructions per call, loop included (callgrind)"
echo "imerr_find: $((find - empty)) instructions per call beyond an empty call"
echo "imerr_find_name: $((name - empty)) instructions per call beyond an empty call"
echo
# limiter:take() on each store, against the bare store operation.
bash bench/take.sh
echo
# The OpenResty example's answer reader on 1-byte chunks (LuaJIT, no nginx).
luajit bench/chunked_bench.lua
