/* SPDX-License-Identifier: MIT */
#include <errno.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "atomic_file.h"
#include "conform_junit.h"
#include "conform_text.h"
#include "xml_text.h"

/* What a result is in JUnit's terms. */
enum junit_kind {
	JUNIT_PASSED,
	JUNIT_FAILURE,		/* FAIL, not listed */
	JUNIT_ERROR,		/* TIMEOUT, CRASH or ERROR, not listed */
	JUNIT_SKIPPED,
	JUNIT_KNOWN,		/* a known failure: skipped, with the actual result in system-out */
	JUNIT_UNEXPECTED_PASS,	/* a failure of type UNEXPECTED-PASS */
};

static enum junit_kind junit_kind(const struct conform_result *r)
{
	if (r->verdict == CONFORM_EXPECTED_FAIL)
		return JUNIT_KNOWN;
	if (r->verdict == CONFORM_UNEXPECTED_PASS)
		return JUNIT_UNEXPECTED_PASS;
	switch (r->status) {
	case CONFORM_PASS:
		return JUNIT_PASSED;
	case CONFORM_SKIP:
		return JUNIT_SKIPPED;
	case CONFORM_FAIL:
		return JUNIT_FAILURE;
	default:
		return JUNIT_ERROR;
	}
}

struct junit_counts {
	size_t tests, failures, errors, skipped;
	double seconds;
};

static void count(struct junit_counts *c, const struct conform_result *r)
{
	switch (junit_kind(r)) {
	case JUNIT_PASSED:
		break;
	case JUNIT_FAILURE:
	case JUNIT_UNEXPECTED_PASS:
		c->failures++;
		break;
	case JUNIT_ERROR:
		c->errors++;
		break;
	case JUNIT_SKIPPED:
	case JUNIT_KNOWN:
		c->skipped++;
		break;
	}
	c->tests++;
	c->seconds += conform_seconds(r->seconds);
}

static void counts_attrs(FILE *f, const struct junit_counts *c, double seconds)
{
	fprintf(f, " tests=\"%zu\" failures=\"%zu\" errors=\"%zu\" skipped=\"%zu\" time=\"%.3f\"",
		c->tests, c->failures, c->errors, c->skipped, conform_seconds(seconds));
}

#define XML_STR(s) (s), strlen(s)
#define XML_ARR(a) (a), CONFORM_TEXT_LEN(a)

static unsigned int nr_fails(const struct conform_result *r)
{
	return r->nr_fails < CONFORM_FAILS_MAX ? r->nr_fails : CONFORM_FAILS_MAX;
}

/* A failure's or an error's message: the harness's reason, else the first failed check. */
static void problem_message(FILE *f, const struct conform_result *r)
{
	if (r->reason[0])
		xml_attr(f, "message", XML_ARR(r->reason));
	else if (nr_fails(r))
		xml_attr(f, "message", XML_ARR(r->fails[0]));
	else
		xml_attr(f, "message", XML_STR(conform_status_name(r->status)));
}

/* The result in full, as element text: "STATUS: reason", then one failed check a line. */
static void details(FILE *f, const struct conform_result *r)
{
	fputs(conform_status_name(r->status), f);
	if (r->reason[0]) {
		fputs(": ", f);
		xml_text(f, XML_ARR(r->reason), false);
	}
	fputc('\n', f);
	for (unsigned int i = 0; i < nr_fails(r); i++) {
		xml_text(f, XML_ARR(r->fails[i]), false);
		fputc('\n', f);
	}
}

static void testcase(FILE *f, const char *target, const struct conform_test *t,
		     const struct conform_result *r)
{
	enum junit_kind kind = junit_kind(r);

	fprintf(f, "    <testcase classname=\"hvbench.conform.");
	xml_text(f, XML_STR(target), true);
	fputc('.', f);
	xml_text(f, XML_STR(t->area), true);
	fputc('"', f);
	xml_attr(f, "name", XML_STR(t->id));
	fprintf(f, " time=\"%.3f\"", conform_seconds(r->seconds));
	if (kind == JUNIT_PASSED) {
		fputs("/>\n", f);
		return;
	}
	fputs(">\n", f);
	switch (kind) {
	case JUNIT_FAILURE:
	case JUNIT_ERROR:
		fprintf(f, "      <%s", kind == JUNIT_FAILURE ? "failure" : "error");
		problem_message(f, r);
		xml_attr(f, "type", XML_STR(conform_status_name(r->status)));
		fputc('>', f);
		details(f, r);
		fprintf(f, "</%s>\n", kind == JUNIT_FAILURE ? "failure" : "error");
		break;
	case JUNIT_SKIPPED:
		fputs("      <skipped", f);
		xml_attr(f, "message", XML_ARR(r->reason));
		fputs("/>\n", f);
		break;
	case JUNIT_KNOWN:
		fputs("      <skipped message=\"known failure: ", f);
		xml_text(f, XML_ARR(r->expect_reason), true);
		fputs("\"/>\n      <system-out>", f);
		details(f, r);
		fputs("</system-out>\n", f);
		break;
	case JUNIT_UNEXPECTED_PASS:
		fputs("      <failure type=\"UNEXPECTED-PASS\" message=\"passed, but listed as a "
		      "known failure: ", f);
		xml_text(f, XML_ARR(r->expect_reason), true);
		fputs("\"/>\n", f);
		break;
	case JUNIT_PASSED:
		break;
	}
	fputs("    </testcase>\n", f);
}

static void testsuite(FILE *f, const struct conform_report *rep,
		      const struct conform_target_run *tr)
{
	struct junit_counts c = { 0 };

	for (size_t i = 0; i < rep->nr_sel; i++)
		count(&c, &tr->results[i]);
	fputs("  <testsuite", f);
	xml_attr(f, "name", XML_STR(tr->target));
	counts_attrs(f, &c, c.seconds);
	fprintf(f, ">\n    <properties>\n"
		   "      <property name=\"available\" value=\"%s\"/>\n",
		tr->available ? "true" : "false");
	if (!tr->available) {
		fputs("      <property name=\"unavailable_why\"", f);
		xml_attr(f, "value", XML_ARR(tr->unavailable_why));
		fputs("/>\n", f);
	}
	if (tr->expect_file) {
		fputs("      <property name=\"expectations\"", f);
		xml_attr(f, "value", XML_STR(tr->expect_file));
		fputs("/>\n", f);
	}
	fputs("    </properties>\n", f);
	for (size_t i = 0; i < rep->nr_sel; i++)
		testcase(f, tr->target, rep->sel[i], &tr->results[i]);
	fputs("  </testsuite>\n", f);
}

int conform_junit_write(const char *path, const struct conform_report *rep)
{
	struct junit_counts all = { 0 };
	char *text = NULL;
	size_t len = 0;
	FILE *f;
	int e;

	for (size_t t = 0; t < rep->nr_targets; t++)
		for (size_t i = 0; i < rep->nr_sel; i++)
			count(&all, &rep->targets[t].results[i]);
	/* Built in memory, then written whole: a CI job never reads half a report. */
	f = open_memstream(&text, &len);
	if (!f)
		return -1;
	fputs("<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n<testsuites name=\"hvbench conform\"", f);
	counts_attrs(f, &all, rep->seconds);
	fputs(">\n", f);
	for (size_t t = 0; t < rep->nr_targets; t++)
		testsuite(f, rep, &rep->targets[t]);
	fputs("</testsuites>\n", f);
	e = atomic_file_write_memstream(f, &text, &len, path);
	if (e) {
		errno = -e;
		return -1;
	}
	return 0;
}
