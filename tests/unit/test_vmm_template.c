/* SPDX-License-Identifier: MIT */
/*
 * The vmm-cmd target's command template: words split as sh splits them
 * (without a shell), placeholders substituted after the split so a value is
 * always one argument, exactly as it is; the refusals and their messages;
 * the program found as execvp finds it, and a template run for real through
 * vmm_proc with a script that prints the arguments it was given.
 */
#include <errno.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cmocka.h>

#include "vmm_proc.h"
#include "vmm_template.h"

#define PAYLOAD "/tmp/hv bench/hello.elf"
/* Blanks, quotes, shell syntax and braces: none of it may be acted on. */
#define CMDLINE "hvb.rep=1 x=\"a b\" y='c' $HOME;id `id` | \\ {payload} {{cpus}}"

static const struct vmm_template_vars vars = {
	.payload = PAYLOAD, .cmdline = CMDLINE, .mem_mib = 64, .cpus = 2,
};

static void parse_ok(struct vmm_template *t, const char *text)
{
	char why[256];

	if (vmm_template_parse(t, text, why, sizeof(why)))
		fail_msg("refused \"%s\": %s", text, why);
}

/* text expands to the n words given, exactly. */
static void expands_to(const char *text, size_t n, ...)
{
	struct vmm_template t;
	char **argv;
	va_list ap;

	parse_ok(&t, text);
	assert_int_equal(t.nr_words, n);
	assert_int_equal(vmm_template_expand(&t, &vars, &argv), 0);
	va_start(ap, n);
	for (size_t i = 0; i < n; i++) {
		const char *want = va_arg(ap, const char *);

		assert_non_null(argv[i]);
		if (strcmp(argv[i], want))
			fail_msg("\"%s\": word %zu is \"%s\", expected \"%s\"", text, i, argv[i],
				 want);
	}
	va_end(ap);
	assert_null(argv[n]);
	vmm_template_argv_free(argv);
	vmm_template_free(&t);
}

/* text is refused with exactly this message, and leaves nothing in t. */
static void refused(const char *text, const char *want)
{
	struct vmm_template t;
	char why[512];

	memset(why, 'x', sizeof(why));
	assert_int_equal(vmm_template_parse(&t, text, why, sizeof(why)), -1);
	if (strcmp(why, want))
		fail_msg("\"%.80s\":\n got      %s\n expected %s", text, why, want);
	assert_int_equal(t.nr_words, 0);
	assert_null(t.words);
	assert_null(t.buf);
	vmm_template_free(&t);
}

static void test_qemu_microvm(void **state)
{
	(void)state;
	expands_to("qemu-system-x86_64 -M microvm -accel kvm -cpu host -m {mem_mib} -smp {cpus} "
		   "-nodefaults -no-user-config -nographic -serial stdio "
		   "-device isa-debug-exit,iobase=0xf4,iosize=4 -kernel {payload} -append {cmdline}",
		   22, "qemu-system-x86_64", "-M", "microvm", "-accel", "kvm", "-cpu", "host",
		   "-m", "64", "-smp", "2", "-nodefaults", "-no-user-config", "-nographic",
		   "-serial", "stdio", "-device", "isa-debug-exit,iobase=0xf4,iosize=4",
		   "-kernel", PAYLOAD, "-append", CMDLINE);
}

static void test_quoting(void **state)
{
	(void)state;
	/* Single quotes: everything literal, backslashes and shell syntax included. */
	expands_to("vmm 'a  b' '|&;<>()$`#~\\' {payload} {cmdline}", 5,
		   "vmm", "a  b", "|&;<>()$`#~\\", PAYLOAD, CMDLINE);
	/* Double quotes: \" \\ \$ \` escape, a backslash before anything else stays. */
	expands_to("vmm \"a \\\" \\\\ \\$ \\` \\x '\" \"|&;<>()#~\" {payload} {cmdline}", 5,
		   "vmm", "a \" \\ $ ` \\x '", "|&;<>()#~", PAYLOAD, CMDLINE);
	/* A backslash outside quotes makes the next character literal. */
	expands_to("vmm a\\ b \\'q \\\"r \\| \\$x \\# {payload} {cmdline}", 9,
		   "vmm", "a b", "'q", "\"r", "|", "$x", "#", PAYLOAD, CMDLINE);
	/* Adjacent quoted and unquoted parts are one word. */
	expands_to("vmm a'b c'\"d\" {payload} {cmdline}", 4, "vmm", "ab cd", PAYLOAD, CMDLINE);
	/* An empty quoted word is an empty argument. */
	expands_to("vmm '' \"\" {payload} {cmdline} ''''", 6, "vmm", "", "", PAYLOAD, CMDLINE, "");
	/* '#' and '~' are only special where a word starts. */
	expands_to("vmm a#b a~ ''~ {payload} {cmdline}", 6, "vmm", "a#b", "a~", "~", PAYLOAD,
		   CMDLINE);
}

