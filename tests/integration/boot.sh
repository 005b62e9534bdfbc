#!/usr/bin/env bash
# SPDX-License-Identifier: MIT
#
# The same payload ELF boots under refvmm and under QEMU (microvm with KVM
# and with TCG), and says the same things: this is what makes payloads
# portable across VMMs.  usage: boot.sh REFVMM PAYLOAD_DIR
set -u
. "$(dirname "$0")/tap.sh"
refvmm=$1
dir=$2
selftest_args="selftest_num=1234 selftest_hex=0xbeef selftest_flag"

echo "TAP version 13"
no_kvm=$(kvm_unusable)

qemu_run() { # accel payload cmdline -> stdout in $work/out, status in $rc
	timeout 60 qemu-system-x86_64 -M microvm -accel "$1" -m 64 -nographic -nodefaults \
		-no-user-config -serial stdio -device isa-debug-exit,iobase=0xf4,iosize=4 \
		-kernel "$2" -append "$3" >"$work/out" 2>"$work/err"
	rc=$?
}

refvmm_run() { # payload cmdline [options] -> $work/out, $work/err, $rc
	local payload=$1 cmdline=$2
	shift 2
	"$refvmm" run "$payload" --cmdline "$cmdline" "$@" >"$work/out" 2>"$work/err"
	rc=$?
}

hello_says_hello() {
	grep -q '^hello from hvbench$' "$work/out" &&
		grep -q '^hypervisor: "' "$work/out" &&
		grep -q '^cmdline: "marker=42' "$work/out" &&
		grep -Eq '^tsc_khz: ([0-9]+|not given)$' "$work/out"
}

selftest_passed() {
	grep -q '^1\.\.16$' "$work/out" && ! grep -q '^not ok' "$work/out"
}

if [ -n "$no_kvm" ]; then
	for t in "hello under refvmm (PV console)" "hello under refvmm (COM1)" \
		"PV console exits" "KVM binary stats" "COM1 exits" "--hugepages fallback" "--hugepages with a pool" \
		"rt_selftest under refvmm" "rt_selftest under refvmm, xAPIC"; do
		skip_no_kvm "$t: $no_kvm"
	done
