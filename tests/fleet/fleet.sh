#!/usr/bin/env bash
# SPDX-License-Identifier: MIT
#
# fleet/hvbench.yml, for real, on an inventory of this machine: node-a and
# node-b (ansible_connection=local, each with its own remote directory, so
# that neither clobbers the other) measure the default suite (quick with
# KVM, else instance); node-bad's run
# fails (a --filter that matches nothing: exit 64); node-gone cannot be
# reached (ssh to a closed port).  Checks: both good hosts' results were
# fetched, whole and each its own run; one report names both; the failed
# and the unreachable host are reported as failed, the play fails, and the
# others' results are kept.  No KVM needed (targets: native where there is
# no /dev/kvm).  Without ansible-playbook: skipped, saying why, except in
# CI (CI=true), where that fails: it would have tested nothing.
#
# usage: fleet.sh SOURCE_ROOT BUILD_ROOT
set -u
src=$1
build=$2
. "$src/tests/integration/tap.sh"

echo "TAP version 13"
for tool in ansible-playbook jq; do
	command -v "$tool" >/dev/null && continue
	why="$tool is not installed (scripts/setup installs it: Debian's ansible-core, jq)"
	if [ "${CI:-}" = true ]; then
		echo "not ok 1 - $why; in CI this test must run"
		echo "1..1"
		exit 1
	fi
	echo "1..0 # SKIP $why"
	exit 0
done

# Ansible's own state in the scratch directory, and no ansible.cfg from the
# caller's directory or home.
: >"$work/ansible.cfg"
export ANSIBLE_CONFIG=$work/ansible.cfg ANSIBLE_HOME=$work/ansible-home \
	ANSIBLE_LOCAL_TEMP=$work/ansible-local ANSIBLE_REMOTE_TEMP=$work/ansible-remote \
	ANSIBLE_NOCOLOR=1 ANSIBLE_RETRY_FILES_ENABLED=0 ANSIBLE_HOST_KEY_CHECKING=0 \
	ANSIBLE_SSH_ARGS='-o ConnectTimeout=5 -o BatchMode=yes'
unset ANSIBLE_FORCE_COLOR

remote=$work/remote
results=$work/results
cat >"$work/inventory.ini" <<EOF
[fleet]
node-a hvbench_remote_dir=$remote/node-a
node-b hvbench_remote_dir=$remote/node-b
node-bad hvbench_remote_dir=$remote/node-bad hvbench_args="--filter no-such-workload"
node-gone ansible_connection=ssh ansible_host=127.0.0.1 ansible_port=1 hvbench_remote_dir=$remote/node-gone

[fleet:vars]
ansible_connection=local
ansible_python_interpreter="{{ ansible_playbook_python }}"
hvbench_args="--repetitions 1 --target-ms 5 --quiet"
EOF

# A stale file from an earlier play: it must not pass for node-bad's.
mkdir -p "$results"
echo '{"stale": true}' >"$results/node-bad.json"

ansible-playbook -i "$work/inventory.ini" "$src/fleet/hvbench.yml" \
	-e "hvbench_build=$build" -e "hvbench_results_dir=$results" \
	-e hvbench_compare=true >"$work/play.log" 2>&1
rc=$?
check "the play fails, for the hosts that failed (exit $rc)" test "$rc" -ne 0
grep -q 'PLAY RECAP' "$work/play.log" || diag <"$work/play.log"

if [ -c /dev/kvm ]; then
	targets='["refvmm","native"]' suite=quick
else
	targets='["native"]' suite=instance
fi
for h in node-a node-b; do
	f=$results/$h.json
	if [ ! -f "$f" ]; then
		not_ok "$h's results file was fetched"
		continue
	fi
	ok "$h's results file was fetched"
	jq_ok "$h's results are a complete run with measured cells" "$f" \
		'.schema == "hvbench-results" and .kind == "run" and .complete == true and
		 (.results | length > 0) and all(.results[]; .status | IN("ok", "unavailable"))'
	jq_ok "$h's file is its own run, the default suite and targets for this host ($suite, $targets)" "$f" \
		".settings.suite == \"$suite\" and .settings.targets == $targets and
		 (.command | contains(\"$remote/$h/results/$h.json\"))"
	check "$h's run log was kept" grep -q '^exit status 0$' "$results/$h.log"
done

check "node-bad's stale results file was removed, and none fetched" \
	test ! -e "$results/node-bad.json"
check "node-bad's run log says why it failed" grep -q '^exit status 64$' "$results/node-bad.log"

report=$results/report.html
check "the one report was written" test -s "$report"
check "the report names both hosts' files" \
	grep -q '<title>hvbench fleet: node-a, node-b</title>' "$report"
check "the report has none of the failed hosts" \
	bash -c '! grep -q "node-bad\|node-gone" "$1"' _ "$report"
check "compare put node-b against node-a" grep -q '| node-b |' "$results/compare.md"

check "the summary lists the measured hosts" grep -q '"measured: node-a, node-b"' "$work/play.log"
check "the summary names node-bad as failed, with hvbench's reason" \
	grep -q '"FAILED: node-bad: hvbench run exited 64 (no results file): .*nothing to measure' \
	"$work/play.log"
check "the summary names node-gone as failed: unreachable" \
	grep -q '"FAILED: node-gone: unreachable"' "$work/play.log"
check "the play's last failure counts the failed hosts" \
	grep -q '2 of 4 hosts failed (the report has the others' "$work/play.log"
if [ "$tap_failed" -gt 0 ]; then
	tail -n 60 "$work/play.log" | diag
fi

# hvbench_like: node-b repeats node-a's recorded recipe, nothing else said.
if [ -f "$results/node-a.json" ]; then
	ansible-playbook -i "$work/inventory.ini" "$src/fleet/hvbench.yml" -l node-b \
		-e "hvbench_build=$build" -e "hvbench_results_dir=$results/like" \
		-e "hvbench_like=$results/node-a.json" -e hvbench_args=--quiet \
		>"$work/like.log" 2>&1
	rc=$?
	check "a play with hvbench_like succeeds (exit $rc)" test "$rc" -eq 0
	[ "$rc" -eq 0 ] || tail -n 30 "$work/like.log" | diag
	jq -s . "$results/node-a.json" "$results/like/node-b.json" >"$work/like.json" 2>/dev/null
	jq_ok "node-b's run repeats node-a's recipe: the same settings and cells" "$work/like.json" \
		'map(.settings | {suite, filter, modes, cpls, targets, repetitions, target_ms,
		   max_samples, keep_samples, pin, probes_asked, payload}) as $s |
		 map([.results[] | [.workload, .mode, .target, .cpl]]) as $c |
		 $s[0] == $s[1] and $c[0] == $c[1] and
		 (.[1].command | contains("--like"))'
else
	skip "hvbench_like: node-a's results were not fetched"
	skip "hvbench_like: node-a's results were not fetched"
fi
tap_done