static void test_blanks(void **state)
{
	(void)state;
	/* Tabs and newlines separate words; a backslash-newline joins lines, as in sh. */
	expands_to("  vmm\t{payload}\n\n  {cmdline} a\\\nb \\\n c \"d\\\ne\"  \t", 6,
		   "vmm", PAYLOAD, CMDLINE, "ab", "c", "de");
}

static void test_placeholders(void **state)
{
	(void)state;
	/* Inside words, several times, in quotes, next to each other. */
	expands_to("vmm --kernel={payload} path={payload},foo x{mem_mib}y{cpus}z "
		   "'--append={cmdline}' \"{cpus}{cpus}\" {cmdline}", 7,
		   "vmm", "--kernel=" PAYLOAD, "path=" PAYLOAD ",foo", "x64y2z",
		   "--append=" CMDLINE, "22", CMDLINE);
	/* {{ and }} are braces, and what they enclose is no placeholder. */
	expands_to("vmm {{payload}} {{}} a{{b}}c {{{payload}}} '{{'cmdline\"}}\" {cmdline}", 7,
		   "vmm", "{payload}", "{}", "a{b}c", "{" PAYLOAD "}", "{cmdline}", CMDLINE);
}

/* The command line, unquoted in the template, is one argument exactly as given. */
static void test_value_is_one_argument(void **state)
{
	struct vmm_template t;
	char **argv;

	(void)state;
	parse_ok(&t, "vmm -append {cmdline} -kernel {payload}");
	assert_int_equal(t.uses, (1u << VMM_VAR_PAYLOAD) | (1u << VMM_VAR_CMDLINE));
	assert_int_equal(vmm_template_expand(&t, &vars, &argv), 0);
	assert_string_equal(argv[2], CMDLINE);
	assert_string_equal(argv[4], PAYLOAD);
	assert_null(argv[5]);
	vmm_template_argv_free(argv);

	/* A value is needed only for the placeholders the template uses. */
	assert_int_equal(vmm_template_expand(&t, &(struct vmm_template_vars){
		.payload = "p", .cmdline = "" }, &argv), 0);
	assert_string_equal(argv[2], "");
	vmm_template_argv_free(argv);
	assert_int_equal(vmm_template_expand(&t, &(struct vmm_template_vars){ .payload = "p" },
					     &argv), -EINVAL);
	assert_null(argv);
	vmm_template_free(&t);

	parse_ok(&t, "vmm {payload} {cmdline} {mem_mib} {cpus}");
	assert_int_equal(t.uses, (1u << VMM_NR_VARS) - 1);
	vmm_template_free(&t);
}

static void shell_refused(const char *text, const char *token, int byte)
{
	char want[256];

	snprintf(want, sizeof(want), "vmm-cmd: shell syntax '%s' is not supported: the template "
		 "is run without a shell (byte %d; put it in single quotes to pass it to the VMM)",
		 token, byte);
	refused(text, want);
}

static void test_shell_syntax_refused(void **state)
{
	static const char *const ops[] = { "|", "&", ";", "<", ">", "(", ")", "`" };
	char text[64];

	(void)state;
	shell_refused("vmm {payload} {cmdline} | tee log", "|", 25);
	for (size_t i = 0; i < sizeof(ops) / sizeof(ops[0]); i++) {
		snprintf(text, sizeof(text), "vmm {payload} {cmdline} a%sb", ops[i]);
		shell_refused(text, ops[i], 26);
	}
	shell_refused("vmm {payload} {cmdline} a$(id)", "$(", 26);
	shell_refused("vmm {payload} {cmdline} ${HOME}", "${", 25);
	shell_refused("vmm {payload} {cmdline} $HOME", "$", 25);
	shell_refused("vmm {payload} {cmdline} # comment", "#", 25);
	shell_refused("~/bin/vmm {payload} {cmdline}", "~", 1);
	/* Inside double quotes sh still expands. */
	shell_refused("vmm \"$(id)\" {payload} {cmdline}", "$(", 6);
	shell_refused("vmm \"a`id`\" {payload} {cmdline}", "`", 7);
	refused("FOO=1 vmm {payload} {cmdline}",
		"vmm-cmd: 'FOO=1' would set a variable in sh, which is not supported: to set one, "
		"start the template with env (env FOO=1 VMM ...)");
}

