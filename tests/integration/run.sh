#!/usr/bin/env bash
# SPDX-License-Identifier: MIT
#
# `hvbench run` end to end on real /dev/kvm: the results file's structure
# and its figures' internal consistency (exit counts the workload design
# fixes exactly), failures reported as results, usage errors, interrupted
# runs, and a host without /dev/kvm.
#
# usage: run.sh HVBENCH BENCH_ELF
set -u
hvbench=$1
payload=$2
. "$(dirname "$0")/tap.sh"
export HVBENCH_PAYLOAD=$payload

echo "TAP version 13"
tap_require_kvm_jq

cell() { # workload mode cpl|null
	echo "(.results[] | select(.workload == \"$1\" and .mode == \"$2\" and .cpl == $3))"
}

r=$work/r.json
run_results "$r" "$work/out" "$hvbench" run --quiet \
	--filter 'cpuid,pio-user,io-lat-64,io-iops-64,hypercall-kvm' \
	--repetitions 2 --target-ms 10 --out "$r" --csv "$work/r.csv"
check "a run of five workloads exits 0 (got $rc)" test "$rc" -eq 0
[ "$rc" -eq 0 ] || jq -r '.results[] | select(.status | IN("ok", "unavailable") | not) |
	"\(.workload) \(.mode) cpl \(.cpl): \(.status): \(.reason)"' "$r" 2>&1 |
	head -20 | diag
jq_ok "the file names its schema and version" "$r" \
	'.schema == "hvbench-results" and .schema_version == 1 and .kind == "run"'
jq_ok "a finished run is marked complete" "$r" '.complete == true'
jq_ok "the environment names the KVM backend" "$r" \
	'.environment.kvm.backend | IN("vmx", "svm", "pvm", "unknown")'
jq_ok "settings record the pinning plan" "$r" '.settings.pinning | type == "object"'
jq_ok "cpuid ran at CPL0 and CPL3 under refvmm and natively" "$r" \
	"[$(cell cpuid hvm 0), $(cell cpuid hvm 3), $(cell cpuid native null)] |
	 length == 3 and all(.status == \"ok\")"
jq_ok "each measured cell has two repetitions" "$r" \
	'[.results[] | select(.status == "ok") | .repetitions | length == 2] | all'
jq_ok "summary n equals the samples taken over the repetitions" "$r" \
	'[.results[] | select(.status == "ok") |
	  .summary.n == ([.repetitions[].samples_total] | add)] | all'
jq_ok "each repetition's histogram counts every sample" "$r" \
	'[.results[] | select(.status == "ok") | .repetitions[] |
	  .samples_total == .histogram.zero + ([.histogram.buckets[][1]] | add)] | all'
jq_ok "order statistics are ordered and the CI brackets the median" "$r" \
	'[.results[] | select(.status == "ok") | .summary |
	  .min <= .p50 and .p50 <= .p90 and .p90 <= .p99 and .p99 <= ."p99.9" and
	  ."p99.9" <= .max and .ci95_median[0] <= .p50 and .p50 <= .ci95_median[1]] | all'
jq_ok "every refvmm cell reports the timer's own cost" "$r" \
	'[.results[] | select(.status == "ok" and .target == "refvmm" and .timed_by != "host") |
	  .timer_ns > 0] | all'
# One outb is one exit to refvmm: the counts must say so exactly.
jq_ok "pio-user costs one userspace exit per operation at CPL0 and CPL3" "$r" \
	"[$(cell pio-user hvm 0), $(cell pio-user hvm 3)] |
	 all(.per_op.user_exits > 0.99 and .per_op.user_exits < 1.02)"
