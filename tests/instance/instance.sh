#!/usr/bin/env bash
# SPDX-License-Identifier: MIT
#
# hvbench run --suite instance, on this machine: no /dev/kvm needed, so it
# runs where the tests do (scripts/run-tests' first stage), not in the
# test VM.  The cells are the catalog's instance rows and nothing else,
# each says what it stands for and is read against, every repetition
# records the load it ran under, the environment is captured before the
# runner pins itself, KVM is not even asked for, and --spread spaces the
# rounds of repetitions.
#
# usage: instance.sh HVBENCH SOURCE_ROOT
set -u
hvbench=$1
src=$2
. "$(dirname "$0")/../integration/tap.sh"

echo "TAP version 13"
if ! command -v jq >/dev/null; then
	echo "1..0 # SKIP jq is not installed (scripts/setup installs it)"
	exit 0
fi

r=$work/instance.json
"$hvbench" run --suite instance --repetitions 2 --target-ms 10 --out "$r" \
	>"$work/out" 2>"$work/err"
rc=$?
check "the instance suite exits 0 (got $rc)" test "$rc" -eq 0
[ "$rc" -eq 0 ] || diag <"$work/err"
jq_ok "the file is a complete run of the instance suite" "$r" \
	'.complete == true and .settings.suite == "instance" and .settings.targets == ["native"]'
want=$("$hvbench" list | awk '$2 == "instance" { print $1 }' | sort | tr '\n' ' ')
got=$(jq -r '.results[].workload' "$r" | sort | tr '\n' ' ')
check "its cells are exactly the catalog's instance rows" test "$want" = "$got"
[ "$want" = "$got" ] || echo "want: $want; got: $got" | diag
undocumented=$(for c in $want; do grep -q "^| \`$c\` |" "$src/docs/instance.md" || echo "$c"; done)
check "docs/instance.md's table has a row for every cell" test -z "$undocumented"
[ -z "$undocumented" ] || echo "not in docs/instance.md: $undocumented" | diag
jq_ok "every cell is native, family instance, with stands_for, pair and load_sensitive" "$r" \
	'[.results[] | .family == "instance" and .mode == "native" and .target == "native" and
	  has("stands_for") and has("pair") and (.load_sensitive | type == "boolean")] | all'
jq_ok "every pair names a cell of the file, and pairs point both ways or to a cell that does" "$r" \
	'[.results[].workload] as $names |
	 [.results[] | .pair | select(. != null) | IN($names[])] | all'
jq_ok "the wake-ups and timers are flagged load-sensitive, the instructions are not" "$r" \
	'([.results[] | select(.workload | test("^(wake-|ctxsw-|timer-)")) | .load_sensitive] | all) and
	 ([.results[] | select(.workload | startswith("insn-")) | .load_sensitive] | any | not)'
jq_ok "every repetition records its load: others' CPUs, steal, runnable tasks" "$r" \
	'[.results[].repetitions[] | .load | .others_cpus >= 0 and .steal_pct >= 0 and
	  .steal_pct <= 100 and (.procs_running | length == 2)] | all'
jq_ok "a cell that could not run says why" "$r" \
	'[.results[] | select(.status != "ok") | .reason | length > 0] | all'
jq_ok "the core cells measured: a system call, a page fault, a context switch" "$r" \
	'[.results[] | select(.workload | IN("syscall-getppid", "page-fault-4k", "ctxsw-same-cpu")) |
	  .status == "ok" and .summary.p50 > 0] | length == 3 and all'
jq_ok "KVM was not asked for: no target boots a VM" "$r" \
	'.settings.kvm_available == null and .settings.kvm_unavailable_why == null'
check "nothing on stderr speaks of /dev/kvm" bash -c "! grep -q /dev/kvm '$work/err'"
allowed=$(awk '/^Cpus_allowed_list:/ { print $2 }' /proc/self/status)
jq_ok "allowed_cpus is what the run may use ($allowed), not the CPU it pinned itself to" "$r" \
	".environment.topology.allowed_cpus == \"$allowed\""
check "the table gives the range of the repetitions' p50s, not a one-run interval" \
	grep -q "p50 range of the reps" "$work/out"
"$hvbench" show "$r" >"$work/show" 2>&1
check "show reads it back with the same table" grep -q "^syscall-getppid .* x2 " "$work/show"

# --like: the recipe again, from the file alone; nothing else may be said.
"$hvbench" run --like "$r" --quiet --out "$work/like.json" >/dev/null 2>"$work/err"
rc=$?
check "--like the instance run exits 0 (got $rc)" test "$rc" -eq 0
jq -s . "$r" "$work/like.json" >"$work/both.json"
jq_ok "--like repeats its settings and its cells" "$work/both.json" \
	'map(.settings | {suite, filter, modes, cpls, targets, repetitions, target_ms, max_samples,
	   keep_samples, pin, probes_asked, spread_minutes, payload}) as $s |
	 map([.results[].workload]) as $c | $s[0] == $s[1] and $c[0] == $c[1] and $s[0].payload == null'