static void test_refused(void **state)
{
	(void)state;
	refused("", "vmm-cmd: the template is empty");
	refused(" \t\n \\\n ", "vmm-cmd: the template is empty");
	refused("vmm 'a {payload} {cmdline}",
		"vmm-cmd: unbalanced quotes: the ' at byte 5 is never closed");
	refused("vmm {payload} {cmdline} \"x",
		"vmm-cmd: unbalanced quotes: the \" at byte 25 is never closed");
	refused("vmm {payload} {cmdline} \"x\\\"",
		"vmm-cmd: unbalanced quotes: the \" at byte 25 is never closed");
	refused("vmm {payload} {cmdline} \\",
		"vmm-cmd: the template ends with a '\\' that escapes nothing");
	refused("vmm --kernel={paylod} {cmdline}",
		"vmm-cmd: unknown placeholder '{paylod}': the known ones are {payload}, {cmdline}, "
		"{mem_mib} and {cpus} ({{ and }} are literal braces)");
	refused("vmm {payload} {cmdline} {}",
		"vmm-cmd: unknown placeholder '{}': the known ones are {payload}, {cmdline}, "
		"{mem_mib} and {cpus} ({{ and }} are literal braces)");
	refused("vmm {payload} {cmdline} a}b",
		"vmm-cmd: a '}' without its '{' in 'a}b': write }} for a literal brace");
	refused("vmm {payload} {cmdline} {{payload}",
		"vmm-cmd: a '}' without its '{' in '{{payload}': write }} for a literal brace");
	refused("vmm {payload} {cmdline} x{cpus",
		"vmm-cmd: a '{' without its '}' in 'x{cpus': write {{ for a literal brace");
	refused("vmm -append {cmdline}",
		"vmm-cmd: the template must pass {payload} to the VMM (the path of the PVH ELF to "
		"boot)");
	refused("vmm -kernel {payload} -m {mem_mib} -append '{{cmdline}}'",
		"vmm-cmd: the template must pass {cmdline} to the VMM (the guest's kernel command "
		"line)");
	refused("{payload} {cmdline}",
		"vmm-cmd: the program name '{payload}' holds a placeholder: the first word must "
		"name the VMM itself");
	refused("'/opt/{cpus}/vmm' {payload} {cmdline}",
		"vmm-cmd: the program name '/opt/{cpus}/vmm' holds a placeholder: the first word "
		"must name the VMM itself");
	refused("'' {payload} {cmdline}", "vmm-cmd: the program name (the first word) is empty");
	/* Control characters in a word are not printed as they are. */
	refused("vmm {payload} {cmdline} '{a\tb}'",
		"vmm-cmd: unknown placeholder '{a?b}': the known ones are {payload}, {cmdline}, "
		"{mem_mib} and {cpus} ({{ and }} are literal braces)");
}

/* n bytes: a valid template padded with words of x. */
static char *padded(size_t n, size_t word)
{
	static const char head[] = "vmm {payload} {cmdline}";
	char *s = malloc(n + 1);

	assert_non_null(s);
	memcpy(s, head, sizeof(head) - 1);
	for (size_t i = sizeof(head) - 1; i < n; i++)
		s[i] = (i - (sizeof(head) - 1)) % (word + 1) ? 'x' : ' ';
	s[n] = '\0';
	return s;
}

static void test_limits(void **state)
{
	struct vmm_template t;
	char why[256], *s;

	(void)state;
	s = padded(VMM_TEMPLATE_MAX_LEN, 40);
	parse_ok(&t, s);
	vmm_template_free(&t);
	free(s);
	s = padded(VMM_TEMPLATE_MAX_LEN + 1, 40);
	refused(s, "vmm-cmd: the template is longer than 4096 bytes");
	free(s);

	/* 3 words, then 253 of "x": 256; one more is too many. */
	s = padded(23 + 2 * 253, 1);
	parse_ok(&t, s);
	assert_int_equal(t.nr_words, VMM_TEMPLATE_MAX_WORDS);
	vmm_template_free(&t);
	free(s);
	s = padded(23 + 2 * 254, 1);
	refused(s, "vmm-cmd: the template has more than 256 words");
	free(s);

	/* A reason buffer of any size is filled, truncated, never overrun. */
	memset(why, 'x', sizeof(why));
	assert_int_equal(vmm_template_parse(&t, "", why, 12), -1);
	assert_string_equal(why, "vmm-cmd: th");
	assert_int_equal(why[12], 'x');
	assert_int_equal(vmm_template_parse(&t, "", why, 0), -1);
}

