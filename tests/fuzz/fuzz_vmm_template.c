/* SPDX-License-Identifier: MIT */
/*
 * libFuzzer harness for the vmm-cmd target's command template
 * (runner/targets/vmm_template.c, built by scripts/fuzz vmm-template).
 *
 * The input, NUL-terminated in a copy of its exact size, is a template.  A
 * reference written here independently (a state machine over the bytes for
 * sh's words, prefix matching for the placeholders) says what it must give;
 * beyond "no crash, no sanitizer report, no leak" the harness abort()s
 * unless:
 *  - vmm_template_parse agrees with the reference on success or failure,
 *    and on a failure on which rule failed first (and, for quotes and shell
 *    syntax, at which byte and which token), in a non-empty printable
 *    one-line "vmm-cmd: ..." message that fits, leaving t empty;
 *  - on success t has the reference's words and placeholders, and
 *    vmm_template_expand gives one NUL-terminated argument per word, each the
 *    reference's, for values full of quotes, blanks, shell syntax and
 *    braces (inserted as they are, never split or read again) and for plain
 *    values, with which every value appears whole and the only braces left
 *    are the ones the template doubled;
 *  - vmm_template_resolve fills its small path buffer or says why not in one
 *    printable line.
 */
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "vmm_template.h"
#include "fuzz_check.h"

#define WHY_LEN 256
#define PATH_LEN 48

enum fault {
	R_OK, R_EMPTY, R_LONG, R_WORDS, R_QUOTE, R_BACKSLASH, R_SHELL, R_UNKNOWN, R_OPEN,
	R_CLOSE, R_NO_PAYLOAD, R_NO_CMDLINE, R_PROG_VAR, R_PROG_EMPTY, R_ASSIGN,
};

/* What the reference makes of a template. */
struct ref {
	enum fault fault;
	size_t byte;		/* R_QUOTE, R_SHELL: 1-based */
	char token[3];		/* R_SHELL */
	char *word[VMM_TEMPLATE_MAX_WORDS];	/* quotes removed, braces as written */
	size_t n;
	unsigned int uses;
};

static const char *const names[] = { "{payload}", "{cmdline}", "{mem_mib}", "{cpus}" };

/*
 * A word's placeholders replaced by val (NULL: only checked), into out if
 * not NULL; its length into *len, the placeholders it holds into *uses.
 */
static enum fault ref_subst(const char *w, const char *const val[], char *out, size_t *len,
			    unsigned int *uses)
{
	size_t n = 0;

	*uses = 0;
	for (size_t i = 0; w[i];) {
		const char *put = NULL;
		size_t put_len = 1, skip = 1;

		if ((w[i] == '{' || w[i] == '}') && w[i + 1] == w[i]) {
			put = w + i;
			skip = 2;
		} else if (w[i] == '}') {
			return R_CLOSE;
		} else if (w[i] == '{') {
			for (int v = 0; v < VMM_NR_VARS && !put; v++) {
				if (strncmp(w + i, names[v], strlen(names[v])))
					continue;
				*uses |= 1u << v;
				put = val ? val[v] : "";
				put_len = strlen(put);
				skip = strlen(names[v]);
			}
			if (!put)
				return strchr(w + i, '}') ? R_UNKNOWN : R_OPEN;
		} else {
			put = w + i;
		}
		if (out)
			memcpy(out + n, put, put_len);
		n += put_len;
		i += skip;
	}
	if (out)
		out[n] = '\0';
	*len = n;
	return R_OK;
}

