# SPDX-License-Identifier: MIT
# Small TAP helpers for the integration scripts (sourced, not run).
tap_n=0
tap_failed=0
# Scratch space for each script's outputs, removed when it ends.
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT

ok() {
	tap_n=$((tap_n + 1))
	echo "ok $tap_n - $*"
}

not_ok() {
	tap_n=$((tap_n + 1))
	tap_failed=$((tap_failed + 1))
	echo "not ok $tap_n - $*"
}

skip() {
	tap_n=$((tap_n + 1))
	echo "ok $tap_n - # SKIP $*"
}

# check DESCRIPTION COMMAND...: ok if COMMAND succeeds.
check() {
	local what=$1
	shift
	if "$@"; then ok "$what"; else not_ok "$what"; fi
}

tap_done() {
	echo "1..$tap_n"
	[ "$tap_failed" -eq 0 ]
}

# Why KVM cannot be used here, or nothing if it can.
kvm_unusable() {
	if [ ! -e /dev/kvm ]; then
		echo "no /dev/kvm on this machine"
	elif [ ! -r /dev/kvm ] || [ ! -w /dev/kvm ]; then
		echo "no permission to use /dev/kvm (run as root or join the kvm group)"
	fi
}

# Whether KVM must be usable: in CI, and wherever scripts/run-tests runs
# these tests on a real KVM (natively, or in scripts/testvm's VM).  There a
# test that would skip for lack of KVM fails instead: it tested nothing.
kvm_required() {
	[ "${CI:-}" = true ] || [ "${HVBENCH_REQUIRE_KVM:-}" = 1 ]
}

# skip_no_kvm DESCRIPTION: a check that cannot run for lack of KVM (the
# reason is in DESCRIPTION): skipped, or failed where KVM is required.
skip_no_kvm() {
	if kvm_required; then
		not_ok "$* (KVM is required here: run the integration tests through scripts/testvm)"
	else
		skip "$*"
	fi
}

# tap_no_kvm_plan REASON: ends a script that needs KVM before its first
# check: an empty plan that says why, or one failure where KVM is required.
tap_no_kvm_plan() {
	if kvm_required; then
		echo "not ok 1 - $1 (KVM is required here: run the integration tests through scripts/testvm)"
		echo "1..1"
		exit 1
	fi
	echo "1..0 # SKIP $1"
	exit 0
}

# For scripts that need /dev/kvm and jq, called before the first check:
# without them, an empty plan that says why, and the script ends.
tap_require_kvm_jq() {
	local no_kvm
	no_kvm=$(kvm_unusable)
	[ -z "$no_kvm" ] || tap_no_kvm_plan "$no_kvm"
	if ! command -v jq >/dev/null; then
		echo "1..0 # SKIP jq is not installed (scripts/setup installs it)"
		exit 0
	fi
}

# diag: stdin as TAP comments, on stderr: meson's --print-errorlogs shows a
# failing TAP test's stderr, not the stdout its parser consumed, so a
# diagnostic on stdout would never reach a CI log.
diag() {
	sed 's/^/# /' >&2
}

# jq_ok DESCRIPTION FILE FILTER: ok if FILTER yields true on FILE; fails
# (status 1) otherwise, so a caller can print more with ||.
jq_ok() {
	local what=$1 file=$2 filter=$3
	if [ "$(jq -r "$filter" "$file" 2>/dev/null)" = true ]; then
		ok "$what"
	else
		not_ok "$what"
		jq -c "$filter" "$file" 2>&1 | head -c 600 | diag
		return 1
	fi
}

# run_results FILE OUT CMD...: runs CMD (an hvbench run writing the results
# file FILE), its output to OUT, its status in $rc.  In scripts/testvm's VM
# only, a run whose only failures are hangs of cells that wait in hlt for an
# interrupt (families interrupt and io) runs once more: nested KVM under
# QEMU's TCG sometimes leaves a halted vCPU without its interrupt
# (docs/testvm.md, not root-caused yet).  hvbench reports that as a hang,
# as it should; the first attempt's hangs are shown as diagnostics.
run_results() {
	local file=$1 out=$2
	shift 2
	"$@" >"$out" 2>&1
	rc=$?
	[ "$rc" -eq 1 ] && [ -n "${HVBENCH_TESTVM:-}" ] || return 0
	jq -e '[.results[] | .family as $f | .repetitions[] |
		select(.status | IN("ok", "unavailable") | not) |
		.status == "hang" and ($f | IN("interrupt", "io"))] | length > 0 and all' \
		"$file" >/dev/null 2>&1 || return 0
	jq -r '.results[] | "\(.workload) \(.mode) \(.target) cpl \(.cpl)" as $c | .repetitions[] |
		select(.status == "hang") | "lost interrupt in the test VM, run again: \($c): \(.reason)"' \
		"$file" | diag
	"$@" >"$out" 2>&1
	rc=$?
}
