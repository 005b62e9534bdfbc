#!/usr/bin/env bash
# SPDX-License-Identifier: MIT
#
# --debug-pio-delay-ns on real /dev/kvm: refvmm busy-waits in every port
# I/O exit it handles, and in nothing else, so a run is slower for real;
# hvbench run records the delay in the settings and hvbench show flags it.
# Bad values are usage errors in one line.
#
# usage: debug_delay.sh HVBENCH REFVMM BENCH_ELF PAYLOAD_DIR
set -u
hvbench=$1
refvmm=$2
payload=$3
dir=$4
. "$(dirname "$0")/tap.sh"
export HVBENCH_PAYLOAD=$payload

EXIT_USAGE=64
# 50 us: several times the noise a loaded CI machine puts on an MMIO round trip
# (~12 us, seen to double), so the half-the-delay bounds below hold there.
# In scripts/testvm's VM a port exit costs 43-76 us and moves by tens of
# us with load (CI saw pio-user rise by only 24.6 us of 50): 500 us there.
DELAY=50000
[ -n "${HVBENCH_TESTVM:-}" ] && DELAY=500000

echo "TAP version 13"
tap_require_kvm_jq

cell() { # workload
	echo "(.results[] | select(.workload == \"$1\" and .mode == \"hvm\" and .cpl == 0))"
}

# refvmm: the bound is checked, in one line, before anything runs.
for bad in -1 10000001 2us ''; do
	"$refvmm" run "$dir/pio_n.elf" --debug-pio-delay-ns "$bad" >/dev/null 2>"$work/err"
	rc=$?
	check "refvmm --debug-pio-delay-ns '$bad' is a usage error ($EXIT_USAGE, got $rc), one line" \
		test "$rc" -eq "$EXIT_USAGE" -a "$(wc -l <"$work/err")" -eq 1 -a \
		"$(grep -c "^refvmm: --debug-pio-delay-ns takes nanoseconds from 0 to 10000000" \
		   "$work/err")" -eq 1
done

# refvmm: every exit pio_n makes is a port access (its writes, the marks,
# the console line, the debug exit), so at 1 ms each the run lasts at least
# 1 ms per exit refvmm handled; without the delay, 100 writes take ~1 ms.
stat_of() { # key file
	sed -n "s/^refvmm-stats: $1 //p" "$2"
}
"$refvmm" run "$dir/pio_n.elf" --cmdline n=100 --stats --debug-pio-delay-ns 1000000 \
	>/dev/null 2>"$work/slow"
rc=$?
"$refvmm" run "$dir/pio_n.elf" --cmdline n=100 --stats >/dev/null 2>"$work/fast"
rc2=$?
check "refvmm runs pio_n with and without the delay (got $rc, $rc2)" test "$rc" -eq 0 -a "$rc2" -eq 0
slow=$(stat_of run_seconds "$work/slow")
exits=$(stat_of vcpu0.user_exits "$work/slow")
fast=$(stat_of run_seconds "$work/fast")
check "refvmm: 1 ms per port exit: ${exits:-?} exits took ${slow:-?} s (honest: ${fast:-?} s)" \
	awk -v s="${slow:-0}" -v e="${exits:-0}" -v f="${fast:-1}" \
	'BEGIN { exit !(e >= 100 && s >= e * 0.001 && f < 0.1) }'

# hvbench run: the same cells with and without the delay.
"$hvbench" run --debug-pio-delay-ns 10000001 --filter cpuid >/dev/null 2>"$work/err"
rc=$?
check "hvbench run --debug-pio-delay-ns above 10 ms is a usage error ($EXIT_USAGE, got $rc), one line" \
	test "$rc" -eq "$EXIT_USAGE" -a "$(wc -l <"$work/err")" -eq 1
for d in 0 "$DELAY"; do
	"$hvbench" run --quiet --filter pio-user,mmio-user,cpuid --cpl 0 --modes hvm \
		--repetitions 2 --target-ms 20 --debug-pio-delay-ns "$d" \
		--out "$work/d$d.json" >/dev/null 2>&1
	rc=$?
	check "hvbench run --debug-pio-delay-ns $d exits 0 (got $rc)" test "$rc" -eq 0
done
honest=$work/d0.json
slowed=$work/d$DELAY.json
jq_ok "settings record the delay: 0 for an honest run" "$honest" \
	'.settings.debug_pio_delay_ns == 0'
