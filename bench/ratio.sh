#!/usr/bin/env bash
# bench/ratio.sh — the service's throughput as a share of the floor's, both
# loaded by wrk (bench/wrk/push.lua) in one run, plaintext mode, floor and
# service alternating; then one validating pass of bench/loadgen against the
# service (every reply checked) for the error count.
#
#   bench/ratio.sh                    # 3 repetitions, 8 s each, -t2 -c64, 5,000 followers;
#                                     # the cases take turns at running first
#   REPEAT=5 DURATION=10s bench/ratio.sh
#   WARMUP=0 bench/ratio.sh           # no 2 s unmeasured warm-up before each measured run
#   DB=bench15 bench/ratio.sh         # MariaDB database (dropped and recreated per service case)
#   PROFILE=1 bench/ratio.sh          # 5 s CPU profile (and allocations) of the service in repetition 1
#   BASE=1d50c5d bench/ratio.sh       # also run that commit's service in each repetition ("before"),
#                                     # so before and after share each repetition's conditions
#
# Needs wrk (apt-get install wrk), GNU time (/usr/bin/time), Go, jq, MariaDB on 127.0.0.1:3306 (root, no
# password) and redis-server on PATH; it starts its own redis-server on
# BENCH_REDIS_PORT (default 28479) so that INFO commandstats counts the
# service's commands alone. Results go to bench/out/ratio-<time>/.
set -euo pipefail
cd "$(dirname "$0")/.."

DURATION=${DURATION:-8s}
CONNS=${CONNS:-64}
THREADS=${THREADS:-2}
OPENIDS=${OPENIDS:-5000}
REPEAT=${REPEAT:-3}
QUERIES=${QUERIES:-800000} # signed queries per wrk run: more than it sends
WARMUP=${WARMUP:-2s}        # unmeasured load before each measured run (0: none)
WARMUP_QUERIES=${WARMUP_QUERIES:-250000}
VALIDATE=${VALIDATE:-10s}
REDIS_PORT=${BENCH_REDIS_PORT:-28479}
SVC_ADDR=127.0.0.1:${BENCH_SVC_PORT:-28480}
FLOOR_ADDR=127.0.0.1:${BENCH_FLOOR_PORT:-28490}
DB=${DB:-bench15}
BASE=${BASE:-}
PROFILE=${PROFILE:-}
PPROF_ADDR=127.0.0.1:${BENCH_PPROF_PORT:-28491}
MYSQL=(mysql -uroot -h127.0.0.1 -P3306)
DSN="root@tcp(127.0.0.1:3306)/$DB"
TOKEN=benchtoken

for port in "$REDIS_PORT" "${SVC_ADDR#*:}" "${FLOOR_ADDR#*:}"; do
	if ss -ltn "sport = :$port" | grep -q LISTEN; then
		echo "port $port is in use; set BENCH_*_PORT" >&2
		exit 1
	fi
done

OUT=bench/out/ratio-$(date -u +%Y%m%dT%H%M%SZ)
mkdir -p "$OUT"
BIN=$(mktemp -d)
PIDS=()
cleanup() {
	for p in "${PIDS[@]}"; do kill "$p" 2>/dev/null || true; done
	wait 2>/dev/null || true
	rm -rf "$BIN"
}
trap cleanup EXIT

go build -o "$BIN/suzhirong" .
go build -o "$BIN/floor" ./bench/floor
go build -o "$BIN/loadgen" ./bench/loadgen
go build -o "$BIN/signq" ./bench/signq
if [ -n "$BASE" ]; then
	mkdir -p "$BIN/base-src"
	git archive "$BASE" | tar -x -C "$BIN/base-src"
	(cd "$BIN/base-src" && go build -o "$BIN/suzhirong-base" .)
	BASE=$(git rev-parse --short "$BASE")
fi

redis-server --port "$REDIS_PORT" --bind 127.0.0.1 --save '' --appendonly no --logfile "$(pwd)/$OUT/redis.log" &
rpid=$!
PIDS+=($rpid)
for _ in $(seq 50); do redis-cli -p "$REDIS_PORT" ping >/dev/null 2>&1 && break; sleep 0.1; done

