/* SPDX-License-Identifier: MIT */
/*
 * The page around the sections: one self-contained HTML file, its style
 * inline, no script, no font or image fetched, and the table of contents
 * the sections' headings (report_html.c) filled in.  It calls each section
 * in the page's order; the sections never call back into it.
 */
#include <errno.h>
#include <stdbool.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "atomic_file.h"
#include "report.h"
#include "report_escape.h"
#include "report_page.h"
#include "report_plot.h"
#include "report_sections.h"

static const char style[] =
	"body{font-family:'DejaVu Sans',Verdana,Arial,sans-serif;color:#222;max-width:1360px;"
	"margin:0 auto;padding:0 24px 64px;line-height:1.4;font-size:15px}"
	"h1{font-size:1.6em;margin:.8em 0 .2em}"
	"h2{border-bottom:2px solid #d8d8d8;padding-bottom:.2em;margin-top:2.2em}"
	"h3{margin:1.8em 0 .4em}h2,h3,nav.toc li{overflow-wrap:anywhere}"
	"p.meta{color:#555;margin:0 0 1em}"
	"table{border-collapse:collapse;font-size:.86em;margin:.5em 0 1em}"
	"th,td{border:1px solid #d8d8d8;padding:3px 8px;text-align:left;vertical-align:top}"
	"th{background:#f3f3f3;font-weight:600}"
	"td.n{text-align:right;font-variant-numeric:tabular-nums;white-space:nowrap}"
	"td.long{max-width:44em;overflow-wrap:anywhere}"
	"code{font-size:.95em;overflow-wrap:anywhere}"
	".sw{display:inline-block;width:.85em;height:.85em;border-radius:2px;margin-right:.45em;"
	"vertical-align:-.08em;border:1px solid rgba(0,0,0,.25)}"
	".sw.faint{opacity:.45}"
	"figure{margin:.6em 0}"
	"figure svg{max-width:100%;height:auto;display:block}"
	"figcaption{color:#444;font-size:.9em;margin:.2em 0 .4em}"
	".grid{display:flex;flex-wrap:wrap;gap:8px 24px}"
	".grid figure{flex:0 1 640px}"
	".noplot{border:1px dashed #b03a2e;background:#fdf2f1;color:#7b241c;padding:.8em 1em;"
	"margin:.4em 0}"
	".bad{background:#fbe3e0;border:2px solid #c0392b;color:#6e1d14;padding:.6em 1em;"
	"margin:.8em 0;font-weight:600}"
	".warn{background:#fff6d6;border:1px solid #d4ac0d;padding:.6em 1em;margin:.8em 0}"
	"details{margin:.3em 0 1em}summary{cursor:pointer;color:#1d4f91}"
	"nav.toc ol{margin:.2em 0;padding-left:1.4em}nav.toc>ol{columns:2;column-gap:3em}"
	"nav.toc li{break-inside:avoid}"
	"tr.diff td{background:#fff1b8}tr.diff td:first-child{font-weight:600}"
	"td.key{white-space:nowrap}"
	"td.PASS{background:#d5f0d5}td.FAIL{background:#f6c9c4}td.SKIP{background:#ececec;"
	"color:#666}td.TIMEOUT{background:#fbdca8}td.CRASH{background:#e59a90}"
	"td.ERROR{background:#dcc6ec}td.other{background:#fff}"
	"td.xfail{background-image:repeating-linear-gradient(135deg,transparent 0 5px,"
	"rgba(255,255,255,.65) 5px 9px);font-style:italic}"
	"td.unexpected{outline:2px solid #8e1b10;outline-offset:-2px;font-weight:700}"
	"td.na{color:#999}"
	".legend span{display:inline-block;padding:1px 8px;margin:0 6px 4px 0;"
	"border:1px solid #d8d8d8}";

