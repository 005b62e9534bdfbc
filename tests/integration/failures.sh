#!/usr/bin/env bash
# SPDX-License-Identifier: MIT
#
# How refvmm ends runs that go wrong, on real KVM: hangs are caught by the
# watchdog within the deadline and reported with RIP and the code there,
# a triple fault is reported as a crash, and bad input gets one clear line
# and its own exit code.  usage: failures.sh REFVMM PAYLOAD_DIR
set -u
. "$(dirname "$0")/tap.sh"
refvmm=$1
dir=$2

EXIT_USAGE=64 EXIT_PAYLOAD=65 EXIT_KVM=66 EXIT_HANG=67 EXIT_CRASH=68
DEADLINE=2
# The watchdog must report within the deadline plus this much (kick, join).
SLACK=1.5

run() { # payload [options...] -> $rc, $secs, $work/out, $work/err
	local t0 t1
	t0=$(date +%s.%N)
	"$refvmm" run "$@" >"$work/out" 2>"$work/err"
	rc=$?
	t1=$(date +%s.%N)
	secs=$(echo "$t1 - $t0" | bc)
}

within_deadline() {
	[ "$(echo "$secs <= $DEADLINE + $SLACK" | bc)" -eq 1 ]
}

# The first RIP in the hang/crash report.
reported_rip() {
	sed -n 's/.*RIP \(0x[0-9a-f]*\),.*/\1/p' "$work/err" | head -1
}

expect_hang() { # name, then the run's arguments; prints nothing, sets $why
	local name=$1
	shift
	run "$@" --timeout "$DEADLINE"
	if [ "$rc" -eq "$EXIT_HANG" ] && within_deadline && grep -q '^refvmm: guest hang:' "$work/err" &&
		[ -n "$(reported_rip)" ]; then
		return 0
	fi
	not_ok "$name: status $rc after $secs s"
	diag <"$work/out"; diag <"$work/err"
	return 1
}

echo "TAP version 13"
no_kvm=$(kvm_unusable)
[ -z "$no_kvm" ] || tap_no_kvm_plan "$no_kvm"

# vmcall at CPL0: on this project's PVM hosts the vCPU spins inside KVM_RUN.
run "$dir/vmcall.elf" --timeout "$DEADLINE"
insn_addr=$(sed -n 's/^hypercall instruction at \(0x[0-9a-f]*\)$/\1/p' "$work/out")
if [ "$rc" -eq 0 ] && grep -q '^hypercall returned' "$work/out"; then
	skip "vmcall hang: the hypercall returned on this host (no hang to catch)"
elif [ "$rc" -eq "$EXIT_HANG" ] && within_deadline && [ "$(reported_rip)" = "$insn_addr" ] &&
	grep -Eq '<- vmm?call' "$work/err"; then
	ok "vmcall hang caught by the watchdog in $secs s, reported at RIP $insn_addr (the vmcall)"
else
	not_ok "vmcall: status $rc after $secs s, payload said ${insn_addr:-nothing}, report: $(reported_rip)"
	diag <"$work/out"; diag <"$work/err"
fi

if expect_hang "spin with interrupts off" "$dir/spin_cli.elf"; then
	rip=$(reported_rip)
	sym=$(nm "$dir/spin_cli.elf" | awk '$3 == "guest_main" { print "0x" $1 }')
	# The loop lies inside guest_main, a few bytes past its start.
	if grep -q 'interrupts disabled' "$work/err" && [ $((rip - sym)) -ge 0 ] &&
		[ $((rip - sym)) -lt 64 ]; then
		ok "spin with interrupts off caught in $secs s at RIP $rip, inside guest_main ($sym)"
	else
		not_ok "spin with interrupts off: report does not point into guest_main ($sym)"
		diag <"$work/err"
	fi
fi

for chip in kernel user; do
	if expect_hang "cli; hlt (irqchip $chip)" "$dir/halt_cli.elf" --irqchip "$chip"; then
		if grep -q 'halted.*interrupts disabled' "$work/err"; then
			ok "cli; hlt with irqchip $chip caught in $secs s and reported as halted"
		else
			not_ok "cli; hlt with irqchip $chip: not reported as halted"
			diag <"$work/err"
		fi
	fi
done

