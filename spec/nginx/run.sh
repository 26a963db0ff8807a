#!/bin/bash
# Runs the OpenResty examples in a real nginx (Debian's Lua module) with
# imerr installed from the rockspec for Lua 5.1, against a mock of the IM
# REST API served by the same nginx: the handler specs, then a short wrk
# load, then a look at the error log. nginx is stopped by its pid file on
# the way out, whatever happened.
set -u
root=$(cd "$(dirname "$0")/../.." && pwd)
# shellcheck source=scripts/nginx-lib.sh
. "$root/scripts/nginx-lib.sh"
nginx_setup nginx || exit 1
cp -r "$root"/examples/openresty/lua/. "$prefix/lua/"
cp "$root/spec/nginx/mock.lua" "$prefix/lua/"

# Certificates for the TLS mocks: a self-signed one (no CA the proxy
# trusts); and a CA of the test's own, which signs one for the mock's
# address and one for another name.
ssl() {
  openssl "$@" >>"$work/openssl.log" 2>&1 ||
    { cat "$work/openssl.log"; exit 1; }
}
conf=$prefix/conf
ssl req -x509 -newkey rsa:2048 -nodes -days 2 -subj /CN=127.0.0.1 \
  -keyout "$conf/mock.key" -out "$conf/mock.crt"
ssl req -x509 -newkey rsa:2048 -nodes -days 2 -subj "/CN=imerr test CA" \
  -addext basicConstraints=critical,CA:TRUE \
  -addext keyUsage=critical,keyCertSign,cRLSign \
  -keyout "$conf/ca.key" -out "$conf/ca.crt"
# sign NAME CN SAN: NAME.key and NAME.crt, signed by the CA.
sign() {
  ssl req -newkey rsa:2048 -nodes -subj "/CN=$2" -keyout "$conf/$1.key" \
    -out "$conf/$1.csr"
  ssl x509 -req -in "$conf/$1.csr" -CA "$conf/ca.crt" -CAkey "$conf/ca.key" \
    -set_serial "$RANDOM" -days 2 -extfile <(echo "subjectAltName=$3") \
    -out "$conf/$1.crt"
}
# nginx checks the name with X509_check_host, which reads DNS names (and
# the CN when there are none), never IP addresses: the address is also
# written as a DNS name.
sign signed 127.0.0.1 IP:127.0.0.1,DNS:127.0.0.1,DNS:localhost
sign other other.test DNS:other.test

# The secrets of the run, random: the app key of the signing proxy's
# locations (a file, and IMERR_SIGN_KEY), and two callback tokens, the
# current one then the previous one (a file, and IMERR_CALLBACK_TOKENS,
# which the example's /im/callback reads). None may reach a log, an
# answer or /metrics (checked at the end).
sign_key=$(openssl rand -hex 32)
token_current=$(openssl rand -hex 24)
token_previous=$(openssl rand -hex 24)
echo "$sign_key" >"$conf/sign.key"
printf '%s\n%s\n' "$token_current" "$token_previous" >"$conf/callback-tokens"
export IMERR_SIGN_KEY=$sign_key
export IMERR_CALLBACK_TOKENS="$token_current $token_previous"
# The UserSigs the mock saw verify with the key (spec/nginx/mock.lua), and
# every answer the specs received (spec/nginx/client.lua).
seen=$work/seen-usersigs
answers=$work/answers
: >"$seen"
: >"$answers"

