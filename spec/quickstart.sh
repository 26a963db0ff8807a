#!/bin/bash
# Runs the README's quick start as written, in a scratch copy of the
# sources: the install command, the first script, the numbered recipe
# that runs the OpenResty example against its mock (on free loopback
# ports, in a scratch folder), and the CMake route into a prefix (with
# the C program of docs/c-api.md). Fails when a command fails or prints
# other than what the page shows.
#
# What the commands would change outside the scratch folder is redirected:
# apt-get only checks that the packages it names are installed (the
# suite's scripts/deps.sh installs them), luarocks installs into a scratch
# tree instead of /usr/local, and $HOME is a scratch folder. nginx is
# stopped by its pid file on the way out, whatever happened.
set -u
root=$(cd "$(dirname "$0")/.." && pwd)
snippets="lua5.4 $root/tools/docs_snippets.lua"
readme=$root/README.md

work=$(mktemp -d /tmp/imerr-quickstart.XXXXXX)
# As root, nginx's workers run as nobody: they must reach the folder.
chmod 755 "$work"
src=$work/src
export DEMO=$work/demo HOME=$work/home
mkdir -p "$src" "$HOME" "$work/bin" "$work/out"

stop_nginx() {
  local pid
  pid=$(cat "$DEMO/logs/nginx.pid" 2>/dev/null) || return 0
  kill -QUIT "$pid" 2>/dev/null || return 0
  for _ in $(seq 50); do kill -0 "$pid" 2>/dev/null || return 0; sleep 0.1; done
  kill -KILL "$pid" 2>/dev/null
}
trap 'stop_nginx; rm -rf "$work"' EXIT

(cd "$root" && git ls-files -z --cached --others --exclude-standard |
  xargs -0 tar -cf - 2>/dev/null) | tar -xf - -C "$src" || exit 1

# apt-get: every package it is asked to install must be installed.
cat >"$work/bin/apt-get" <<'EOF'
#!/bin/sh
missing=""
for p in "$@"; do
  case "$p" in -* | install) continue ;; esac
  dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q " installed$" ||
    missing="$missing $p"
done
[ -z "$missing" ] || { echo "apt-get: not installed:$missing" >&2; exit 1; }
EOF
chmod +x "$work/bin/apt-get"

# check NAME SHOWN: compares stdin with SHOWN (a file).
failed=0
check() {
  local name=$1 shown=$2
  if $snippets compare text "$shown"; then
    echo "ok: $name prints what the page shows"
  else
    echo "FAIL: $name"
    failed=1
  fi
}

# 1. Install, with luarocks installing into a scratch tree.
tree=$work/tree
cat >"$work/bin/luarocks" <<EOF
#!/bin/sh
exec /usr/bin/luarocks --tree "$tree" "\$@"
EOF
chmod +x "$work/bin/luarocks"
$snippets blocks sh "$readme" Install >"$work/install.sh" || exit 1
echo "== Install"
cat "$work/install.sh"
(cd "$src" && PATH=$work/bin:$PATH bash -eu "$work/install.sh") \
  >"$work/out/install.log" 2>&1 ||
  { cat "$work/out/install.log"; echo "FAIL: the install command"; exit 1; }
rm "$work/bin/luarocks"

# 2. The first script, with the installed tree's paths only (and the
# system's, for lua-cjson and lua-socket).
echo "== A first script"
$snippets blocks lua "$readme" "A first script" >"$work/first.lua" || exit 1
(
  cd "$work" || exit 1
  eval "$(luarocks --lua-version=5.4 path --tree "$tree")"
  lua5.4 first.lua
) >"$work/out/first.out" 2>&1
cat "$work/out/first.out"
if $snippets compare lua "$work/first.lua" <"$work/out/first.out"; then
  echo "ok: first.lua prints what the README shows"
else
  echo "FAIL: first.lua"
  failed=1
fi

# 3. The OpenResty recipe on a free pair of ports.
free() { ! (exec 3<>"/dev/tcp/127.0.0.1/$1") 2>/dev/null; }
for _ in $(seq 20); do
  PORT=$((20000 + RANDOM % 20000))
  free "$PORT" && free $((PORT + 1)) && break
done
export PORT
heading="Run the OpenResty example"
$snippets recipe "$readme" "$heading" "$work/out" >"$work/recipe.sh" || exit 1
echo "== $heading: PORT=$PORT DEMO=$DEMO"
(cd "$src" && PATH=$work/bin:$PATH bash -eu "$work/recipe.sh") \
  2>"$work/out/recipe.err"
status=$?
for out in "$work"/out/[0-9]*.out; do
  n=$(basename "$out" .out)
  echo "-- step $n"
  cat "$out"
  $snippets shown "$readme" "$heading" "$n" >"$work/shown.txt"
  [ -s "$work/shown.txt" ] && check "step $n" "$work/shown.txt" <"$out"
done
if [ -s "$work/out/recipe.err" ]; then
  echo "-- what the recipe wrote to stderr"
  cat "$work/out/recipe.err"
fi
if [ "$status" -ne 0 ]; then
  echo "FAIL: the recipe stopped (exit $status):"
  cat "$work/out/recipe.err" "$DEMO/logs/error.log" 2>/dev/null | tail -n 30
  failed=1
else
  # The last step stops nginx: its master exits within seconds.
  pid=$(cat "$DEMO/logs/nginx.pid" 2>/dev/null)
  for _ in $(seq 50); do
    [ -n "$pid" ] && kill -0 "$pid" 2>/dev/null || break
    sleep 0.1
  done
  if [ -n "$pid" ] && kill -0 "$pid" 2>/dev/null; then
    echo "FAIL: nginx still runs 5 s after the recipe's last step"
    failed=1
  fi
fi
if grep -q "\[error\]\|\[emerg\]\|\[alert\]" "$DEMO/logs/error.log" 2>/dev/null; then
  echo "FAIL: nginx logged errors:"
  grep "\[error\]\|\[emerg\]\|\[alert\]" "$DEMO/logs/error.log" | head
  failed=1
fi

# 4. The CMake route into a prefix under $HOME, and a C program built
# and run against it; then, in the same shell, the program of
# docs/c-api.md, which must print what that page shows.
echo "== Installing (CMake)"
$snippets blocks sh "$readme" Installing >"$work/cmake.sh" || exit 1
cat "$work/cmake.sh"
capi="$root/docs/c-api.md"
$snippets blocks c "$capi" "The C library" >"$work/capi.c" &&
  $snippets blocks text "$capi" "The C library" >"$work/capi.txt" || exit 1
cat >>"$work/cmake.sh" <<EOF
cc "$work/capi.c" \$(pkg-config --cflags --libs imerr) -o "$work/capi"
"$work/capi" >"$work/out/capi.out"
EOF
(cd "$src" && bash -eu "$work/cmake.sh") >"$work/out/cmake.log" 2>&1
if [ $? -ne 0 ]; then
  tail -n 30 "$work/out/cmake.log"
  echo "FAIL: the CMake route"
  failed=1
else
  tail -n 1 "$work/out/cmake.log"
  tail -n 1 "$work/out/cmake.log" | grep -qx ERR_SVR_ACCOUNT_USERSIG_EXPIRED ||
    { echo "FAIL: ./prog printed the wrong name"; failed=1; }
  cat "$work/out/capi.out"
  check "the program of docs/c-api.md" "$work/capi.txt" <"$work/out/capi.out"
fi

[ "$failed" -eq 0 ] && echo "quick start: ok"
exit "$failed"