wait_up() {
	for _ in $(seq 100); do curl -sf "$1" >/dev/null && return 0; sleep 0.1; done
	echo "not up: $1" >&2
	return 1
}
hwm_mb() { awk '/VmHWM/ {printf "%.1f", $2/1024}' "/proc/$1/status"; }
cpu_ticks() { awk '{print $14+$15}' "/proc/$1/stat"; }
box_ticks() { # -> "idle total": the machine's idle and total CPU ticks so far
	awk '/^cpu / {t = 0; for (i = 2; i <= NF; i++) t += $i; print $5 + $6, t}' /proc/stat
}
mariadb_ticks() { # MariaDB's CPU, 0 when its process cannot be read
	local p
	p=$(pidof mariadbd mysqld 2>/dev/null | cut -d' ' -f1)
	if [ -n "$p" ] && [ -r "/proc/$p/stat" ]; then cpu_ticks "$p"; else echo 0; fi
}
redis_calls() { # -> JSON object: calls per command since CONFIG RESETSTAT
	redis-cli -p "$REDIS_PORT" info commandstats | tr -d '\r' |
		sed -n 's/^cmdstat_\([^:]*\):calls=\([0-9]*\),.*/\1 \2/p' |
		jq -R -s 'split("\n") | map(select(length>0) | split(" ") | {(.[0]): (.[1]|tonumber)}) | add // {}'
}
redis_reads() { # reads Redis processed since CONFIG RESETSTAT: one per round trip, or per batch of pipelined ones
	redis-cli -p "$REDIS_PORT" info stats | tr -d '\r' | sed -n 's/^total_reads_processed:\([0-9]*\)/\1/p'
}
query() { # a signed plaintext query string, valid for the 5-minute window
	local ts nonce sig
	ts=$(date +%s)
	nonce=$RANDOM$RANDOM
	sig=$(printf '%s\n' "$TOKEN" "$ts" "$nonce" | LC_ALL=C sort | tr -d '\n' | sha1sum | cut -d' ' -f1)
	echo "signature=$sig&timestamp=$ts&nonce=$nonce"
}
# warm_up loads url for $WARMUP with followers of its own, unmeasured (as
# bench/run.sh does): connection pools, caches and MariaDB's buffer pool
# are warm when the measured run starts. The floor is warmed the same way.
warm_up() { # url
	[ "$WARMUP" = 0 ] && return
	"$BIN/signq" -token "$TOKEN" -n "$WARMUP_QUERIES" >"$OUT/warm-queries.txt"
	WRK_QUERY=$(query) WRK_QUERIES="$OUT/warm-queries.txt" WRK_PREFIX="o-warm-$RANDOM-" WRK_OPENIDS=$OPENIDS WRK_THREADS=$THREADS \
		wrk -t"$THREADS" -c"$CONNS" -d"$WARMUP" -s bench/wrk/push.lua "$1" >/dev/null
	rm -f "$OUT/warm-queries.txt"
}
run_wrk() { # name url pid rep
	local name=$1 url=$2 pid=$3 rep=$4 c0 c1 r0 r1 m0 m1 i0 i1 t0 t1 hz
	hz=$(getconf CLK_TCK)
	# A signed query per request, fresh for this run: the webhook refuses a
	# signature reused with another body. The floor and the service get the
	# same file, so both pay the same parsing.
	"$BIN/signq" -token "$TOKEN" -n "$QUERIES" >"$OUT/queries.txt"
	warm_up "$url"
	redis-cli -p "$REDIS_PORT" config resetstat >/dev/null # count the measured run's commands only
	c0=$(cpu_ticks "$pid")
	r0=$(cpu_ticks "$rpid")
	m0=$(mariadb_ticks)
	read -r i0 t0 < <(box_ticks)
	if [ -n "$PROFILE" ] && [ "$name" != floor ] && [ "$rep" = 1 ]; then
		(sleep 1; curl -sf "http://$PPROF_ADDR/debug/pprof/profile?seconds=5" >"$OUT/$name-cpu.pprof"
		 curl -sf "http://$PPROF_ADDR/debug/pprof/allocs" >"$OUT/$name-allocs.pprof") &
	fi
	WRK_QUERY=$(query) WRK_QUERIES="$OUT/queries.txt" WRK_PREFIX="o-$name-$rep-$RANDOM-" WRK_OPENIDS=$OPENIDS WRK_THREADS=$THREADS \
		/usr/bin/time -f '%U %S' -o "$OUT/$name-r$rep.time" \
		wrk -t"$THREADS" -c"$CONNS" -d"$DURATION" -s bench/wrk/push.lua "$url" >"$OUT/$name-r$rep.wrk"
	rm -f "$OUT/queries.txt"
	c1=$(cpu_ticks "$pid")
	r1=$(cpu_ticks "$rpid")
	m1=$(mariadb_ticks)
	read -r i1 t1 < <(box_ticks)
	tail -n1 "$OUT/$name-r$rep.wrk" | jq --arg name "$name" --argjson rep "$rep" --arg rss "$(hwm_mb "$pid")" \
		--arg rcpu "$(echo "scale=2; ($r1-$r0)/$hz" | bc)" --arg mcpu "$(echo "scale=2; ($m1-$m0)/$hz" | bc)" \
		--arg wcpu "$(awk '{print $1+$2}' "$OUT/$name-r$rep.time")" --arg idle "$(echo "scale=3; ($i1-$i0)/($t1-$t0)" | bc)" \
		--arg cpu "$(echo "scale=2; ($c1-$c0)/$hz" | bc)" --arg load "$(cut -d' ' -f1 /proc/loadavg)" \
		'. + {name: $name, rep: $rep, peak_rss_mb: ($rss|tonumber), cpu_seconds: ($cpu|tonumber), loadavg_after: ($load|tonumber)}
		 | . + {cpu_us_per_push: (.cpu_seconds / .requests * 1e6 | round), redis_cpu_us_per_push: (($rcpu | tonumber) / .requests * 1e6 | round),
		    mariadb_cpu_us_per_push: (($mcpu | tonumber) / .requests * 1e6 | round),
		    wrk_cpu_us_per_push: (($wcpu | tonumber) / .requests * 1e6 | round),
		    idle_pct: (($idle | tonumber) * 100 | round)}' >"$OUT/$name-r$rep.json"
	jq -c . "$OUT/$name-r$rep.json"
}
start_service() { # log-suffix [binary]
	"${MYSQL[@]}" -e "DROP DATABASE IF EXISTS $DB; CREATE DATABASE $DB CHARACTER SET utf8mb4"
	redis-cli -p "$REDIS_PORT" flushall >/dev/null
	env ADDR=$SVC_ADDR MYSQL_DSN="$DSN" REDIS_ADDR=127.0.0.1:$REDIS_PORT WECHAT_TOKEN=$TOKEN ADMIN_PASSWORD=bench-admin-pw \
		PPROF_ADDR=$PPROF_ADDR LOG_LEVEL=warn "${2:-$BIN/suzhirong}" 2>"$OUT/service-$1.log" &
	spid=$!
	PIDS+=($spid)
	wait_up "http://$SVC_ADDR/readyz"
	redis-cli -p "$REDIS_PORT" config resetstat >/dev/null
}

