#!/bin/sh
# Installs imerr with its rockspec, offline, into a tree for one Lua:
#   scripts/install-rock.sh LUA_VERSION TREE
# and removes the build folder LuaRocks leaves in the source tree.
set -u
cd "$(dirname "$0")/.." || exit 1
luarocks --lua-version="$1" make --deps-mode=none --tree "$2" \
  imerr-scm-1.rockspec
status=$?
rm -rf build.luarocks
exit $status