static void toc_write(const struct report *r, FILE *f)
{
	int level = 1;

	fputs("<nav class=\"toc\"><h2 id=\"contents\">Contents</h2>\n", f);
	for (size_t i = 0; i < r->ntoc; i++) {
		const struct report_toc *t = &r->toc[i];

		while (level < t->level) {
			fputs("<ol>", f);
			level++;
		}
		while (level > t->level) {
			fputs("</li></ol>", f);
			level--;
		}
		if (i && r->toc[i - 1].level >= t->level)
			fputs("</li>", f);
		fprintf(f, "\n<li><a href=\"#%s\">", t->id);
		html_escape(f, t->title, 80);
		fputs("</a>", f);
	}
	while (level > 1) {
		fputs("</li></ol>", f);
		level--;
	}
	fputs("</nav>\n", f);
}

static void head_write(const struct report *r, FILE *f, const char *title)
{
	char now[32];
	time_t t = time(NULL);

	strftime(now, sizeof(now), "%Y-%m-%dT%H:%M:%SZ", gmtime(&t));
	fputs("<!DOCTYPE html>\n<html lang=\"en\">\n<head>\n<meta charset=\"utf-8\">\n"
	      "<meta name=\"viewport\" content=\"width=device-width, initial-scale=1\">\n<title>",
	      f);
	html_escape(f, title, 300);
	fprintf(f, "</title>\n<style>%s</style>\n</head>\n<body>\n<h1>", style);
	html_escape(f, title, 300);
	fprintf(f, "</h1>\n<p class=\"meta\">Made by hvbench %s report at %s from %zu file%s.</p>\n",
		HVBENCH_VERSION, now, r->nfiles, r->nfiles == 1 ? "" : "s");
	report_incomplete(r, f);
	report_timing_caveats(r, f);
	if (r->nproblems)
		fprintf(f, "<p class=\"warn\">%zu problem%s in the files: <a href=\"#problems\">"
			"listed below</a>.</p>\n", r->nproblems + r->problems_dropped,
			r->nproblems + r->problems_dropped == 1 ? "" : "s");
	if (plots_problem(r->plots)) {
		fputs("<p class=\"bad\">Some plots were not drawn: ", f);
		html_text(f, plots_problem(r->plots));
		fputs(". Each missing plot has a note where it would be; the tables carry every "
		      "figure.</p>\n", f);
	}
}

/* The default title: the files' labels. */
static char *title_default(const struct report *r)
{
	char *t = NULL;
	size_t len = 0;
	FILE *f = open_memstream(&t, &len);

	if (!f)
		return NULL;
	fputs("hvbench report: ", f);
	for (size_t i = 0; i < r->nfiles; i++)
		fprintf(f, "%s%s", i ? ", " : "", r->files[i].label);
	if (fclose(f)) {
		free(t);
		return NULL;
	}
	return t;
}

int report_write(struct report *r, const char *path)
{
	char *body = NULL, *page = NULL, *title = NULL;
	size_t body_len = 0, page_len = 0;
	FILE *f = open_memstream(&body, &body_len), *out;
	bool bad;

	if (!f)
		return -ENOMEM;
	report_host(r, f);
	report_header(r, f);
	report_latency(r, f);
	report_medians(r, f);
	report_overhead(r, f);
	report_exits(r, f);
	report_probes(r, f);
	report_conform(r, f);
	report_env(r, f);
	bad = ferror(f);
	if (fclose(f) || bad) {
		free(body);
		return -ENOMEM;
	}
	plots_render(r->plots);
	if (!r->title)
		title = title_default(r);
	out = open_memstream(&page, &page_len);
	if (!out || (!r->title && !title)) {
		if (out)
			fclose(out);
		free(page);
		free(body);
		free(title);
		return -ENOMEM;
	}
	head_write(r, out, r->title ? r->title : title);
	toc_write(r, out);
	fputs("<main>\n", out);
	plots_expand(r->plots, body, body_len, out);
	fputs("</main>\n</body>\n</html>\n", out);
	free(body);
	free(title);
	return atomic_file_write_memstream(out, &page, &page_len, path);
}
