#!/usr/bin/env bash
# bench/run.sh — the webhook benchmark: the real binary on real MariaDB and
# Redis against the floor (bench/floor), loaded by bench/loadgen from a second
# process, in plaintext and safe mode.
#
#   bench/run.sh                      # 20 s per case, 64 connections, 5,000 followers
#   DURATION=5s bench/run.sh          # quicker
#   REPEAT=3 bench/run.sh             # each case three times (floor and service interleaved); medians reported
#   PROFILE=1 bench/run.sh            # also take a 10 s CPU profile of the service per case
#   DSN_PARAMS='?interpolateParams=true' bench/run.sh   # extra MySQL DSN parameters for the service
#
# Needs: Go, jq, bc, curl, MariaDB on 127.0.0.1:3306 (root, no password),
# redis-server on PATH. It creates the database szr_bench (dropped and
# recreated per service case) and starts its own redis-server on
# BENCH_REDIS_PORT (default 28379), so that Redis' command counters are the
# service's alone; the shared Redis on 6379 and MariaDB are never stopped.
# Every process it starts is stopped on exit. Results go to bench/out/<time>/:
# one JSON per case and run, and summary.md.
set -euo pipefail
cd "$(dirname "$0")/.."

DURATION=${DURATION:-20s}
WARMUP=${WARMUP:-2s}
CONNS=${CONNS:-64}
OPENIDS=${OPENIDS:-5000}
MODES=${MODES:-"plaintext safe"}
REPEAT=${REPEAT:-1}
REDIS_PORT=${BENCH_REDIS_PORT:-28379}
SVC_ADDR=127.0.0.1:${BENCH_SVC_PORT:-28380}
FLOOR_ADDR=127.0.0.1:${BENCH_FLOOR_PORT:-28390}
PPROF=127.0.0.1:${BENCH_PPROF_PORT:-28360}
DB=szr_bench
MYSQL=(mysql -uroot -h127.0.0.1 -P3306)
DSN="root@tcp(127.0.0.1:3306)/$DB${DSN_PARAMS:-}"
TOKEN=benchtoken
APPID=wx2c2769f8efd9abc2
AESKEY=abcdefghijklmnopqrstuvwxyz0123456789ABCDEFG

for port in "$REDIS_PORT" "${SVC_ADDR#*:}" "${FLOOR_ADDR#*:}" "${PPROF#*:}"; do
	if ss -ltn "sport = :$port" | grep -q LISTEN; then
		echo "port $port is in use; set BENCH_*_PORT" >&2
		exit 1
	fi
done

OUT=bench/out/$(date -u +%Y%m%dT%H%M%SZ)
mkdir -p "$OUT"
BIN=$(mktemp -d)
PIDS=()
cleanup() {
	for p in "${PIDS[@]}"; do kill "$p" 2>/dev/null || true; done
	wait 2>/dev/null || true
	rm -rf "$BIN"
}
trap cleanup EXIT

echo "building into $BIN"
go build -o "$BIN/suzhirong" .
go build -o "$BIN/floor" ./bench/floor
go build -o "$BIN/loadgen" ./bench/loadgen

redis-server --port "$REDIS_PORT" --bind 127.0.0.1 --save '' --appendonly no --logfile "$(pwd)/$OUT/redis.log" &
PIDS+=($!)
for _ in $(seq 50); do redis-cli -p "$REDIS_PORT" ping >/dev/null 2>&1 && break; sleep 0.1; done

wait_up() { # url
	for _ in $(seq 100); do curl -sf "$1" >/dev/null && return 0; sleep 0.1; done
	echo "not up: $1" >&2
	return 1
}
cpu_ticks() { awk '{print $14+$15}' "/proc/$1/stat"; }
hwm_mb() { awk '/VmHWM/ {printf "%.1f", $2/1024}' "/proc/$1/status"; }
mysql_status() { # -> JSON object of the counters divided by pushes
	"${MYSQL[@]}" -N -e "SHOW GLOBAL STATUS WHERE Variable_name IN ('Questions','Com_select','Com_insert','Com_update','Com_delete','Com_commit','Com_begin','Com_stmt_prepare','Com_stmt_execute','Connections','Innodb_data_fsyncs')" |
		jq -R -s 'split("\n") | map(select(length>0) | split("\t") | {(.[0]): (.[1]|tonumber)}) | add'
}
redis_status() { # -> JSON object: calls per command since CONFIG RESETSTAT
	redis-cli -p "$REDIS_PORT" info commandstats | tr -d '\r' |
		sed -n 's/^cmdstat_\([^:]*\):calls=\([0-9]*\),.*/\1 \2/p' |
		jq -R -s 'split("\n") | map(select(length>0) | split(" ") | {(.[0]): (.[1]|tonumber)}) | add // {}'
}

