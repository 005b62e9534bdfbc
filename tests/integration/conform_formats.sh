# SPDX-License-Identifier: MIT
#
# hvbench conform's reports read by the tools that consume them: the TAP
# streams by prove (TAP::Harness, which parses the YAML blocks too), and
# the YAML blocks again by PyYAML; the JUnit file by xmllint against
# tests/data/junit.xsd; the results file by the jsonschema module against
# docs/results-conform.schema.json.  The files come from the unit program
# tests/unit/test_conform_output.c, from a run holding every status and
# verdict and hostile guest text.  Each schema must also refuse a broken
# variant of the file, so a schema that accepts anything cannot pass.
#
# usage: conform_formats.sh TEST_CONFORM_OUTPUT SOURCE_ROOT
#
# Prints TAP for the log.  Exits 0 when every check passed, 1 when one
# failed, and 77 (skipped) when none failed but a validator is missing, as
# the last line says.  Debian packages: perl (prove, TAP::Parser, JSON::PP),
# libxml2-utils (xmllint), python3-jsonschema, python3-yaml.
set -u
. "$(dirname "$0")/tap.sh"

prog=$1
root=$2
out=$work/out
missing=()

# A Python that has module $1, or nothing: python3 on PATH may be another
# installation than the one Debian's python3-* packages install into.
python_with() {
	local py

	for py in python3 /usr/bin/python3; do
		if command -v "$py" >/dev/null && "$py" -c "import $1" 2>/dev/null; then
			command -v "$py"
			return
		fi
	done
}

# Its own checks failing, it may still have written the files: validate them all the same.
if "$prog" "$out" >"$work/unit.log" 2>&1; then
	ok "test_conform_output passes and writes the reports"
else
	not_ok "test_conform_output passes and writes the reports"
	diag <"$work/unit.log"
fi
for f in conform-known.tap conform-unexpected.tap conform.xml conform.json; do
	if [ ! -s "$out/$f" ]; then
		not_ok "test_conform_output wrote $f"
		tap_done
		exit 1
	fi
done

# TAP: prove passes a run whose only failures are known ones (and says which
# TODOs passed), fails one with unexpected failures for those alone, and
# reads every YAML block as the JSON has the result.
if ! command -v prove >/dev/null || ! perl -MTAP::Parser -MJSON::PP -e 1 2>/dev/null; then
	missing+=("prove with TAP::Parser and JSON::PP (Debian: perl)")
	skip "TAP checks: prove or TAP::Parser missing (Debian: perl)"
else
	if prove --exec cat "$out/conform-known.tap" >"$work/prove-known.log" 2>&1 &&
		grep -q 'TODO passed: *11-12$' "$work/prove-known.log"; then
		ok "prove passes the TAP whose failures are all known, reporting the TODOs that passed"
	else
		not_ok "prove passes the TAP whose failures are all known, reporting the TODOs that passed"
		diag <"$work/prove-known.log"
	fi
	if ! prove --exec cat "$out/conform-unexpected.tap" >"$work/prove-bad.log" 2>&1 &&
		grep -q 'Failed tests: *5, 7, 9, 11, 17$' "$work/prove-bad.log" &&
		! grep -q 'Parse errors' "$work/prove-bad.log"; then
		ok "prove fails the TAP with unexpected failures, for those tests only"
	else
		not_ok "prove fails the TAP with unexpected failures, for those tests only"
		diag <"$work/prove-bad.log"
	fi
	# Strings that were UTF-8 read back equal; bytes that were not are '?' in the JSON
	# and \xNN in the YAML, so those strings are not compared.
	if perl - "$out/conform-unexpected.tap" "$out/conform.json" >"$work/yamlish.log" 2>&1 <<'PERL'
use strict;
use warnings;
use TAP::Parser;
use JSON::PP;

