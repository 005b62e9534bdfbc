#!/usr/bin/env bash
# SPDX-License-Identifier: MIT
#
# `hvbench info` on this host: the environment, then one line per target
# and capability, "yes" or "no: WHY"; --json with the same verdicts; each
# verdict checked against what the host shows by other means (QEMU's own
# --version, /dev/kvm's mode, the PMUs in sysfs).  Then the reasons, made
# to happen for real: a PATH without QEMU, fake QEMUs that lack an
# accelerator or a machine, fail or hang, an unprivileged user (setpriv)
# and a /dev without kvm (unshare).  Needs jq; the cases that need root,
# setpriv or unshare skip, saying why, without them.
#
# usage: info.sh HVBENCH
set -u
hvbench=$1
. "$(dirname "$0")/tap.sh"

echo "TAP version 13"
if ! command -v jq >/dev/null; then
	echo "1..0 # SKIP jq is not installed (scripts/setup installs it)"
	exit 0
fi

caps="refvmm qemu-kvm qemu-tcg vmm-cmd native ebpf-probes perf-software perf-hardware gnuplot chromium"
caps_json=$(printf '"%s",' $caps)
caps_json="[${caps_json%,}]"

# section FILE: the lines from "What this host can run" on.
section() {
	sed -n '/^What this host can run$/,$p' "$1"
}

# why FILE CAP: the capability's reason in an --json file ("null" when available).
why() {
	jq -r --arg c "$2" '.capabilities[$c].why' "$1"
}

# why_is DESCRIPTION FILE CAP WANT: the reason is exactly WANT.
why_is() {
	local got
	got=$(why "$2" "$3")
	if [ "$got" = "$4" ]; then
		ok "$1"
	else
		not_ok "$1"
		printf 'want: %s\ngot:  %s\n' "$4" "$got" | diag
	fi
}

# why_starts DESCRIPTION FILE CAP PREFIX
why_starts() {
	local got
	got=$(why "$2" "$3")
	if [ "${got#"$4"}" != "$got" ]; then
		ok "$1"
	else
		not_ok "$1"
		printf 'want: %s...\ngot:  %s\n' "$4" "$got" | diag
	fi
}

# jq_ok_args DESCRIPTION FILE FILTER JQ_ARGS...: jq_ok, with --arg and the like.
jq_ok_args() {
	local what=$1 file=$2 filter=$3
	shift 3
	if [ "$(jq -r "$@" "$filter" "$file" 2>/dev/null)" = true ]; then
		ok "$what"
	else
		not_ok "$what"
		jq -c "$@" "$filter" "$file" 2>&1 | head -c 600 | diag
	fi
}

# ---- this host, as it is ----

"$hvbench" info >"$work/info.txt" 2>"$work/err"
rc=$?
check "hvbench info exits 0 (got $rc) with nothing on stderr" test "$rc" -eq 0 -a ! -s "$work/err"
diag <"$work/err"
check "...the environment first, as before (env_print's first line)" \
	grep -qE '^captured +[0-9]{4}-[0-9]{2}-[0-9]{2}T.* on ' <(head -1 "$work/info.txt")
check "...then the section \"What this host can run\"" grep -qx 'What this host can run' "$work/info.txt"
section "$work/info.txt" >"$work/caps.txt"
for c in $caps; do
	check "...one line for $c: \"yes\", \"yes: ...\" or \"no: REASON\"" \
		test "$(grep -cE "^$c +(yes(: .+)?|no: .+)$" "$work/caps.txt")" -eq 1
done
# Any other line is a note under a capability, at the value column.
check "...and nothing else but notes under them, and no \"no\" without a reason" \
	test "$(tail -n +2 "$work/caps.txt" |
		grep -cvE '^[a-z-]+ +(yes(: .+)?|no: .+)$|^ {29}[^ ].*$')" -eq 0 -a \
	"$(tail -n +2 "$work/caps.txt" | grep -cE '^[a-z-]+ ')" -eq 10
