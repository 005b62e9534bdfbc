/* SPDX-License-Identifier: MIT */
/*
 * hvbench report's escaping: text into HTML and into gnuplot's string
 * syntax (checked against gnuplot itself when it is installed), and the
 * SVG gnuplot writes made fit to inline several times in one page.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <cmocka.h>

#include "report_escape.h"
#include "report_svg.h"

/* What f wrote, as a string (free it). */
typedef void (*writer)(FILE *f, const char *s, size_t max);

static char *written(writer w, const char *s, size_t max)
{
	char *text = NULL;
	size_t len = 0;
	FILE *f = open_memstream(&text, &len);

	assert_non_null(f);
	w(f, s, max);
	assert_int_equal(fclose(f), 0);
	return text;
}

static void assert_written(writer w, const char *s, size_t max, const char *want)
{
	char *got = written(w, s, max);

	assert_string_equal(got, want);
	free(got);
}

static void test_html_markup(void **state)
{
	(void)state;
	assert_written(html_escape, "<script>alert(\"x\" & 'y')</script>", 1000,
		       "&lt;script&gt;alert(&quot;x&quot; &amp; &#39;y&#39;)&lt;/script&gt;");
	assert_written(html_escape, "&amp;", 1000, "&amp;amp;");
	assert_written(html_escape, "plain µs ×", 1000, "plain µs ×");
	assert_written(html_escape, NULL, 1000, "");
}

/* Controls, C1 controls, noncharacters and bytes that are not UTF-8 are each one '?'. */
static void test_html_controls(void **state)
{
	(void)state;
	assert_written(html_escape, "a\tb\nc\rd\x1b[31me\x7f", 1000, "a?b?c?d?[31me?");
	assert_written(html_escape, "c1:\xc2\x9b:", 1000, "c1:?:");
	assert_written(html_escape, "nc:\xef\xbf\xbe\xef\xbf\xbf:", 1000, "nc:??:");
	assert_written(html_escape, "bad:\xff\xc3(\xe2\x82:", 1000, "bad:??" "(??:");
	assert_written(html_escape, "overlong:\xc0\xbc", 1000, "overlong:??");
}

/* A long string is cut on a character boundary and ends with an ellipsis. */
static void test_html_cut(void **state)
{
	char *got, *big = malloc(100001);

	(void)state;
	assert_written(html_escape, "abcdef", 6, "abcdef");
	assert_written(html_escape, "abcdefg", 6, "abcdef…");
	/* "é" is two bytes: cutting at 4 would split the second one. */
	assert_written(html_escape, "éé", 3, "é…");
	assert_written(html_escape, "<<<", 2, "&lt;&lt;…");
	assert_non_null(big);
	memset(big, '<', 100000);
	big[100000] = '\0';
	got = written(html_escape, big, 300);
	assert_int_equal(strlen(got), 300 * 4 + strlen("…"));
	free(got);
	free(big);
}

static void test_gp_quote(void **state)
{
	(void)state;
	assert_written(gp_quote, "it's", 100, "'it’s'");
	assert_written(gp_quote, "a\\n `rm -rf /` @macro \"q\" _^{}", 100,
		       "'a\\n `rm -rf /` @macro \"q\" _^{}'");
	assert_written(gp_quote, "x\ny\x01z\xff", 100, "'x?y?z?'");
	assert_written(gp_quote, "''''", 2, "'’’…'");
	assert_written(gp_quote, "'", 100, "'’'");
	assert_written(gp_quote, NULL, 100, "''");
}

/*
 * gnuplot reads each quoted string back as the text it was given (a quote
 * as U+2019): its print writes them one a line to stderr.
 */
