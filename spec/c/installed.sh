#!/bin/sh
# Installs imerr into a scratch prefix and checks it as users meet it:
# a CMake project with find_package(imerr CONFIG) and imerr::imerr, the
# man page, imerr.core (and imerr.sig_core where built) and the modules for
# every Lua ABI built (each interpreter loads them from the prefix), and
# one version everywhere
# (imerr.h, pkg-config, imerr --version, imerr._VERSION, the rockspec).
# usage: spec/c/installed.sh BUILD_DIR [C_COMPILER]
set -eu
build=$(cd "$1" && pwd)
cc=${2:-cc}
src=$(cd "$(dirname "$0")/../.." && pwd)
prefix=$(mktemp -d)
trap 'rm -rf "$prefix"' EXIT
cmake --install "$build" --prefix "$prefix" >/dev/null
fail() { echo "FAIL: $*"; exit 1; }

# find_package from a plain CMake project, shared and static.
cmake -S "$src/spec/c/consumer" -B "$prefix/consumer" -DCMAKE_C_COMPILER="$cc" \
  -DCMAKE_PREFIX_PATH="$prefix" >/dev/null
cmake --build "$prefix/consumer" >/dev/null
"$prefix/consumer/app" | grep -q '^9510 ERR_SDK_NET_CONN_TIMEOUT' ||
  fail "the find_package(imerr) program"
"$prefix/consumer/app_static" | grep -q '^9510 ' ||
  fail "the imerr::imerr_static program"
echo "ok: find_package(imerr CONFIG) with imerr::imerr and imerr::imerr_static"

# The man page, found by man from the prefix.
page=$(MANPATH="$prefix/share/man" man -w imerr)
[ "$page" = "$prefix/share/man/man1/imerr.1" ] || fail "man -w imerr: $page"
MANPATH="$prefix/share/man" MANPAGER=cat MANWIDTH=80 man imerr 2>/dev/null |
  grep -q "look up Tencent Cloud IM error codes" || fail "man imerr"
echo "ok: man imerr shows $page"

# Each Lua finds the modules of its own ABI under the prefix.
# shellcheck disable=SC2016 # ${prefix} is the .pc file's own text
libdir=$(sed -n 's/^libdir=\${prefix}\///p' "$build/imerr.pc")
# The paths name the prefix only (no ";;"): nothing else can be loaded.
lua_version() { # INTERPRETER ABI_DIR -> imerr._VERSION
  LUA_PATH="$prefix/share/lua/$2/?.lua;$prefix/share/lua/$2/?/init.lua" \
    LUA_CPATH="$prefix/$libdir/lua/$2/?.so" "$1" -e '
      local imerr = require "imerr"
      assert(imerr.name(70001) == "ERR_SVR_ACCOUNT_USERSIG_EXPIRED")
      if os.getenv("IMERR_SIG_WANTED") == "1" then
        assert(#require("imerr.sig").callback_sign("t", 1) == 64)
      end
      io.write(imerr._VERSION)'
}
want=$(sed -n 's/^#define IMERR_VERSION "\(.*\)"$/\1/p' "$src/src/imerr.h")
lua_abis=0
for abi in 5.4 5.3 5.1; do
  [ -f "$build/lua/$abi/imerr/core.so" ] ||
    { [ "$abi" = 5.1 ] && [ -f "$build/lua/luajit/imerr/core.so" ]; } ||
    continue
  [ -f "$prefix/$libdir/lua/$abi/imerr/core.so" ] ||
    fail "no $libdir/lua/$abi/imerr/core.so"
  IMERR_SIG_WANTED=0
  if [ -f "$build/lua/$abi/imerr/sig_core.so" ] ||
    { [ "$abi" = 5.1 ] && [ -f "$build/lua/luajit/imerr/sig_core.so" ]; }; then
    [ -f "$prefix/$libdir/lua/$abi/imerr/sig_core.so" ] ||
      fail "no $libdir/lua/$abi/imerr/sig_core.so"
    IMERR_SIG_WANTED=1
  fi
  export IMERR_SIG_WANTED
  for exe in "lua$abi" $([ "$abi" = 5.1 ] && echo luajit); do
    command -v "$exe" >/dev/null || continue
    got=$(lua_version "$exe" "$abi") || fail "$exe cannot load imerr"
    [ "$got" = "$want" ] || fail "$exe: imerr._VERSION $got, imerr.h $want"
    lua_abis=$((lua_abis + 1))
  done
done
[ "$lua_abis" -gt 0 ] || fail "no Lua loads the installed modules"
echo "ok: $lua_abis Lua interpreters load imerr $want from the prefix"

# One version: pkg-config, the CLI and the release rockspec.
pc=$(PKG_CONFIG_PATH="$prefix/$libdir/pkgconfig" pkg-config --modversion imerr)
[ "$pc" = "$want" ] || fail "pkg-config --modversion: $pc, imerr.h: $want"
cli=$("$prefix/bin/imerr" --version)
[ "$cli" = "imerr $want" ] || fail "imerr --version: $cli"
[ -f "$src/rockspecs/imerr-$want-1.rockspec" ] ||
  fail "no rockspecs/imerr-$want-1.rockspec"
echo "ok: imerr.h, pkg-config, imerr --version, imerr._VERSION, rockspec: $want"