native_line=$(grep -E '^native ' "$work/caps.txt")
check "native is always yes" grep -qE '^native +yes: ' <<<"$native_line"

"$hvbench" info --json >"$work/info.json" 2>"$work/err"
rc=$?
check "hvbench info --json exits 0 (got $rc) with nothing on stderr" test "$rc" -eq 0 -a ! -s "$work/err"
jq_ok "...one JSON object" "$work/info.json" 'type == "object"'
jq_ok "...with the environment as runs record it" "$work/info.json" \
	'.environment | (.kvm.backend | type == "string") and has("host_is_guest") and
	 has("cpu") and has("why_unknown")'
jq_ok "...and every capability, in order" "$work/info.json" \
	"(.capabilities | keys_unsorted) == $caps_json"
jq_ok "...each with available a boolean; why null when available, else a one-line reason" \
	"$work/info.json" \
	'[.capabilities[] | (.available | type == "boolean") and (.notes | type == "array") and
	 if .available then .why == null
	 else (.why | type == "string" and length > 0 and test("^[ -~]+$")) end] | all'
# Text and JSON come from two probes a moment apart: they agree.
agree=0
for c in $caps; do
	t=$(grep -E "^$c " "$work/caps.txt" | grep -qE "^$c +yes" && echo true || echo false)
	[ "$t" = "$(jq -r --arg c "$c" '.capabilities[$c].available' "$work/info.json")" ] ||
		agree=1
done
check "...and the same verdicts as the text" test "$agree" -eq 0

j=$work/info.json
no_kvm=$(kvm_unusable)
if [ -z "$no_kvm" ]; then
	jq_ok "refvmm: /dev/kvm is usable here, and info created a VM" "$j" \
		'.capabilities.refvmm | .available and .kvm.api_version == 12 and .kvm.create_vm and
		 .detail == "/dev/kvm API version 12, KVM_CREATE_VM works"'
else
	jq_ok "refvmm: /dev/kvm is not usable here ($no_kvm): info says so" "$j" \
		'.capabilities.refvmm | (.available | not) and (.why | test("/dev/kvm"))'
fi
jq_ok "refvmm: notes say what the environment's backend means and whether this host is a guest" \
	"$j" '.environment.kvm.backend as $b | .capabilities.refvmm |
	 .backend == $b and (.notes[0] | startswith("KVM backend \($b)")) and
	 (.notes[1] | test("^(nested|not nested)"))'
if [ "$(jq -r .environment.kvm.backend "$j")" = pvm ]; then
	jq_ok "...on PVM: emulated CPL0, vmcall hangs, the findings" "$j" \
		'.capabilities.refvmm.notes[0] == "KVM backend pvm: guest CPL0 instructions are emulated, vmcall hangs (hypercall-kvm and hypercall-exit are unavailable); see docs/findings-pvm.md"'
else
	skip "the PVM note: the KVM backend here is $(jq -r .environment.kvm.backend "$j")"
fi
jq_ok "native: what the figures mean, from the environment's CPUID" "$j" \
	'.environment.host_is_guest as $g | .capabilities.native.detail |
	 if $g.hypervisor_bit == true
	 then startswith("this host is itself a guest (CPUID signature '"'"'\($g.signature)'"'"'")
	 else startswith("bare metal") end'

if qemu=$(command -v qemu-system-x86_64); then
	v=$(timeout 5 "$qemu" --version | head -1)
	jq_ok_args "qemu-tcg: the binary in PATH and its version, as it prints it" "$j" \
		'.capabilities["qemu-tcg"] | .available and .path == $p and .version == $v and
		 (.accelerators | index("tcg"))' --arg p "$qemu" --arg v "$v"
	if [ -z "$no_kvm" ]; then
		jq_ok "qemu-kvm: the same QEMU, KVM usable" "$j" '.capabilities["qemu-kvm"] |
			.available and (.detail | endswith("-M microvm -accel kvm, KVM_CREATE_VM works"))'
	else
		why_starts "qemu-kvm: KVM is not usable here, and info says why" "$j" qemu-kvm \
			"KVM is not usable: "
	fi