# The eBPF probes count the same exits in the kernel, exactly: every
# operation's, plus the end mark's own (the window opens after the begin
# mark's exit and closes after the end mark's).
if [ "$(jq -r '.settings.probes.ebpf' "$r")" = true ]; then
	# (KVM's exits statistic also counts exits KVM handles itself, host
	# interrupts among them: at least that many.)
	jq_ok "probes: kvm_pio, kvm_userspace_exit and KVM_RUN calls = operations + 1 in every pio-user repetition" "$r" \
		"[$(cell pio-user hvm 0), $(cell pio-user hvm 3)] | [.[].repetitions[]] |
		 length > 0 and all(.probes.ebpf.events.kvm_pio.count == .operations + 1 and
		 .probes.ebpf.events.kvm_userspace_exit.count == .operations + 1 and
		 .probes.ebpf.events.kvm_run.calls == .operations + 1 and
		 (.probes.kvm_stats.exits == null or .probes.kvm_stats.exits >= .operations + 1))"
	jq_ok "probes: kvm_exit never fires on PVM and the file says so, or it fires" "$r" \
		"$(cell pio-user hvm 0) | .repetitions[0].probes.ebpf |
		 .kvm_backend != \"pvm\" or ([.not_firing[].tracepoint] | index(\"kvm:kvm_exit\") != null)"
else
	skip "eBPF probes not loaded: $(jq -r '.settings.probes.ebpf_why' "$r")"
fi
if [ "$(jq -r '.settings.probes.perf' "$r")" = true ]; then
	jq_ok "probes: the vCPU thread's task-clock is counted in every refvmm repetition" "$r" \
		"[.results[] | select(.target == \"refvmm\" and .status == \"ok\") | .repetitions[] |
		  .probes.perf.vcpu0.events[\"task-clock\"].value > 0] | length > 0 and all"
else
	skip "perf counters not permitted: $(jq -r '.settings.probes.perf_why' "$r")"
fi
jq_ok "io-lat-64 pv: one notification exit per request" "$r" \
	"[$(cell io-lat-64 pv 0), $(cell io-lat-64 pv 3)] |
	 all(.per_op.user_exits > 0.99 and .per_op.user_exits < 1.02)"
jq_ok "io-iops-64 pv: one notification per wave of 16" "$r" \
	"$(cell io-iops-64 pv 3) | .per_op.user_exits > 0.06 and .per_op.user_exits < 0.07"
jq_ok "io-lat-64 hvm: five userspace exits per request" "$r" \
	"$(cell io-lat-64 hvm 0) | .per_op.user_exits > 4.99 and .per_op.user_exits < 5.02"
# Exits that are not the workload's (host timer ticks, preemption of the vCPU
# thread) come with time, not with requests: a few per run, far below one per
# request.
if [ "$(nproc)" -ge 2 ]; then
	jq_ok "offload-poll at CPL3: no exit caused by the requests" "$r" \
		"$(cell io-lat-64 offload-poll 3) | .per_op.user_exits == 0 and .per_op.exits < 0.05"
else
	# One CPU (the test VM): the polling thread would share it with the vCPU.
	jq_ok "offload-poll on one CPU: unavailable, for want of a side core" "$r" \
		"$(cell io-lat-64 offload-poll 3) | .status == \"unavailable\" and
		 (.reason | test(\"side core\"))"
fi
jq_ok "offload: the kick exits to KVM, never to refvmm" "$r" \
	"$(cell io-lat-64 offload 3) | .per_op.user_exits < 0.001 and .per_op.exits > 0.99"
jq_ok "the io device saw no bad requests" "$r" \
	'[.results[] | select(.family == "io" and .status == "ok") | .repetitions[].notes[] |
	  select(test("errors=")) | test("errors=0")] | all'
# PVM never returns from vmcall/vmmcall (docs/findings-pvm.md); svm and vmx
# answer it in the kernel: one exit per operation, none to refvmm.
if [ "$(jq -r .environment.kvm.backend "$r")" = pvm ]; then
	jq_ok "hypercall-kvm on PVM: unavailable because the hypercall never returned" "$r" \
		"$(cell hypercall-kvm pv 0) | .status == \"ok\" or
		 (.status == \"unavailable\" and (.reason | test(\"never returned.*(vmcall|vmmcall)\")))"
else
	jq_ok "hypercall-kvm is measured: one exit per operation, in the kernel" "$r" \
		"$(cell hypercall-kvm pv 0) | .status == \"ok\" and .per_op.exits >= 1 and
		 .per_op.exits < 1.1 and .per_op.user_exits < 0.01"
fi
check "the CSV has a header and one row per cell" \
	test "$(wc -l <"$work/r.csv")" -eq $(($(jq '.results | length' "$r") + 1))
check "the table is printed unless --quiet" test ! -s "$work/out"

# The same payload under QEMU: measured, marked as QEMU's, no KVM counters.
# ("qemu" is the old name of qemu-kvm, still accepted.)
if command -v qemu-system-x86_64 >/dev/null; then
	"$hvbench" run --quiet --targets refvmm,qemu --filter 'cpuid,pio-user,io-lat-64' \
		--modes hvm --repetitions 1 --target-ms 10 --out "$work/q.json" >/dev/null 2>&1
	check "a run with --targets refvmm,qemu exits 0" test $? -eq 0
	jq_ok "cpuid and pio-user ran under QEMU at CPL0 and CPL3" "$work/q.json" \
		'[.results[] | select(.target == "qemu-kvm")] | length == 4 and all(.status == "ok")'
	jq_ok "...with no KVM counters (QEMU has no marks) but samples and a timer cost" \
		"$work/q.json" '[.results[] | select(.target == "qemu-kvm") |
		 .per_op == null and .summary.n > 0 and .timer_ns > 0] | all'
	jq_ok "io-lat-64 needs refvmm's device: no QEMU cell, listed as not applicable" \
		"$work/q.json" '([.results[] | select(.target == "qemu-kvm" and
		 .workload == "io-lat-64")] | length == 0) and
		 (.not_applicable | map(select(.workload == "io-lat-64" and .target == "qemu-kvm" and
		 .mode == "hvm" and (.reason | test("I/O ring")))) | length == 1)'