static char dir[] = "/tmp/test_vmm_template.XXXXXX";
static char *saved_path;

static void file_write(const char *name, const char *text, mode_t mode)
{
	char path[256];
	FILE *f;

	snprintf(path, sizeof(path), "%s/%s", dir, name);
	f = fopen(path, "w");
	assert_non_null(f);
	fputs(text, f);
	assert_int_equal(fclose(f), 0);
	assert_int_equal(chmod(path, mode), 0);
}

static int dir_setup(void **state)
{
	char sub[256];

	(void)state;
	if (!mkdtemp(dir))
		return -1;
	saved_path = getenv("PATH") ? strdup(getenv("PATH")) : NULL;
	/* Prints each argument it is given on a line of its own, between < and >. */
	file_write("echo-vmm", "#!/bin/sh\nfor a; do printf '<%s>\\n' \"$a\"; done\n", 0755);
	file_write("plain", "not a program\n", 0644);
	snprintf(sub, sizeof(sub), "%s/subdir", dir);
	return mkdir(sub, 0755);
}

static int dir_teardown(void **state)
{
	char cmd[300];

	(void)state;
	if (saved_path)
		setenv("PATH", saved_path, 1);
	free(saved_path);
	snprintf(cmd, sizeof(cmd), "rm -rf '%s'", dir);
	return system(cmd) ? -1 : 0;
}

/* The program of text resolves to want, or is refused with exactly why_want. */
static void resolves(const char *text, const char *want, const char *why_want)
{
	struct vmm_template t;
	char path[256], why[512];

	parse_ok(&t, text);
	if (want) {
		if (vmm_template_resolve(&t, path, sizeof(path), why, sizeof(why)))
			fail_msg("\"%s\" not resolved: %s", text, why);
		assert_string_equal(path, want);
	} else {
		assert_int_equal(vmm_template_resolve(&t, path, sizeof(path), why, sizeof(why)), -1);
		assert_string_equal(why, why_want);
	}
	vmm_template_free(&t);
}

static void test_resolve(void **state)
{
	char text[512], want[512], path[300];

	(void)state;
	resolves("/bin/true {payload} {cmdline}", "/bin/true", NULL);
	resolves("/nonexistent/vmm {payload} {cmdline}", NULL,
		 "vmm-cmd: '/nonexistent/vmm' does not exist");
	snprintf(text, sizeof(text), "%s/subdir {payload} {cmdline}", dir);
	snprintf(want, sizeof(want), "vmm-cmd: '%s/subdir' is a directory", dir);
	resolves(text, NULL, want);
	snprintf(text, sizeof(text), "%s/plain {payload} {cmdline}", dir);
	snprintf(want, sizeof(want), "vmm-cmd: '%s/plain' is not executable", dir);
	resolves(text, NULL, want);
	resolves("/dev/null {payload} {cmdline}", NULL, "vmm-cmd: '/dev/null' is not a regular file");

	setenv("PATH", "/usr/bin:/bin", 1);
	resolves("hvbench-no-such-vmm {payload} {cmdline}", NULL,
		 "vmm-cmd: 'hvbench-no-such-vmm' not found in PATH (/usr/bin:/bin)");
	resolves("true {payload} {cmdline}", "/usr/bin/true", NULL);

	/* In PATH as execvp searches it: the first executable, past near misses. */
	snprintf(path, sizeof(path), "%s/subdir:%s", dir, dir);
	setenv("PATH", path, 1);
	snprintf(want, sizeof(want), "%s/echo-vmm", dir);
	resolves("echo-vmm {payload} {cmdline}", want, NULL);
	snprintf(want, sizeof(want), "vmm-cmd: 'plain' in PATH is '%s/plain', which is not "
		 "executable", dir);
	resolves("plain {payload} {cmdline}", NULL, want);
	snprintf(want, sizeof(want), "vmm-cmd: 'subdir' in PATH is '%s/subdir', which is a "
		 "directory", dir);
	resolves("subdir {payload} {cmdline}", NULL, want);
	snprintf(want, sizeof(want), "vmm-cmd: 'hvbench-no-such-vmm' not found in PATH (%s)", path);
	resolves("hvbench-no-such-vmm {payload} {cmdline}", NULL, want);

	/* Unset, it is execvp's default. */
	unsetenv("PATH");
	resolves("true {payload} {cmdline}", "/bin/true", NULL);
	setenv("PATH", saved_path ? saved_path : "/usr/bin:/bin", 1);
}

struct lines {
	char text[16][256];
	size_t n;
};

