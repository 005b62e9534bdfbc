#!/usr/bin/env bash
# SPDX-License-Identifier: MIT
#
# Host-side probes on external VMMs (docs/probes.md, "External targets"):
# a qemu-kvm repetition of pio-user opens its window at the payload's
# "@hvb mark begin" line and closes it at "@hvb mark end", on QEMU's vCPU
# thread ("CPU 0/KVM"), so the eBPF probes count the operations' port
# writes and nothing of QEMU's boot or of the sample printing; qemu-tcg
# has perf counters but no eBPF figures (TCG makes no KVM calls); vmm-cmd
# finds the vCPU thread by its name, or watches every thread and says so;
# --no-probes and an unprivileged user leave no probes, with the reason.
#
# usage: ext_probes.sh HVBENCH BENCH_ELF
set -u
hvbench=$1
payload=$2
. "$(dirname "$0")/tap.sh"
export HVBENCH_PAYLOAD=$payload

echo "TAP version 13"
tap_require_kvm_jq
if ! command -v qemu-system-x86_64 >/dev/null; then
	echo "1..0 # SKIP qemu-system-x86_64 is not installed"
	exit 0
fi

qemu_cmd='qemu-system-x86_64 -M microvm -accel kvm -cpu host,-arch-capabilities -m {mem_mib}
 -smp {cpus} -nodefaults -no-user-config -nographic -serial stdio
 -device isa-debug-exit,iobase=0xf4,iosize=4 -kernel {payload} -append {cmdline}'
qemu_cmd=${qemu_cmd//$'\n'/}

reps() { # target: its pio-user repetitions at CPL0 and CPL3
	echo "[.results[] | select(.target == \"$1\" and .workload == \"pio-user\") |
	      .repetitions[]]"
}

r=$work/r.json
"$hvbench" run --quiet --filter pio-user --target qemu-kvm,qemu-tcg --modes hvm \
	--cpl 0,3 --repetitions 3 --target-ms 10 --out "$r" >"$work/out" 2>&1
rc=$?
check "a qemu-kvm and qemu-tcg run of pio-user exits 0 (got $rc)" test "$rc" -eq 0
[ "$rc" -eq 0 ] || diag <"$work/out"
jq_ok "every cell ran" "$r" '[.results[].status == "ok"] | length == 4 and all'
jq_ok "every external repetition's probes say their window is the serial lines'" "$r" \
	'[.results[].repetitions[] | .probes.window == "serial"] | length == 12 and all'

