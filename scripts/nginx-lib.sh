# Shell functions for the scripts that run imerr in a real nginx (Debian's
# Lua module, OpenResty's LuaJIT): spec/nginx/run.sh, spec/fleet/nginx.sh,
# bench/take_nginx.sh. Source it from bash.
#
# nginx_setup NAME   a scratch folder /tmp/imerr-NAME.*: $work, with the
#                    nginx prefix $prefix holding imerr installed from the
#                    release rockspec for the Lua 5.1 ABI ($prefix/lua and
#                    $prefix/lib); nginx is stopped by its pid file, and the
#                    folder removed, when the script exits.
# nginx_start WRITE  runs WRITE PORT, which writes $prefix/conf/nginx.conf
#                    for 127.0.0.1:PORT, and starts nginx; tries five random
#                    ports while the one chosen is taken. Sets $port, $url.
# $nginx_user        "user root root;" when run as root (workers need it to
#                    read the scratch folder), else empty.

nginx_lib_root=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
nginx_user=""
[ "$(id -u)" -eq 0 ] && nginx_user="user root root;"

nginx_stop() {
  if [ -s "$pid_file" ]; then
    local pid
    pid=$(cat "$pid_file")
    kill -QUIT "$pid" 2>/dev/null
    for _ in $(seq 50); do kill -0 "$pid" 2>/dev/null || break; sleep 0.1; done
    kill -0 "$pid" 2>/dev/null && kill -KILL "$pid"
  fi
  rm -rf "$work"
}

nginx_setup() {
  work=$(mktemp -d "/tmp/imerr-$1.XXXXXX")
  chmod 755 "$work"
  prefix=$work/prefix
  pid_file=$prefix/logs/nginx.pid
  trap nginx_stop EXIT
  mkdir -p "$prefix"/{conf,lua,lib,logs,tmp}
  sh "$nginx_lib_root/scripts/install-rock.sh" 5.1 "$work/tree" \
    >"$work/rock.log" 2>&1 || { cat "$work/rock.log"; return 1; }
  cp -r "$work"/tree/share/lua/5.1/. "$prefix/lua/"
  cp -r "$work"/tree/lib/lua/5.1/. "$prefix/lib/"
}

nginx_start() {
  local write=$1 started=""
  for _ in 1 2 3 4 5; do
    port=$((20000 + RANDOM % 20000))
    # (a try on a port in use logs [emerg]: not this start's error)
    : >"$prefix/logs/error.log"
    "$write" "$port"
    if nginx -p "$prefix" -c conf/nginx.conf -e "$prefix/logs/error.log" \
      2>"$work/start.log"; then
      started=yes
      break
    fi
    grep -q "Address already in use" "$work/start.log" || break
  done
  if [ -z "$started" ]; then
    echo "nginx did not start:"
    cat "$work/start.log" "$prefix/logs/error.log" 2>/dev/null
    return 1
  fi
  for _ in $(seq 50); do [ -s "$pid_file" ] && break; sleep 0.1; done
  url=http://127.0.0.1:$port
}
