/* SPDX-License-Identifier: MIT */
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "vmm_template.h"
#include "why.h"

static const char *const var_names[VMM_NR_VARS] = {
	[VMM_VAR_PAYLOAD] = "payload",
	[VMM_VAR_CMDLINE] = "cmdline",
	[VMM_VAR_MEM_MIB] = "mem_mib",
	[VMM_VAR_CPUS] = "cpus",
};

/* The template being split, and where its words go. */
struct split {
	const char *text;
	size_t at;				/* next byte of text to read */
	char word[VMM_TEMPLATE_MAX_LEN + 1];	/* the current word, quotes removed */
	size_t len;
	struct vmm_template *t;
	char *out;				/* where the next word's text goes in t->buf */
	char *why;
	size_t why_len;
};

/* sh's blanks; a newline would end the command there, here it is one more blank. */
static bool is_blank(char c)
{
	return c == ' ' || c == '\t' || c == '\n';
}

/* What sh would take for a pipe, list, redirection, subshell or command substitution. */
static bool is_operator(char c)
{
	return c && strchr("|&;<>()`", c);
}

/* Syntax at byte at that a shell would act on: refused rather than passed on literally. */
static int refuse(struct split *s, size_t at)
{
	const char *p = s->text + at;
	int n = p[0] == '$' && (p[1] == '(' || p[1] == '{') ? 2 : 1;

	return why_set(s->why, s->why_len, "vmm-cmd: ", "shell syntax '%.*s' is not supported: the template is "
		    "run without a shell (byte %zu; put it in single quotes to pass it to the VMM)",
		    n, p, at + 1);
}

/* A "..." string from its opening quote: what sh keeps of it, into the word. */
static int double_quoted(struct split *s)
{
	size_t open = s->at++;

	for (;;) {
		char c = s->text[s->at];

		if (!c)
			return why_set(s->why, s->why_len, "vmm-cmd: ", "unbalanced quotes: the \" at byte %zu is "
				    "never closed", open + 1);
		if (c == '"')
			break;
		/* Inside "...", a backslash escapes only these; before others it stays. */
		if (c == '\\' && s->text[s->at + 1] && strchr("\"\\$`\n", s->text[s->at + 1])) {
			if (s->text[s->at + 1] != '\n')
				s->word[s->len++] = s->text[s->at + 1];
			s->at += 2;
			continue;
		}
		if (c == '$' || c == '`')
			return refuse(s, s->at);
		s->word[s->len++] = c;
		s->at++;
	}
	s->at++;
	return 0;
}

/* The next word into s->word as sh would split it: 1, 0 at the end, or -1. */
static int word_split(struct split *s)
{
	bool in_word = false;

	s->len = 0;
	for (;;) {
		const char *p = s->text + s->at;

		if (!*p || (is_blank(*p) && in_word))
			break;
		if (is_blank(*p)) {
			s->at++;
		} else if (p[0] == '\\' && p[1] == '\n') {
			s->at += 2;	/* a line continued: nothing of it stays */
		} else if (p[0] == '\\') {
			if (!p[1])
				return why_set(s->why, s->why_len, "vmm-cmd: ", "the template ends with a '\\' that "
					    "escapes nothing");
			s->word[s->len++] = p[1];
			s->at += 2;
			in_word = true;
		} else if (p[0] == '\'') {
			const char *close = strchr(p + 1, '\'');

			if (!close)
				return why_set(s->why, s->why_len, "vmm-cmd: ", "unbalanced quotes: the ' at byte %zu "
					    "is never closed", s->at + 1);
			memcpy(s->word + s->len, p + 1, (size_t)(close - p - 1));
			s->len += (size_t)(close - p - 1);
			s->at += (size_t)(close - p + 1);
			in_word = true;
		} else if (p[0] == '"') {
			if (double_quoted(s))
				return -1;
			in_word = true;
		} else if (p[0] == '$' || is_operator(p[0]) ||
			   (!in_word && (p[0] == '#' || p[0] == '~'))) {
			/* '#' starts a comment and '~' a home directory only at a word's start. */
			return refuse(s, s->at);
		} else {
			s->word[s->len++] = p[0];
			s->at++;
			in_word = true;
		}
	}
	s->word[s->len] = '\0';
	return in_word;
}