jq_ok "settings record the delay: $DELAY for the slowed one" "$slowed" \
	".settings.debug_pio_delay_ns == $DELAY"
# The per-operation counts say what the delay applies to: pio-user's one
# port exit per operation; mmio-user's exit is MMIO, cpuid's stays in KVM.
for f in "$honest" "$slowed"; do
	jq_ok "pio-user and mmio-user make one userspace exit per operation, cpuid none ($(basename "$f"))" \
		"$f" "($(cell pio-user) | .per_op.user_exits > 0.99 and .per_op.user_exits < 1.02) and
		      ($(cell mmio-user) | .per_op.user_exits > 0.99 and .per_op.user_exits < 1.02) and
		      ($(cell cpuid) | .per_op.user_exits < 0.01)"
done
p50() { # file workload
	jq -r "$(cell "$2") | .summary.p50" "$1"
}
h_pio=$(p50 "$honest" pio-user) s_pio=$(p50 "$slowed" pio-user)
h_mmio=$(p50 "$honest" mmio-user) s_mmio=$(p50 "$slowed" mmio-user)
h_cpuid=$(p50 "$honest" cpuid) s_cpuid=$(p50 "$slowed" cpuid)
# The busy wait adds at least DELAY to every pio-user operation.  The
# host here runs a refvmm round trip in one of two speeds, ~9 or ~14 us,
# and switches between them from run to run and even from cell to cell
# (docs/refvmm.md), so a median shows the delay within +-6 us: over half
# of it is sure to show, against pio-user's honest median and against
# mmio-user's in the same run (the same round trip, an MMIO store instead
# of a port write).
check "pio-user's median rose by over half the delay: $h_pio -> $s_pio ns" \
	awk -v h="$h_pio" -v s="$s_pio" -v d="$DELAY" 'BEGIN { exit !(s - h >= d / 2) }'
check "...and is above mmio-user's by over half of it in the slowed run: $s_pio vs $s_mmio ns" \
	awk -v p="$s_pio" -v m="$s_mmio" -v d="$DELAY" 'BEGIN { exit !(p - m >= d / 2) }'
# Had the delay reached them, it would have added 50 us to each (50x
# cpuid's cost, 4x mmio-user's); host noise moves them by a few us.
check "mmio-user's median rose by less than half the delay: $h_mmio -> $s_mmio ns" \
	awk -v h="$h_mmio" -v s="$s_mmio" -v d="$DELAY" 'BEGIN { exit !(s - h < d / 2) }'
check "cpuid's median rose by less than a quarter of the delay: $h_cpuid -> $s_cpuid ns" \
	awk -v h="$h_cpuid" -v s="$s_cpuid" -v d="$DELAY" 'BEGIN { exit !(s - h < d / 4) }'

# hvbench show: a warning line above the table of the slowed run only.
"$hvbench" show "$slowed" >"$work/show" 2>&1
check "hvbench show flags the slowed run in one line under the header" \
	test "$(sed -n 2p "$work/show")" = \
	"WARNING: slowed on purpose (--debug-pio-delay-ns $DELAY): every port I/O exit refvmm handled took $DELAY ns longer; not an honest measurement"
"$hvbench" show "$honest" >"$work/show" 2>&1
check "...and not the honest one" bash -c '! grep -q "WARNING: slowed" "$1"' _ "$work/show"
# A file cannot hide the delay behind another type.
jq '.settings.debug_pio_delay_ns = "0"' "$slowed" >"$work/string.json"
"$hvbench" show "$work/string.json" >/dev/null 2>"$work/err"
rc=$?
check "hvbench show refuses a delay that is not an integer (66, got $rc), one line" \
	test "$rc" -eq 66 -a "$(cat "$work/err")" = \
	"hvbench show: $work/string.json: settings.debug_pio_delay_ns is a string, not an integer"
jq '.settings.debug_pio_delay_ns = -5' "$slowed" >"$work/negative.json"
"$hvbench" show "$work/negative.json" >/dev/null 2>"$work/err"
rc=$?
check "...or is negative (66, got $rc), one line" \
	test "$rc" -eq 66 -a "$(cat "$work/err")" = \
	"hvbench show: $work/negative.json: settings.debug_pio_delay_ns is -5, not a delay"
tap_done
