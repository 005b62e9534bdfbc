#!/usr/bin/env bash
# SPDX-License-Identifier: MIT
#
# What refvmm's userspace spends on one port I/O exit, counted in
# instructions rather than timed.  refvmm runs guest-payloads/selftest/
# pio_n (n one-byte port writes in a loop) at two n under valgrind's
# callgrind, which counts every instruction of refvmm's process and none of
# the guest's (the guest runs inside KVM_RUN); the difference of the two
# totals over the difference of n is one exit's share: KVM_RUN returning,
# the exit checked and dispatched, the loop back.  Start-up, loading and
# tear-down are the same in both runs and cancel out.  pio_n writes to a
# port refvmm's CLI has no device on, so the path counted is "find that no
# device decodes the port, go on", the same work as a minimal KVM loop's:
# tests/crosscheck/kvm_loop --exits N is counted the same way, for the
# ratio.  The functions the difference falls in are listed too.
#
# Counts do not depend on the host's speed or load, so the figure is the
# same on a loaded CI machine and inside scripts/testvm's VM, where times
# mean nothing.  It prints figures and does not fail on them; without a
# usable /dev/kvm or valgrind it says so and is skipped (status 77).
#
# usage: exit_instructions.sh REFVMM PIO_N_ELF [KVM_LOOP]
set -u
if [ $# -lt 2 ] || [ $# -gt 3 ]; then
	echo "usage: exit_instructions.sh REFVMM PIO_N_ELF [KVM_LOOP]" >&2
	exit 64
fi
refvmm=$1
pio_n=$2
kvm_loop=${3:-}
n1=1000
n2=11000

if [ ! -e /dev/kvm ]; then
	echo "exit_instructions: SKIP: no /dev/kvm on this machine: nothing to count" \
		"(scripts/testvm runs it in a VM that has one)"
	exit 77
fi
if [ ! -r /dev/kvm ] || [ ! -w /dev/kvm ]; then
	echo "exit_instructions: SKIP: no permission to use /dev/kvm (run as root or join the kvm group)"
	exit 77
fi
if ! command -v valgrind >/dev/null; then
	echo "exit_instructions: SKIP: valgrind is not installed (apt-get install valgrind)"
	exit 77
fi

work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT

# callgrind NAME COMMAND...: counts COMMAND's instructions into $work/NAME.cg;
# its output goes to $work/NAME.out and .err.  Fails if COMMAND does.
callgrind() {
	local name=$1
	shift
	if ! valgrind --tool=callgrind --callgrind-out-file="$work/$name.cg" "$@" \
		>"$work/$name.out" 2>"$work/$name.err"; then
		echo "exit_instructions: $* failed:" >&2
		grep -v '^==' "$work/$name.err" | tail -5 >&2
		return 1
	fi
}

# The total instruction count of a callgrind file.
total() {
	sed -n 's/^totals: *//p' "$1"
}

# per_exit A B: (B's total - A's) / (n2 - n1), one decimal.
per_exit() {
	awk -v a="$(total "$1")" -v b="$(total "$2")" -v d=$((n2 - n1)) \
		'BEGIN { printf "%.1f", (b - a) / d }'
}

# Self instructions per function of a callgrind file: "COUNT<tab>FILE:FUNCTION",
# FILE being where the code is (a function inlined from a header shows up
# under the header's name too).  The parts of a function the compiler split
# off (f.cold) and callgrind's recursion levels (f'2) count as the function.
functions() {
	callgrind_annotate --inclusive=no --auto=no --threshold=100 "$1" 2>/dev/null | awk '
		/^ *[0-9,]+ +\(/ && !/PROGRAM TOTALS/ {
			c = $1; gsub(",", "", c)
			sub(/^ *[0-9,]+ +\([^)]*\) +/, ""); sub(/ \[[^]]*\]$/, "")
			sub(/'"'"'[0-9]+$/, ""); sub(/\.cold$/, "")
			n = split($0, p, "/"); sum[p[n]] += c
		}
		END { for (f in sum) print sum[f] "\t" f }'
}

# breakdown A B: the functions whose self count grew by half an instruction
# per exit or more, largest first.
breakdown() {
	command -v callgrind_annotate >/dev/null || return 0
	join -t $'\t' -1 2 -2 2 -a 2 -e 0 -o 0,1.1,2.1 \
		<(functions "$1" | sort -t $'\t' -k 2,2) <(functions "$2" | sort -t $'\t' -k 2,2) |
		awk -F '\t' -v d=$((n2 - n1)) '($3 - $2) / d >= 0.5 {
			printf "    %6.1f  %s\n", ($3 - $2) / d, $1 }' | sort -rn
}

for n in $n1 $n2; do
	callgrind "refvmm$n" "$refvmm" run "$pio_n" --cmdline "n=$n" --timeout 600 --stats ||
		exit 1
done
# Every exit counted must be one of pio_n's: refvmm's own count says so.
exits() {
	sed -n 's/^refvmm-stats: vcpu0.user_exits //p' "$work/$1.err"
}
if [ "$(($(exits "refvmm$n2") - $(exits "refvmm$n1")))" -ne $((n2 - n1)) ]; then
	echo "exit_instructions: refvmm handled $(exits "refvmm$n1") and" \
		"$(exits "refvmm$n2") exits, not $((n2 - n1)) apart: the figure is off" >&2
fi
refvmm_per=$(per_exit "$work/refvmm$n1.cg" "$work/refvmm$n2.cg")
echo "refvmm userspace instructions per PIO exit: $refvmm_per" \
	"(pio_n at n=$n1 and n=$n2: $(total "$work/refvmm$n1.cg") and" \
	"$(total "$work/refvmm$n2.cg") in all)"
breakdown "$work/refvmm$n1.cg" "$work/refvmm$n2.cg"

[ -n "$kvm_loop" ] || exit 0
for n in $n1 $n2; do
	callgrind "kvm_loop$n" "$kvm_loop" --exits "$n" || exit 1
done
loop_per=$(per_exit "$work/kvm_loop$n1.cg" "$work/kvm_loop$n2.cg")
echo "kvm_loop userspace instructions per PIO exit: $loop_per"
breakdown "$work/kvm_loop$n1.cg" "$work/kvm_loop$n2.cg"
awk -v a="$refvmm_per" -v b="$loop_per" \
	'BEGIN { if (b > 0) printf "refvmm / kvm_loop: %.2fx\n", a / b }'