# run_case name mode url pid [loadgen args...]: loads url, records CPU and RSS of pid.
run_case() {
	local name=$1 mode=$2 url=$3 pid=$4
	shift 4
	local tag=$name-$mode-r$rep
	local aes=()
	[ "$mode" = safe ] && aes=(-aes "$AESKEY" -appid "$APPID")
	local hz c0 c1 lg lc0 lc1
	hz=$(getconf CLK_TCK)
	c0=$(cpu_ticks "$pid")
	"$BIN/loadgen" -url "$url" -token "$TOKEN" -conns "$CONNS" -openids "$OPENIDS" -duration "$DURATION" -warmup "$WARMUP" \
		-prefix "o-$name-$mode-$RANDOM-" "${aes[@]}" "$@" >"$OUT/$tag.loadgen.json" &
	lg=$!
	lc0=$(cpu_ticks "$lg" 2>/dev/null || echo 0)
	if [ "${PROFILE:-}" = 1 ] && [ "$name" = service ]; then
		sleep 6
		curl -sf -o "$OUT/$tag.cpu.pprof" "http://$PPROF/debug/pprof/profile?seconds=10" || true
	fi
	lc1=$lc0
	while kill -0 "$lg" 2>/dev/null; do
		lc1=$(cpu_ticks "$lg" 2>/dev/null || echo "$lc1")
		sleep 0.5
	done
	wait "$lg"
	c1=$(cpu_ticks "$pid")
	jq --arg hwm "$(hwm_mb "$pid")" --arg cpu "$(echo "scale=2; ($c1-$c0)/$hz" | bc)" --arg lcpu "$(echo "scale=2; ($lc1-$lc0)/$hz" | bc)" \
		--arg load "$(cut -d' ' -f1 /proc/loadavg)" --argjson rep "$rep" --arg name "$name" \
		'. + {name: $name, rep: $rep, peak_rss_mb: ($hwm|tonumber), cpu_seconds: ($cpu|tonumber), loadgen_cpu_seconds: ($lcpu|tonumber), loadavg_after: ($load|tonumber)}' \
		"$OUT/$tag.loadgen.json" >"$OUT/$tag.json"
	rm "$OUT/$tag.loadgen.json"
	jq -c '{name, mode, rep, msg_per_s, p50_ms, p99_ms, errors, peak_rss_mb, cpu_seconds, loadavg_after}' "$OUT/$tag.json"
}

for rep in $(seq "$REPEAT"); do
	for mode in $MODES; do
		env_aes=()
		[ "$mode" = safe ] && env_aes=(WECHAT_ENCODING_AES_KEY=$AESKEY WECHAT_APP_ID=$APPID)

		# The floor.
		env ADDR=$FLOOR_ADDR WECHAT_TOKEN=$TOKEN "${env_aes[@]}" "$BIN/floor" 2>"$OUT/floor-$mode-r$rep.log" &
		fpid=$!
		PIDS+=($fpid)
		wait_up "http://$FLOOR_ADDR/healthz"
		run_case floor "$mode" "http://$FLOOR_ADDR/wechat" "$fpid" -expect=false
		kill "$fpid"
		wait "$fpid" 2>/dev/null || true

		# The service, on a fresh database and an empty Redis. WECHAT_APP_ID
		# set without a secret: outbound calls would fail, and none is made
		# by these walks.
		"${MYSQL[@]}" -e "DROP DATABASE IF EXISTS $DB; CREATE DATABASE $DB CHARACTER SET utf8mb4"
		redis-cli -p "$REDIS_PORT" flushall >/dev/null
		env ADDR=$SVC_ADDR MYSQL_DSN="$DSN" REDIS_ADDR=127.0.0.1:$REDIS_PORT WECHAT_TOKEN=$TOKEN ADMIN_PASSWORD=bench-admin-pw \
			PPROF_ADDR=$PPROF LOG_LEVEL=warn "${env_aes[@]}" "$BIN/suzhirong" 2>"$OUT/service-$mode-r$rep.log" &
		spid=$!
		PIDS+=($spid)
		wait_up "http://$SVC_ADDR/readyz"
		redis-cli -p "$REDIS_PORT" config resetstat >/dev/null
		# Other clients of the shared MariaDB, for the record.
		m_idle0=$(mysql_status)
		sleep 5
		m_idle1=$(mysql_status)
		m0=$(mysql_status)
		run_case service "$mode" "http://$SVC_ADDR/wechat" "$spid"
		m1=$(mysql_status)
		r1=$(redis_status)
		rmem=$(redis-cli -p "$REDIS_PORT" info memory | tr -d '\r' | sed -n 's/^used_memory:\([0-9]*\)/\1/p')
		rkeys=$(redis-cli -p "$REDIS_PORT" dbsize | tr -d '\r')
		kill "$spid"
		wait "$spid" 2>/dev/null || true
		sent=$(jq '.messages + .warmup_messages' "$OUT/service-$mode-r$rep.json")
		secs=$(jq '.seconds' "$OUT/service-$mode-r$rep.json")
		jq -n --argjson a "$m0" --argjson b "$m1" --argjson i0 "$m_idle0" --argjson i1 "$m_idle1" --argjson r "$r1" \
			--argjson n "$sent" --argjson secs "$secs" --argjson rmem "$rmem" --argjson rkeys "$rkeys" '
			{pushes: $n, redis_used_memory_mb: ($rmem / 1048576 * 10 | round / 10), redis_keys: $rkeys,
			 mysql_per_push: ($b | to_entries | map({(.key): ((.value - $a[.key]) / $n * 1000 | round / 1000)}) | add),
			 mysql_background_per_push: ($i1 | to_entries | map({(.key): ((.value - $i0[.key]) / 5 * ($secs + 2) / $n * 1000 | round / 1000)}) | add),
			 redis_per_push: ($r | to_entries | map(select(.key != "config|resetstat")) | map({(.key): (.value / $n * 1000 | round / 1000)}) | add)}' \
			>"$OUT/ops-$mode-r$rep.json"
		jq -c . "$OUT/ops-$mode-r$rep.json"
	done
