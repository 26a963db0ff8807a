#!/bin/bash
# The Prometheus stage: the generated rules under promtool, then the
# OpenResty example (two workers) in a real nginx against the mock
# upstream, scraped every second by a real Prometheus that evaluates the
# generated rules (a copy whose `for` is 1 s, so that alerts fire within
# the stage). The busted specs of spec/prometheus/*_test.lua drive the
# fault mix and check the counts and the alerts through Prometheus' HTTP
# API; then a load run (wrk) with and without a scraper, and a grep of
# /metrics and the run's logs for ids and secrets. Prometheus and nginx
# are stopped by their pids on the way out, whatever happened.
set -u
root=$(cd "$(dirname "$0")/../.." && pwd)
rules=$root/examples/prometheus/imerr-rules.yml
here=$root/spec/prometheus

echo "promtool: $(promtool --version 2>&1 | head -1)"
promtool check rules "$rules" || exit 1
# (promtool reads the rules relative to the test file)
promtool test rules "$here/rules.promtool.yml" || exit 1

# shellcheck source=scripts/nginx-lib.sh
. "$root/scripts/nginx-lib.sh"
nginx_setup prometheus || exit 1
cp -r "$root"/examples/openresty/lua/. "$prefix/lua/"
cp "$root/spec/nginx/mock.lua" "$prefix/lua/"

# The example's nginx.conf, pointed at the mock, with the retry delays
# scaled down, and the stage's test locations.
configure() {
  local port=$1 mock=$(($1 + 1))
  sed -e "s/listen 127.0.0.1:8080;/listen 127.0.0.1:$port;/" \
    -e "s|set \$imerr_upstream .*|set \$imerr_upstream http://127.0.0.1:$mock;|" \
    -e "s/set \$imerr_base .*/set \$imerr_base 0.002;/" \
    -e "s/set \$imerr_throttle_base .*/set \$imerr_throttle_base 0.01;/" \
    -e "s/set \$imerr_jitter .*/set \$imerr_jitter none;/" \
    -e "s/^http {/$nginx_user\nhttp {\n  include mock.conf;/" \
    -e "s|^    location = /metrics {|    include locations.conf;\n\n&|" \
    "$root/examples/openresty/nginx.conf" >"$prefix/conf/nginx.conf"
  sed -e "s/@MOCK_PORT@/$mock/" "$here/mock.conf" >"$prefix/conf/mock.conf"
  cp "$here/locations.conf" "$prefix/conf/locations.conf"
}
nginx_start configure || exit 1
echo "nginx $(nginx -v 2>&1 | sed 's/.*\///') on $url, pid $(cat "$pid_file")"
mock=http://127.0.0.1:$((port + 1))
logs=$prefix/logs

# Prometheus on a free loopback port, its storage in the scratch folder.
prom_pid=""
prom_stop() {
  [ -n "$prom_pid" ] || return 0
  kill -CONT "$prom_pid" 2>/dev/null
  kill -TERM "$prom_pid" 2>/dev/null
  for _ in $(seq 50); do kill -0 "$prom_pid" 2>/dev/null || break; sleep 0.1; done
  kill -KILL "$prom_pid" 2>/dev/null
  wait "$prom_pid" 2>/dev/null
  prom_pid=""
}
trap 'prom_stop; nginx_stop' EXIT

sed 's/^        for: .*/        for: 1s/' "$rules" >"$work/imerr-rules.yml"
cat >"$work/prometheus.yml" <<EOF
global:
  scrape_interval: 1s
  evaluation_interval: 1s
rule_files:
  - $work/imerr-rules.yml
scrape_configs:
  - job_name: imerr
    static_configs:
      - targets: ["127.0.0.1:$port"]
EOF
prom_start() {
  local try pport
  for try in 1 2 3 4 5; do
    pport=$((40000 + RANDOM % 20000))
    prometheus --config.file="$work/prometheus.yml" \
      --storage.tsdb.path="$work/prometheus-data" \
      --web.listen-address="127.0.0.1:$pport" --log.level=warn \
      >"$work/prometheus.log" 2>&1 &
    prom_pid=$!
    for _ in $(seq 100); do
      if curl -sf -m 1 "http://127.0.0.1:$pport/-/ready" >/dev/null; then
        prom=http://127.0.0.1:$pport
        return 0
      fi
      kill -0 "$prom_pid" 2>/dev/null || break
      sleep 0.1
    done
    prom_stop
    grep -q "address already in use" "$work/prometheus.log" || break
    echo "prometheus: port $pport taken (try $try)"
  done
  echo "prometheus did not start:"
  cat "$work/prometheus.log"
  return 1
}
prom_start || exit 1
echo "$(prometheus --version 2>&1 | head -1) on $prom, pid $prom_pid"

