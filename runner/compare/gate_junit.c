/* SPDX-License-Identifier: MIT */
/*
 * hvbench gate as JUnit XML: one test suite, one test case per cell of the
 * baseline or the results (classname hvbench.gate.WORKLOAD, name the cell:
 * workload, mode, target and CPL). A regression is a failure with its figures; a cell not compared
 * (not in both files, not ok in both, ignored) is skipped with the reason.
 */
#include <errno.h>
#include <stdio.h>
#include <string.h>

#include "atomic_file.h"
#include "compare_out.h"
#include "gate.h"
#include "xml_text.h"

#define XML_STR(s) (s), strlen(s)

static void testcase(FILE *f, const struct compare_row *r, const struct compare_opts *o)
{
	const struct results_cell *c = compare_row_cell(r);
	char name[600], cls[200], msg[600], a[24], b[24];

	results_cell_name(c, name, sizeof(name));
	snprintf(cls, sizeof(cls), "hvbench.gate.%s", c->workload);
	fputs("    <testcase", f);
	xml_attr(f, "classname", XML_STR(cls));
	xml_attr(f, "name", XML_STR(name));
	fputs(" time=\"0\"", f);
	if (r->state == COMPARE_DONE && !gate_row_regressed(r)) {
		fputs("/>\n", f);
		return;
	}
	fputs(">\n      ", f);
	if (r->state == COMPARE_DONE) {
		compare_fmt_ns(a, sizeof(a), r->a_median);
		compare_fmt_ns(b, sizeof(b), r->b_median);
		snprintf(msg, sizeof(msg), "slower: median %s -> %s ns, ratio %.3f (%g%% CI "
			 "%.3f-%.3f), Mann-Whitney p %.2g, threshold %g%%", a, b, r->ci.ratio,
			 o->level * 100, r->ci.lo, r->ci.hi, r->mwu.p, r->threshold_pct);
		fputs("<failure type=\"regression\"", f);
		xml_attr(f, "message", XML_STR(msg));
		fputs("/>\n", f);
	} else if (gate_row_regressed(r)) {
		fputs("<failure type=\"broke\"", f);
		xml_attr(f, "message", XML_STR(r->why));
		fputs("/>\n", f);
	} else {
		fputs("<skipped", f);
		xml_attr(f, "message", XML_STR(r->why));
		fputs("/>\n", f);
	}
	fputs("    </testcase>\n", f);
}

int gate_junit_write(const char *path, const struct gate_result *g)
{
	size_t skipped = 0, len = 0;
	char *text = NULL;
	FILE *f = open_memstream(&text, &len);

	if (!f)
		return -ENOMEM;
	for (size_t i = 0; i < g->n; i++)
		skipped += g->rows[i].state != COMPARE_DONE && !gate_row_regressed(&g->rows[i]);
	fprintf(f, "<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n<testsuites name=\"hvbench gate\""
		" tests=\"%zu\" failures=\"%zu\" errors=\"0\" skipped=\"%zu\" time=\"0\">\n"
		"  <testsuite", g->n, g->regressions, skipped);
	xml_attr(f, "name", XML_STR(g->res->label));
	fprintf(f, " tests=\"%zu\" failures=\"%zu\" errors=\"0\" skipped=\"%zu\" time=\"0\">\n",
		g->n, g->regressions, skipped);
	fputs("    <properties>\n      <property name=\"baseline\"", f);
	xml_attr(f, "value", XML_STR(g->base->path));
	fputs("/>\n      <property name=\"results\"", f);
	xml_attr(f, "value", XML_STR(g->res->path));
	fputs("/>\n    </properties>\n", f);
	for (size_t i = 0; i < g->n; i++)
		testcase(f, &g->rows[i], g->opts);
	fputs("  </testsuite>\n</testsuites>\n", f);
	return atomic_file_write_memstream(f, &text, &len, path);
}