# The example configuration, pointed at the mock, with delays scaled down
# and jitter off so that the specs can check the gaps between attempts,
# and the test locations of locations.conf.
configure() {
  local port=$1 mock=$(($1 + 1)) tls=$(($1 + 2)) signed=$(($1 + 3)) \
    other=$(($1 + 4))
  sed -e "s/listen 127.0.0.1:8080;/listen 127.0.0.1:$port;/" \
    -e "s|set \$imerr_upstream .*|set \$imerr_upstream http://127.0.0.1:$mock;|" \
    -e "s/set \$imerr_base .*/set \$imerr_base 0.002;/" \
    -e "s/set \$imerr_throttle_base .*/set \$imerr_throttle_base 0.05;/" \
    -e "s/set \$imerr_cap .*/set \$imerr_cap 1;/" \
    -e "s/set \$imerr_jitter .*/set \$imerr_jitter none;/" \
    -e "s/^http {/$nginx_user\nhttp {\n  include mock.conf;/" \
    -e "s|^    location = /metrics {|    include locations.conf;\n\n&|" \
    "$root/examples/openresty/nginx.conf" >"$prefix/conf/nginx.conf"
  sed -e "s/@MOCK_PORT@/$mock/" -e "s/@TLS_PORT@/$tls/" \
    -e "s/@SIGNED_PORT@/$signed/" -e "s/@OTHER_PORT@/$other/" \
    -e "s|@CONF@|$conf|" -e "s|@WORK@|$work|" "$root/spec/nginx/mock.conf" \
    >"$conf/mock.conf"
  sed -e "s/@MOCK_PORT@/$mock/" -e "s/@TLS_PORT@/$tls/" \
    -e "s/@SIGNED_PORT@/$signed/" -e "s/@OTHER_PORT@/$other/" \
    -e "s|@CONF@|$conf|" -e "s|@WORK@|$work|" \
    "$root/spec/nginx/locations.conf" >"$conf/locations.conf"
}

# Start on free ports: the proxy's, the mock's next to it, then the TLS
# mocks' (self-signed, CA-signed, CA-signed for another name).
nginx_start configure || exit 1
echo "nginx $(nginx -v 2>&1 | sed 's/.*\///') on $url, pid $(cat "$pid_file")"

# "pid rss_kb" of each worker (the master's children), from /proc.
worker_rss() {
  local master
  master=$(cat "$pid_file")
  for stat in /proc/[0-9]*/stat; do
    # (processes come and go while this runs)
    { read -r pid _ _ ppid _ <"$stat"; } 2>/dev/null || continue
    [ "$ppid" = "$master" ] &&
      echo "$pid $(awk '/^VmRSS:/ { print $2 }' "/proc/$pid/status")"
  done | sort -n
}
# Sockets to the mock in TIME_WAIT (state 06), from /proc/net/tcp.
time_wait() {
  awk -v port="$(printf '%04X' "$1")" '$4 == "06" &&
    substr($3, index($3, ":") + 1) == port' /proc/net/tcp | wc -l
}

# A worker stuck in a loop of ngx.sleep(0) writes about 100 MB of warnings
# a second: past 64 MB of error.log, kill nginx (by pid) so that a broken
# build fails in seconds rather than filling the disk.
log_guard() {
  local master
  master=$(cat "$pid_file")
  while sleep 1; do
    [ "$(stat -c %s "$prefix/logs/error.log" 2>/dev/null || echo 0)" \
      -gt 67108864 ] || continue
    echo "error.log over 64 MB (a worker spins): nginx killed" >&2
    # shellcheck disable=SC2046
    kill -KILL $(nginx_children "$master") "$master" 2>/dev/null
    return
  done
}
log_guard &
guard=$!
trap 'kill "$guard" 2>/dev/null; nginx_stop' EXIT

failed=0
cd "$root" || exit 1
# exactly_once_test.lua writes its counts (delivered, duplicates, lost)
# here; they are printed after the specs.
report=$work/exactly-once.txt
IMERR_NGINX=$url IMERR_MOCK=http://127.0.0.1:$((port + 1)) \
  IMERR_NGINX_LOG=$prefix/logs/error.log IMERR_ANSWERS=$answers \
  IMERR_REPORT=$report busted --lua=lua5.4 --pattern=_test spec/nginx ||
  failed=1
if [ -s "$report" ]; then cat "$report"; else
  echo "exactly once: no counts (the spec did not run)"; failed=1; fi