else
	skip "qemu-tcg: qemu-system-x86_64 is not installed"
	skip "qemu-kvm: qemu-system-x86_64 is not installed"
fi

# A core PMU is the event source whose type is PERF_TYPE_RAW (4).
pmu=no
for t in /sys/bus/event_source/devices/*/type; do
	[ "$(cat "$t" 2>/dev/null)" = 4 ] && pmu=yes
done
if [ "$pmu" = no ]; then
	why_is "perf-hardware: no PMU in /sys/bus/event_source, and info says so" "$j" \
		perf-hardware "no PMU exposed to this machine: cycles unsupported (ENOENT)"
elif [ "$(id -u)" -eq 0 ]; then
	jq_ok "perf-hardware: a PMU, and root: cycles and instructions open" "$j" \
		'.capabilities["perf-hardware"].available'
else
	skip "perf-hardware: a PMU, but not root: whether it opens depends on perf_event_paranoid"
fi
if [ "$(id -u)" -eq 0 ]; then
	jq_ok "perf-software: root opens task-clock on itself" "$j" \
		'.capabilities["perf-software"] | .available and (.opened | index("task-clock"))'
else
	skip "perf-software: not root"
fi
if jq -e '.capabilities["ebpf-probes"].built == false' "$j" >/dev/null; then
	why_starts "ebpf-probes: this build has none, and says why" "$j" ebpf-probes \
		"this build has no eBPF probes: "
elif [ "$(id -u)" -eq 0 ] && [ -r /sys/kernel/btf/vmlinux ]; then
	jq_ok "ebpf-probes: root, BTF, built: they load and attach" "$j" \
		'.capabilities["ebpf-probes"].available'
else
	jq_ok "ebpf-probes: not root or no BTF: they do not load, and info says why" "$j" \
		'.capabilities["ebpf-probes"] | (.available | not) and (.why | length > 0)'
fi

# ---- no QEMU in PATH: a directory with only gnuplot ----

mkdir "$work/bin"
gnuplot=$(command -v gnuplot || true)
[ -n "$gnuplot" ] && ln -s "$gnuplot" "$work/bin/gnuplot"
PATH=$work/bin "$hvbench" info --json >"$work/noqemu.json" 2>"$work/err"
rc=$?
check "with a PATH without QEMU info still exits 0 (got $rc)" test "$rc" -eq 0
why_is "...qemu-kvm: not found in PATH" "$work/noqemu.json" qemu-kvm \
	"qemu-system-x86_64 not found in PATH ($work/bin)"
why_is "...qemu-tcg: not found in PATH" "$work/noqemu.json" qemu-tcg \
	"qemu-system-x86_64 not found in PATH ($work/bin)"
why_is "...chromium: none of its names in PATH" "$work/noqemu.json" chromium \
	"none of chromium, chromium-browser, google-chrome found in PATH ($work/bin)"
if [ -n "$gnuplot" ]; then
	jq_ok_args "...gnuplot, linked in, is found there and runs" "$work/noqemu.json" \
		'.capabilities.gnuplot | .available and .path == $p and
		 (.detail | startswith("gnuplot "))' --arg p "$work/bin/gnuplot"
else
	why_is "...gnuplot: not found in PATH" "$work/noqemu.json" gnuplot \
		"gnuplot not found in PATH ($work/bin)"
fi
PATH=$work/bin "$hvbench" info >"$work/noqemu.txt" 2>&1
check "...and the text says so on the qemu lines" \
	test "$(grep -cE "^qemu-(kvm|tcg) +no: qemu-system-x86_64 not found in PATH \\($work/bin\\)$" \
		"$work/noqemu.txt")" -eq 2

# ---- fake QEMUs: what info reads from QEMU decides ----

# fake NAME BODY: a directory holding a qemu-system-x86_64 that runs BODY (sh).
fake() {
	mkdir -p "$work/$1"
	printf '#!/bin/sh\n%s\n' "$2" >"$work/$1/qemu-system-x86_64"
	chmod +x "$work/$1/qemu-system-x86_64"
	PATH=$work/$1 "$hvbench" info --json >"$work/$1.json" 2>/dev/null
}
answers='case "$1" in
--version) echo "qemu-system-x86_64: warning: a diagnostic before the version" >&2
	echo "QEMU emulator version 99.1.0 (fake)";;
-accel) printf "Accelerators supported in QEMU binary:\n%s\n" "$ACCELS";;
-machine) printf "Supported machines are:\n%s\npc                   Standard PC\n" "$MACHINES";;
esac'
fake tcgonly "ACCELS=tcg MACHINES='microvm              microvm (i386)'
$answers"
q=$work/tcgonly/qemu-system-x86_64
jq_ok_args "a QEMU with TCG only: qemu-tcg yes, its version line (not its diagnostic) shown" \
	"$work/tcgonly.json" \
	'.capabilities["qemu-tcg"] | .available and .detail == $d and .accelerators == ["tcg"]' \
	--arg d "QEMU emulator version 99.1.0 (fake), $q, -M microvm -accel tcg"
why_is "...qemu-kvm no: the accelerators QEMU lists" "$work/tcgonly.json" qemu-kvm \
	"$q has no kvm accelerator (-accel help lists: tcg)"
fake nomicrovm "ACCELS='tcg
kvm' MACHINES='q35                  Standard PC (Q35 + ICH9, 2009)'
$answers"
q=$work/nomicrovm/qemu-system-x86_64
why_is "a QEMU without microvm: qemu-tcg no, naming the machine" "$work/nomicrovm.json" qemu-tcg \
	"$q has no microvm machine (hvbench boots its payloads with -M microvm)"
why_is "...and qemu-kvm the same" "$work/nomicrovm.json" qemu-kvm \
	"$q has no microvm machine (hvbench boots its payloads with -M microvm)"
fake hostile "ACCELS=tcg MACHINES=microvm
case \"\$1\" in --version) printf 'QEMU emulator version \\377\\376 \\033[31mred\\n';; *) $answers;; esac"
jq_ok "a QEMU printing bytes that are not text: the JSON is valid, those bytes are '?'" \
	"$work/hostile.json" '.capabilities["qemu-tcg"] |
	.available and .version == "QEMU emulator version ?? ?[31mred"'
PATH=$work/hostile "$hvbench" info >"$work/hostile.txt" 2>&1
check "...and the text shows no byte outside printable ASCII" \
	test "$(LC_ALL=C grep -c '[^ -~]' "$work/hostile.txt")" -eq 0
fake broken 'echo "qemu-system-x86_64: error while loading shared libraries: libfake.so" >&2
exit 1'
why_is "a QEMU that fails: its exit status and first line of output" "$work/broken.json" \
	qemu-tcg "$work/broken/qemu-system-x86_64 --version failed (exit status 1): qemu-system-x86_64: error while loading shared libraries: libfake.so"
# 5 s, or five times that where the CPU is emulated (scripts/testvm).
limit=5
[ "$(jq -r .environment.timing.performance_figures "$work/info.json")" = false ] && limit=25
start=$(date +%s)
fake hangs "exec $(command -v sleep) 60"
took=$(($(date +%s) - start))
why_is "a QEMU that hangs: given up after $limit s" "$work/hangs.json" qemu-kvm \
	"$work/hangs/qemu-system-x86_64 --version did not finish within $limit s"
check "...and info ends soon after (took $took s)" test "$took" -le $((limit * 2))

# ---- unprivileged: setpriv to nobody, no capabilities ----

if [ "$(id -u)" -ne 0 ] || ! command -v setpriv >/dev/null; then
	skip "unprivileged: needs root and setpriv to drop to nobody"
	skip "unprivileged: refvmm"
	skip "unprivileged: eBPF probes"
	skip "unprivileged: perf counters"
elif ! setpriv --reuid=65534 --regid=65534 --clear-groups test -x "$hvbench"; then
	skip "unprivileged: uid 65534 cannot execute $hvbench (a directory on its path is closed)"
	skip "unprivileged: refvmm"
	skip "unprivileged: eBPF probes"
	skip "unprivileged: perf counters"
else
	setpriv --reuid=65534 --regid=65534 --clear-groups --inh-caps=-all --bounding-set=-all \
		"$hvbench" info --json >"$work/nobody.json" 2>"$work/err"
	rc=$?
	check "unprivileged: info exits 0 (got $rc)" test "$rc" -eq 0
	u=$work/nobody.json
	if [ ! -e /dev/kvm ]; then
		skip_no_kvm "unprivileged: refvmm: there is no /dev/kvm to be refused"
	elif setpriv --reuid=65534 --regid=65534 --clear-groups test -r /dev/kvm -a -w /dev/kvm
	then
		jq_ok "unprivileged: /dev/kvm is open to all here, and refvmm is yes" "$u" \
			'.capabilities.refvmm.available'
	else
		why_starts "unprivileged: refvmm has no permission for /dev/kvm" "$u" refvmm \
			"no permission to open /dev/kvm (EACCES): mode "
	fi
	if jq -e '.capabilities["ebpf-probes"].built' "$u" >/dev/null; then
		why_is "unprivileged: the eBPF probes say which privilege they need" "$u" ebpf-probes \
			"eBPF probes need root or CAP_BPF and CAP_PERFMON (running as uid 65534 without them)"
	else
		why_starts "unprivileged: the eBPF probes say the build has none" "$u" ebpf-probes \
			"this build has no eBPF probes: "
	fi
	paranoid=$(cat /proc/sys/kernel/perf_event_paranoid)
	if [ "$paranoid" -gt 1 ]; then
		jq_ok_args "unprivileged: perf counters refused, saying perf_event_paranoid is $paranoid" \
			"$u" '.capabilities["perf-software"] | (.available | not) and (.why | contains($p))' \
			--arg p "kernel.perf_event_paranoid <= 1 (it is $paranoid)"
	else
		jq_ok "unprivileged: perf_event_paranoid $paranoid lets software counters open" "$u" \
			'.capabilities["perf-software"].available'
	fi
fi

# ---- no /dev/kvm: an empty /dev in a mount namespace ----

if [ "$(id -u)" -eq 0 ] && command -v unshare >/dev/null; then
	unshare --mount sh -c 'mount -t tmpfs none /dev && exec "$0" info --json' "$hvbench" \
		>"$work/nodev.json" 2>"$work/err"
	rc=$?
	check "without /dev/kvm info exits 0 (got $rc)" test "$rc" -eq 0
	why_starts "...refvmm: /dev/kvm does not exist" "$work/nodev.json" refvmm \
		"/dev/kvm does not exist"
	if jq -e '.capabilities["qemu-tcg"].available' "$work/nodev.json" >/dev/null; then
		why_starts "...qemu-kvm: KVM is not usable, for the same reason" "$work/nodev.json" \
			qemu-kvm "KVM is not usable: /dev/kvm does not exist"
	else
		skip "...qemu-kvm without /dev/kvm: no usable QEMU here"
	fi
else
	skip "no /dev/kvm: needs root and unshare to hide /dev/kvm"
	skip "no /dev/kvm: qemu-kvm"
fi

# ---- usage ----

"$hvbench" info --bogus >"$work/out" 2>"$work/err"
rc=$?
check "a bad argument exits 64 (got $rc), one line on stderr naming it, nothing on stdout" \
	test "$rc" -eq 64 -a ! -s "$work/out" -a "$(wc -l <"$work/err")" -eq 1 -a \
	"$(grep -c "^hvbench info: unexpected argument '--bogus'" "$work/err")" -eq 1
"$hvbench" info --help >"$work/out" 2>&1
check "--help exits 0 (got $?) and shows the usage" grep -q '^usage: hvbench info \[--json\]' \
	"$work/out"
tap_done
