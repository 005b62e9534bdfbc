#!/usr/bin/env bash
# SPDX-License-Identifier: MIT
#
# Where hvbench run and conform write their results: the default results/
# is made where it is missing, and an --out (or --junit) in a directory
# that does not exist fails before anything runs, with one line and the
# documented exit code (run 73, conform 2), rather than after every test.
# No KVM needed: run measures on the native target, and conform's tests
# skip where refvmm cannot run, which still writes the results file.
#
# usage: outdir.sh HVBENCH BENCH_ELF CONFORM_ELF
set -u
# absolute: the script works in a directory of its own
hvbench=$(readlink -f "$1")
bench=$(readlink -f "$2")
conform=$(readlink -f "$3")
. "$(dirname "$0")/tap.sh"

echo "TAP version 13"

# A directory of its own with no results/ in it.
mkdir "$work/empty"
cd "$work/empty" || exit 1

# one_line FILE: the file is exactly one line.
one_line() {
	[ "$(wc -l <"$1")" -eq 1 ]
}

"$hvbench" run --quiet --payload "$bench" --target native --filter rdtsc --modes native \
	--cpl 3 --repetitions 1 --target-ms 2 >"$work/run.out" 2>"$work/run.err"
rc=$?
check "run without results/: exit 0 (got $rc)" test "$rc" -eq 0
check "run without results/: results/run.json is made" test -s results/run.json
[ -s results/run.json ] || diag <"$work/run.err"

"$hvbench" run --quiet --payload "$bench" --target native --filter rdtsc --modes native \
	--cpl 3 --repetitions 1 --target-ms 2 --out "$work/nosuch/r.json" \
	>"$work/run2.out" 2>"$work/run2.err"
rc=$?
check "run --out into a missing directory: exit 73 (got $rc)" test "$rc" -eq 73
check "...one line naming the directory" \
	grep -q "cannot write $work/nosuch/r.json: directory $work/nosuch does not exist" \
	"$work/run2.err"
check "...and only that line" one_line "$work/run2.err"
check "...and no directory made" test ! -e "$work/nosuch"

rm -rf results
# conform exits 2 where refvmm cannot run (its tests skip); the file is written all the same.
"$hvbench" conform --quiet --payload "$conform" --filter cpuid.hypervisor-bit \
	>"$work/conform.tap" 2>"$work/conform.err"
rc=$?
check "conform without results/: exit 0 or 2 (got $rc)" test "$rc" -eq 0 -o "$rc" -eq 2
check "conform without results/: results/conform.json is made" test -s results/conform.json
[ -s results/conform.json ] || diag <"$work/conform.err"
if command -v jq >/dev/null; then
	jq_ok "...and it is a conform results file" results/conform.json '.kind == "conform"'
else
	skip "...and it is a conform results file: jq is not installed"
fi

# conform_refused DESCRIPTION PATTERN ARGS...: exit 2, PATTERN as the one line, no test run.
conform_refused() {
	local what=$1 pattern=$2
	shift 2
	"$hvbench" conform --payload "$conform" --filter cpuid.hypervisor-bit "$@" \
		>"$work/refused.tap" 2>"$work/refused.err"
	rc=$?
	if [ "$rc" -eq 2 ] && grep -q -- "$pattern" "$work/refused.err" &&
	   one_line "$work/refused.err" && [ ! -s "$work/refused.tap" ]; then
		ok "$what: exit 2 before any test, \"$pattern\""
	else
		not_ok "$what: exit 2 before any test, \"$pattern\" (got $rc)"
		diag <"$work/refused.err"
	fi
}
conform_refused "conform --out into a missing directory" \
	"cannot write $work/nosuch/c.json: directory $work/nosuch does not exist" \
	--out "$work/nosuch/c.json"
conform_refused "conform --junit into a missing directory" \
	"cannot write nosuch/c.xml: directory nosuch does not exist" --junit nosuch/c.xml
printf 'not a directory\n' >"$work/file"
conform_refused "conform --out under a file" "$work/file is not a directory" \
	--out "$work/file/c.json"

tap_done
