#!/usr/bin/env bash
# SPDX-License-Identifier: MIT
#
# hvbench compare, gate and baseline record on real runs: a run gated
# against itself passes; an honest second run passes against a baseline of
# two earlier ones; a run made slower for real (refvmm's
# --debug-pio-delay-ns) fails, naming the port I/O workloads and only them;
# the reports are well-formed; unusable input exits 2 with one line.
#
# usage: gate.sh HVBENCH SOURCE_ROOT
set -u
hvbench=$1
src=$2
. "$(dirname "$0")/tap.sh"

echo "TAP version 13"
tap_require_kvm_jq

# The example CI workflow in docs/ is YAML with the steps it promises.
if python3 -c 'import yaml' 2>/dev/null; then
	python3 - "$src/docs/ci-example.yml" <<'PY' 2>&1 | diag
import sys, yaml
w = yaml.safe_load(open(sys.argv[1]))
steps = " ".join(s.get("run", "") + s.get("uses", "") for s in w["jobs"]["bench"]["steps"])
for want in ("hvbench run --suite quick", "hvbench gate --baseline", "--summary",
             "GITHUB_STEP_SUMMARY", "hvbench report", "upload-artifact"):
    assert want in steps, want
PY
	check "docs/ci-example.yml parses and runs, gates, summarises, reports, uploads" \
		test "${PIPESTATUS[0]}" -eq 0
else
	skip "PyYAML is not installed (scripts/setup installs python3-yaml)"
fi

# Two port I/O workloads (pio-user's out and hypercall-pio's hypercall port
# reach refvmm), and two that never do (cpuid stays in the kernel, mmio-user
# is an MMIO exit): the delay must show in the first and not the second.
SLOW='pio-user hvm refvmm cpl0|hypercall-pio pv refvmm cpl0'
run() { # OUT [options...]
	local out=$1
	shift
	"$hvbench" run --filter cpuid,pio-user,hypercall-pio,mmio-user --modes hvm,pv --cpl 0 \
		--repetitions 3 --target-ms 20 --no-probes --quiet --out "$out" "$@"
}

for f in a1 a2 b; do
	run "$work/$f.json"
	check "run $f is measured" test $? -eq 0
done
# 100 us per port exit: pio-user and hypercall-pio (~10 us on a PVM host)
# become about ten times slower.  Where a port exit costs more (about 43 us
# in scripts/testvm's VM, nested under TCG), ten times its median, so the
# slowdown is about ten-fold there too.
pio_ns=$(jq '[.results[] | select(.workload == "pio-user") | .summary.p50] | max // 0 | floor' \
	"$work/a1.json")
delay=$((pio_ns * 10 > 100000 ? pio_ns * 10 : 100000))
run "$work/slow.json" --debug-pio-delay-ns "$delay"
check "the slowed run is measured" test $? -eq 0

# The same run against itself, with the thresholds this project's CI uses:
# every cell compared, nothing changed.
"$hvbench" gate --baseline "$work/a1.json" --thresholds "$src/baselines/thresholds" \
	"$work/a1.json" >"$work/self.out" 2>&1
rc=$?
check "a run gated against itself passes (exit $rc)" test "$rc" -eq 0
check "... comparing every ok cell" grep -q "gate: pass: 0 regression(s), 0 improvement(s) in 4 cell(s)" \
	"$work/self.out"

"$hvbench" baseline record -o "$work/base.json" --note "gate.sh" "$work/a1.json" \
	"$work/a2.json" >"$work/rec.out" 2>&1
check "baseline record merges two runs (exit $?)" grep -q "4 cell(s) from 2 run(s)" "$work/rec.out"
jq_ok "the baseline's cells hold both runs' repetitions, tagged" "$work/base.json" \
	'.kind == "baseline" and .baseline.note == "gate.sh" and (.baseline.runs | length) == 2
	 and all(.results[]; (.repetitions | length) == 6 and
		 ([.repetitions[].run] | sort) == [0, 0, 0, 1, 1, 1])'
"$hvbench" show "$work/base.json" >/dev/null
check "hvbench show reads the baseline (exit $?)" true

# An honest run of the same build against that baseline. The threshold,
# 300%, is above the worst honest drift seen on machines of this kind
# (cpuid at CPL0 once doubled while other jobs loaded both cores, and a CI
# run saw an untouched cell's whole interval above 2 against a single
# earlier run), and well below the slowed run's ten-fold slowdown (its
# intervals start above 7), so neither check depends on how busy the
# machine running the test is.
echo '* 300' >"$work/test.thresholds"
"$hvbench" gate --baseline "$work/base.json" --thresholds "$work/test.thresholds" \
	"$work/b.json" >"$work/honest.out" 2>&1
