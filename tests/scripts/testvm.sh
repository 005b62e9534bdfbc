#!/usr/bin/env bash
# SPDX-License-Identifier: MIT
#
# scripts/testvm for real: a VM boots with a working /dev/kvm (svm) on the
# chosen kernel; COMMAND's stdout, stderr and status come back, and what it
# writes in the checkout; the caller's environment and directory go in; a
# missing command is 127; a command past --timeout is stopped (124) and a
# guest kernel that panics ends the VM at once (125), each saying why in
# one line; bad options are 64.  About 10 s a boot.
#
# usage: testvm.sh SOURCE_ROOT BUILD_ROOT
set -u
src=$1
build=$2
testvm=$src/scripts/testvm
. "$src/tests/integration/tap.sh"

echo "TAP version 13"
# The work folder must be in the checkout, the part of this machine the VM can write.
scratch=$(mktemp -d "$build/testvm-test.XXXXXX")
trap 'rm -rf "$work" "$scratch"' EXIT

for k in 6.1 6.12; do
	"$testvm" --kernel "$k" -- sh -c 'test -c /dev/kvm && grep -qw svm /proc/cpuinfo &&
		echo "kernel $(uname -r)" && cat /sys/module/kvm_amd/parameters/npt' \
		>"$work/out" 2>"$work/err"
	rc=$?
	check "kernel $k: /dev/kvm, svm and nested paging (exit $rc)" \
		bash -c '[ "$1" -eq 0 ] && grep -q "^kernel ${2//./\\.}" "$3" && grep -qx Y "$3"' \
		_ "$rc" "$k" "$work/out"
	[ "$rc" -eq 0 ] || diag <"$work/err"
done

(cd "$scratch" && FOO='a b"c' "$testvm" -- bash -c 'echo "out $FOO $HVBENCH_TESTVM $PWD"
	echo err >&2; echo written >"$PWD/from-vm"; exit 7') >"$work/out" 2>"$work/err"
rc=$?
check "COMMAND's status comes back (7, got $rc)" test "$rc" -eq 7
check "...its stdout, with the caller's environment and directory" \
	grep -qxF "out a b\"c 6.1 $scratch" "$work/out"
check "...its stderr, apart" bash -c 'grep -qx err "$1" && ! grep -q err "$2"' _ "$work/err" "$work/out"
check "...and what it wrote in the checkout" grep -qx written "$scratch/from-vm"

"$testvm" -- no-such-command-anywhere >"$work/out" 2>"$work/err"
check "a command that does not exist: 127 (got $?)" test $? -eq 127

start=$(date +%s)
"$testvm" --timeout 30 -- sleep 600 >"$work/out" 2>"$work/err"
rc=$?
took=$(($(date +%s) - start))
check "past --timeout: 124 (got $rc) within the time-out (took $took s)" \
	test "$rc" -eq 124 -a "$took" -le 60
check "...saying so in one line" \
	test "$(grep -c '^testvm: COMMAND did not finish within 30 s' "$work/err")" -eq 1

"$testvm" -- sh -c 'echo c >/proc/sysrq-trigger; sleep 600' >"$work/out" 2>"$work/err"
rc=$?
check "a guest kernel that panics: 125 (got $rc)" test "$rc" -eq 125
check "...saying the kernel failed, with its last lines" \
	bash -c 'grep -q "^testvm: the guest kernel failed: Kernel panic" "$1" &&
		grep -q "^testvm: the guest kernel.s last lines:" "$1"' _ "$work/err"

"$testvm" --kernel 5.10 -- true >"$work/out" 2>"$work/err"
rc=$?
check "an unknown kernel: 64 (got $rc), one line" \
	test "$rc" -eq 64 -a "$(wc -l <"$work/err")" -eq 1
"$testvm" --cpus 0 -- true >"$work/out" 2>"$work/err"
check "--cpus 0: 64 (got $?)" test $? -eq 64
"$testvm" >"$work/out" 2>"$work/err"
check "no COMMAND: 64 (got $?)" test $? -eq 64
tap_done