else
	skip "qemu target: qemu-system-x86_64 is not installed"
	skip "qemu target: results"
	skip "qemu target: counters"
	skip "qemu target: refvmm-only workloads"
fi

# Usage and input errors: one line, distinct codes.
"$hvbench" run --suite medium >/dev/null 2>"$work/err"
check "an unknown suite is a usage error (64)" test $? -eq 64
"$hvbench" run --filter 'no-such-workload*' >/dev/null 2>"$work/err"
check "a filter matching nothing is a usage error (64)" test $? -eq 64
"$hvbench" run --targets xen >/dev/null 2>"$work/err"
check "an unknown target is a usage error (64)" test $? -eq 64
"$hvbench" run --perf-events 'no-such-event' --filter cpuid >/dev/null 2>"$work/err"
rc=$?
check "an unknown perf event is a usage error (64, got $rc) saying which" \
	bash -c '[ "$1" -eq 64 ] && grep -q "perf-events.*no-such-event" "$2"' _ "$rc" "$work/err"
"$hvbench" run --quiet --no-probes --filter cpuid --modes hvm --cpl 0 --repetitions 1 \
	--target-ms 5 --out "$work/np.json" >/dev/null 2>&1
"$hvbench" run --quiet --probe-overhead --filter pio-user --modes hvm --cpl 0 --repetitions 2 \
	--target-ms 10 --out "$work/po.json" >/dev/null 2>&1
jq_ok "--probe-overhead: a twin measured without probes, and the difference reported" \
	"$work/po.json" \
	'([.results[] | select(.probes_off == true) | .repetitions[] | select(.probes)] | length) == 0 and
	 ([.results[] | select(.probes_off != true) | .repetitions[] | select(.probes)] | length) > 0 and
	 (.probe_overhead | length == 1 and .[0].workload == "pio-user" and
	  (.[0].overhead_pct | type == "number"))'