run_floor() { # rep
	env ADDR=$FLOOR_ADDR WECHAT_TOKEN=$TOKEN "$BIN/floor" 2>"$OUT/floor-r$1.log" &
	fpid=$!
	PIDS+=($fpid)
	wait_up "http://$FLOOR_ADDR/healthz"
	run_wrk floor "http://$FLOOR_ADDR/wechat" "$fpid" "$1"
	kill "$fpid"; wait "$fpid" 2>/dev/null || true
}
run_service() { # case rep
	local c=$1 rep=$2 bin=$BIN/suzhirong n
	[ "$c" = before ] && bin=$BIN/suzhirong-base
	start_service "$c-r$rep" "$bin"
	run_wrk "$c" "http://$SVC_ADDR/wechat" "$spid" "$rep"
	n=$(jq .requests "$OUT/$c-r$rep.json")
	redis_calls | jq --argjson n "$n" 'to_entries | map(select(.key != "config|resetstat")) |
		(map({(.key): (.value / $n * 1000 | round / 1000)}) | add) + {total: ((map(.value) | add) / $n * 1000 | round / 1000)}' |
		jq --argjson n "$n" --argjson reads "$(redis_reads)" '. + {reads: ($reads / $n * 1000 | round / 1000)}' >"$OUT/redis-$c-r$rep.json"
	redis-cli -p "$REDIS_PORT" info commandstats | tr -d '\r' >"$OUT/redis-$c-r$rep.commandstats"
	echo "redis per push ($c): $(jq -c . "$OUT/redis-$c-r$rep.json")"
	kill "$spid"; wait "$spid" 2>/dev/null || true
}

