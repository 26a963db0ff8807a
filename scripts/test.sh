#!/bin/bash
# Runs the whole imerr test suite: installs what is missing, builds, then
# runs every stage and reports each. Exits non-zero if any stage failed.
set -u
cd "$(dirname "$0")/.."
ROOT=$PWD
BUILD=$ROOT/build
VERSION=$(sed -n 's/^#define IMERR_VERSION "\(.*\)"$/\1/p' src/imerr.h)
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
  cmake -S "$ROOT" -B "$BUILD" -DCMAKE_BUILD_TYPE=Release -DIMERR_TESTS=ON \
    -DIMERR_WERROR=ON &&
    cmake --build "$BUILD" --parallel 2
}

lint() {
  luacheck lua bin/imerr spec tools examples &&
    clang-format --dry-run --Werror src/*.c src/*.h spec/c/*.c
}

ctest_all() {
  (cd "$BUILD" && ctest -V)
}

# Installs with a rockspec (the release one by default) into a scratch
# tree for one Lua version and runs the installed CLI and module with that
# tree's paths only.
rock() {
  local version=$1 lua=$2 rockspec=${3:-} tree
  tree=$(mktemp -d)
  sh scripts/install-rock.sh "$version" "$tree" ${rockspec:+"$rockspec"} ||
    return 1
  check_tree "$version" "$lua" "$tree"
  local status=$?
  rm -rf "$tree"
  return $status
}

# check_tree VERSION LUA TREE: the CLI, the module and its exports.
check_tree() {
  local version=$1 lua=$2 tree=$3 so page
  so=$tree/lib/lua/$version/imerr/core.so
  (
    cd "$tree" || exit 1
    eval "$(luarocks --lua-version="$version" path --tree "$tree")"
    "$tree/bin/imerr" 9510 | grep -q ERR_SDK_NET_CONN_TIMEOUT &&
      IMERR_TREE=$tree "$lua" -e '
        local imerr = require "imerr"
        local so -- the imerr/core.so that require found (Lua 5.1 has no
        for t in package.cpath:gmatch("[^;]+") do -- package.searchpath)
          local f = io.open((t:gsub("?", "imerr/core")), "rb")
          if f then so = t f:close() break end
        end
        assert(so and so:find(os.getenv("IMERR_TREE"), 1, true), so)
        assert(imerr.name(70001) == "ERR_SVR_ACCOUNT_USERSIG_EXPIRED")
        assert(imerr.count == 600)
        -- Plain tables in every Lua: cjson, pairs and # see every field.
        local cjson = require "cjson"
        local row = cjson.decode(cjson.encode(imerr.lookup(70001)))
        assert(row.name == "ERR_SVR_ACCOUNT_USERSIG_EXPIRED" and
          row.message ~= nil and row.hint.reason == "auth", "cjson row")
        local n = 0
        for _ in pairs(imerr.reasons) do n = n + 1 end
        assert(n > 0 and #imerr.reasons_list == n, "reasons_list")
        local fields = 0
        for _ in pairs(require("imerr.api").get("v4/openim/sendmsg")) do
          fields = fields + 1
        end
        assert(fields >= 8, "catalogue row fields")
        local sig = require "imerr.sig" -- Tencent callback page example
        assert(sig.callback_sign("xxxxyyyy", 1669872112):find("^17773bc3"))
        print("installed imerr " .. imerr._VERSION .. " works under " .. _VERSION)'
  ) || return 1
  # The rock's folder is named after its version: 2.0.0-1, scm-1.
  for page in "$tree/lib/luarocks/rocks-$version/imerr/"*/doc/imerr.1; do :; done
  [ -f "$page" ] ||
    { echo "no man page in the rock"; return 1; }
  # Exported: luaopen_imerr_core (luaopen_imerr_sig_core), besides the
  # linker's own markers.
  [ "$(nm -D --defined-only "$so" | awk '{ print $NF }' |
    grep -v -E '^(_init|_fini|_edata|_end|__bss_start)$')" = \
    luaopen_imerr_core ] || { nm -D --defined-only "$so"; return 1; }
  so=$tree/lib/lua/$version/imerr/sig_core.so
  [ "$(nm -D --defined-only "$so" | awk '{ print $NF }' |
    grep -v -E '^(_init|_fini|_edata|_end|__bss_start)$')" = \
    luaopen_imerr_sig_core ] || { nm -D --defined-only "$so"; return 1; }
}

# A bin folder with what /usr/bin and /usr/local/bin hold, less CMake and
# every Lua but $1: a machine with a C compiler and one Lua.
one_lua_path() {
  local dir=$1 lua=$2
  mkdir -p "$dir"
  # Later links win: /usr/local/bin's, as on the PATH.
  find /usr/bin /usr/local/bin -maxdepth 1 ! -type d |
    grep -v -E '/(cmake|ctest|cpack|lua|lua-any|lua[0-9].*|luac.*|luajit.*)$' |
    xargs ln -sf -t "$dir"
  ln -sf "$(command -v "$lua")" "$dir/$lua"
}

# luarocks make of the release rockspec, from a copy of the sources, with
# only the target Lua and no CMake on the PATH; LuaRocks itself runs on
# that Lua. Then the tree is checked with that Lua (and with LuaJIT on 5.1).
release_rock() {
  local version=$1 lua=lua$1 scratch src tree status
  scratch=$(mktemp -d)
  src=$scratch/src
  tree=$scratch/tree
  mkdir -p "$src"
  git ls-files -z --cached --others --exclude-standard |
    xargs -0 tar -cf - | tar -xf - -C "$src"
  one_lua_path "$scratch/bin" "$lua"
  (
    cd "$src" &&
      ! PATH=$scratch/bin command -v cmake &&
      PATH=$scratch/bin "$(command -v "$lua")" "$(command -v luarocks)" \
        --lua-version="$version" --lua-dir=/usr make --deps-mode=none \
        --tree "$tree" "rockspecs/imerr-$VERSION-1.rockspec"
  ) && check_tree "$version" "$lua" "$tree" &&
    { [ "$version" != 5.1 ] || check_tree 5.1 luajit "$tree"; }
  status=$?
  rm -rf "$scratch"
  return $status
}

