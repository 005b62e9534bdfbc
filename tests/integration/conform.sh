#!/usr/bin/env bash
# SPDX-License-Identifier: MIT
#
# `hvbench conform` end to end on real /dev/kvm (and QEMU's TCG): the whole
# suite on refvmm and qemu-tcg against the checked-in expectations, its
# TAP, JUnit and JSON read by their validators, a hang reported and the
# run carrying on, negative checks (refvmm answering wrongly on purpose
# makes exactly the matching tests fail), unexpected passes, and usage and
# environment errors.
#
# usage: conform.sh HVBENCH SOURCE_ROOT
set -u
hvbench=$1
root=$2
. "$(dirname "$0")/tap.sh"

echo "TAP version 13"
tap_require_kvm_jq

# result TARGET ID: the jq path of one result.
result() {
	echo "(.conformance.tests[] | select(.id == \"$2\") | .results[] | select(.target == \"$1\"))"
}

targets=refvmm
if command -v qemu-system-x86_64 >/dev/null; then
	targets=refvmm,qemu-tcg
else
	skip "qemu-tcg: qemu-system-x86_64 is not installed (scripts/setup installs it)"
fi

# The whole suite against the checked-in expectations, as CI runs it.
r=$work/conform.json
"$hvbench" conform --quiet --target "$targets" --out "$r" --junit "$work/conform.xml" \
	>"$work/conform.tap" 2>"$work/conform.err"
rc=$?
check "the suite on $targets exits 0: every failure is a known one (got $rc)" test "$rc" -eq 0
if [ "$rc" -ne 0 ]; then
	grep -E '^#   unexpected' "$work/conform.tap" | diag
	diag <"$work/conform.err"
fi
nr_tests=$(grep -c '^CONFORM_TEST(' "$root/include/hvbench/conform_tests.def")
jq_ok "the results file is a complete conform file" "$r" \
	'.schema == "hvbench-results" and .kind == "conform" and .complete == true'
jq_ok "every one of the $nr_tests tests has a result on every target" "$r" \
	"(.conformance.tests | length) == $nr_tests and
	 ([.conformance.tests[].results | length] | unique) == [$(tr -cd , <<<"$targets" | wc -c) + 1]"
jq -r --arg t "$targets" '"# the suite took \(.conformance.seconds | floor) s on \($t), \([.conformance.tests[].results[] |
	select(.target == "refvmm") | .seconds] | add | floor) s of it on refvmm"' "$r"