static void test_gp_quote_in_gnuplot(void **state)
{
	static const struct {
		const char *text, *printed;
	} texts[] = {
		{ "it's", "it’s" }, { "`echo pwned`", "`echo pwned`" }, { "@x", "@x" },
		{ "a\\tb", "a\\tb" }, { "\"dq\"", "\"dq\"" }, { "$D", "$D" },
		{ "%s%n", "%s%n" }, { "''sq'''", "’’sq’’’" }, { "'", "’" },
	};
	char script[] = "/tmp/test_report_gp.XXXXXX", cmd[256], line[256];
	FILE *f, *out;
	int fd;

	(void)state;
	if (system("command -v gnuplot >/dev/null 2>&1")) {
		skip();
		return;
	}
	fd = mkstemp(script);
	assert_true(fd >= 0);
	f = fdopen(fd, "w");
	fputs("x = 'MACRO'\n", f);
	for (size_t i = 0; i < sizeof(texts) / sizeof(texts[0]); i++) {
		fputs("print ", f);
		gp_quote(f, texts[i].text, 100);
		fputc('\n', f);
	}
	assert_int_equal(fclose(f), 0);
	snprintf(cmd, sizeof(cmd), "gnuplot %s 2>&1", script);
	out = popen(cmd, "r");
	assert_non_null(out);
	for (size_t i = 0; i < sizeof(texts) / sizeof(texts[0]); i++) {
		assert_non_null(fgets(line, sizeof(line), out));
		line[strcspn(line, "\n")] = '\0';
		assert_string_equal(line, texts[i].printed);
	}
	assert_null(fgets(line, sizeof(line), out));
	assert_int_equal(pclose(out), 0);
	unlink(script);
	assert_int_equal(access("pwned", F_OK), -1);
}

/* What gnuplot 5.4's svg terminal writes, cut down: ids, and references to them. */
static const char svg[] =
	"<?xml version=\"1.0\" encoding=\"utf-8\"  standalone=\"no\"?>\n"
	"<svg \n width=\"640\" height=\"400\"\n viewBox=\"0 0 640 400\"\n"
	" xmlns=\"http://www.w3.org/2000/svg\"\n xmlns:xlink=\"http://www.w3.org/1999/xlink\"\n>\n"
	"<title>Gnuplot</title>\n<g id=\"gnuplot_canvas\">\n<defs>\n"
	"\t<circle id='gpDot' r='0.5'/>\n\t<path id='gpPt0' d='M-1,0 h2'/>\n"
	"\t<use xlink:href='#gpPt0' id='gpPt6' fill='currentColor'/>\n"
	"\t<filter id='textbox' x='0'/>\n</defs>\n"
	"<g id=\"gnuplot_plot_1\" ><title>gnuplot_plot_1</title>\n"
	"\t<use xlink:href='#gpPt6' transform='translate(1,2)'/>\n"
	"\t<g filter='url(#textbox)' grid='1' data-id='k'>"
	"<text>id='x' url(#y) href='#z' &lt;b></text></g>\n"
	"</g>\n</g>\n</svg>\n\n";

static void test_svg_ids(void **state)
{
	char *out = NULL;
	size_t len = 0;
	FILE *f = open_memstream(&out, &len);

	(void)state;
	assert_true(svg_complete(svg, strlen(svg)));
	svg_inline(f, svg, strlen(svg), "p7-");
	assert_int_equal(fclose(f), 0);
	assert_memory_equal(out, "<svg \n", 6);
	assert_null(strstr(out, "<?xml"));
	assert_non_null(strstr(out, "id=\"p7-gnuplot_canvas\""));
	assert_non_null(strstr(out, "id='p7-gpDot'"));
	assert_non_null(strstr(out, "xlink:href='#p7-gpPt0' id='p7-gpPt6'"));
	assert_non_null(strstr(out, "id=\"p7-gnuplot_plot_1\""));
	assert_non_null(strstr(out, "xlink:href='#p7-gpPt6'"));
	assert_non_null(strstr(out, "filter='url(#p7-textbox)' grid='1' data-id='k'"));
	/* Text between tags is the plot's, not markup: left alone. */
	assert_non_null(strstr(out, "<text>id='x' url(#y) href='#z' &lt;b></text>"));
	assert_int_equal(strcmp(out + len - 6, "</svg>"), 0);
	free(out);
}

static void test_svg_incomplete(void **state)
{
	(void)state;
	assert_false(svg_complete(svg, strlen(svg) - 10));
	assert_false(svg_complete("", 0));
	assert_false(svg_complete("</svg>", 6));
	assert_true(svg_complete("<svg></svg>", 11));
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_html_markup),
		cmocka_unit_test(test_html_controls),
		cmocka_unit_test(test_html_cut),
		cmocka_unit_test(test_gp_quote),
		cmocka_unit_test(test_gp_quote_in_gnuplot),
		cmocka_unit_test(test_svg_ids),
		cmocka_unit_test(test_svg_incomplete),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