# The release files (scripts/release.sh), installed offline with one Lua
# and no CMake on the PATH: the source rock for 5.4, and for 5.1 the
# rockspec of dist/, which fetches the tarball from its file:// URL.
release_tarball() {
  local scratch status
  scratch=$(mktemp -d)
  sh scripts/release.sh &&
    one_lua_path "$scratch/bin54" lua5.4 &&
    one_lua_path "$scratch/bin51" lua5.1 &&
    (cd "$scratch" && PATH=$scratch/bin54 lua5.4 "$(command -v luarocks)" \
      --lua-version=5.4 --lua-dir=/usr build --deps-mode=none \
      --tree "$scratch/tree" "$ROOT/dist/imerr-$VERSION-1.src.rock") &&
    check_tree 5.4 lua5.4 "$scratch/tree" &&
    (cd "$scratch" && PATH=$scratch/bin51 lua5.1 "$(command -v luarocks)" \
      --lua-version=5.1 --lua-dir=/usr build --deps-mode=none \
      --tree "$scratch/tree" "$ROOT/dist/imerr-$VERSION-1.rockspec") &&
    check_tree 5.1 lua5.1 "$scratch/tree"
  status=$?
  rm -rf "$scratch"
  return $status
}

lint_rockspecs() {
  local spec n=0
  for spec in rockspecs/*.rockspec; do
    luarocks lint "$spec" || return 1
    n=$((n + 1))
  done
  echo "luarocks lint: $n rockspecs clean"
}

# ASan + UBSan over the C core, the Lua modules (runtime preloaded into
# the interpreters) and the C tests; every busted suite runs against it.
asan() {
  cmake -S "$ROOT" -B "$ROOT/build-asan" -DIMERR_SANITIZE=address \
    -DIMERR_WERROR=ON &&
    cmake --build "$ROOT/build-asan" --parallel 2 &&
    (cd "$ROOT/build-asan" && ctest --output-on-failure)
}

# ThreadSanitizer over the C tests, eight threads among them.
tsan() {
  cmake -S "$ROOT" -B "$ROOT/build-tsan" -DIMERR_SANITIZE=thread \
    -DIMERR_LUA_ABIS= -DIMERR_WERROR=ON &&
    cmake --build "$ROOT/build-tsan" --parallel 2 &&
    (cd "$ROOT/build-tsan" && ctest -R '^c_' --output-on-failure)
}

# libFuzzer: each target for IMERR_FUZZ_SECONDS (30 s by default).
fuzz() {
  CC=clang cmake -S "$ROOT" -B "$ROOT/build-fuzz" -DIMERR_FUZZ=ON \
    -DIMERR_TESTS=OFF -DIMERR_WERROR=ON -DIMERR_LUA_ABIS= \
    -DIMERR_FUZZ_SECONDS="${IMERR_FUZZ_SECONDS:-30}" &&
    cmake --build "$ROOT/build-fuzz" --parallel 2 &&
    (cd "$ROOT/build-fuzz" && ctest -V)
}

# valgrind memcheck: the C tests and a Lua script calling everything.
memcheck() {
  local vg="valgrind -q --error-exitcode=1 --leak-check=full"
  vg="$vg --errors-for-leak-kinds=definite"
  $vg "$BUILD/spec/test_imerr" &&
    $vg "$BUILD/spec/test_sig" &&
    LUA_PATH="lua/?.lua;lua/?/init.lua;;" LUA_CPATH="$BUILD/lua/5.4/?.so;;" \
      $vg lua5.4 spec/valgrind/exercise.lua
}

stage build build
stage lint lint
stage ctest ctest_all
stage rockspec-5.4 rock 5.4 lua5.4
stage rockspec-5.3 rock 5.3 lua5.3
stage rockspec-5.1-luajit rock 5.1 luajit
stage rockspec-scm-5.4 rock 5.4 lua5.4 rockspecs/imerr-scm-1.rockspec
stage release-rock-5.4 release_rock 5.4
stage release-rock-5.1 release_rock 5.1
stage release-tarball release_tarball
stage luarocks-lint lint_rockspecs
stage openresty bash spec/nginx/run.sh
stage quickstart bash spec/quickstart.sh
stage prometheus bash spec/prometheus/run.sh
stage redis bash spec/fleet/redis.sh "$BUILD"
stage fleet-nginx bash spec/fleet/nginx.sh
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

# imerr.sig against Tencent's Node library, per Lua.
sed -n 's/^[0-9]*: \(oracle under .*\)$/\1/p' "$BUILD/logs/ctest.log" \
  2>/dev/null

# The metrics under load, and what counting costs.
grep -h -e "^requests/s (best" -e "^bookkeeping per request" \
  "$BUILD/logs/prometheus.log" 2>/dev/null | sed 's/^/prometheus stage: /'

# The fleet's admitted counts, on Redis and in nginx.
grep -ho "fleet: .*" "$BUILD/logs/redis.log" 2>/dev/null
grep -h "^admitted .* of rate" "$BUILD/logs/fleet-nginx.log" 2>/dev/null |
  sed 's/^/nginx, 2 workers, shared dict: /'

echo "imerr: $passed passed, $failed failed"
[ "$failed" -eq 0 ] || { echo "failed stages:$failures"; exit 1; }