rc=$?
check "an honest second run passes against the baseline (exit $rc)" test "$rc" -eq 0
diag <"$work/honest.out"

# The slowed run: exit 1, the port I/O cells named with their figures, the
# others not.
"$hvbench" gate --baseline "$work/base.json" --thresholds "$work/test.thresholds" \
	--junit "$work/gate.xml" --summary "$work/gate.md" "$work/slow.json" >"$work/slow.out" 2>&1
rc=$?
check "the slowed run fails the gate (exit $rc)" test "$rc" -eq 1
diag <"$work/slow.out"
check "... naming pio-user and hypercall-pio with their figures" \
	test "$(grep -cE "^REGRESSION: ($SLOW): median [0-9.]+ -> [0-9.]+ ns \(x[0-9.]+, 95% CI" \
		"$work/slow.out")" -eq 2
check "... and nothing else" test "$(grep -c '^REGRESSION' "$work/slow.out")" -eq 2 ||
	"$hvbench" compare "$work/base.json" "$work/slow.json" 2>&1 | diag
check "... with the verdict line" grep -q "^gate: FAIL: 2 regression(s)" "$work/slow.out"
check "... and a warning that the run was slowed on purpose" \
	grep -q "^warning: settings.debug_pio_delay_ns differs: 0 in base, $delay in slow" "$work/slow.out"
if command -v xmllint >/dev/null; then
	xmllint --noout --schema "$src/tests/data/junit-gate.xsd" "$work/gate.xml" 2>"$work/xsd"
	check "the JUnit report is valid (junit-gate.xsd)" test $? -eq 0
	check "... with the two failures" \
		test "$(xmllint --xpath 'count(//testcase/failure[@type="regression"])' "$work/gate.xml")" = 2
	check "... and pio-user among them" \
		test "$(xmllint --xpath 'count(//testcase[@name="pio-user hvm refvmm cpl0"]/failure)' \
			"$work/gate.xml")" = 1
else
	skip "xmllint is not installed (scripts/setup installs libxml2-utils)"
fi
check "the Markdown summary says FAIL" grep -q '^## hvbench gate: FAIL' "$work/gate.md"
check "... and lists the regressions in a table" \
	test "$(sed -n '/^### Regressions/,/^###\|^<details>/p' "$work/gate.md" |
		grep -cE '^\| (pio-user|hypercall-pio) \|')" -eq 2

# compare: three files, every format.
"$hvbench" compare --labels base,honest,slowed "$work/a1.json" "$work/b.json" "$work/slow.json" \
	>"$work/cmp.txt" 2>"$work/cmp.err"
check "compare of three files: each cell against the base, for each other file" \
	test "$(awk '$5 == "honest" || $5 == "slowed"' "$work/cmp.txt" | wc -l)" -eq 8
"$hvbench" compare --format json --threshold 300 "$work/a1.json" "$work/slow.json" \
	>"$work/cmp.json" 2>/dev/null
jq_ok "compare --format json: every cell, the port I/O ones slower" "$work/cmp.json" \
	'.schema == "hvbench-compare" and (.rows | length) == 4 and
	 ([.rows[] | select(.verdict == "slower") | .workload] | sort) == ["hypercall-pio", "pio-user"]
	 and all(.rows[]; .ci[0] <= .ratio and .ratio <= .ci[1] and .p >= 0 and .p <= 1)' ||
	jq -c '.rows[] | [.workload, .verdict, .ratio, .ci, .p]' "$work/cmp.json" | diag
