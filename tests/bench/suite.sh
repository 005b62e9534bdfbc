#!/usr/bin/env bash
# SPDX-License-Identifier: MIT
#
# The benchmark suites as a user runs them, with the figures that matter
# about the runner itself: how long `hvbench run --suite quick` takes
# (target: under 60 s on a 2-core machine), what it covered, and the
# cross-check of refvmm against QEMU booting the same payload (the guest
# times itself, so wherever the userspace VMM is not on the path, or does
# the same work, the two must agree).
#
# usage: suite.sh HVBENCH BENCH_ELF [full]
set -u
hvbench=$1
export HVBENCH_PAYLOAD=$2
suite=${3:-quick}
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT

if [ ! -w /dev/kvm ]; then
	echo "suite: no usable /dev/kvm: nothing to time"
	exit 0
fi
start=$(date +%s.%N)
"$hvbench" run --quiet --suite "$suite" --out "$work/run.json"
rc=$?
end=$(date +%s.%N)
printf 'suite %s: %.1f s (exit %d)\n' "$suite" "$(echo "$end - $start" | bc)" "$rc"
jq -r '"  families: " + ([.results[].family] | unique | join(", ")),
	"  modes:    " + ([.results[].mode] | unique | join(", ")),
	"  cells:    \(.results | length), statuses: " +
	([.results[].status] | group_by(.) | map("\(.[0]) \(length)") | join(", "))' \
	"$work/run.json"

command -v qemu-system-x86_64 >/dev/null || exit 0
"$hvbench" run --quiet --targets refvmm,qemu --modes hvm --suite full --repetitions 3 \
	--filter 'cpuid,rdtsc,rdmsr-kernel,pio-user,mmio-user,cr8,exception-ud,eoi' \
	--out "$work/cross.json"
echo "refvmm against QEMU, same payload, p50 ns per operation:"
jq -r '.results | group_by(.workload + " cpl" + (.cpl | tostring))[] |
	select(length == 2) | (map({(.target): .summary.p50}) | add) as $p |
	"  \(.[0].workload) cpl\(.[0].cpl): refvmm \($p.refvmm | floor) qemu \($p.qemu | floor)" +
	" ratio \(($p.refvmm / $p.qemu) * 1000 | round / 1000)"' "$work/cross.json"
