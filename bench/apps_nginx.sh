#!/bin/bash
# What the OpenResty example keeps per app: the proxy (1 worker) in front
# of spec/nginx's mock. First wrk with distinct valid sdkappids (each
# request a new app, cycling after N: give SECONDS enough for N), with
# the worker's RSS before and after; then wrk with equal-length 2 KB junk
# sdkappid values (each request different), with requests a second and
# the statuses. Also the worker's CPU time a request: on a shared machine
# it varies less than requests a second.
#   bench/apps_nginx.sh [EXAMPLE_DIR [N [SECONDS]]]   (140000, 60)
# EXAMPLE_DIR is an examples/openresty folder (default: this tree's), e.g.
# one taken from an older commit with `git archive` to compare.
set -u
root=$(cd "$(dirname "$0")/.." && pwd)
example=$(cd "${1:-$root/examples/openresty}" && pwd)
n=${2:-140000}
seconds=${3:-60}
# shellcheck source=scripts/nginx-lib.sh
. "$root/scripts/nginx-lib.sh"
nginx_setup bench-apps || exit 1
cp -r "$example"/lua/. "$prefix/lua/"
cp "$root/spec/nginx/mock.lua" "$prefix/lua/"

configure() {
  local port=$1 mock=$(($1 + 1))
  sed -e "s/listen 127.0.0.1:8080;/listen 127.0.0.1:$port;/" \
    -e "s|set \$imerr_upstream .*|set \$imerr_upstream http://127.0.0.1:$mock;|" \
    -e "s/^worker_processes .*/worker_processes 1;/" \
    -e "s/^http {/$nginx_user\nhttp {\n  lua_shared_dict mock 1m;\n  server {\n    listen 127.0.0.1:$mock;\n    location \/v4\/ { content_by_lua_block { require(\"mock\").handle() } }\n  }/" \
    "$example/nginx.conf" >"$prefix/conf/nginx.conf"
}
nginx_start configure || exit 1
worker=$(nginx_children "$(cat "$pid_file")")
rss() { awk '/^VmRSS:/ { print $2 }' "/proc/$worker/status"; }
# The worker's CPU time (user + system), in clock ticks.
ticks() { awk '{ print $14 + $15 }' "/proc/$worker/stat"; }
hz=$(getconf CLK_TCK)
# "µs of worker CPU a request", from ticks before, ticks after, wrk's text.
per_request() {
  echo "$3" | awk -v t=$(($2 - $1)) -v hz="$hz" '/requests in/ {
    printf "  worker CPU: %.1f us a request\n", t / hz * 1e6 / $1 }'
}

cat >"$work/apps.lua" <<LUA
-- each request a new sdkappid, cycling after $n
local i = 0
wrk.method = "POST"
wrk.body = '{"To_Account":"x"}'
function request()
  i = i + 1
  return wrk.format(nil, "/v4/openim/sendmsg?scenario=ok&id=bench&sdkappid=" ..
    (1400000000 + i % $n))
end
LUA
cat >"$work/junk.lua" <<'LUA'
-- each request a different 2 KB junk sdkappid
local i = 0
local pad = ("x"):rep(2048 - 12)
wrk.method = "POST"
wrk.body = '{"To_Account":"x"}'
function request()
  i = i + 1
  return wrk.format(nil, "/v4/openim/sendmsg?scenario=ok&id=bench&sdkappid=" ..
    ("%012d"):format(i) .. pad)
end
LUA
# Warm-up: the worker's first requests load imerr and the mock.
wrk -t1 -c4 -d1s -s "$work/apps.lua" "$url" >/dev/null
before=$(rss) t0=$(ticks)
out=$(wrk -t1 -c8 -d"${seconds}s" -s "$work/apps.lua" "$url")
after=$(rss) t1=$(ticks)
echo "example: $example"
echo "distinct apps (each request a new one, cycling after $n):"
echo "$out" | grep -E "requests in|Requests/sec|Non-2xx" | sed 's/^/  /'
per_request "$t0" "$t1" "$out"
echo "  worker RSS: $before KB before, $after KB after"
t0=$(ticks)
out=$(wrk -t1 -c8 -d10s -s "$work/junk.lua" "$url")
t1=$(ticks)
echo "2 KB junk sdkappid values:"
echo "$out" | grep -E "requests in|Requests/sec|Non-2xx" | sed 's/^/  /'
per_request "$t0" "$t1" "$out"
echo "  worker RSS: $(rss) KB"
