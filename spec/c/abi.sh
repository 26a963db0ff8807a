#!/bin/sh
# Checks what the built binaries export (nm -D --defined-only):
# every imerr/core.so exactly luaopen_imerr_core, every imerr/sig_core.so
# exactly luaopen_imerr_sig_core, and libimerr.so exactly the functions
# src/imerr.h declares with IMERR_API.
# usage: spec/c/abi.sh BUILD_DIR
set -eu
build=$1
src=$(cd "$(dirname "$0")/../.." && pwd)
# The linker's own markers are not the module's API.
exports() {
  nm -D --defined-only "$1" | awk '{ print $NF }' |
    grep -v -E '^(_init|_fini|_edata|_end|__bss_start)$' | sort
}
status=0
found=0
for so in "$build"/lua/*/imerr/core.so; do
  [ -f "$so" ] || continue
  found=$((found + 1))
  got=$(exports "$so" | tr '\n' ' ')
  if [ "$got" != "luaopen_imerr_core " ]; then
    echo "FAIL: $so exports: $got"
    status=1
  else
    echo "ok: $so exports luaopen_imerr_core only"
  fi
done
[ "$found" -gt 0 ] || { echo "FAIL: no imerr/core.so in $build/lua"; exit 1; }
for so in "$build"/lua/*/imerr/sig_core.so; do
  [ -f "$so" ] || continue
  got=$(exports "$so" | tr '\n' ' ')
  if [ "$got" != "luaopen_imerr_sig_core " ]; then
    echo "FAIL: $so exports: $got"
    status=1
  else
    echo "ok: $so exports luaopen_imerr_sig_core only"
  fi
done
want=$(sed -n 's/^IMERR_API .*[ *]\(imerr_[a-z_]*\)(.*/\1/p' "$src/src/imerr.h" |
  sort | tr '\n' ' ')
got=$(exports "$build/libimerr.so" | tr '\n' ' ')
if [ -z "$want" ] || [ "$got" != "$want" ]; then
  echo "FAIL: libimerr.so exports: $got"
  echo "      imerr.h declares:    $want"
  status=1
else
  echo "ok: libimerr.so exports the $(echo "$want" | wc -w) IMERR_API functions"
fi
# The soname follows the C ABI (1), not the package's version.
soname=$(objdump -p "$build/libimerr.so" | awk '/SONAME/ { print $2 }')
if [ "$soname" != "libimerr.so.1" ]; then
  echo "FAIL: libimerr.so's soname is $soname, not libimerr.so.1"
  status=1
else
  echo "ok: soname $soname"
fi
exit $status