jq_ok "--no-probes: the settings say so and no repetition has probes" "$work/np.json" \
	'.settings.probes.ebpf == false and .settings.probes.ebpf_why == "--probes off" and
	 ([.results[].repetitions[] | select(.probes)] | length) == 0'
head -c 100 /dev/urandom >"$work/payload.bad"
"$hvbench" run --quiet --payload /nonexistent/bench.elf --filter cpuid >/dev/null 2>"$work/err"
check "a missing payload exits 65 with one line" \
	test $? -eq 65 -a "$(wc -l <"$work/err")" -eq 1
"$hvbench" run --quiet --filter cpuid --out /proc/forbidden/r.json >/dev/null 2>"$work/err"
check "an unwritable results path exits 73" test $? -eq 73

# timer-deadline natively: a host thread's absolute sleep, its sample the
# lateness (nothing subtracted, one sleep per sample), beside the guest's.
run_results "$work/td.json" /dev/null "$hvbench" run --quiet --filter timer-deadline \
	--modes native,hvm --cpl 0 --repetitions 2 --target-ms 20 --out "$work/td.json"
check "timer-deadline in hvm and native exits 0 (got $rc)" test "$rc" -eq 0
jq_ok "...its native cell is lateness: above 0, under 10 ms, nothing subtracted, said so" \
	"$work/td.json" "$(cell timer-deadline native null) | .status == \"ok\" and
	 .summary.p50 > 0 and .summary.p50 < 1e7 and all(.repetitions[]; .batch == 1 and
	 .correction_ns == 0 and (.notes[0] | test(\"clock_nanosleep.*timer slack 1 ns\")))"

# A corrupt payload: every refvmm cell is an error, natives still measured.
"$hvbench" run --quiet --payload "$work/payload.bad" --filter cpuid --repetitions 1 \
	--target-ms 5 --out "$work/bad.json" >/dev/null 2>&1
rc=$?
check "a payload that is not an ELF fails the run (1), results still written" \
	test "$rc" -eq 1 -a -s "$work/bad.json"
jq_ok "...with the loader's reason, and the native cell measured" "$work/bad.json" \
	"($(cell cpuid hvm 0) | .status == \"error\" and (.reason | length > 0)) and
	 ($(cell cpuid native null) | .status == \"ok\")"

# A payload that withdraws its shared page while the injector runs: an
# error for that cell, not a crash of the runner.
hostile=$(dirname "$payload")/../guest-payloads/hostile_shared.elf
"$hvbench" run --quiet --payload "$hostile" --filter irq-inject --modes hvm --repetitions 1 \
	--target-ms 5 --out "$work/hostile.json" >/dev/null 2>&1
rc=$?
check "a payload re-announcing its shared page fails the run (1), no crash (got $rc)" \
	test "$rc" -eq 1
jq_ok "...and its cell is an error with a reason" "$work/hostile.json" \
	"$(cell irq-inject hvm 0) | .status == \"error\" and (.reason | length > 0)"

# Interrupted: what was measured is kept, and the file says it is partial.
"$hvbench" run --quiet --suite full --out "$work/int.json" >/dev/null 2>&1 &
pid=$!
for _ in $(seq 100); do
	[ -s "$work/int.json" ] && break
	sleep 0.1
done
sleep 0.5
kill -INT "$pid"
wait "$pid"
jq_ok "an interrupted run leaves a valid file marked incomplete, with results" \
	"$work/int.json" '.complete == false and (.results | length) >= 1'

# No /dev/kvm: native baselines only, and why.
if [ "$(id -u)" -eq 0 ] && command -v unshare >/dev/null; then
	unshare --mount sh -c 'mount -t tmpfs none /dev && exec "$0" run --quiet \
		--filter cpuid --repetitions 1 --target-ms 5 --out "$1"' \
		"$hvbench" "$work/nokvm.json" >/dev/null 2>&1
	check "without /dev/kvm the run still succeeds" test $? -eq 0
	jq_ok "...the native result is measured and refvmm's say why not" "$work/nokvm.json" \
		"($(cell cpuid native null) | .status == \"ok\") and
		 ($(cell cpuid hvm 0) | .status == \"unavailable\" and (.reason | test(\"/dev/kvm\"))) and
		 .settings.kvm_available == false"
else
	skip "no /dev/kvm: needs root and unshare to hide /dev/kvm"
	skip "no /dev/kvm: native results"
fi

# --like: the first run's recipe again, on the same payload; a changed
# payload is refused before anything runs.
run_results "$work/like.json" "$work/out" "$hvbench" run --quiet --like "$r" \
	--out "$work/like.json"
check "--like the first run exits 0 (got $rc)" test "$rc" -eq 0
if [ "$rc" -ne 0 ]; then
	diag <"$work/out"
	jq -r '.results[] | select(.status | IN("ok", "unavailable") | not) |
		"\(.workload) \(.mode) cpl \(.cpl): \(.status): \(.reason)"' "$work/like.json" 2>&1 |
		head -20 | diag
fi
jq -s . "$r" "$work/like.json" >"$work/both.json" 2>/dev/null
jq_ok "--like repeats the recipe: the same settings, cells and payload hash" "$work/both.json" \
	'map(.settings | {suite, filter, modes, cpls, targets, repetitions, target_ms, max_samples,
	   keep_samples, pin, probes_asked, payload}) as $s |
	 map([.results[] | [.workload, .mode, .target, .cpl]]) as $c |
	 $s[0] == $s[1] and $c[0] == $c[1] and ($s[0].payload.sha256 | test("^[0-9a-f]{64}$"))'
cp "$payload" "$work/other.elf" && printf '\0' >>"$work/other.elf"
"$hvbench" run --like "$r" --payload "$work/other.elf" --out "$work/like2.json" \
	>"$work/out" 2>"$work/err"
rc=$?
check "--like with a different payload is refused: exit 65 (got $rc), nothing written" \
	test "$rc" -eq 65 -a ! -e "$work/like2.json"
check "...saying the payload is not the one that run used" \
	grep -q "is not the one that run used" "$work/err"

# hvbench show: the run's file as the same table, one row per result, under
# a header; an interrupted run's says so; a corrupt file is refused, in one line.
"$hvbench" show "$r" >"$work/show" 2>"$work/err"
rc=$?
check "hvbench show on the run's file exits 0 (got $rc)" test "$rc" -eq 0
# (and a warning line where the CPU is emulated: scripts/testvm)
timing_lines=$(jq '[.environment.timing.performance_figures == false] | map(select(.)) | length' "$r")
check "...with a header, the column names and one row per result" \
	test "$(wc -l <"$work/show")" -eq $(($(jq '.results | length' "$r") + 2 + timing_lines))
if [ "$timing_lines" -eq 1 ]; then
	check "...and a warning that its times are not performance figures (emulated CPU)" \
		grep -q '^WARNING: not performance figures: this host.s CPU is emulated by QEMU.s TCG' \
		"$work/show"
fi
check "...and the header says the run is complete" \
	grep -q '^run started .*, complete' "$work/show"
"$hvbench" show "$work/int.json" >"$work/show" 2>&1
check "hvbench show on the interrupted run's file says it is incomplete" \
	grep -q '^run started .*, incomplete (interrupted or still running)' "$work/show"
head -c 300 "$r" >"$work/corrupt.json"
"$hvbench" show "$work/corrupt.json" >"$work/out" 2>"$work/err"
rc=$?
check "hvbench show on a corrupt file exits 66 (got $rc), one line naming the file" \
	test "$rc" -eq 66 -a "$(wc -l <"$work/err")" -eq 1 -a ! -s "$work/out" -a \
	"$(grep -c "^hvbench show: $work/corrupt.json: not JSON: " "$work/err")" -eq 1
tap_done