"$hvbench" run --like "$r" --repetitions 3 >/dev/null 2>"$work/err"
rc=$?
check "--like with a recipe option is a usage error: 64 (got $rc), one line" \
	test "$rc" -eq 64 -a "$(wc -l <"$work/err")" -eq 1
printf '{"schema": "hvbench-results"' >"$work/torn.json"
"$hvbench" run --like "$work/torn.json" >/dev/null 2>"$work/err"
rc=$?
check "--like a torn file: 66 (got $rc), one line" test "$rc" -eq 66 -a "$(wc -l <"$work/err")" -eq 1

# Another instance type, made from this run: a CPU model and a command line
# of its own (pti=on, which this run's lacks), its system calls three times
# dearer, its wake-ups run under load.
jq '.environment.kernel.cmdline |= (split(" ") | map(select(. != "pti=on")) | join(" "))' \
	"$r" >"$work/here.json"
r=$work/here.json
jq '.environment.cpu.model_name = "Other CPU" | .environment.kernel.cmdline += " pti=on" |
    (.results[] | select(.workload == "syscall-getppid") | .repetitions[].samples) |= map(. * 3) |
    (.results[] | select(.workload == "syscall-getppid") | .summary.p50) *= 3 |
    (.results[].repetitions[].load.others_cpus) = 1.5' "$r" >"$work/other.json"
"$hvbench" compare "$r" "$work/other.json" >"$work/cmp" 2>"$work/cmperr"
rc=$?
check "compare of two instance types exits 0 (got $rc)" test "$rc" -eq 0
check "...opens with the instance view" grep -q "^instance view: other against here" "$work/cmp"
check "...the dearer kernel entry named with its ratio and interval" \
	grep -qE "kernel entry 3\.[0-9]+x dearer \[[0-9.]+, [0-9.]+\] \(syscall-getppid\)" "$work/cmp"
check "...pointing at the command-line word pti=on" \
	grep -q "points at: pti=on (only in other" "$work/cmp"
check "...with the command line's words whole" \
	grep -q "kernel command line, only in other: pti=on" "$work/cmp"
check "...and warning that the two ran under different load" \
	grep -q "ran under different load" "$work/cmperr"
check "...its table lists native cells only" \
	bash -c '! grep -qE "^[a-z0-9-]+ +(hvm|pv|offload)" "$1"' _ "$work/cmp"
"$hvbench" gate --baseline "$r" "$work/other.json" >/dev/null 2>"$work/err"
rc=$?
check "gate refuses two machines: exit 2 (got $rc), one line saying it is a comparison" \
	bash -c '[ "$1" -eq 2 ] && [ "$(wc -l <"$2")" -eq 1 ] &&
		grep -q "different machines (cpu.model_name" "$2"' _ "$rc" "$work/err"
"$hvbench" gate --across-machines --baseline "$r" "$work/other.json" >"$work/gate" 2>&1
rc=$?
check "gate --across-machines gates them: the dearer system call is a regression (got $rc)" \
	test "$rc" -eq 1
"$hvbench" report "$r" "$work/other.json" -o "$work/report.html" >/dev/null 2>&1
check "the report opens with the hosts and how they differ" \
	bash -c 'grep -q "id=\"host\">The hosts, and how they differ" "$1" &&
		[ "$(grep -o "id=\"[a-z-]*\"" "$1" | head -2 | tail -1)" = "id=\"host\"" ]' \
	_ "$work/report.html"
check "...naming what CPUID and the kernel each say the hypervisor is" \
	grep -q "CPUID: .*; kernel: " "$work/report.html"

# --spread: the second round starts 1.2 s after the first, not at once.
s=$work/spread.json
"$hvbench" run --suite instance --filter insn-rdtsc --repetitions 2 --target-ms 5 \
	--spread 0.02 --quiet --out "$s"
jq_ok "--spread 0.02 starts the second repetition at least 1.2 s after the first" "$s" \
	'.settings.spread_minutes == 0.02 and
	 (.results[0].repetitions | .[1].at_s - .[0].at_s >= 1.15)'

"$hvbench" run --suite instance --target refvmm --quiet --out "$work/r2.json" >"$work/o2" 2>&1
rc=$?
check "--suite instance --target refvmm has nothing to run: usage error 64 (got $rc)" \
	test "$rc" -eq 64
"$hvbench" run --suite nope >"$work/o3" 2>&1
rc=$?
check "--suite nope: exit 64 and one line naming the suites (got $rc)" \
	bash -c "[ $rc -eq 64 ] && [ \$(wc -l <'$work/o3') -eq 1 ] && grep -q instance '$work/o3'"
"$hvbench" run --spread -1 >"$work/o4" 2>&1
rc=$?
check "--spread -1: exit 64 (got $rc)" test "$rc" -eq 64
tap_done