# One eager client against the rate limits: calls one after the other to
# an API of 1 call a second, then wrk on one connection for 3 s on sendmsg
# (200 calls a second, a burst of 20). Their waits end in fractions of a
# millisecond; slept as 0 ms, they froze the worker for good (100% CPU,
# deaf to QUIT, error.log growing by GBs). After each, every worker must
# answer within a second and error.log stay under 1 MB. A frozen worker
# ends the run here (nginx_stop kills it by pid).
mock=http://127.0.0.1:$((port + 1))
all_answer() {
  local seen="" out code w size
  # The mock listens with reuseport: 20 connections reach every worker.
  for _ in $(seq 20); do
    out=$(curl -s -m 1 "$mock/worker") ||
      { echo "limit: a worker did not answer within 1 s"; return 1; }
    seen="$seen ${out%% *}"
  done
  for w in $(nginx_children "$(cat "$pid_file")"); do
    case "$seen " in *" $w "*) ;; *)
      echo "limit: worker $w did not answer"; return 1 ;;
    esac
  done
  code=$(curl -s -m 1 -o /dev/null -w '%{http_code}' -d '{}' \
    "$url/v4/openim/sendmsg?scenario=ok&id=limit2&sdkappid=1400000001")
  [ "$code" = 200 ] || { echo "limit: the proxy did not answer in 1 s"; return 1; }
  size=$(stat -c %s "$prefix/logs/error.log")
  echo "  every worker answers; error.log: $size bytes"
  [ "$size" -lt 1048576 ] || { echo "limit: error.log over 1 MB"; return 1; }
}
limit_pass() {
  local app=$((1400000000 + RANDOM * 1000)) code codes="" out
  for _ in 1 2 3 4; do
    code=$(curl -s -m 3 -o /dev/null -w '%{http_code}' -d '{}' \
      "$url/v4/group_open_http_svc/get_appid_group_list?scenario=ok&id=limit1&sdkappid=$app")
    codes="$codes $code"
  done
  echo "4 calls one after the other to a 1/s API:$codes"
  [ "$codes" = " 200 200 200 200" ] || { echo "limit: calls failed"; return 1; }
  all_answer || return 1
  out=$(timeout 15 wrk -t1 -c1 -d3s -s spec/nginx/wrk_post.lua \
    "$url/v4/openim/sendmsg?scenario=ok&id=limit&sdkappid=$((app + 1))")
  echo "wrk -c1 on sendmsg of one app (200/s, burst 20):"
  echo "$out" | sed 's/^/  /'
  all_answer || return 1
  echo "$out" | grep -q "Non-2xx" && { echo "limit: non-2xx answers"; return 1; }
  # (the limiter holds the app to 200 * 3 s + 20, the run's end aside)
  echo "$out" | awk '/requests in/ { exit !($1 > 0 && $1 <= 700) }' ||
    { echo "limit: the limiter let more than 700 through"; return 1; }
}
if ! limit_pass; then
  echo "error.log: $(stat -c %s "$prefix/logs/error.log") bytes, ends with:"
  tail -c 600 "$prefix/logs/error.log"
  exit 1
fi

# A short bounded load: 2 threads, 4 connections, 3 s per endpoint; the
# callbacks signed with the current token (within the 60 s window).
now=$(date +%s)
sign=$(curl -s "$mock/mock/sign?token=current&time=$now")
for target in "/v4/openim/sendmsg?scenario=ok&id=wrk" \
  "/im/callback?CallbackCommand=C2C.CallbackBeforeSendMsg&RequestTime=$now&Sign=$sign"; do
  out=$(wrk -t2 -c4 -d3s -s spec/nginx/wrk_post.lua "$url$target")
  echo "wrk ${target%%\?*}:"
  echo "$out" | sed 's/^/  /'
  if echo "$out" | grep -q "Non-2xx"; then
    echo "wrk: unexpected non-2xx answers for ${target%%\?*}"
    failed=1
  fi
  echo "$out" | grep -q "Requests/sec" || failed=1
  echo "  TIME_WAIT to the mock: $(time_wait $((port + 1)))"
done

# 1,000 clients for 5 s: no connection refused or reset (nginx logs an
# [alert] when worker_connections run out), and upstream connections kept
# alive (the TIME_WAIT count shows it). On a loaded machine the mock, in
# the same nginx, may answer slower than an attempt's 4 s: 504s (timeouts,
# with the retry budget spent) are counted, any other failure fails.
out=$(wrk -t2 -c1000 -d5s --timeout 15s -s spec/nginx/wrk_post.lua \
  "$url/load/v4/openim/sendmsg?scenario=ok&id=wrk1000")
echo "wrk 1000 clients:"
echo "$out" | sed 's/^/  /'
echo "  TIME_WAIT to the mock: $(time_wait $((port + 1)))"
echo "  answers by status: $(awk '{ print $2 }' "$prefix/logs/load.log" |
  sort | uniq -c | awk '{ printf "[%s] %s ", $2, $1 }')"
if echo "$out" | grep -Eq "Socket errors: connect [1-9]|read [1-9]|write [1-9]"
then
  echo "wrk: socket errors with 1000 clients"
  failed=1
