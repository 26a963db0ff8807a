#!/bin/bash
# The limiter in a real nginx with two workers sharing a lua_shared_dict:
# wrk asks a limited location for 3 s; the calls admitted must stay within
# 105% of rate * 3 + burst (200/s, burst 20), and at least 90% of it. imerr
# is installed with the rockspec for Lua 5.1; nginx runs on a free
# loopback port and is stopped by its pid file on the way out.
set -u
root=$(cd "$(dirname "$0")/../.." && pwd)
# shellcheck source=scripts/nginx-lib.sh
. "$root/scripts/nginx-lib.sh"
nginx_setup fleet-nginx || exit 1
cp "$root/spec/fleet/fleet_limited.lua" "$prefix/lua/"

configure() {
  { echo "$nginx_user"; sed "s/@PORT@/$1/" "$root/spec/fleet/nginx.conf"; } \
    >"$prefix/conf/nginx.conf"
}
nginx_start configure || exit 1
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
