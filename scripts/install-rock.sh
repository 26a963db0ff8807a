#!/bin/sh
# Installs imerr with a rockspec, offline, into a tree for one Lua:
#   scripts/install-rock.sh LUA_VERSION TREE [ROCKSPEC]
# ROCKSPEC defaults to the release rockspec (rockspecs/imerr-VERSION-1),
# which needs a C compiler only; rockspecs/imerr-scm-1.rockspec builds
# with CMake. Removes what LuaRocks leaves in the source tree.
set -u
cd "$(dirname "$0")/.." || exit 1
version=$(sed -n 's/^#define IMERR_VERSION "\(.*\)"$/\1/p' src/imerr.h)
rockspec=${3:-rockspecs/imerr-$version-1.rockspec}
luarocks --lua-version="$1" make --deps-mode=none --tree "$2" "$rockspec"
status=$?
rm -rf build.luarocks imerr src/imerr.o src/imerr_lua.o src/imerr_sig.o \
  src/imerr_sig_lua.o
exit $status