failed=0
cd "$root" || exit 1
IMERR_NGINX=$url IMERR_MOCK=$mock IMERR_PROM=$prom IMERR_LOGS=$logs \
  busted --lua=lua5.4 --pattern=_test spec/prometheus || {
    failed=1
    [ -n "${IMERR_KEEP_LOGS:-}" ] && cp -r "$logs" "$IMERR_KEEP_LOGS"
  }

# The proxy's ok requests as /metrics counts them, the request log's
# lines, and the mock's requests (one attempt each).
ok_count() {
  curl -s "$url/metrics" | awk -F' ' \
    '/^imerr_requests_total\{api="v4\/openim\/sendmsg",outcome="ok"\}/ { print $2 }'
}
log_lines() { wc -l <"$logs/imerr.log"; }
mock_requests() {
  curl -s "$mock/mock/stats?id=none" | sed 's/.*"requests":\([0-9]*\).*/\1/'
}
# wrk on the proxy (500 apps, no rate limiter) for 3 s; prints Requests/sec.
load() {
  wrk -t2 -c16 -d3s -s spec/nginx/wrk_post.lua \
    "$url/bench/v4/openim/sendmsg?scenario=ok&id=bench" >"$work/wrk.out"
  sed 's/^/    /' "$work/wrk.out" >&2
  awk '/^Requests\/sec:/ { print $2 }' "$work/wrk.out"
}
ratio() { awk -v a="$1" -v b="$2" 'BEGIN { printf "%.3f", a / b }'; }

# Counts while scraped under load: before and after, with the request
# log flushed (flush=1s), /metrics, the log and the mock agree exactly.
# Three runs: Prometheus paused (SIGSTOP), Prometheus at 1 s, and
# Prometheus with a scraper of /metrics 20 times a second on one
# keepalive connection (spec/prometheus/scraper.lua).
wrk -t2 -c16 -d1s -s spec/nginx/wrk_post.lua \
  "$url/bench/v4/openim/sendmsg?scenario=ok&id=bench" >/dev/null # warm-up
sleep 1.5
c0=$(ok_count) l0=$(log_lines) m0=$(mock_requests)
# Each setting twice, in turn: the best of each (the machine is shared).
best() { awk -v a="$1" -v b="${2:-0}" 'BEGIN { print (a > b ? a : b) }'; }
quiet=0 prom_rate=0 scraped=0
for round in 1 2; do
  echo "round $round: load without a scraper (Prometheus paused):"
  kill -STOP "$prom_pid"
  quiet=$(best "$(load)" "$quiet")
  kill -CONT "$prom_pid"
  echo "round $round: load with Prometheus scraping every second:"
  prom_rate=$(best "$(load)" "$prom_rate")
  echo "round $round: load with Prometheus and a scraper 20 times a second:"
  lua5.4 spec/prometheus/scraper.lua "$url/metrics" 0.05 &
  scraper_pid=$!
  scraped=$(best "$(load)" "$scraped")
  kill "$scraper_pid"
  wait "$scraper_pid" 2>/dev/null
done
sleep 1.5
c1=$(ok_count) l1=$(log_lines) m1=$(mock_requests)
echo "requests/s (best of 2): $quiet without a scraper, $prom_rate with" \
  "Prometheus (ratio $(ratio "$prom_rate" "$quiet")), $scraped with 20" \
  "scrapes a second more (ratio $(ratio "$scraped" "$quiet"))"
echo "counted ok: $((c1 - c0)); request log lines: $((l1 - l0));" \
  "mock requests: $((m1 - m0))"
if [ "$((c1 - c0))" -ne "$((l1 - l0))" ] || [ "$((c1 - c0))" -ne "$((m1 - m0))" ] ||
  [ "$((c1 - c0))" -eq 0 ]; then
  echo "load: the counts disagree"
  failed=1
fi

# What counting costs, on one worker (microseconds per request).
read -r bare count line < <(curl -s "$url/test/metrics-bench?n=200000")
echo "bookkeeping per request: count ${count} us (a bare dict:incr ${bare} us)," \
  "log line ${line} us"
echo "a 4 MB dict holds $(curl -s "$url/test/metrics-fill") counts"

# No id and no secret the specs sent (their marks below) in /metrics, the
# request log or error.log.
curl -s "$url/metrics" >"$work/metrics.txt"
sleep 1.2
marks="SECRETUSERSIG|SECRETKEY|adminid|userid|groupid|alice|bob|carol"
if grep -E -n "$marks" "$work/metrics.txt" "$logs/imerr.log" \
  "$logs/error.log"; then
  echo "ids or secrets in /metrics or the logs (above)"
  failed=1
else
  echo "no id or secret in /metrics ($(wc -l <"$work/metrics.txt") lines)," \
    "the request log ($(log_lines) lines) or error.log"
fi
# (the 403 of /metrics to 127.0.0.2 is logged as an error)
if grep -E "\[(error|crit|alert|emerg)\]" "$logs/error.log" |
  grep -v "access forbidden by rule, client: 127.0.0.2"; then
  echo "nginx logged errors (above)"
  failed=1
fi
exit $failed
