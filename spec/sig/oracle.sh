#!/bin/sh
# imerr.sig against Tencent's Node library (spec/sig/oracle.lua).
#   oracle.sh install BUILD_DIR        npm-installs tls-sig-api-v2 into
#                                      BUILD_DIR/npm, when it is not there
#   oracle.sh run BUILD_DIR LUA ABI    runs the oracle under one Lua
set -eu
VERSION=1.0.2 # the version whose signing the oracle specs pin
build=$(cd "$2" && pwd)
src=$(cd "$(dirname "$0")/../.." && pwd)
lib=$build/npm/node_modules/tls-sig-api-v2
case $1 in
install)
  if [ -f "$lib/TLSSigAPIv2.js" ] &&
    grep -q "\"version\": \"$VERSION\"" "$lib/package.json"; then
    echo "tls-sig-api-v2 $VERSION is in $lib"
    exit 0
  fi
  npm install --prefix "$build/npm" --no-audit --no-fund \
    "tls-sig-api-v2@$VERSION"
  ;;
run)
  cd "$src"
  LUA_PATH="lua/?.lua;lua/?/init.lua" LUA_CPATH="$build/lua/$4/?.so" \
    "$3" spec/sig/oracle.lua "$lib"
  ;;
*)
  echo "usage: $0 install BUILD_DIR | run BUILD_DIR LUA ABI" >&2
  exit 2
  ;;
esac
