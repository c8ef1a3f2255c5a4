#!/usr/bin/env bash
# bench/faults.sh — fault tests and fuzzing.
#
#   bench/faults.sh                 # fault tests, then each fuzz target for 60 s
#   FUZZTIME=10s bench/faults.sh    # shorter fuzzing
#   ONLY=fuzz bench/faults.sh       # fuzzing only (ONLY=faults: fault tests only)
#   RUN=TestRedis bench/faults.sh   # some fault tests only
#
# The fault tests (build tag faults, bench/faults) run the real binary
# against MariaDB on 127.0.0.1:3306 (root; a fresh database per test) and
# redis-server instances they start on free ports; MariaDB outages go through
# a proxy they control; the shared MariaDB and Redis are never stopped. A
# fuzz input that fails is kept by Go under the package's testdata/fuzz/;
# commit it with the fix.
set -euo pipefail
cd "$(dirname "$0")/.."
FUZZTIME=${FUZZTIME:-60s}
status=0

if [ "${ONLY:-}" != fuzz ]; then
	go test -tags faults -count=1 -v -timeout 20m -run "${RUN:-.}" ./bench/faults 2>&1 |
		grep -E '^(=== RUN|--- |PASS|FAIL|ok)|_test.go:[0-9]+:' || status=1
	[ "${PIPESTATUS[0]}" = 0 ] || status=1
fi

if [ "${ONLY:-}" != faults ]; then
	for target in ./wechat:FuzzOpen ./wechat:FuzzParseMessage ./store:FuzzStateCodec ./dialog:FuzzCreditCode ./dialog:FuzzStep; do
		pkg=${target%%:*}
		name=${target##*:}
		echo "=== fuzz $name ($pkg) for $FUZZTIME"
		if ! go test "$pkg" -run '^$' -fuzz "^$name\$" -fuzztime "$FUZZTIME" 2>&1 | tail -4; then
			status=1
		fi
		[ "${PIPESTATUS[0]}" = 0 ] || status=1
	done
fi
exit $status