fi
if awk '$2 != 200 && $2 != 504 { bad = 1 } END { exit !bad }' \
  "$prefix/logs/load.log"; then
  echo "wrk: answers other than 200 and 504 with 1000 clients"
  failed=1
fi

# The fault mix: wrk against /fault/ (1 s deadline) cycling through the
# faulty upstreams. Checks: the same workers before and after (none
# crashed), flat worker memory after a warm-up, and no request longer
# than its deadline + 100 ms + one connect timeout (0.2 s).
fault_run() {
  wrk -t2 -c"$2" -d"$1" --timeout 10s -s spec/nginx/wrk_faults.lua \
    "$url/fault/v4/openim/sendmsg"
}
fault_run 6s 32 >/dev/null
before=$(worker_rss)
: >"$prefix/logs/fault.log"
out=$(fault_run 12s 32)
after=$(worker_rss)
echo "wrk fault mix (/fault/, deadline 1 s):"
echo "$out" | sed 's/^/  /'
echo "  worker pid, RSS KB before: $(echo "$before" | tr '\n' ' ')"
echo "  worker pid, RSS KB after:  $(echo "$after" | tr '\n' ' ')"
echo "  TIME_WAIT to the mock: $(time_wait $((port + 1)))"
awk '{ n++; by[$2 " " ($4 == "-" ? "" : $4)]++; if ($3 > worst) worst = $3 }
  END { printf "  %d requests; by status and transport:", n
        for (k in by) printf " [%s] %d", k, by[k]
        printf "\n  worst request time %.3f s (bound 1.300 s)\n", worst }' \
  "$prefix/logs/fault.log"
if [ "$(echo "$before" | awk '{print $1}')" != \
  "$(echo "$after" | awk '{print $1}')" ]; then
  echo "fault mix: the workers changed (a crash?)"
  failed=1
fi
paste <(echo "$before") <(echo "$after") | awk '
  $4 > $2 + 16384 { print "fault mix: worker " $1 " grew from " $2 " to " \
    $4 " KB"; bad = 1 } END { exit bad }' || failed=1
awk '$3 > 1.3 { print "fault mix: " $0; bad = 1 } END { exit bad }' \
  "$prefix/logs/fault.log" || failed=1

# No log of the run holds a client's usersig (spec/nginx/client.lua),
# except nginx's own line for the 413 spec's refusal, which nginx writes
# with the request line before any Lua runs.
if grep -h "imerr-test-usersig-7f3a" "$prefix"/logs/*.log |
  grep -v "client intended to send too large body"; then
  echo "a client's usersig reached a log (above)"
  failed=1
fi

# No log of the run, no answer the specs received and no /metrics holds
# the key, a token, or a UserSig the proxy made (each whole, escaped as in
# a query, and a piece of its middle).
curl -s "$url/metrics" >>"$answers"
if [ ! -s "$seen" ]; then
  echo "the mock saw no UserSig of the signing proxy"
  failed=1
fi
if grep -F -f <(printf '%s\n%s\n%s\n' "$sign_key" "$token_current" \
  "$token_previous"; cat "$seen") "$prefix"/logs/*.log "$answers"; then
  echo "a key, a token or a UserSig reached a log or an answer (above)"
  failed=1
fi
logs=("$prefix"/logs/*.log)
echo "secrets looked for in ${#logs[@]} logs and" \
  "$(wc -l <"$answers") lines of answers:" \
  "$(awk 'NR % 3 == 1' "$seen" | sort -u | wc -l) UserSigs, the key, 2 tokens"

# The 413 spec's refusal and the logged error of error_log_test are the
# errors expected, and so are the complaints of the locations without
# callback tokens or with a key file that does not exist; sub-millisecond sleeps must not reach ngx.sleep (it
# warns about ngx.sleep(0)).
if grep -E "\[(error|crit|alert|emerg)\]" "$prefix/logs/error.log" |
  grep -v -e "client intended to send too large body" -e "imerr test: " \
    -e "imerr callback: no callback tokens configured: every callback is refused" \
    -e "imerr: the proxy cannot sign (key file $conf/no-such.key)"; then
  echo "nginx logged errors (above)"
  failed=1
fi
if grep -F "ngx.sleep(0)" "$prefix/logs/error.log"; then
  echo "nginx warned about ngx.sleep(0) (above)"
  failed=1
fi
exit $failed