jq_ok "the hypercall test hangs on PVM and says where, or passes elsewhere" "$r" \
	"$(result refvmm hypercall.unknown-nr) |
	 (.status == \"TIMEOUT\" and (.reason | test(\"^vCPU hung at vmm?call \\\\(rip=0x[0-9a-f]+\\\\)\")))
	 or .status == \"PASS\""
jq_ok "the run carries on after it: the next test has its own result" "$r" \
	"$(result refvmm hypercall.cpl3) | .status | IN(\"PASS\", \"FAIL\", \"SKIP\")"
if command -v prove >/dev/null; then
	if prove --exec cat "$work/conform.tap" >"$work/prove.log" 2>&1; then
		ok "prove accepts the TAP stream"
	else
		not_ok "prove accepts the TAP stream"
		tail -20 "$work/prove.log" | diag
	fi
else
	skip "prove is not installed (Debian: perl)"
fi
check "the TAP ends with the summary as comments" grep -q '^# hvbench conform: ' "$work/conform.tap"
if [ "$targets" != refvmm ]; then
	check "the summary holds the test x target matrix" \
		grep -qE '^# cpuid.hypervisor-bit +PASS +PASS' "$work/conform.tap"
fi
if command -v xmllint >/dev/null; then
	check "the JUnit file validates against tests/data/junit.xsd" \
		xmllint --noout --schema "$root/tests/data/junit.xsd" "$work/conform.xml"
else
	skip "xmllint is not installed (Debian: libxml2-utils)"
fi
if /usr/bin/python3 -c 'import jsonschema' 2>/dev/null; then
	check "the results file matches docs/results-conform.schema.json" /usr/bin/python3 -c '
import json, sys, jsonschema
jsonschema.validate(json.load(open(sys.argv[1])), json.load(open(sys.argv[2])))' \
		"$r" "$root/docs/results-conform.schema.json"
else
	skip "the jsonschema module is not installed (Debian: python3-jsonschema)"
fi

"$hvbench" show "$r" >"$work/show.txt" 2>&1
rc=$?
check "hvbench show prints the file's summary and matrix (exit $rc)" \
	grep -qE '^cpuid.hypervisor-bit +PASS' "$work/show.txt"

# Negative checks: each fault makes its tests fail, and only those.
# negative FAULT FAILING_GLOB PASSING_ID
negative() {
	local fault=$1 failing=$2 passing=$3 out=$work/fault-$1.json
	"$hvbench" conform --quiet --no-expect --fault "$fault" --filter "$failing,$passing" \
		--out "$out" >"$work/fault.tap" 2>&1
	rc=$?
	check "--fault $fault: the run exits 1 (got $rc)" test "$rc" -eq 1
	jq_ok "--fault $fault: $failing fail, $passing still passes" "$out" \
		"[.conformance.tests[] | select(.id != \"$passing\") | .results[0].status] as \$s |
		 (\$s | length) > 0 and (\$s | all(. == \"FAIL\")) and
		 ($(result refvmm "$passing") | .status == \"PASS\")"
}
negative cpuid-signature 'cpuid.kvm-signature' cpuid.hypervisor-bit
negative pio-echo 'pio.echo-*' pio.unassigned-read
negative mmio-echo 'mmio.rw-*' pio.echo-byte
negative drop-msi 'apic.msi-host' apic.self-ipi
negative drop-ioapic 'apic.ioapic-line' apic.self-ipi
negative tsc-khz 'timer.tsc-frequency' timer.lapic-periodic

# Expectations: a listed test that passes is reported, and fails the run
# only with --strict; a listed failure that ends otherwise is unexpected.
mkdir -p "$work/expect"
printf 'cpuid.hypervisor-bit FAIL listed on purpose\n' >"$work/expect/refvmm.expect"
"$hvbench" conform --quiet --expect-dir "$work/expect" --filter cpuid.hypervisor-bit \
	--out "$work/up.json" >"$work/up.tap" 2>&1
rc=$?
check "an unexpected pass exits 0 without --strict (got $rc)" test "$rc" -eq 0
check "it is a passing TODO in the TAP" grep -q '^ok 1 - .* # TODO known failure: listed on purpose' \
	"$work/up.tap"
check "and named in the summary" grep -q '^#   unexpected PASS: cpuid.hypervisor-bit' "$work/up.tap"
"$hvbench" conform --quiet --strict --expect-dir "$work/expect" --filter cpuid.hypervisor-bit \
	--out "$work/up.json" >/dev/null 2>&1
rc=$?
check "with --strict it exits 1 (got $rc)" test "$rc" -eq 1
printf 'cpuid.hypervisor-bit TIMEOUT listed with another status\n' >"$work/expect/refvmm.expect"
"$hvbench" conform --quiet --strict --expect-dir "$work/expect" --filter cpuid.hypervisor-bit \
	--out "$work/up.json" >/dev/null 2>&1
rc=$?
check "a listed test that passes is unexpected whatever status it was listed with (got $rc)" \
	test "$rc" -eq 1

# Usage and environment errors: exit 2 with one line saying what.
# usage_error DESCRIPTION PATTERN ARGS...: exit 2 and PATTERN on stderr ($path: hvbench's PATH).
path=$PATH
usage_error() {
	local what=$1 pattern=$2
	shift 2
	PATH=$path "$hvbench" conform --quiet --out "$work/err.json" "$@" >/dev/null 2>"$work/err"
	rc=$?
	if [ "$rc" -eq 2 ] && grep -q -- "$pattern" "$work/err"; then
		ok "$what: exit 2, \"$pattern\""
	else
		not_ok "$what: exit 2, \"$pattern\" (got $rc)"
		diag <"$work/err"
	fi
}
usage_error "an unknown option" "try --help" --frobnicate
usage_error "an unknown target" "--target bochs: unknown" --target bochs
usage_error "a filter that selects nothing" "selects no test" --filter 'nosuch.*'
usage_error "a bad timeout" "--timeout 0: seconds" --timeout 0
usage_error "an unknown fault" "--fault nosuch: unknown" --fault nosuch
usage_error "a missing payload" "cannot use the payload" --payload "$work/nosuch.elf"
printf 'cpuid.*  SOMETIMES  no such status\n' >"$work/expect/refvmm.expect"
usage_error "a malformed expectations file" "refvmm.expect:1: unknown status" \
	--expect-dir "$work/expect" --filter cpuid.hypervisor-bit
path=/nonexistent
usage_error "a target that cannot run here" \
	"qemu-system-x86_64 is not installed" --target qemu-tcg --filter cpuid.hypervisor-bit
path=$PATH
jq_ok "the tests of a target that cannot run are skips saying why" "$work/err.json" \
	"$(result qemu-tcg cpuid.hypervisor-bit) |
	 .status == \"SKIP\" and (.reason | test(\"cannot run here\"))"

n=$("$hvbench" conform --list | wc -l)
check "--list lists the $nr_tests tests (got $n)" test "$n" -eq "$nr_tests"
check "--list --filter selects by area" \
	test "$("$hvbench" conform --list --filter smp | wc -l)" -eq 2

tap_done
