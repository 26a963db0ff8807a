#!/bin/bash
# The limiter in a real nginx with two workers sharing a lua_shared_dict:
# wrk asks a limited location for 3 s; the calls admitted must stay within
# 105% of rate * 3 + burst (200/s, burst 20), and at least 90% of it. imerr
# is installed with the rockspec for Lua 5.1; nginx runs on a free
# loopback port and is stopped by its pid file on the way out.
set -u
root=$(cd "$(dirname "$0")/../.." && pwd)
work=$(mktemp -d /tmp/imerr-fleet-nginx.XXXXXX)
chmod 755 "$work"
prefix=$work/prefix
pid_file=$prefix/logs/nginx.pid

stop_nginx() {
  if [ -s "$pid_file" ]; then
    local pid
    pid=$(cat "$pid_file")
    kill -QUIT "$pid" 2>/dev/null
    for _ in $(seq 50); do kill -0 "$pid" 2>/dev/null || break; sleep 0.1; done
    kill -0 "$pid" 2>/dev/null && kill -KILL "$pid"
  fi
  rm -rf "$work"
}
trap stop_nginx EXIT

tree=$work/tree
sh "$root/scripts/install-rock.sh" 5.1 "$tree" >"$work/rock.log" 2>&1 ||
  { cat "$work/rock.log"; exit 1; }
mkdir -p "$prefix"/{conf,lua,lib,logs,tmp}
cp -r "$tree"/share/lua/5.1/. "$prefix/lua/"
cp -r "$tree"/lib/lua/5.1/. "$prefix/lib/"
cp "$root/spec/fleet/fleet_limited.lua" "$prefix/lua/"

user=""
[ "$(id -u)" -eq 0 ] && user="user root root;"
started=""
for _ in 1 2 3 4 5; do
  port=$((20000 + RANDOM % 20000))
  { echo "$user"; sed "s/@PORT@/$port/" "$root/spec/fleet/nginx.conf"; } \
    >"$prefix/conf/nginx.conf"
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
  exit 1
fi
for _ in $(seq 50); do [ -s "$pid_file" ] && break; sleep 0.1; done
url=http://127.0.0.1:$port
echo "nginx $(nginx -v 2>&1 | sed 's/.*\///') on $url, pid $(cat "$pid_file"), 2 workers"

failed=0
rate=200 burst=20 seconds=3
out=$(wrk -t2 -c8 -d${seconds}s "$url/limited")
echo "$out" | sed 's/^/  /'
counts=$(curl -fsS "$url/counts")
echo "limiter: $counts"
admitted=$(echo "$counts" | awk '{ print $2 }')
expected=$((rate * seconds + burst))
echo "admitted $admitted of rate * $seconds + burst = $expected" \
  "($((admitted * 1000 / expected / 10)).$((admitted * 1000 / expected % 10))%)"
if [ "$admitted" -gt $((expected * 105 / 100)) ]; then
  echo "FAIL: more than 105% admitted"
  failed=1
fi
if [ "$admitted" -lt $((expected * 90 / 100)) ]; then
  echo "FAIL: less than 90% admitted"
  failed=1
fi
echo "$counts" | grep -q "errors 0 " || { echo "FAIL: limiter errors"; failed=1; }
echo "$counts" | grep -Eq "workers [1-9][0-9]*\+[1-9]" ||
  { echo "FAIL: not both workers admitted calls"; failed=1; }

# One 60007 seen by either worker lowers the rate both see.
cut=$(curl -fsS "$url/throttled")
after=$(curl -fsS "$url/counts" | awk '{ print $NF }')
echo "after observe(60007): $cut, rate read back $after"
awk -v r="$after" 'BEGIN { exit !(r >= 140 && r < 150) }' ||
  { echo "FAIL: the rate was not cut to about 140"; failed=1; }

if grep -E "\[(error|crit|alert|emerg)\]" "$prefix/logs/error.log"; then
  echo "nginx logged errors (above)"
  failed=1
fi
exit $failed