/* sh's assignment: NAME=, a name being a letter or '_' then letters, digits, '_'. */
static bool assignment(const char *w)
{
	for (size_t i = 0;; i++) {
		unsigned char c = (unsigned char)w[i];
		bool letter = (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || c == '_';

		if (c == '=')
			return i > 0;
		if (!letter && !(i && c >= '0' && c <= '9'))
			return false;
	}
}

/* A word ended: the limit, its braces, the program's rules, then kept. */
static enum fault ref_word(struct ref *r, const char *w)
{
	unsigned int uses;
	enum fault f;
	size_t len;

	if (r->n == VMM_TEMPLATE_MAX_WORDS)
		return R_WORDS;
	f = ref_subst(w, NULL, NULL, &len, &uses);
	if (f)
		return f;
	if (!r->n && uses)
		return R_PROG_VAR;
	if (!r->n && !len)
		return R_PROG_EMPTY;
	if (!r->n && assignment(w))
		return R_ASSIGN;
	r->uses |= uses;
	r->word[r->n] = strdup(w);
	check(r->word[r->n], "out of memory");
	r->n++;
	return R_OK;
}

static enum fault shell_at(struct ref *r, const char *s, size_t i)
{
	size_t n = s[i] == '$' && (s[i + 1] == '(' || s[i + 1] == '{') ? 2 : 1;

	memcpy(r->token, s + i, n);
	r->token[n] = '\0';
	r->byte = i + 1;
	return R_SHELL;
}

/* The template's words as sh has them, one state per byte. */
static enum fault ref_split(struct ref *r, const char *s)
{
	enum { OUT, WORD, SQ, DQ } st = OUT;
	static char cur[VMM_TEMPLATE_MAX_LEN + 1];
	size_t cl = 0, open = 0;
	enum fault f;

	for (size_t i = 0;; i++) {
		char c = s[i];

		if (st == SQ || st == DQ) {
			if (!c) {
				r->byte = open + 1;
				return R_QUOTE;
			}
			if ((st == SQ && c == '\'') || (st == DQ && c == '"'))
				st = WORD;
			else if (st == DQ && c == '\\' && s[i + 1] == '\n')
				i++;
			else if (st == DQ && c == '\\' && s[i + 1] && strchr("\"\\$`", s[i + 1]))
				cur[cl++] = s[++i];
			else if (st == DQ && (c == '$' || c == '`'))
				return shell_at(r, s, i);
			else
				cur[cl++] = c;
			continue;
		}
		if (!c || c == ' ' || c == '\t' || c == '\n') {
			if (st == WORD) {
				cur[cl] = '\0';
				f = ref_word(r, cur);
				if (f)
					return f;
				cl = 0;
			}
			if (!c)
				return R_OK;
			st = OUT;
		} else if (c == '\\' && s[i + 1] == '\n') {
			i++;
		} else if (c == '\\') {
			if (!s[i + 1])
				return R_BACKSLASH;
			cur[cl++] = s[++i];
			st = WORD;
		} else if (c == '\'' || c == '"') {
			open = i;
			st = c == '\'' ? SQ : DQ;
		} else if (c == '$' || strchr("|&;<>()`", c) ||
			   (st == OUT && (c == '#' || c == '~'))) {
			return shell_at(r, s, i);
		} else {
			cur[cl++] = c;
			st = WORD;
		}
	}
}

static void ref_parse(struct ref *r, const char *s)
{
	memset(r, 0, sizeof(*r));
	if (strlen(s) > VMM_TEMPLATE_MAX_LEN)
		r->fault = R_LONG;
	else if ((r->fault = ref_split(r, s)))
		;
	else if (!r->n)
		r->fault = R_EMPTY;
	else if (!(r->uses & (1u << VMM_VAR_PAYLOAD)))
		r->fault = R_NO_PAYLOAD;
	else if (!(r->uses & (1u << VMM_VAR_CMDLINE)))
		r->fault = R_NO_CMDLINE;
}

static void ref_free(struct ref *r)
{
	for (size_t i = 0; i < r->n; i++)
		free(r->word[i]);
}

static bool starts(const char *s, const char *prefix)
{
	return !strncmp(s, prefix, strlen(prefix));
}

/* The rule a message names, and for quotes and shell syntax its byte and token. */
static enum fault fault_of(const char *why, size_t *byte, char *token)
{
	static const struct { const char *prefix; enum fault f; } rules[] = {
		{ "vmm-cmd: the template is empty", R_EMPTY },
		{ "vmm-cmd: the template is longer than 4096 bytes", R_LONG },
		{ "vmm-cmd: the template has more than 256 words", R_WORDS },
		{ "vmm-cmd: the template ends with a '\\' that escapes nothing", R_BACKSLASH },
		{ "vmm-cmd: unknown placeholder '{", R_UNKNOWN },
		{ "vmm-cmd: a '{' without its '}' in '", R_OPEN },
		{ "vmm-cmd: a '}' without its '{' in '", R_CLOSE },
		{ "vmm-cmd: the template must pass {payload} to the VMM", R_NO_PAYLOAD },
		{ "vmm-cmd: the template must pass {cmdline} to the VMM", R_NO_CMDLINE },
		{ "vmm-cmd: the program name (the first word) is empty", R_PROG_EMPTY },
		{ "vmm-cmd: the program name '", R_PROG_VAR },
		{ "vmm-cmd: '", R_ASSIGN },
	};
	static const char shell_tail[] = "' is not supported: the template is run without a "
		"shell (byte ";
	const char *p;

	if (sscanf(why, "vmm-cmd: unbalanced quotes: the %*[\"'] at byte %zu is never closed",
		   byte) == 1)
		return R_QUOTE;
	if (starts(why, "vmm-cmd: shell syntax '")) {
		p = why + strlen("vmm-cmd: shell syntax '");
		check(p[0] && (p[1] == '\'' || (p[1] && p[2] == '\'')), "no token in %s", why);
		memcpy(token, p, p[1] == '\'' ? 1 : 2);
		token[p[1] == '\'' ? 1 : 2] = '\0';
		p = strstr(p, shell_tail);
		check(p && sscanf(p + strlen(shell_tail), "%zu", byte) == 1, "no byte in %s", why);
		return R_SHELL;
	}
	for (size_t i = 0; i < sizeof(rules) / sizeof(rules[0]); i++)
		if (starts(why, rules[i].prefix))
			return rules[i].f;
	check(0, "unexpected message \"%s\"", why);
	return R_OK;
}

static void check_refusal(const struct ref *r, const char *why, const struct vmm_template *t)
{
	size_t len = strnlen(why, WHY_LEN), byte = 0;
	char token[3] = "";
	enum fault f;

	check(len < WHY_LEN, "message not terminated");
	check(len > strlen("vmm-cmd: "), "message \"%s\" says nothing", why);
	for (size_t i = 0; i < len; i++)
		check(why[i] >= 0x20 && why[i] < 0x7f, "message byte %zu is 0x%02x: %s", i,
		      (unsigned char)why[i], why);
	check(r->fault != R_OK, "refused what the reference accepts: %s", why);
	f = fault_of(why, &byte, token);
	check(f == r->fault, "\"%s\": the reference has fault %d", why, r->fault);
	if (f == R_QUOTE || f == R_SHELL)
		check(byte == r->byte, "\"%s\": the reference says byte %zu", why, r->byte);
	if (f == R_SHELL)
		check(!strcmp(token, r->token), "\"%s\": the reference says '%s'", why, r->token);
	check(!t->nr_words && !t->words && !t->refs && !t->buf && !t->uses,
	      "a refused template left words");
}

/* t's own view of itself: words and placeholders in order, within their words. */
static void check_template(const struct vmm_template *t, const struct ref *r)
{
	size_t next = 0;

	check(t->nr_words == r->n, "%zu words, the reference has %zu", t->nr_words, r->n);
	check(t->uses == r->uses, "uses %#x, the reference %#x", t->uses, r->uses);
	for (size_t i = 0; i < t->nr_words; i++) {
		const struct vmm_template_word *w = &t->words[i];
		size_t len = strlen(w->text);

		check(w->first_ref == next, "word %zu: refs from %zu, not %zu", i, w->first_ref,
		      next);
		for (size_t k = 0; k < w->nr_refs; k++) {
			const struct vmm_template_ref *ref = &t->refs[next + k];

			check(ref->at <= len, "word %zu: placeholder at %zu past %zu", i, ref->at, len);
			check(!k || ref->at >= ref[-1].at, "word %zu: placeholders out of order", i);
			check(ref->var < VMM_NR_VARS, "word %zu: placeholder %d", i, ref->var);
		}
		next += w->nr_refs;
	}
	check(next == t->nr_refs, "%zu refs in words, %zu in all", next, t->nr_refs);
	check(!t->words[0].nr_refs && t->words[0].text[0], "program word");
}

static size_t count(const char *s, char c)
{
	size_t n = 0;

	for (; *s; s++)
		n += *s == c;
	return n;
}

/* vmm_template_expand against the reference for one set of values. */
static void check_expand(const struct vmm_template *t, const struct ref *r,
			 const struct vmm_template_vars *v, const char *text, bool plain)
{
	char mem[16], cpus[16];
	const char *val[VMM_NR_VARS] = { v->payload, v->cmdline, mem, cpus };
	size_t open = 0, close = 0;
	bool has_payload = false, has_cmdline = false;
	char **argv;

	snprintf(mem, sizeof(mem), "%u", v->mem_mib);
	snprintf(cpus, sizeof(cpus), "%u", v->cpus);
	check(!vmm_template_expand(t, v, &argv), "expand failed");
	for (size_t i = 0; i < r->n; i++) {
		unsigned int uses;
		size_t len;
		char *want;

		check(argv[i], "argv[%zu] NULL of %zu words", i, r->n);
		check(!ref_subst(r->word[i], val, NULL, &len, &uses), "word %zu", i);
		want = malloc(len + 1);
		check(want, "out of memory");
		ref_subst(r->word[i], val, want, &len, &uses);
		check(strlen(argv[i]) == len && !memcmp(argv[i], want, len + 1),
		      "argv[%zu] \"%s\", the reference \"%s\"", i, argv[i], want);
		free(want);
		open += count(argv[i], '{');
		close += count(argv[i], '}');
		has_payload |= strstr(argv[i], v->payload) != NULL;
		has_cmdline |= strstr(argv[i], v->cmdline) != NULL;
	}
	check(!argv[r->n], "argv not NULL-terminated after %zu words", r->n);
	check(has_payload && has_cmdline, "a value is not whole in any argument");
	/* Plain values hold no braces: each one left took two in the template. */
	if (plain)
		check(2 * open <= count(text, '{') && 2 * close <= count(text, '}'),
		      "%zu { and %zu } in argv from %zu and %zu", open, close, count(text, '{'),
		      count(text, '}'));
	vmm_template_argv_free(argv);
}

static void check_resolve(const struct vmm_template *t)
{
	char *path = malloc(PATH_LEN), *why = malloc(WHY_LEN);

	check(path && why, "out of memory");
	if (!vmm_template_resolve(t, path, PATH_LEN, why, WHY_LEN)) {
		check(strnlen(path, PATH_LEN) < PATH_LEN, "path not terminated");
		check(strchr(t->words[0].text, '/') ? !strcmp(path, t->words[0].text) :
		      strlen(path) > strlen(t->words[0].text), "resolved to \"%s\"", path);
	} else {
		size_t len = strnlen(why, WHY_LEN);

		check(len < WHY_LEN && starts(why, "vmm-cmd: '"), "resolve: \"%s\"", why);
		for (size_t i = 0; i < len; i++)
			check(why[i] >= 0x20 && why[i] < 0x7f, "resolve message byte %zu: %s", i,
			      why);
	}
	free(path);
	free(why);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static const struct vmm_template_vars hostile = {
		.payload = "/p a{cpus}th/'\"$(x);{{}}\\.elf",
		.cmdline = "hvb.rep=1 a=\"b c\" 'd' $HOME `id` | {payload} {{ }} \\",
		.mem_mib = 4294967295u, .cpus = 0,
	};
	static const struct vmm_template_vars plain = {
		.payload = "PAYLOAD-VALUE", .cmdline = "CMDLINE VALUE ;|'", .mem_mib = 64,
		.cpus = 2,
	};
	char *text = malloc(size + 1), *why = malloc(WHY_LEN);
	struct vmm_template t;
	struct ref r;

	check(text && why, "out of memory");
	memcpy(text, data, size);
	text[size] = '\0';
	memset(why, 'x', WHY_LEN);
	ref_parse(&r, text);
	if (vmm_template_parse(&t, text, why, WHY_LEN)) {
		check_refusal(&r, why, &t);
	} else {
		check(r.fault == R_OK, "accepted what the reference refuses (fault %d)", r.fault);
		check_template(&t, &r);
		check_expand(&t, &r, &hostile, text, false);
		check_expand(&t, &r, &plain, text, true);
		check_resolve(&t);
	}
	vmm_template_free(&t);
	check(!t.words && !t.buf && !t.refs && !t.nr_words, "left after vmm_template_free");
	ref_free(&r);
	free(why);
	free(text);
	return 0;
}