# Each side's median is of every ok repetition's first samples_per_repetition.
k=$(jq '.rows[] | select(.workload == "cpuid") | .samples_per_repetition' "$work/cmp.json")
jq_ok "... the medians are those of the samples compared ($k per repetition)" "$work/cmp.json" \
	"[.rows[] | select(.workload == \"cpuid\") | .base_median_ns] ==
	 [$(jq "[.results[] | select(.workload == \"cpuid\") | .repetitions[] |
		select(.status == \"ok\") | .samples[:${k:-0}][]] | sort |
		if length % 2 == 1 then .[length / 2 | floor]
		else (.[length / 2 - 1] + .[length / 2]) / 2 end" "$work/a1.json")]"
"$hvbench" compare --format csv "$work/a1.json" "$work/slow.json" >"$work/cmp.csv" 2>/dev/null
check "compare --format csv: a header and four rows of 16 fields" \
	test "$(awk -F, 'NR > 1 && NF == 16' "$work/cmp.csv" | wc -l)" -eq 4
"$hvbench" compare --format md "$work/a1.json" "$work/slow.json" >"$work/cmp.md" 2>/dev/null
check "compare --format md: a table of four rows" test "$(grep -c '^| [a-z]' "$work/cmp.md")" -eq 5

# A cell that measures something else in the other file (a workload
# redefined between versions): compared, with a warning naming it.
jq '(.results[] | select(.workload == "cpuid") | .what) |= "cpuid leaf 4\u001b[2J"' \
	"$work/a1.json" >"$work/redef.json"
"$hvbench" compare "$work/a1.json" "$work/redef.json" >/dev/null 2>"$work/redef.err"
check "compare warns of a cell whose definition differs, control characters escaped" \
	grep -q '^hvbench compare: warning: cpuid hvm refvmm cpl0: what it measures differs: "cpuid leaf 0, handled in the kernel" in a1, "cpuid leaf 4\\u001B\[2J" in redef$' \
	"$work/redef.err"

# Unusable input: exit 2, one line naming the file.
printf '{"schema": "hvbench-results", "schema_version": 1, "kind": "run", "resul' >"$work/torn.json"
echo '{"name": "something else"}' >"$work/foreign.json"
jq '.results[0].repetitions[0].samples[2] = "fast"' "$work/a1.json" >"$work/corrupt.json"
jq '.complete = false' "$work/a1.json" >"$work/partial.json"
jq '.results |= map(.workload = "other-" + .workload)' "$work/a1.json" >"$work/disjoint.json"
printf '*  10\ncpuid/hvm  fast\n' >"$work/bad.thresholds"
"$hvbench" conform --filter cpuid.kvm-signature --out "$work/conform.json" >/dev/null 2>&1
expect_2() { # WHAT MESSAGE-REGEX COMMAND...
	local what=$1 re=$2
	shift 2
	"$@" >/dev/null 2>"$work/err"
	local rc=$?
	if [ "$rc" -eq 2 ] && [ "$(wc -l <"$work/err")" -eq 1 ] && grep -qE -- "$re" "$work/err"; then
		ok "$what: exit 2, one line"
	else
		not_ok "$what: exit 2, one line (exit $rc)"
		diag <"$work/err"
	fi
}
expect_2 "a torn file" "^hvbench gate: $work/torn.json: " \
	"$hvbench" gate --baseline "$work/base.json" "$work/torn.json"
expect_2 "a foreign JSON file" "^hvbench gate: $work/foreign.json: no schema field" \
	"$hvbench" gate --baseline "$work/foreign.json" "$work/b.json"
expect_2 "a sample that is not a number" \
	"^hvbench compare: $work/corrupt.json: results\[0\]\.repetitions\[0\]\.samples\[2\] is not a time" \
	"$hvbench" compare "$work/a1.json" "$work/corrupt.json"
expect_2 "a conformance file" "a conformance results file \(kind conform\)" \
	"$hvbench" gate --baseline "$work/base.json" "$work/conform.json"
expect_2 "a missing file" "^hvbench gate: $work/none.json: cannot open: No such file" \
	"$hvbench" gate --baseline "$work/base.json" "$work/none.json"
expect_2 "no cell in common" "no cell could be compared" \
	"$hvbench" gate --baseline "$work/base.json" "$work/disjoint.json"
expect_2 "a bad thresholds file" "^hvbench gate: $work/bad.thresholds:2: threshold 'fast'" \
	"$hvbench" gate --baseline "$work/base.json" --thresholds "$work/bad.thresholds" "$work/b.json"
expect_2 "gate without --baseline" "--baseline FILE is required" "$hvbench" gate "$work/b.json"
expect_2 "a bad --threshold" "--threshold takes a percentage" \
	"$hvbench" gate --baseline "$work/base.json" --threshold x "$work/b.json"
expect_2 "a baseline from a slowed run" "slowed on purpose" \
	"$hvbench" baseline record -o "$work/no.json" "$work/a1.json" "$work/slow.json"
expect_2 "a baseline from an incomplete run" "an incomplete run" \
	"$hvbench" baseline record -o "$work/no.json" "$work/partial.json"
check "... and no baseline written" test ! -e "$work/no.json"

tap_done
