#!/bin/bash
# limiter:take() on a shared dict, inside nginx (OpenResty's LuaJIT), next
# to one bare dict:incr: ns per call (CPU time of the worker), median of
# five rounds. imerr is installed with the rockspec for Lua 5.1; nginx runs
# on a free loopback port and is stopped by its pid file.
#   bench/take_nginx.sh [N]
set -u
root=$(cd "$(dirname "$0")/.." && pwd)
n=${1:-200000}
# shellcheck source=scripts/nginx-lib.sh
. "$root/scripts/nginx-lib.sh"
nginx_setup bench-nginx || exit 1
cat >"$prefix/lua/take_bench.lua" <<'LUA'
local store = require "imerr.store"
local ratelimit = require "imerr.ratelimit"
local _M = {}
local function median(t)
  table.sort(t)
  return t[math.floor((#t + 1) / 2)]
end
function _M.run(n)
  local dict = ngx.shared.imerr_limits
  local l = assert(ratelimit.new { rate = 1e5, burst = 1e9, key = "bench",
    store = assert(store.shared(dict)) })
  local function take(m) for _ = 1, m do l:take() end end
  local function incr(m) for _ = 1, m do dict:incr("bare", 1, 0) end end
  take(1000) incr(1000)
  local ts, bs, rs = {}, {}, {}
  for i = 1, 5 do
    local t0 = os.clock() incr(n) bs[i] = (os.clock() - t0) / n * 1e9
    t0 = os.clock() take(n) ts[i] = (os.clock() - t0) / n * 1e9
    rs[i] = ts[i] / bs[i]
  end
  return ("%-34s %10.1f ns   bare %-22s %10.1f ns   %6.2fx"):format(
    "shared dict, limiter:take()", median(ts), "dict:incr",
    median(bs), median(rs))
end
return _M
LUA
configure() {
  local port=$1
  cat >"$prefix/conf/nginx.conf" <<CONF
$nginx_user
load_module /usr/lib/nginx/modules/ndk_http_module.so;
load_module /usr/lib/nginx/modules/ngx_http_lua_module.so;
worker_processes 1;
error_log logs/error.log warn;
pid logs/nginx.pid;
events { worker_connections 16; }
http {
  access_log off;
  client_body_temp_path tmp/body;
  proxy_temp_path tmp/proxy;
  fastcgi_temp_path tmp/fastcgi;
  uwsgi_temp_path tmp/uwsgi;
  scgi_temp_path tmp/scgi;
  lua_package_path "\$prefix/lua/?.lua;\$prefix/lua/?/init.lua;;";
  lua_package_cpath "\$prefix/lib/?.so;;";
  lua_shared_dict imerr_limits 1m;
  server {
    listen 127.0.0.1:$port;
    location = /bench {
      content_by_lua_block { ngx.say(require("take_bench").run($n)) }
    }
  }
}
CONF
}
nginx_start configure || exit 1
echo "take() in nginx $(nginx -v 2>&1 | sed 's/.*\///'), 1 worker; N = $n"
curl -fsS --max-time 120 "$url/bench" ||
  { cat "$prefix/logs/error.log"; exit 1; }
