#!/bin/sh
# Builds imerr and runs the imerr tool on a few real codes.
set -eu
cd "$(dirname "$0")/.."
sh scripts/deps.sh build
cmake -S . -B build -DCMAKE_BUILD_TYPE=Release >/dev/null
cmake --build build --parallel 2 >/dev/null
./build/imerr 9510 70001 60007 6017 ERR_SDK_NOT_INITIALIZED 125000 \
  70052 60022 10049 70169
./build/imerr --api v4/openim/sendmsg