# The order of the cases turns with each repetition: whichever runs first
# in a repetition measured a few per cent faster on this machine (MariaDB
# still writes back the previous case's pages, the host's neighbours come
# and go), so each case runs first in turn.
cases=(floor service)
[ -n "$BASE" ] && cases+=(before)
for rep in $(seq "$REPEAT"); do
	k=$(((rep - 1) % ${#cases[@]}))
	for c in "${cases[@]:k}" "${cases[@]:0:k}"; do
		if [ "$c" = floor ]; then run_floor "$rep"; else run_service "$c" "$rep"; fi
	done
done

# One validating pass: the loadgen checks every reply against the walk.
if [ "$VALIDATE" != 0 ]; then
	start_service validate
	"$BIN/loadgen" -url "http://$SVC_ADDR/wechat" -token "$TOKEN" -conns "$CONNS" -openids "$OPENIDS" -duration "$VALIDATE" \
		-warmup 1s -prefix "o-validate-$RANDOM-" >"$OUT/validate.json"
	kill "$spid"; wait "$spid" 2>/dev/null || true
fi

{
	echo "# Ratio run $(date -u +%FT%TZ) at $(git rev-parse --short HEAD)$(git diff --quiet || echo '+dirty')"
	echo
	echo "$(nproc) cores, wrk -t$THREADS -c$CONNS -d$DURATION, $OPENIDS followers, plaintext, $REPEAT repetition(s), the cases in turn (each runs first in one repetition), $WARMUP unmeasured warm-up before each."
	echo
	echo "| case | run | msg/s | p50 ms | p99 ms | max ms | non-200 | busy | socket errors | peak RSS MB | server CPU µs/push | Redis CPU µs/push | MariaDB CPU µs/push | wrk CPU µs/push | idle % | load avg |"
	echo "| --- | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: |"
	for f in "$OUT"/floor-r*.json "$OUT"/service-r*.json "$OUT"/before-r*.json; do
		[ -f "$f" ] || continue
		jq -r '"| \(.name) | \(.rep) | \(.msg_per_s|floor) | \(.p50_ms) | \(.p99_ms) | \(.max_ms) | \(.non200) | \(.busy) | \(.socket_errors) | \(.peak_rss_mb) | \(.cpu_us_per_push) | \(.redis_cpu_us_per_push) | \(.mariadb_cpu_us_per_push) | \(.wrk_cpu_us_per_push) | \(.idle_pct) | \(.loadavg_after) |"' "$f"
	done
	echo
	jq -rn --slurpfile f <(cat "$OUT"/floor-r*.json) --slurpfile s <(cat "$OUT"/service-r*.json) '
		def med(xs): xs | sort | .[(length - 1) / 2 | floor];
		([range(0; $f | length)] | map($s[.].msg_per_s / $f[.].msg_per_s)) as $r |
		"Ratios per repetition: \($r | map(. * 1000 | round / 1000) | join(", ")); **median \(med($r) * 1000 | round / 1000)**. Service p99 median \(med([$s[].p99_ms])) ms, peak RSS max \([$s[].peak_rss_mb] | max) MB, server CPU per push median \(med([$s[].cpu_us_per_push])) µs (floor \(med([$f[].cpu_us_per_push])) µs), Redis CPU per push median \(med([$s[].redis_cpu_us_per_push])) µs."'
	echo
	if [ -n "$BASE" ]; then
		jq -rn --slurpfile f <(cat "$OUT"/floor-r*.json) --slurpfile s <(cat "$OUT"/before-r*.json) '
			def med(xs): xs | sort | .[(length - 1) / 2 | floor];
			([range(0; $f | length)] | map($s[.].msg_per_s / $f[.].msg_per_s)) as $r |
			"Before ('"$BASE"'), same repetitions: ratios \($r | map(. * 1000 | round / 1000) | join(", ")); **median \(med($r) * 1000 | round / 1000)**. p99 median \(med([$s[].p99_ms])) ms, peak RSS max \([$s[].peak_rss_mb] | max) MB, server CPU per push median \(med([$s[].cpu_us_per_push])) µs, Redis CPU per push median \(med([$s[].redis_cpu_us_per_push])) µs."'
		echo
	fi
	for f in "$OUT"/redis-*r*.json; do echo "Redis commands per push ($(basename "$f" .json)): \`$(jq -c . "$f")\`"; echo; done
	if [ -f "$OUT/validate.json" ]; then
		echo "Validating loadgen pass ($VALIDATE): \`$(jq -c '{msg_per_s, p50_ms, p99_ms, messages, errors}' "$OUT/validate.json")\`"
	fi
} >"$OUT/summary.md"
cat "$OUT/summary.md"