static void line_keep(void *ctx, const char *line, size_t len)
{
	struct lines *l = ctx;

	if (l->n < 16)
		snprintf(l->text[l->n++], sizeof(l->text[0]), "%.*s", (int)len, line);
}

/* What the VMM receives, run through PATH as the runner runs it. */
static void test_run(void **state)
{
	static const char *const want[] = {
		"<--kernel=" PAYLOAD ">", "<-append>", "<" CMDLINE ">", "<-m>", "<64M>",
		"<a b>", "<>",
	};
	struct vmm_template t;
	struct lines l = { .n = 0 };
	struct vmm_proc_result res;
	struct vmm_proc p = { .timeout_s = 10, .line = line_keep, .ctx = &l };
	char **argv, path[300];

	(void)state;
	snprintf(path, sizeof(path), "%s:/usr/bin:/bin", dir);
	setenv("PATH", path, 1);
	parse_ok(&t, "echo-vmm --kernel={payload} -append {cmdline} -m {mem_mib}M 'a b' ''");
	assert_int_equal(vmm_template_expand(&t, &vars, &argv), 0);
	p.argv = argv;
	assert_int_equal(vmm_proc_run(&p, &res), 0);
	assert_false(res.timed_out);
	assert_int_equal(res.wstatus, 0);
	assert_int_equal(l.n, sizeof(want) / sizeof(want[0]));
	for (size_t i = 0; i < l.n; i++)
		assert_string_equal(l.text[i], want[i]);
	vmm_template_argv_free(argv);
	vmm_template_free(&t);
	setenv("PATH", saved_path ? saved_path : "/usr/bin:/bin", 1);
}

/*
 * /bin/sh splits these as the template does: `set -f; set -- TEMPLATE` there
 * gives the words (no globbing), the placeholders left as they are (braces
 * mean nothing to sh), which is what expanding them to their own names
 * gives here.
 */
static void test_sh_agrees(void **state)
{
	static const char *const templates[] = {
		"vmm a'b c'\"d\" {payload} {cmdline}",
		"vmm \"e \\\" \\\\ \\$ \\` \\x '\" -append=\"{cmdline}\" {payload}",
		"vmm '|&;<>()$`#~\\' '' \"\" '''' \\' \\# \\| \\$x a#b a~ {payload} {cmdline}",
		"vmm\t{payload}  {cmdline} a\\\nb \"c\\\nd\" \\\n e",
		"vmm --k={payload},x \"{cmdline}\"'' \"*\" '?' [a]",
	};
	static const struct vmm_template_vars names = {
		.payload = "{payload}", .cmdline = "{cmdline}",
	};

	(void)state;
	for (size_t i = 0; i < sizeof(templates) / sizeof(templates[0]); i++) {
		struct vmm_template t;
		struct lines l = { .n = 0 };
		struct vmm_proc_result res;
		char script[512], *sh[] = { "/bin/sh", "-c", script, NULL };
		struct vmm_proc p = { .argv = sh, .timeout_s = 10, .line = line_keep, .ctx = &l };
		char **argv, want[256];
		size_t n;

		snprintf(script, sizeof(script), "set -f; set -- %s\nfor a; do printf '<%%s>\\n' "
			 "\"$a\"; done", templates[i]);
		assert_int_equal(vmm_proc_run(&p, &res), 0);
		assert_int_equal(res.wstatus, 0);
		parse_ok(&t, templates[i]);
		assert_int_equal(vmm_template_expand(&t, &names, &argv), 0);
		for (n = 0; argv[n]; n++) {
			snprintf(want, sizeof(want), "<%s>", argv[n]);
			if (n >= l.n || strcmp(l.text[n], want))
				fail_msg("\"%s\": word %zu is %s here, %s in sh", templates[i], n, want,
					 n < l.n ? l.text[n] : "missing");
		}
		assert_int_equal(n, l.n);
		vmm_template_argv_free(argv);
		vmm_template_free(&t);
	}
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_qemu_microvm),
		cmocka_unit_test(test_quoting),
		cmocka_unit_test(test_blanks),
		cmocka_unit_test(test_placeholders),
		cmocka_unit_test(test_value_is_one_argument),
		cmocka_unit_test(test_shell_syntax_refused),
		cmocka_unit_test(test_refused),
		cmocka_unit_test(test_limits),
		cmocka_unit_test(test_resolve),
		cmocka_unit_test(test_run),
		cmocka_unit_test(test_sh_agrees),
	};

	return cmocka_run_group_tests(tests, dir_setup, dir_teardown);
}