done

{
	echo "# Webhook benchmark $(date -u +%FT%TZ)"
	echo
	echo "$(nproc) cores ($(grep -m1 'model name' /proc/cpuinfo | cut -d: -f2 | xargs)), $(free -g | awk '/Mem:/ {print $2}') GB; $(go version | cut -d' ' -f3);" \
		"MariaDB $("${MYSQL[@]}" -N -e 'select version()'), Redis $(redis-server --version | sed 's/.*v=\([^ ]*\).*/\1/')." \
		"$CONNS connections, $OPENIDS followers, $DURATION per case after $WARMUP warm-up, $REPEAT run(s) per case; the load generator runs on the same cores."
	echo
	echo "| case | mode | run | msg/s | p50 ms | p99 ms | max ms | errors | peak RSS MB | server CPU s | loadgen CPU s | load avg |"
	echo "| --- | --- | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: |"
	for mode in $MODES; do
		for name in floor service; do
			for f in "$OUT/$name-$mode"-r*.json; do
				jq -r '"| \(.name) | \(.mode) | \(.rep) | \(.msg_per_s|floor) | \(.p50_ms) | \(.p99_ms) | \(.max_ms) | \(.errors) | \(.peak_rss_mb) | \(.cpu_seconds) | \(.loadgen_cpu_seconds) | \(.loadavg_after) |"' "$f"
			done
		done
	done
	echo
	echo "Medians over the runs:"
	echo
	echo "| mode | floor msg/s | service msg/s | ratio | service p50 ms | service p99 ms | errors (all runs) | service peak RSS MB (max) |"
	echo "| --- | ---: | ---: | ---: | ---: | ---: | ---: | ---: |"
	for mode in $MODES; do
		jq -rn --slurpfile f <(cat "$OUT/floor-$mode"-r*.json) --slurpfile s <(cat "$OUT/service-$mode"-r*.json) '
			def med(xs): xs | sort | .[(length - 1) / 2 | floor];
			(med([$f[].msg_per_s])) as $fr | (med([$s[].msg_per_s])) as $sr |
			"| '"$mode"' | \($fr|floor) | \($sr|floor) | **\($sr / $fr * 100 | round)%** | \(med([$s[].p50_ms])) | \(med([$s[].p99_ms])) | \([$s[].errors, $f[].errors] | add) | \([$s[].peak_rss_mb] | max) |"'
	done
	echo
	for mode in $MODES; do
		for f in "$OUT/ops-$mode"-r*.json; do
			echo "Operations per push ($mode, $(basename "$f" .json)): \`$(jq -c . "$f")\`"
			echo
		done
	done
} >"$OUT/summary.md"
cat "$OUT/summary.md"
echo "results in $OUT"