static int var_lookup(const char *name, size_t len)
{
	for (int i = 0; i < VMM_NR_VARS; i++)
		if (strlen(var_names[i]) == len && !memcmp(name, var_names[i], len))
			return i;
	return -1;
}

/*
 * The word just split into t: its text with {{ and }} made braces and the
 * placeholders cut out, each noted with where it goes.
 */
static int word_add(struct split *s)
{
	struct vmm_template *t = s->t;
	struct vmm_template_word *w = &t->words[t->nr_words];
	const char *r = s->word;
	char *o = s->out;

	w->text = o;
	w->first_ref = t->nr_refs;
	while (*r) {
		const char *close;
		int var;

		if ((r[0] == '{' && r[1] == '{') || (r[0] == '}' && r[1] == '}')) {
			*o++ = r[0];
			r += 2;
			continue;
		}
		if (*r == '}')
			return why_set(s->why, s->why_len, "vmm-cmd: ", "a '}' without its '{' in '%.64s': write }} "
				    "for a literal brace", s->word);
		if (*r != '{') {
			*o++ = *r++;
			continue;
		}
		close = strchr(r, '}');
		if (!close)
			return why_set(s->why, s->why_len, "vmm-cmd: ", "a '{' without its '}' in '%.64s': write {{ "
				    "for a literal brace", s->word);
		var = var_lookup(r + 1, (size_t)(close - r - 1));
		if (var < 0)
			return why_set(s->why, s->why_len, "vmm-cmd: ", "unknown placeholder '{%.*s}': the known ones "
				    "are {payload}, {cmdline}, {mem_mib} and {cpus} ({{ and }} are "
				    "literal braces)", (int)(close - r - 1 < 40 ? close - r - 1 : 40),
				    r + 1);
		t->refs[t->nr_refs++] = (struct vmm_template_ref){
			.at = (size_t)(o - w->text), .var = (enum vmm_template_var)var,
		};
		t->uses |= 1u << var;
		r = close + 1;
	}
	*o++ = '\0';
	s->out = o;
	w->nr_refs = t->nr_refs - w->first_ref;
	t->nr_words++;
	return 0;
}

/* The program's name: the VMM itself, as sh would run it. */
static int program_check(struct split *s)
{
	const struct vmm_template_word *w = &s->t->words[0];
	size_t name = strspn(s->word, "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz_"
			     "0123456789");

	if (w->nr_refs)
		return why_set(s->why, s->why_len, "vmm-cmd: ", "the program name '%.64s' holds a placeholder: the "
			    "first word must name the VMM itself", s->word);
	if (!w->text[0])
		return why_set(s->why, s->why_len, "vmm-cmd: ", "the program name (the first word) is empty");
	/* NAME=value first is an assignment to sh, not a program. */
	if (name && s->word[name] == '=' && (s->word[0] < '0' || s->word[0] > '9'))
		return why_set(s->why, s->why_len, "vmm-cmd: ", "'%.64s' would set a variable in sh, which is not "
			    "supported: to set one, start the template with env (env %.64s VMM ...)",
			    s->word, s->word);
	return 0;
}