my ($tap, $json) = @ARGV;
open(my $fh, '<:raw', $json) or die "$json: $!\n";
my $doc = JSON::PP->new->utf8->decode(do { local $/; <$fh> });
my (%want, @bad);
for my $t (@{ $doc->{conformance}{tests} }) {
	$want{"$_->{target} $t->{id}"} = $_ for @{ $t->{results} };
}
my $parser = TAP::Parser->new({ exec => ['cat', $tap] });
my $blocks = 0;
while (my $res = $parser->next) {
	next unless $res->is_yaml;
	my $d = $res->data;
	my $at = "YAML block " . ++$blocks;
	if (ref $d ne 'HASH') {
		push @bad, "$at is not a mapping";
		next;
	}
	my $r = $want{"$d->{target} $d->{id}"};
	if (!$r) {
		push @bad, "$at: no result for $d->{target} $d->{id} in the JSON";
		next;
	}
	for my $k (qw(status verdict checks)) {
		push @bad, "$at: $k is '$d->{$k}', the JSON's '$r->{$k}'" if $d->{$k} ne $r->{$k};
	}
	if (ref $d->{fails} ne 'ARRAY' || grep { ref } @{ $d->{fails} }) {
		push @bad, "$at: fails is not a list of strings";
		next;
	}
	push @bad, "$at: " . @{ $d->{fails} } . " fails, the JSON has " . @{ $r->{fails} }
		if @{ $d->{fails} } != @{ $r->{fails} };
	for my $i (0 .. $#{ $r->{fails} }) {
		my $j = $r->{fails}[$i];
		utf8::encode($j);
		next if $j =~ /\?/;
		push @bad, "$at: fails[$i] is '$d->{fails}[$i]', the JSON's '$j'"
			if $d->{fails}[$i] ne $j;
	}
}
push @bad, "parse error: $_" for $parser->parse_errors;
push @bad, "no YAML block read" unless $blocks;
print "$blocks YAML blocks\n";
print "$_\n" for @bad;
exit(@bad ? 1 : 0);
PERL
	then
		ok "TAP::Parser reads each YAML block as the JSON has the result ($(head -1 "$work/yamlish.log"))"
	else
		not_ok "TAP::Parser reads each YAML block as the JSON has the result"
		diag <"$work/yamlish.log"
	fi
fi

# YAML: the blocks are YAML to a full parser too, equal to the JSON's results.
py=$(python_with yaml)
if [ -z "$py" ]; then
	missing+=("PyYAML (Debian: python3-yaml)")
	skip "YAML check: no python3 with the yaml module (Debian: python3-yaml)"
elif "$py" - "$out/conform-unexpected.tap" "$out/conform.json" >"$work/yaml.log" 2>&1 <<'PY'
import json
import sys

import yaml

tap, doc = sys.argv[1], json.load(open(sys.argv[2], encoding="utf-8"))
want = {(r["target"], t["id"]): r for t in doc["conformance"]["tests"] for r in t["results"]}
blocks, cur = [], None
for line in open(tap, encoding="utf-8").read().split("\n"):
    if line == "  ---":
        cur = []
    elif line == "  ..." and cur is not None:
        blocks.append("\n".join(cur))
        cur = None
    elif cur is not None:
        cur.append(line[2:])
bad = []
for n, text in enumerate(blocks, 1):
    d = yaml.safe_load(text)
    if not isinstance(d, dict) or not isinstance(d.get("fails"), list):
        bad.append(f"block {n}: not a mapping with a fails list")
        continue
    r = want.get((d.get("target"), d.get("id")))
    if r is None:
        bad.append(f"block {n}: no such result in the JSON")
        continue
    for k in ("status", "verdict", "checks", "reason"):
        if k in d and d[k] != r[k]:
            bad.append(f"block {n}: {k} {d[k]!r}, the JSON's {r[k]!r}")
    if len(d["fails"]) != len(r["fails"]):
        bad.append(f"block {n}: {len(d['fails'])} fails, the JSON has {len(r['fails'])}")
    for y, j in zip(d["fails"], r["fails"]):
        if "?" not in j and y != j:
            bad.append(f"block {n}: fail {y!r}, the JSON's {j!r}")
print(f"{len(blocks)} YAML blocks")
print("\n".join(bad))
sys.exit(1 if bad or not blocks else 0)
PY
then
	ok "PyYAML reads each YAML block as the JSON has the result ($(head -1 "$work/yaml.log"))"