else
	refvmm_run "$dir/hello.elf" "marker=42"
	if [ "$rc" -eq 0 ] && hello_says_hello && grep -q '^hypervisor: "KVMKVMKVM"' "$work/out" &&
		grep -Eq '^tsc_khz: [1-9][0-9]*$' "$work/out"; then
		ok "hello under refvmm (PV console) exits 0 and reports KVM and the TSC rate"
	else
		not_ok "hello under refvmm (PV console): status $rc"
		diag <"$work/out"; diag <"$work/err"
	fi
	cp "$work/out" "$work/hello-pv"
	refvmm_run "$dir/hello.elf" "marker=42 console=serial"
	if [ "$rc" -eq 0 ] && hello_says_hello &&
		diff <(grep -v '^cmdline' "$work/hello-pv") <(grep -v '^cmdline' "$work/out") >/dev/null; then
		ok "hello under refvmm (COM1) exits 0 with the same output"
	else
		not_ok "hello under refvmm (COM1): status $rc"
		diag <"$work/out"; diag <"$work/err"
	fi
	# Exits per console path, from refvmm's own count: the PV console costs
	# one exit per line; COM1 costs one per byte where KVM emulates rep outsb
	# per element (4 UART set-up writes, a status read per line, the bytes,
	# the debug exit), never more.
	stat() { sed -n "s/^refvmm-stats: $1 //p" "$work/err"; }
	refvmm_run "$dir/hello.elf" "marker=42" --stats
	lines=$(wc -l <"$work/out")
	pv_exits=$(stat vcpu0.user_exits)
	check "PV console: $pv_exits exits for $lines lines (probe + one per line + debug exit)" \
		[ "$pv_exits" -eq $((1 + lines + 1)) ]
	kvm_exits=$(stat vcpu0.exits)
	if [ -z "$kvm_exits" ]; then
		skip "KVM binary stats: this kernel has no KVM_GET_STATS_FD"
	else
		check "KVM binary stats: KVM counted $kvm_exits exits, at least the $pv_exits refvmm handled" \
			[ "$kvm_exits" -ge "$pv_exits" ]
	fi
	refvmm_run "$dir/hello.elf" "marker=42 console=serial" --stats
	bytes=$(wc -c <"$work/out")
	serial_exits=$(stat vcpu0.user_exits)
	check "COM1: $serial_exits exits for $lines lines, $bytes bytes (at most $((4 + lines + bytes + 1)))" \
		[ "$serial_exits" -le $((4 + lines + bytes + 1)) -a "$serial_exits" -gt "$lines" ]

	# --hugepages with no hugetlbfs pool must fall back, not fault.
	if [ "$(id -u)" -eq 0 ] && [ -w /proc/sys/vm/nr_hugepages ]; then
		pool=$(cat /proc/sys/vm/nr_hugepages)
		echo 0 >/proc/sys/vm/nr_hugepages
		refvmm_run "$dir/hello.elf" "marker=42" --hugepages --stats
		check "--hugepages with an empty pool falls back to normal pages" \
			[ "$rc" -eq 0 -a "$(stat guest_hugetlb)" = 0 ]
		echo 40 >/proc/sys/vm/nr_hugepages
		refvmm_run "$dir/hello.elf" "marker=42" --hugepages --stats
		used=$(stat guest_hugetlb)
		echo "$pool" >/proc/sys/vm/nr_hugepages
		if [ "$(cat /proc/sys/vm/nr_hugepages)" -lt 40 ] && [ "$used" != 1 ]; then
			skip "--hugepages with a pool: the kernel could not reserve 40 huge pages"
		else
			check "--hugepages with a 40-page pool backs the guest with hugetlbfs" \
				[ "$rc" -eq 0 -a "$used" = 1 ]
		fi
	else
		skip "--hugepages: needs root to set the hugetlbfs pool"
		skip "--hugepages with a pool: needs root"
	fi

	refvmm_run "$dir/rt_selftest.elf" "$selftest_args"
	if [ "$rc" -eq 0 ] && selftest_passed; then
		ok "rt_selftest under refvmm: all 16 pass"
	else
		not_ok "rt_selftest under refvmm: status $rc"
		diag <"$work/out"; diag <"$work/err"
	fi
	refvmm_run "$dir/rt_selftest.elf" "$selftest_args apic=xapic"
	if [ "$rc" -eq 0 ] && selftest_passed && grep -q 'xAPIC' "$work/out"; then
		ok "rt_selftest under refvmm, xAPIC: all 16 pass"
	else
		not_ok "rt_selftest under refvmm, xAPIC: status $rc"
		diag <"$work/out"; diag <"$work/err"
	fi
fi

if ! command -v qemu-system-x86_64 >/dev/null; then
	for t in "hello under QEMU KVM" "hello under QEMU TCG" "exit status under QEMU KVM" \
		"exit status under QEMU TCG" "rt_selftest under QEMU KVM" "rt_selftest under QEMU TCG"; do
		skip "$t: qemu-system-x86_64 is not installed (apt-get install qemu-system-x86)"
	done
else
	for accel in kvm tcg; do
		if [ "$accel" = kvm ] && [ -n "$no_kvm" ]; then
			skip_no_kvm "hello under QEMU KVM: $no_kvm"
			skip_no_kvm "exit status under QEMU KVM: $no_kvm"
			skip_no_kvm "rt_selftest under QEMU KVM: $no_kvm"
			continue
		fi
		# isa-debug-exit turns status 0 into QEMU exit code (0 << 1) | 1 = 1.
		qemu_run "$accel" "$dir/hello.elf" "marker=42"
		if [ "$rc" -eq 1 ] && hello_says_hello; then
			ok "hello under QEMU $accel exits with status 0"
		else
			not_ok "hello under QEMU $accel: exit code $rc"
			diag <"$work/out"; diag <"$work/err"
		fi
		qemu_run "$accel" "$dir/exit_status.elf" "status=5"
		check "status 5 under QEMU $accel is exit code (5 << 1) | 1 = 11" [ "$rc" -eq 11 ]
		qemu_run "$accel" "$dir/rt_selftest.elf" "$selftest_args"
		if [ "$rc" -eq 1 ] && selftest_passed; then
			ok "rt_selftest under QEMU $accel: all 16 pass"
		else
			not_ok "rt_selftest under QEMU $accel: exit code $rc"
			diag <"$work/out"; diag <"$work/err"
		fi
	done
fi
tap_done