run "$dir/triple_fault.elf" --timeout 10
if [ "$rc" -eq "$EXIT_CRASH" ] && grep -q 'triple fault' "$work/err" && [ -n "$(reported_rip)" ]; then
	ok "triple fault reported as a crash (status $EXIT_CRASH) with registers"
else
	not_ok "triple fault: status $rc"
	diag <"$work/err"
fi

# int3 through an empty IDT: a triple fault on VMX/SVM, an emulation failure
# (KVM_EXIT_INTERNAL_ERROR) on PVM; a crash with registers either way.
run "$dir/triple_fault.elf" --cmdline via=int3 --timeout 10
if [ "$rc" -eq "$EXIT_CRASH" ] && grep -Eq 'triple fault|KVM internal error' "$work/err" &&
	grep -q '^    rax ' "$work/err"; then
	ok "int3 with an empty IDT reported as a crash: $(head -1 "$work/err" | cut -c1-80)"
else
	not_ok "int3 with an empty IDT: status $rc"
	diag <"$work/err"
fi

# A hang on one vCPU with a second vCPU waiting for SIPI: both reported, clean exit.
run "$dir/spin_cli.elf" --cpus 2 --timeout "$DEADLINE"
if [ "$rc" -eq "$EXIT_HANG" ] && within_deadline && grep -q 'vcpu 1: not started' "$work/err"; then
	ok "two vCPUs: hang on vcpu 0 reported, vcpu 1 shown waiting for INIT/SIPI"
else
	not_ok "two vCPUs: status $rc after $secs s"
	diag <"$work/err"
fi

# The payload's status is refvmm's exit status up to 63; above, refvmm's own.
for status in 0 5 63; do
	run "$dir/exit_status.elf" --cmdline "status=$status"
	check "payload status $status is refvmm's exit status" [ "$rc" -eq "$status" ]
done
run "$dir/exit_status.elf" --cmdline "status=64"
status_out_of_range() {
	[ "$rc" -eq 69 ] && grep -q 'payload status 64 is above 63' "$work/err"
}
check "payload status 64 gives exit status 69 and says why" status_out_of_range

# Bad input: one line on stderr, a distinct status.
one_line_error() { # expected status, pattern
	[ "$rc" -eq "$1" ] && [ "$(wc -l <"$work/err")" -eq 1 ] && grep -q "$2" "$work/err"
}
run "$work/missing.elf"
check "missing payload file: status $EXIT_PAYLOAD" one_line_error "$EXIT_PAYLOAD" 'cannot open payload'
echo "not an ELF" >"$work/text.elf"
run "$work/text.elf"
check "text file as payload: status $EXIT_PAYLOAD, says not an ELF" \
	one_line_error "$EXIT_PAYLOAD" 'not an ELF file'
head -c 40 "$dir/hello.elf" >"$work/short.elf"
run "$work/short.elf"
check "truncated payload: status $EXIT_PAYLOAD" one_line_error "$EXIT_PAYLOAD" 'truncated ELF'
run "$dir/hello.elf" --mem 1
check "--mem 1: usage error $EXIT_USAGE" one_line_error "$EXIT_USAGE" 'takes a size in MiB'
run "$dir/hello.elf" --frobnicate
check "unknown option: usage error $EXIT_USAGE" one_line_error "$EXIT_USAGE" 'unknown option'
run "$dir/hello.elf" --cpus 2 --irqchip user
check "--cpus 2 without in-kernel irqchip: usage error" one_line_error "$EXIT_USAGE" 'irqchip'
"$refvmm" --help >"$work/out" 2>&1
check "--help prints the exit codes" grep -q 'guest hang' "$work/out"

# No /dev/kvm: hide it in a private mount namespace.
if [ "$(id -u)" -eq 0 ] && command -v unshare >/dev/null; then
	unshare --mount sh -c 'mount -t tmpfs none /dev && exec "$0" run "$1"' \
		"$refvmm" "$dir/hello.elf" >"$work/out" 2>"$work/err"
	rc=$?
	check "no /dev/kvm: status $EXIT_KVM with one line naming it" \
		one_line_error "$EXIT_KVM" '/dev/kvm does not exist'
else
	skip "no /dev/kvm: needs root and unshare to hide /dev/kvm"
fi
tap_done