else
	not_ok "PyYAML reads each YAML block as the JSON has the result"
	diag <"$work/yaml.log"
fi

# JUnit: valid against the schema, which refuses a type it does not know.
xsd=$root/tests/data/junit.xsd
if ! command -v xmllint >/dev/null; then
	missing+=("xmllint (Debian: libxml2-utils)")
	skip "JUnit checks: no xmllint (Debian: libxml2-utils)"
else
	if xmllint --noout --schema "$xsd" "$out/conform.xml" >"$work/xmllint.log" 2>&1; then
		ok "xmllint validates the JUnit report against junit.xsd"
	else
		not_ok "xmllint validates the JUnit report against junit.xsd"
		diag <"$work/xmllint.log"
	fi
	sed 's/type="TIMEOUT"/type="HANG"/' "$out/conform.xml" >"$work/broken.xml"
	if ! cmp -s "$out/conform.xml" "$work/broken.xml" &&
		! xmllint --noout --schema "$xsd" "$work/broken.xml" >/dev/null 2>&1; then
		ok "junit.xsd refuses an error type it does not know"
	else
		not_ok "junit.xsd refuses an error type it does not know"
	fi
fi

# JSON: valid against the schema, which refuses each broken variant.
py=$(python_with jsonschema)
if [ -z "$py" ]; then
	missing+=("jsonschema (Debian: python3-jsonschema)")
	skip "JSON checks: no python3 with the jsonschema module (Debian: python3-jsonschema)"
elif "$py" - "$root/docs/results-conform.schema.json" "$out/conform.json" \
	>"$work/jsonschema.log" 2>&1 <<'PY'
import copy
import json
import sys

import jsonschema

schema = json.load(open(sys.argv[1], encoding="utf-8"))
doc = json.load(open(sys.argv[2], encoding="utf-8"))
jsonschema.Draft7Validator.check_schema(schema)
validator = jsonschema.Draft7Validator(schema)
errors = [e.message for e in validator.iter_errors(doc)]
if errors:
    sys.exit("the results file is invalid:\n" + "\n".join(errors))


def broken(why, edit):
    d = copy.deepcopy(doc)
    edit(d)
    if validator.is_valid(d):
        sys.exit(f"the schema accepts a file with {why}")


def result(d, test, target):
    return d["conformance"]["tests"][test]["results"][target]


def target(d, k):
    return d["conformance"]["targets"][k]


def setitem(obj, key, value):
    obj[key] = value


broken("an unknown verdict", lambda d: setitem(result(d, 0, 0), "verdict", "maybe"))
broken("an unknown status", lambda d: setitem(result(d, 0, 0), "status", "HANG"))
broken("verdict ok on a FAIL", lambda d: setitem(result(d, 2, 0), "verdict", "ok"))
broken("an unexpected pass that failed",
       lambda d: setitem(result(d, 2, 0), "verdict", "unexpected-pass"))
broken("a known failure with no reason",
       lambda d: setitem(result(d, 6, 0), "expected_reason", None))
broken("a fail text over 200 characters", lambda d: result(d, 2, 0)["fails"].append("x" * 201))
broken("a field it does not define", lambda d: setitem(result(d, 0, 0), "extra", 1))
broken("no summary", lambda d: target(d, 0).pop("summary"))
broken("an unavailable target without why", lambda d: setitem(target(d, 0), "available", False))
broken("a result in results", lambda d: d["results"].append({}))
broken("another kind", lambda d: setitem(d, "kind", "run"))
print("valid; broken variants refused")
PY
then
	ok "the results file is valid against results-conform.schema.json, which refuses broken ones"
else
	not_ok "the results file is valid against results-conform.schema.json, which refuses broken ones"
	diag <"$work/jsonschema.log"
fi

tap_done || exit 1
if [ "${#missing[@]}" -gt 0 ]; then
	IFS=';'
	echo "# SKIP: validators missing: ${missing[*]}"
	exit 77
fi