int vmm_template_parse(struct vmm_template *t, const char *text, char *why, size_t why_len)
{
	size_t len = strnlen(text, VMM_TEMPLATE_MAX_LEN + 1), braces = 0;
	struct split *s;
	int got;

	*t = (struct vmm_template){ 0 };
	if (len > VMM_TEMPLATE_MAX_LEN)
		return why_set(why, why_len, "vmm-cmd: ", "the template is longer than %u bytes",
			    VMM_TEMPLATE_MAX_LEN);
	for (size_t i = 0; i < len; i++)
		braces += text[i] == '{';
	s = malloc(sizeof(*s));
	/*
	 * A word's text is no longer than the bytes of the template it came
	 * from, and its NUL takes the place of the blank (or the end) after
	 * it: len + 1 bytes hold every word.  Each placeholder takes a '{'.
	 */
	t->buf = malloc(len + 1);
	t->words = malloc(VMM_TEMPLATE_MAX_WORDS * sizeof(*t->words));
	t->refs = malloc((braces + 1) * sizeof(*t->refs));
	if (!s || !t->buf || !t->words || !t->refs) {
		free(s);
		vmm_template_free(t);
		return why_set(why, why_len, "vmm-cmd: ", "out of memory");
	}
	s->text = text;
	s->at = 0;
	s->t = t;
	s->out = t->buf;
	s->why = why;
	s->why_len = why_len;
	while ((got = word_split(s)) > 0) {
		if (t->nr_words == VMM_TEMPLATE_MAX_WORDS) {
			got = why_set(why, why_len, "vmm-cmd: ", "the template has more than %u words",
				   VMM_TEMPLATE_MAX_WORDS);
			break;
		}
		if (word_add(s) || (t->nr_words == 1 && program_check(s))) {
			got = -1;
			break;
		}
	}
	free(s);
	if (!got && !t->nr_words)
		got = why_set(why, why_len, "vmm-cmd: ", "the template is empty");
	else if (!got && !(t->uses & (1u << VMM_VAR_PAYLOAD)))
		got = why_set(why, why_len, "vmm-cmd: ", "the template must pass {payload} to the VMM (the path of "
			   "the PVH ELF to boot)");
	else if (!got && !(t->uses & (1u << VMM_VAR_CMDLINE)))
		got = why_set(why, why_len, "vmm-cmd: ", "the template must pass {cmdline} to the VMM (the guest's "
			   "kernel command line)");
	if (got) {
		vmm_template_free(t);
		return -1;
	}
	return 0;
}

int vmm_template_expand(const struct vmm_template *t, const struct vmm_template_vars *v,
			char ***argv_out)
{
	char mem[16], cpus[16];
	const char *val[VMM_NR_VARS] = {
		[VMM_VAR_PAYLOAD] = v->payload, [VMM_VAR_CMDLINE] = v->cmdline,
		[VMM_VAR_MEM_MIB] = mem, [VMM_VAR_CPUS] = cpus,
	};
	char **argv;

	*argv_out = NULL;
	for (int i = 0; i < VMM_NR_VARS; i++)
		if ((t->uses & (1u << i)) && !val[i])
			return -EINVAL;
	snprintf(mem, sizeof(mem), "%u", v->mem_mib);
	snprintf(cpus, sizeof(cpus), "%u", v->cpus);
	argv = calloc(t->nr_words + 1, sizeof(*argv));
	if (!argv)
		return -ENOMEM;
	for (size_t i = 0; i < t->nr_words; i++) {
		const struct vmm_template_word *w = &t->words[i];
		const struct vmm_template_ref *ref = &t->refs[w->first_ref];
		size_t n = strlen(w->text) + 1, from = 0;
		char *o;

		for (size_t k = 0; k < w->nr_refs; k++)
			n += strlen(val[ref[k].var]);
		o = argv[i] = malloc(n);
		if (!o) {
			vmm_template_argv_free(argv);
			return -ENOMEM;
		}
		/* Literal text up to each placeholder, its value as it is, the rest. */
		for (size_t k = 0; k < w->nr_refs; k++) {
			size_t vl = strlen(val[ref[k].var]);

			memcpy(o, w->text + from, ref[k].at - from);
			o += ref[k].at - from;
			memcpy(o, val[ref[k].var], vl);
			o += vl;
			from = ref[k].at;
		}
		strcpy(o, w->text + from);
	}
	*argv_out = argv;
	return 0;
}

void vmm_template_argv_free(char **argv)
{
	if (!argv)
		return;
	for (char **a = argv; *a; a++)
		free(*a);
	free(argv);
}

enum program_fault { PROGRAM_OK, PROGRAM_MISSING, PROGRAM_DIR, PROGRAM_NOT_FILE,
		     PROGRAM_NOT_EXEC, PROGRAM_STAT };

/* Whether execve could run file; *err is stat's errno for PROGRAM_STAT. */
static enum program_fault program_fault(const char *file, int *err)
{
	struct stat st;