if [ "$(jq -r '.settings.probes.ebpf' "$r")" = true ]; then
	jq_ok "qemu-kvm: the vCPU thread, and only it, is watched (CPU 0/KVM)" "$r" \
		"$(reps qemu-kvm) | length == 6 and
		 all(.probes.ebpf.threads | length == 1 and .[0].kind == \"vcpu\" and
		     .[0].index == 0 and .[0].kvm_run_calls > 0)"
	# In the window: the operations' port writes, the two mark writes, and
	# the end line ("@hvb mark end\n", 14 bytes, one exit each through
	# rep outsb, after one read of the UART's status): 17 on top of the
	# operations on every run so far.  The margin lets the UART's status be
	# read up to 15 more times (a slow console pipe); QEMU's boot and the
	# sample records (thousands of exits) are far outside it.
	jq_ok "qemu-kvm: kvm_pio counts the operations + the marks' writes + the end line, never the boot or the samples" "$r" \
		"$(reps qemu-kvm) | length == 6 and
		 all(.probes.ebpf.events.kvm_pio.count as \$n |
		     \$n >= .operations + 2 and \$n <= .operations + 32)"
	jq_ok "qemu-tcg: the eBPF figures are unavailable because TCG makes no KVM calls" "$r" \
		"$(reps qemu-tcg) | length == 6 and
		 all(.probes.ebpf.unavailable | test(\"TCG does not use KVM\"))"
else
	for _ in 1 2 3; do
		skip "eBPF probes not loaded: $(jq -r '.settings.probes.ebpf_why' "$r")"
	done
fi
if [ "$(jq -r '.settings.probes.perf' "$r")" = true ]; then
	jq_ok "qemu-kvm and qemu-tcg: the vCPU thread's task-clock is counted" "$r" \
		'[.results[].repetitions[] | .probes.perf.vcpu0.events["task-clock"].value > 0] |
		 length == 12 and all'
else
	skip "perf counters not permitted: $(jq -r '.settings.probes.perf_why' "$r")"
fi

# vmm-cmd: QEMU names its threads only with debug-threads=on.
for named in yes no; do
	cmd=$qemu_cmd
	[ "$named" = yes ] && cmd="$cmd -name hvbench,debug-threads=on"
	v=$work/vmm-$named.json
	"$hvbench" run --quiet --filter pio-user --target vmm-cmd --vmm-cmd "$cmd" --modes hvm \
		--cpl 0 --repetitions 1 --target-ms 10 --out "$v" >"$work/out" 2>&1
	rc=$?
	check "vmm-cmd (QEMU, threads named: $named) exits 0 (got $rc)" test "$rc" -eq 0
	[ "$rc" -eq 0 ] || diag <"$work/out"
done
if [ "$(jq -r '.settings.probes.ebpf' "$work/vmm-yes.json")" = true ]; then
	jq_ok "vmm-cmd: a thread named \"CPU 0/KVM\" is watched as vCPU 0" "$work/vmm-yes.json" \
		'.results[0].repetitions[0] | .probes.window == "serial" and
		 (.probes.ebpf.threads | length == 1 and .[0].kind == "vcpu") and
		 (.probes.ebpf.events.kvm_pio.count - .operations | . >= 2 and . <= 32)'
	jq_ok "vmm-cmd: with no thread named like a vCPU, every thread is watched, and a note says so" \
		"$work/vmm-no.json" \
		'.results[0].repetitions[0] | (.probes.ebpf.threads | length > 1 and
		  all(.kind == "other") and any(.kvm_run_calls > 0)) and
		 (.notes | any(test("every thread of the VMM is watched")))'
else
	skip "vmm-cmd: eBPF probes not loaded"
	skip "vmm-cmd: eBPF probes not loaded"
fi

"$hvbench" run --quiet --no-probes --filter pio-user --target qemu-kvm --modes hvm --cpl 0 \
	--repetitions 1 --target-ms 10 --out "$work/np.json" >/dev/null 2>&1
jq_ok "--no-probes: qemu-kvm repetitions have no probes, and the settings say why" \
	"$work/np.json" \
	'.settings.probes.ebpf_why == "--probes off" and .results[0].status == "ok" and
	 ([.results[].repetitions[] | select(.probes)] | length) == 0'

# Without privilege the settings give the reason, and no repetition has eBPF figures.
if [ "$(id -u)" -ne 0 ] || ! command -v setpriv >/dev/null; then
	skip "unprivileged: needs root and setpriv to drop to nobody"
elif ! setpriv --reuid=65534 --regid=65534 --clear-groups test -x "$hvbench"; then
	skip "unprivileged: uid 65534 cannot execute $hvbench (a directory on its path is closed)"
else
	mkdir "$work/nobody" && chmod 777 "$work/nobody"
	chmod 755 "$work"
	setpriv --reuid=65534 --regid=65534 --clear-groups --inh-caps=-all --bounding-set=-all \
		"$hvbench" run --quiet --filter pio-user --target qemu-kvm --modes hvm --cpl 0 \
		--repetitions 1 --target-ms 10 --out "$work/nobody/u.json" >/dev/null 2>&1
	jq_ok "unprivileged: the eBPF probes are off with the privilege they need, and no repetition has their figures" \
		"$work/nobody/u.json" \
		'.settings.probes.ebpf == false and
		 (.settings.probes.ebpf_why | test("root|CAP_BPF")) and
		 ([.results[].repetitions[] | select(.probes.ebpf.events)] | length) == 0'
fi

tap_done
