#!/bin/sh
# Installs imerr into a scratch prefix, builds a C program against it with
# pkg-config, as a user would, and runs the installed imerr tool.
set -eu
build=$1
src=$(cd "$(dirname "$0")" && pwd)
prefix=$(mktemp -d)
trap 'rm -rf "$prefix"' EXIT
cmake --install "$build" --prefix "$prefix" >/dev/null
# The .pc file finds the prefix from where it is: the tree was installed
# elsewhere than configured, and pkg-config needs no help.
export PKG_CONFIG_PATH="$prefix/lib/pkgconfig:$prefix/lib/x86_64-linux-gnu/pkgconfig"
flags=$(pkg-config --cflags --libs imerr)
libdir=$(pkg-config --variable=libdir imerr)
case "$flags" in *"$prefix"*) ;; *) echo "pkg-config: $flags"; exit 1 ;; esac
# shellcheck disable=SC2086
cc -std=c99 -Wall -Wextra -Wpedantic -Werror -o "$prefix/example" \
  "$src/example.c" $flags
LD_LIBRARY_PATH="$libdir" "$prefix/example"
# The installed tool, with the installed Lua modules.
"$prefix/bin/imerr" 9510 | grep -q "ERR_SDK_NET_CONN_TIMEOUT"