	if (stat(file, &st)) {
		*err = errno;
		return errno == ENOENT ? PROGRAM_MISSING : PROGRAM_STAT;
	}
	if (S_ISDIR(st.st_mode))
		return PROGRAM_DIR;
	if (!S_ISREG(st.st_mode))
		return PROGRAM_NOT_FILE;
	/* As execve judges it: the effective IDs, and root needs an x bit too. */
	if (faccessat(AT_FDCWD, file, X_OK, AT_EACCESS))
		return PROGRAM_NOT_EXEC;
	return PROGRAM_OK;
}

/* Why file cannot be the program: "'FILE' is ...", or "'NAME' in PATH is 'FILE', which is ...". */
static int program_refuse(enum program_fault f, int err, const char *name, const char *file,
			  char *why, size_t why_len)
{
	char what[128];

	if (f == PROGRAM_DIR)
		snprintf(what, sizeof(what), "is a directory");
	else if (f == PROGRAM_NOT_FILE)
		snprintf(what, sizeof(what), "is not a regular file");
	else if (f == PROGRAM_NOT_EXEC)
		snprintf(what, sizeof(what), "is not executable");
	else
		snprintf(what, sizeof(what), "cannot be run: %s", strerror(err));
	if (name == file)
		return why_set(why, why_len, "vmm-cmd: ", "'%s' %s", file, what);
	return why_set(why, why_len, "vmm-cmd: ", "'%s' in PATH is '%s', which %s", name, file, what);
}

static int path_copy(const char *file, char *path, size_t len, char *why, size_t why_len)
{
	if (strlen(file) >= len)
		return why_set(why, why_len, "vmm-cmd: ", "'%.64s...' is longer than %zu bytes", file, len - 1);
	strcpy(path, file);
	return 0;
}

int vmm_template_resolve(const struct vmm_template *t, char *path, size_t len, char *why,
			 size_t why_len)
{
	char cand[PATH_MAX], miss[PATH_MAX], cs_path[256];
	enum program_fault f, miss_fault = PROGRAM_MISSING;
	const char *name, *dirs;
	int err = 0, miss_err = 0;

	if (!t->nr_words)
		return why_set(why, why_len, "vmm-cmd: ", "the template is empty");
	name = t->words[0].text;
	if (strchr(name, '/')) {
		f = program_fault(name, &err);
		if (f == PROGRAM_MISSING)
			return why_set(why, why_len, "vmm-cmd: ", "'%s' does not exist", name);
		if (f != PROGRAM_OK)
			return program_refuse(f, err, name, name, why, why_len);
		return path_copy(name, path, len, why, why_len);
	}
	dirs = getenv("PATH");
	if (!dirs) {
		/* execvp's search path where PATH is unset. */
		confstr(_CS_PATH, cs_path, sizeof(cs_path));
		dirs = cs_path;
	}
	for (const char *d = dirs;; d = strchr(d, ':') + 1) {
		const char *end = strchrnul(d, ':');
		/* An empty entry is the current directory. */
		int n = d == end ? snprintf(cand, sizeof(cand), "./%s", name) :
			snprintf(cand, sizeof(cand), "%.*s/%s", (int)(end - d), d, name);

		/* A candidate too long for a path is one execve would refuse too. */
		if (n > 0 && (size_t)n < sizeof(cand)) {
			f = program_fault(cand, &err);
			if (f == PROGRAM_OK)
				return path_copy(cand, path, len, why, why_len);
			/* execvp goes on past a near miss; it is the likely explanation. */
			if (f != PROGRAM_MISSING && miss_fault == PROGRAM_MISSING) {
				miss_fault = f;
				miss_err = err;
				strcpy(miss, cand);
			}
		}
		if (!*end)
			break;
	}
	if (miss_fault != PROGRAM_MISSING)
		return program_refuse(miss_fault, miss_err, name, miss, why, why_len);
	return why_set(why, why_len, "vmm-cmd: ", "'%s' not found in PATH (%s)", name, dirs);
}

void vmm_template_free(struct vmm_template *t)
{
	free(t->buf);
	free(t->words);
	free(t->refs);
	*t = (struct vmm_template){ 0 };
}
