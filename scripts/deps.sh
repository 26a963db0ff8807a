#!/bin/sh
# Installs the Debian 12 packages imerr needs, when any is missing.
# usage: scripts/deps.sh build|test
# "build" is enough to build and run imerr (libssl-dev and zlib1g-dev for
# imerr.sig); "test" adds what the test suite runs (every Lua, busted,
# luacheck, nginx and the LRU cache of the OpenResty example, wrk, clang's
# sanitizers and libFuzzer, valgrind, ldoc, man, zip for the source rock,
# nm, openssl for the test certificate, Redis and its Lua client, curl,
# Node.js and npm for Tencent's signing library, the oracle of imerr.sig,
# Prometheus and promtool for the generated alerting rules).
set -eu

BUILD="gcc libc6-dev cmake make pkg-config lua5.4 liblua5.4-dev luarocks
  libssl-dev zlib1g-dev"
TEST="$BUILD lua5.3 liblua5.3-dev lua5.1 liblua5.1-0-dev luajit2
  libluajit2-5.1-dev lua-busted lua-check lua-cjson lua-dkjson lua-socket
  clang-format nginx-light libnginx-mod-http-lua lua-resty-lrucache wrk
  clang libclang-rt-14-dev
  valgrind lua-ldoc man-db zip unzip binutils openssl ca-certificates
  redis-server lua-redis curl nodejs prometheus"
# Debian's nodejs comes without npm; a nodejs that has its own (NodeSource's
# conflicts with Debian's npm package) needs none.
command -v npm >/dev/null 2>&1 || TEST="$TEST npm"

case "${1:-}" in
build) wanted=$BUILD ;;
test) wanted=$TEST ;;
*) echo "usage: $0 build|test" >&2; exit 2 ;;
esac

missing=""
for pkg in $wanted; do
  status=$(dpkg-query -W -f='${Status}' "$pkg" 2>/dev/null || true)
  case "$status" in
  *" installed") ;;
  *) missing="$missing $pkg" ;;
  esac
done
[ -z "$missing" ] && exit 0

if [ "$(id -u)" -ne 0 ]; then
  echo "imerr: missing packages:$missing (run as root to install them)" >&2
  exit 1
fi
echo "imerr: installing$missing"
export DEBIAN_FRONTEND=noninteractive
apt-get update -qq
# shellcheck disable=SC2086
apt-get install -y -qq --no-install-recommends $missing >/dev/null
