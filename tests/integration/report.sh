#!/usr/bin/env bash
# SPDX-License-Identifier: MIT
#
# `hvbench report` end to end, on results files made by real runs: one run
# file, two, run and conform mixed; every plot expected is an <svg> in the
# page Chromium loads (no script, no console error, a screenshot: in
# scripts/testvm's VM the pages are kept for report_render.sh); without
# gnuplot the page still renders, with a note per plot; missing, garbage,
# foreign and hostile files (markup in names and reasons, oversized and
# corrupt histograms) give the documented exit codes and messages, and
# everything from a file appears escaped.
#
# usage: report.sh HVBENCH BENCH_ELF PAGES_DIR
set -u
hvbench=$1
export HVBENCH_PAYLOAD=$2
pages=$3
. "$(dirname "$0")/tap.sh"
. "$(dirname "$0")/chromium.sh"

echo "TAP version 13"
tap_require_kvm_jq
rm -rf "$pages" && mkdir -p "$pages"

# The plots a report of FILE... draws, counted from the files the way
# docs/report.md describes the sections: a CDF per measured workload; per
# family a medians plot, an overhead plot where a workload has a native
# cell in the same file, and one per counter (exits, user_exits,
# insn_emulation) above 0; per workload a plot per probe histogram with
# events in an ok repetition.
expected_plots() {
	jq -s '
	  [to_entries[] | .key as $f | (.value.results // [])[] | . + {file: $f}] as $cells
	  | [$cells[] | select(.summary)] as $ok
	  | ($ok | map(.workload) | unique | length)
	  + ($ok | map(.family) | unique | length)
	  + ([$ok[] | select(.mode != "native") | . as $c
	      | select(any($ok[]; .file == $c.file and .workload == $c.workload and
	                          .mode == "native" and .summary.p50 > 0)) | .family]
	     | unique | length)
	  + ([("exits", "user_exits", "insn_emulation") as $k
	      | [$ok[] | select(((.per_op // {})[$k] // 0) > 0) | .family] | unique | length] | add)
	  + ([$ok[] | . as $c | .repetitions[] | select(.status == "ok")
	      | (.probes.ebpf.histograms // {}) | to_entries[] | select(.value.count > 0)
	      | "\($c.workload) \(.key)"] | unique | length)' "$@"
}

# page_check NAME HTML PLOTS: page_ok (chromium.sh) here; in scripts/testvm's
# VM, where a Chromium start takes minutes, the page is kept in $pages for
# report_render.sh to check on the host.
page_check() {
	if [ -n "${HVBENCH_TESTVM:-}" ]; then
		cp "$2" "$pages/$1.html" && echo "$3" >"$pages/$1.plots"
		check "$1: kept for Chromium on the host (report_render)" test -s "$pages/$1.plots"
	else
		page_ok "$@"
	fi
}

# Each inline SVG is well-formed XML, with ids of its own.
svgs_ok() {
	local name=$1 html=$2
	if ! command -v xmllint >/dev/null; then
		skip "$name: xmllint is not installed"
		return
	fi
	rm -rf "$work/svg" && mkdir "$work/svg"
	SVG_DIR=$work/svg perl -0ne 'my $i = 0; while (/(<svg\b.*?<\/svg>)/gs) {
		open(my $f, ">", sprintf("%s/%04d.svg", $ENV{SVG_DIR}, $i++)) or die;
		print $f $1; close $f }' "$html"
	check "$name: the page's $(ls "$work/svg" | wc -l) SVGs are there to check" \
		test "$(ls "$work/svg" | wc -l)" -eq "$(grep -o '<svg' "$html" | wc -l)"
	check "$name: every inline SVG is well-formed XML" \
		bash -c 'for s in "$1"/*.svg; do xmllint --noout "$s" || exit 1; done' _ "$work/svg"
	check "$name: no id is used twice in the page" \
		bash -c '[ -z "$(grep -oE "\bid=[\"'\''][^\"'\'']*" "$1" | sort | uniq -d)" ]' _ "$html"
}

# Real files: two small runs and a few conformance tests.
a=$work/a.json b=$work/b.json c=$work/c.json
run_results "$a" /dev/null "$hvbench" run --quiet --filter cpuid,pio-user,io-lat-64 \
	--repetitions 2 --target-ms 10 --out "$a"
check "a first run (cpuid, pio-user, io-lat-64) for the report exits 0 (got $rc)" test "$rc" -eq 0
run_results "$b" /dev/null "$hvbench" run --quiet --filter cpuid,pio-user,io-lat-64 \
	--repetitions 2 --target-ms 10 --out "$b"
check "a second run exits 0 (got $rc)" test "$rc" -eq 0
"$hvbench" conform --quiet --filter 'cpuid.*,msr.pat,exception.bp' --out "$c" >/dev/null 2>&1
check "a conform run of a few tests exits 0" test $? -eq 0
# How long a report takes (a figure, not a check: docs/report.md has the full suite's).
start=$(date +%s%N)
"$hvbench" report "$a" "$b" "$c" -o "$work/t.html" >/dev/null 2>&1
echo "report of two runs and a conform file: $((($(date +%s%N) - start) / 1000000)) ms" | diag

# One file.
"$hvbench" report "$a" -o "$work/one.html" >"$work/out" 2>"$work/err"
rc=$?
check "report of one run file exits 0 (got $rc)" test "$rc" -eq 0
diag <"$work/err"
n=$(expected_plots "$a")
check "it says it drew the $n plots expected ($(cat "$work/out"))" \
	grep -q "(1 file, $n plots)" "$work/out"
for id in host files latency medians overhead exits environment; do
	check "section #$id is there" grep -q "id=\"$id\"" "$work/one.html"
done
if [ "$(jq -r '.settings.probes.ebpf' "$a")" = true ]; then
	check "section #probes is there (eBPF probes were on)" grep -q 'id="probes"' "$work/one.html"
else
	skip "eBPF probes were off: $(jq -r '.settings.probes.ebpf_why' "$a")"
fi
check "one CDF heading per workload" \
	test "$(grep -o 'id="lat-[0-9]*"' "$work/one.html" | wc -l)" -eq 3
# Each repetition's notes, once per distinct text and series, with how many
# repetitions carried it: io-lat-64's device thread notes every one.
check "the repetitions' notes are listed under their workload: io-lat-64's device notes" \
	test "$(grep -cE '<td class="long">device: .*</td><td class="n">[12] of 2</td>' \
		"$work/one.html")" -ge 1
check "the unavailable cell (io-lat-64 hvm cpl3) is listed with its reason" \
	grep -q 'unavailable</td><td class="long">mode hvm is one request' "$work/one.html"
check "no external resource: no src=, no link, no http(s) URL but the SVG namespace" \
	bash -c '! grep -vE "xmlns" "$1" | grep -qiE "src=|<link|https?://"' _ "$work/one.html"
if [ "$(jq -r .environment.timing.performance_figures "$a")" = false ]; then
	check "an emulated CPU's run (scripts/testvm) has the banner: not performance figures" \
		grep -q '<p class="bad">Not performance figures: a (<code>' "$work/one.html"
fi
page_check one "$work/one.html" "$n"
svgs_ok one "$work/one.html"

# Two run files: labels, series named by them, environments compared.
"$hvbench" report "$a" "$b" -o "$work/two.html" >"$work/out" 2>&1
check "report of two run files exits 0" test $? -eq 0
n=$(expected_plots "$a" "$b")
check "it drew the $n plots expected ($(cat "$work/out"))" grep -q "(2 files, $n plots)" "$work/out"
check "series are named by file label: a refvmm hvm cpl0, b refvmm hvm cpl0" \
	bash -c 'grep -q ">a refvmm hvm cpl0<" "$1" && grep -q ">b refvmm hvm cpl0<" "$1"' \
	_ "$work/two.html"
check "the environments are compared (captured_at differs)" \
	grep -q 'fields differ between the files' "$work/two.html"
page_check two "$work/two.html" "$n"
"$hvbench" report "$a" "$a" -o "$work/dup.html" >/dev/null 2>&1
check "the same file twice gets labels a and a-2" \
	bash -c 'grep -q ">a-2 refvmm hvm cpl0<" "$1"' _ "$work/dup.html"
"$hvbench" report "$a" "$b" --labels 'before,after' --title 'Before & after' \
	-o "$work/labels.html" >/dev/null 2>&1
check "--labels and --title are used (escaped)" \
	bash -c 'grep -q ">after refvmm hvm cpl0<" "$1" && grep -q "<h1>Before &amp; after</h1>" "$1"' \
	_ "$work/labels.html"

# Run and conform mixed.
"$hvbench" report "$a" "$c" -o "$work/mixed.html" >"$work/out" 2>&1
check "report of a run and a conform file exits 0" test $? -eq 0
n=$(expected_plots "$a" "$c")
tests=$(jq '.conformance.tests | length' "$c")
check "the matrix has a row per conformance test ($tests)" \
	test "$(grep -o '<tr><td><code>[a-z]*\.[a-z0-9.-]*</code></td><td class="[A-Z]' \
		"$work/mixed.html" | wc -l)" -eq "$tests"
check "known failures are marked" \
	bash -c '[ "$(jq "[.conformance.tests[].results[] | select(.verdict == \"expected-fail\")] | length" "$2")" -eq \
		"$(grep -o "class=\"[A-Z]* xfail\"" "$1" | wc -l)" ]' _ "$work/mixed.html" "$c"
page_check mixed "$work/mixed.html" "$n"

# An incomplete file is flagged.
jq '.complete = false' "$a" >"$work/part.json"
"$hvbench" report "$work/part.json" -o "$work/part.html" >/dev/null 2>&1
check "an incomplete file is flagged in a banner" \
	grep -q '<p class="bad">Incomplete: part' "$work/part.html"

# Without gnuplot: the page, a note where each plot would be, the tables.
mkdir "$work/nogp"
env PATH="$work/nogp" "$hvbench" report "$a" -o "$work/nogp.html" >"$work/out" 2>"$work/err"
check "without gnuplot in PATH the report is still written (exit 0)" test $? -eq 0
n=$(expected_plots "$a")
check "...with a note for each of the $n plots" \
	test "$(grep -o 'Plot not drawn: gnuplot not found in PATH' "$work/nogp.html" | wc -l)" -eq "$n"
check "...no <svg>, and the figures in tables" \
	bash -c '! grep -q "<svg" "$1" && grep -q "<summary>Figures (ns)</summary>" "$1"' \
	_ "$work/nogp.html"
check "...and a warning on stderr" grep -q 'plots not drawn: gnuplot not found in PATH' "$work/err"
page_check nogp "$work/nogp.html" -

# Bad inputs: one line naming the file and why, distinct exit codes.
"$hvbench" report "$work/missing.json" -o "$work/x.html" >/dev/null 2>"$work/err"
rc=$?
check "a missing file exits 66 naming it (got $rc)" \
	bash -c '[ "$1" -eq 66 ] && grep -q "missing.json: cannot open" "$2"' _ "$rc" "$work/err"
head -c 3000 /dev/urandom >"$work/garbage.json"
"$hvbench" report "$a" "$work/garbage.json" -o "$work/x.html" >/dev/null 2>"$work/err"
rc=$?
check "a garbage file exits 66: not JSON (got $rc)" \
	bash -c '[ "$1" -eq 66 ] && grep -q "garbage.json: not JSON" "$2"' _ "$rc" "$work/err"
echo '{"schema": "other-tool", "results": []}' >"$work/foreign.json"
"$hvbench" report "$work/foreign.json" -o "$work/x.html" >/dev/null 2>"$work/err"
rc=$?
check "a foreign JSON file exits 66 naming its schema (got $rc)" \
	bash -c '[ "$1" -eq 66 ] && grep -q "foreign.json: schema is \"other-tool\"" "$2"' \
	_ "$rc" "$work/err"
check "...and writes no report" test ! -e "$work/x.html"
"$hvbench" report "$a" >/dev/null 2>"$work/err"
check "no -o is a usage error (64)" test $? -eq 64
"$hvbench" report "$a" "$b" --labels only-one -o "$work/x.html" >/dev/null 2>"$work/err"
check "--labels with too few names is a usage error (64)" test $? -eq 64
cp "$a" "$work/keep.json"
"$hvbench" report "$work/keep.json" -o "$work/keep.json" >/dev/null 2>"$work/err"
check "-o naming an input is a usage error (64), the input kept" \
	bash -c '[ "$1" -eq 64 ] && cmp -s "$2" "$3"' _ $? "$a" "$work/keep.json"
"$hvbench" report "$a" -o /proc/forbidden/r.html >/dev/null 2>"$work/err"
check "an unwritable output exits 73" test $? -eq 73

# A hostile file: markup and controls in names, reasons and the environment,
# histograms too large or corrupt.  Written, warned about, all escaped.
x='<script>alert(1)</script>'
jq --arg x "$x" '
  .environment.hostname = $x |
  .command = ("hvbench \"q\" & " + $x) |
  .results[0].workload = ("w_^{}@" + $x + "\u001b[31m") |
  .results[0].family = "\"><svg onload=alert(1)>" |
  .results[1].mode = "m\"o'"'"'de<" |
  .results[2].workload = ("W" * 128) |
  .results[0].repetitions[0].histogram.buckets = [range(0; 70000) | [(. + 1), 1]] |
  .results[0].repetitions[1].histogram.buckets[0][1] = 1000000000000000000 |
  .results[1].repetitions[0].histogram = "nope" |
  .results[0].repetitions[0].probes.ebpf.histograms.kvm_run.buckets = [[1125899906842624, 1]] |
  .results[0].repetitions[1].probes.ebpf.not_firing += [{"tracepoint": ("tp" + $x),
     "why": ("why \u0007\u001b[2J " + $x)}] |
  .results[3].repetitions[0].reason = ("rep " + $x) | .results[3].repetitions[0].status = "hang" |
  .results[1].repetitions[0].notes = [("note " + $x), 7, null, ("note " + $x)] + [range(0; 20) | "n\(.)"] |
  .results[1].repetitions[1].notes = [("note " + $x), "n19"]
' "$a" >"$work/hostile.json"
"$hvbench" report "$work/hostile.json" --title "t $x" --labels "l$x" -o "$work/hostile.html" \
	>/dev/null 2>"$work/err"
rc=$?
check "a hostile file is reported (exit 0, got $rc)" test "$rc" -eq 0
check "...warning of the 70000-bucket histogram" grep -q 'repetitions\[0\]: 70000 buckets, more than the 65536' "$work/err"
check "...and of the count past 2^53" grep -q "buckets\[0\]'s count is not an integer from 0 to 2^53" "$work/err"
check "...and of the probe bucket past 2^40 ns" grep -q 'probes histogram kvm_run' "$work/err"
check "...listing them in the page too" grep -q '4 problems in the files' "$work/hostile.html"
check "no <script in the page; the hostile text is there escaped" \
	bash -c '! grep -qi "<script" "$1" && [ "$(grep -o "&lt;script&gt;alert(1)&lt;/script&gt;" "$1" | wc -l)" -ge 8 ]' \
	_ "$work/hostile.html"
# A note twice in one repetition and once in the other is in 2 of 2; the
# distinct notes past the 8 shown are counted, each once.
check "...a hostile note once, counted by repetition, and the notes past 8 counted, not listed" \
	bash -c 'grep -q ">note &lt;script&gt;alert(1)&lt;/script&gt;</td><td class=\"n\">2 of 2<" "$1" &&
		grep -q ">13 more distinct notes not shown" "$1"' _ "$work/hostile.html"
check "no control character in the page" \
	bash -c '! LC_ALL=C grep -q "[[:cntrl:]]" <(tr -d "\n\t" <"$1")' _ "$work/hostile.html"
page_check hostile "$work/hostile.html" "$(grep -o '<svg' "$work/hostile.html" | wc -l)"
svgs_ok hostile "$work/hostile.html"

tap_done
