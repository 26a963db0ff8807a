#!/bin/bash
# Runs the whole imerr test suite: installs what is missing, builds, then
# runs every stage and reports each. Exits non-zero if any stage failed.
set -u
cd "$(dirname "$0")/.."
ROOT=$PWD
BUILD=$ROOT/build
bash scripts/deps.sh test || exit 1

passed=0
failed=0
failures=""
# stage NAME COMMAND...: runs one stage, logging to build/logs/NAME.log.
stage() {
  local name=$1
  shift
  mkdir -p "$BUILD/logs"
  local log="$BUILD/logs/$name.log" start=$SECONDS
  printf '== %-22s ' "$name"
  if "$@" >"$log" 2>&1; then
    passed=$((passed + 1))
    printf 'ok   (%ds)\n' $((SECONDS - start))
  else
    failed=$((failed + 1))
    failures="$failures $name"
    printf 'FAIL (%ds)\n' $((SECONDS - start))
    tail -n 40 "$log" | sed 's/^/   | /'
  fi
}

build() {
  cmake -S "$ROOT" -B "$BUILD" -DCMAKE_BUILD_TYPE=Release -DIMERR_TESTS=ON &&
    cmake --build "$BUILD" --parallel 2
}

lint() {
  luacheck lua bin/imerr spec tools examples &&
    clang-format --dry-run --Werror src/*.c src/*.h spec/c/*.c
}

ctest_all() {
  (cd "$BUILD" && ctest -V)
}

# Installs with the rockspec into a scratch tree for one Lua version and
# runs the installed CLI and module with that tree's paths only.
rock() {
  local version=$1 lua=$2 tree
  tree=$(mktemp -d)
  sh scripts/install-rock.sh "$version" "$tree" || return 1
  (
    cd "$tree" || exit 1
    eval "$(luarocks --lua-version="$version" path --tree "$tree")"
    "$tree/bin/imerr" 9510 | grep -q ERR_SDK_NET_CONN_TIMEOUT &&
      IMERR_TREE=$tree "$lua" -e '
        local imerr = require "imerr"
        local so = package.searchpath("imerr.core", package.cpath)
        assert(so:find(os.getenv("IMERR_TREE"), 1, true), so)
        assert(imerr.name(70001) == "ERR_SVR_ACCOUNT_USERSIG_EXPIRED")
        assert(imerr.count == 594)
        print("installed imerr " .. imerr._VERSION .. " works under " .. _VERSION)'
  )
  local status=$?
  rm -rf "$tree"
  return $status
}

# ASan + UBSan over the C core, the Lua modules (runtime preloaded into
# the interpreters) and the C tests; every busted suite runs against it.
asan() {
  cmake -S "$ROOT" -B "$ROOT/build-asan" -DIMERR_SANITIZE=address &&
    cmake --build "$ROOT/build-asan" --parallel 2 &&
    (cd "$ROOT/build-asan" && ctest --output-on-failure)
}

# ThreadSanitizer over the C tests, eight threads among them.
tsan() {
  cmake -S "$ROOT" -B "$ROOT/build-tsan" -DIMERR_SANITIZE=thread \
    -DIMERR_LUA_ABIS= &&
    cmake --build "$ROOT/build-tsan" --parallel 2 &&
    (cd "$ROOT/build-tsan" && ctest -R '^c_' --output-on-failure)
}

# libFuzzer: each target for IMERR_FUZZ_SECONDS (30 s by default).
fuzz() {
  CC=clang cmake -S "$ROOT" -B "$ROOT/build-fuzz" -DIMERR_FUZZ=ON \
    -DIMERR_TESTS=OFF -DIMERR_LUA_ABIS= \
    -DIMERR_FUZZ_SECONDS="${IMERR_FUZZ_SECONDS:-30}" &&
    cmake --build "$ROOT/build-fuzz" --parallel 2 &&
    (cd "$ROOT/build-fuzz" && ctest -V)
}

# valgrind memcheck: the C tests and a Lua script calling everything.
memcheck() {
  local vg="valgrind -q --error-exitcode=1 --leak-check=full"
  vg="$vg --errors-for-leak-kinds=definite"
  $vg "$BUILD/spec/test_imerr" &&
    LUA_PATH="lua/?.lua;lua/?/init.lua;;" LUA_CPATH="$BUILD/lua/5.4/?.so;;" \
      $vg lua5.4 spec/valgrind/exercise.lua
}

stage build build
stage lint lint
stage ctest ctest_all
stage rockspec-5.4 rock 5.4 lua5.4
stage rockspec-5.1-luajit rock 5.1 luajit
stage openresty bash spec/nginx/run.sh
stage asan-ubsan asan
stage tsan tsan
stage valgrind memcheck
stage fuzz fuzz

# What the logs counted.
awk '/Test command:.*busted/ { match($0, /--lua=[^ "]+/)
       lua[$1] = substr($0, RSTART + 6, RLENGTH - 6) }
     / successes \// { n = $1; $1 = ""; print "busted, " lua[n] ":" $0 }' \
  "$BUILD/logs/ctest.log" 2>/dev/null
# ctest -V prefixes each line with the test's number.
awk '/Test command:.*\/fuzz_/ { match($0, /fuzz_[a-z_]+/)
       name[$1] = substr($0, RSTART, RLENGTH) }
     /number_of_executed_units/ { print name[$1] ": " $NF " runs" }' \
  "$BUILD/logs/fuzz.log" 2>/dev/null

echo "imerr: $passed passed, $failed failed"
[ "$failed" -eq 0 ] || { echo "failed stages:$failures"; exit 1; }
