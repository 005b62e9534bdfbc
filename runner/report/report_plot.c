/* SPDX-License-Identifier: MIT */
#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <spawn.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include "report_escape.h"
#include "report_plot.h"
#include "report_svg.h"

/* gnuplot is run again after a plot it failed on, on the plots after it, this often at most. */
#define PLOTS_MAX_RUNS 3
/* A run longer than this is stopped: the whole report takes a second or two. */
#define PLOTS_TIMEOUT_S 60
/* Plots beyond this many are not drawn (a hostile file's thousands of workloads). */
#define PLOTS_MAX 1000
/* An SVG larger than this is not inlined: the report's are some 100 KiB. */
#define PLOT_SVG_MAX (64u << 20)
/* The marker plot_place leaves in the page; escaped text never holds the byte. */
#define PLOT_MARK '\x01'

extern char **environ;

struct plot {
	int width, height;
	char *text;		/* its script fragment */
	size_t len;
	char *svg;		/* what gnuplot drew, or NULL and a note */
	size_t svg_len;
	bool skip;		/* past PLOTS_MAX: not in the script */
	char note[256];
};

struct plots {
	struct plot *v;
	size_t n, cap;
	FILE *cur;		/* the fragment of the plot begun last, while open */
	char dir[256];		/* the temporary directory while gnuplot runs */
	char problem[256];	/* the first note, or empty */
};

struct plots *plots_new(void)
{
	return calloc(1, sizeof(struct plots));
}

void plots_free(struct plots *p)
{
	if (!p)
		return;
	if (p->cur)
		plot_end(p);
	for (size_t i = 0; i < p->n; i++) {
		free(p->v[i].text);
		free(p->v[i].svg);
	}
	free(p->v);
	free(p);
}

FILE *plot_begin(struct plots *p, int width, int height, int *id)
{
	struct plot *pl;

	if (p->cur)
		plot_end(p);
	if (p->n == p->cap) {
		size_t cap = p->cap ? 2 * p->cap : 64;
		struct plot *v = realloc(p->v, cap * sizeof(*v));

		if (!v)
			return NULL;
		p->v = v;
		p->cap = cap;
	}
	pl = &p->v[p->n];
	*pl = (struct plot){ .width = width, .height = height, .skip = p->n >= PLOTS_MAX };
	if (pl->skip) {
		snprintf(pl->note, sizeof(pl->note), "the report has more than %d plots, and only "
			 "the first %d are drawn", PLOTS_MAX, PLOTS_MAX);
		if (!p->problem[0])
			snprintf(p->problem, sizeof(p->problem), "%s", pl->note);
	}
	p->cur = open_memstream(&pl->text, &pl->len);
	if (!p->cur)
		return NULL;
	*id = (int)p->n++;
	/*
	 * µ for micro in %c tic labels; no enhanced text anywhere, so names
	 * print as they are; only the left and bottom axes, ticked outward.
	 */
	fputs("set encoding utf8\nset micro\nset termoption noenhanced\n"
	      "set key outside right top vertical Left reverse noenhanced samplen 2.5\n"
	      "set border 3 lc rgb '#444444'\nset tics nomirror out\n"
	      "set grid lc rgb '#e0e0e0' lt 1\n", p->cur);
	return p->cur;
}

void plot_end(struct plots *p)
{
	fclose(p->cur);
	p->cur = NULL;
}

void plot_place(FILE *html, int id)
{
	fprintf(html, "%c%d%c", PLOT_MARK, id, PLOT_MARK);
}

size_t plots_count(const struct plots *p)
{
	return p->n;
}

const char *plots_problem(const struct plots *p)
{
	return p->problem[0] ? p->problem : NULL;
}

static void path_of(const struct plots *p, char *buf, size_t len, const char *name)
{
	snprintf(buf, len, "%s/%s", p->dir, name);
}

static void svg_path(const struct plots *p, char *buf, size_t len, size_t i)
{
	char name[32];

	snprintf(name, sizeof(name), "p%zu.svg", i);
	path_of(p, buf, len, name);
}

/* The script of plots [from, n): each plot's terminal and output, then its fragment. */
static int script_write(const struct plots *p, size_t from)
{
	char path[512], out[512];
	FILE *f;
	int e;

	path_of(p, path, sizeof(path), "plots.gp");
	f = fopen(path, "w");
	if (!f)
		return -errno;
	for (size_t i = from; i < p->n; i++) {
		const struct plot *pl = &p->v[i];

		if (pl->skip)
			continue;
		svg_path(p, out, sizeof(out), i);
		fprintf(f, "reset\nset terminal svg size %d,%d fixed noenhanced "
			"font 'sans,11'\nset output ", pl->width, pl->height);
		gp_quote(f, out, sizeof(out));
		fputc('\n', f);
		fwrite(pl->text, 1, pl->len, f);
	}
	fputs("unset output\n", f);
	e = ferror(f) ? -EIO : 0;
	if (fclose(f) && !e)
		e = -errno;
	return e;
}

/*
 * The environment gnuplot runs in: the runner's, with HOME pointing at the
 * temporary directory so that no ~/.gnuplot changes how the plots look.
 */
static char **child_env(const struct plots *p, char *home, size_t len)
{
	size_t n = 0, k = 0;
	char **env;

	while (environ[n])
		n++;
	env = calloc(n + 2, sizeof(*env));
	if (!env)
		return NULL;
	snprintf(home, len, "HOME=%s", p->dir);
	env[k++] = home;
	for (size_t i = 0; i < n; i++)
		if (strncmp(environ[i], "HOME=", 5) && strncmp(environ[i], "XDG_CONFIG_HOME=", 16))
			env[k++] = environ[i];
	return env;
}

/* gnuplot's first line on stderr that names a script line, else its first line. */
static void error_line(const struct plots *p, char *why, size_t len)
{
	char path[512], line[512], first[512] = "";
	FILE *f;

	path_of(p, path, sizeof(path), "gnuplot.err");
	f = fopen(path, "r");
	if (!f)
		return;
	while (fgets(line, sizeof(line), f)) {
		char *at = strstr(line, "\" line ");

		line[strcspn(line, "\n")] = '\0';
		/* It goes to the terminal too: no control characters. */
		for (unsigned char *c = (unsigned char *)line; *c; c++)
			if (*c < 0x20 || *c == 0x7f)
				*c = '?';
		if (at) {
			snprintf(why, len, "gnuplot failed: %s", at + 2);
			fclose(f);
			return;
		}
		if (!first[0] && line[strspn(line, " \t^")])
			snprintf(first, sizeof(first), "%s", line);
	}
	fclose(f);
	snprintf(why, len, "gnuplot failed: %s", first[0] ? first : "(nothing on stderr)");
}

/* Wait for pid, at most PLOTS_TIMEOUT_S; its wait status, or -1 if it had to be killed. */
static int child_wait(pid_t pid)
{
	struct timespec tick = { 0, 5 * 1000 * 1000 }, t0, t;
	int status;

	clock_gettime(CLOCK_MONOTONIC, &t0);
	for (;;) {
		pid_t r = waitpid(pid, &status, WNOHANG);

		if (r == pid)
			return status;
		if (r < 0 && errno != EINTR)
			return -1;
		clock_gettime(CLOCK_MONOTONIC, &t);
		if (t.tv_sec - t0.tv_sec > PLOTS_TIMEOUT_S) {
			kill(pid, SIGKILL);
			waitpid(pid, &status, 0);
			return -1;
		}
		nanosleep(&tick, NULL);
	}
}

/*
 * Run gnuplot on the script.  0 when it exited 0; 1 when it ran and
 * failed, -1 when it could not run at all; why says so in both cases.
 */
static int gnuplot_run(const struct plots *p, char *why, size_t len)
{
	char script[512], err[512], home[300];
	char *argv[] = { "gnuplot", script, NULL };
	posix_spawn_file_actions_t fa;
	char **env;
	pid_t pid;
	int e, status;

	path_of(p, script, sizeof(script), "plots.gp");
	path_of(p, err, sizeof(err), "gnuplot.err");
	env = child_env(p, home, sizeof(home));
	if (!env || posix_spawn_file_actions_init(&fa)) {
		free(env);
		snprintf(why, len, "cannot run gnuplot: out of memory");
		return -1;
	}
	posix_spawn_file_actions_addopen(&fa, 0, "/dev/null", O_RDONLY, 0);
	posix_spawn_file_actions_addopen(&fa, 1, "/dev/null", O_WRONLY, 0);
	posix_spawn_file_actions_addopen(&fa, 2, err, O_WRONLY | O_CREAT | O_TRUNC, 0600);
	e = posix_spawnp(&pid, "gnuplot", &fa, NULL, argv, env);
	posix_spawn_file_actions_destroy(&fa);
	free(env);
	if (e == ENOENT) {
		snprintf(why, len, "gnuplot not found in PATH");
		return -1;
	}
	if (e) {
		snprintf(why, len, "cannot run gnuplot: %s", strerror(e));
		return -1;
	}
	status = child_wait(pid);
	if (status < 0) {
		snprintf(why, len, "gnuplot did not finish within %d s", PLOTS_TIMEOUT_S);
		return 1;
	}
	if (WIFSIGNALED(status)) {
		snprintf(why, len, "gnuplot was killed by signal %d", WTERMSIG(status));
		return 1;
	}
	if (WEXITSTATUS(status)) {
		error_line(p, why, len);
		return 1;
	}
	return 0;
}

/* Read plot i's SVG; true when it is there, complete, and at most PLOT_SVG_MAX bytes. */
static bool svg_read(const struct plots *p, struct plot *pl, size_t i)
{
	char path[512], *buf = NULL;
	struct stat st;
	size_t len = 0;
	bool whole;
	FILE *f;

	svg_path(p, path, sizeof(path), i);
	f = fopen(path, "r");
	if (!f)
		return false;
	whole = !fstat(fileno(f), &st) && st.st_size > 0 &&
		(unsigned long long)st.st_size <= PLOT_SVG_MAX &&
		(buf = malloc((size_t)st.st_size)) &&
		(len = fread(buf, 1, (size_t)st.st_size, f)) == (size_t)st.st_size;
	fclose(f);
	if (!whole || !svg_complete(buf, len)) {
		free(buf);
		return false;
	}
	pl->svg = buf;
	pl->svg_len = len;
	return true;
}

static void note_set(struct plots *p, size_t i, const char *why)
{
	snprintf(p->v[i].note, sizeof(p->v[i].note), "%s", why);
	if (!p->problem[0])
		snprintf(p->problem, sizeof(p->problem), "%s", why);
}

static void dir_remove(const struct plots *p)
{
	char path[512];

	for (size_t i = 0; i < p->n; i++) {
		svg_path(p, path, sizeof(path), i);
		unlink(path);
	}
	path_of(p, path, sizeof(path), "plots.gp");
	unlink(path);
	path_of(p, path, sizeof(path), "gnuplot.err");
	unlink(path);
	rmdir(p->dir);
}

size_t plots_render(struct plots *p)
{
	const char *tmp = getenv("TMPDIR");
	size_t from = 0, drawn = 0;
	char why[256] = "";
	if (!p->n)
		return 0;
	snprintf(p->dir, sizeof(p->dir), "%s/hvbench-report.XXXXXX", tmp && *tmp ? tmp : "/tmp");
	if (!mkdtemp(p->dir)) {
		snprintf(why, sizeof(why), "cannot make a temporary directory %.150s: %s", p->dir,
			 strerror(errno));
		for (size_t i = 0; i < p->n; i++)
			note_set(p, i, why);
		return 0;
	}
	for (int run = 0; run < PLOTS_MAX_RUNS && from < p->n; run++) {
		int e = script_write(p, from), r;

		if (e) {
			snprintf(why, sizeof(why), "cannot write the gnuplot script: %s",
				 strerror(-e));
			break;
		}
		r = gnuplot_run(p, why, sizeof(why));
		if (r < 0)
			break;
		if (!r)
			snprintf(why, sizeof(why), "gnuplot wrote no complete SVG");
		while (from < p->n && (p->v[from].skip || svg_read(p, &p->v[from], from))) {
			drawn += !p->v[from].skip;
			from++;
		}
		if (from < p->n)
			note_set(p, from++, why);
	}
	/* After PLOTS_MAX_RUNS failures the rest keep the last one's reason. */
	for (; from < p->n; from++)
		if (!p->v[from].skip)
			note_set(p, from, why);
	dir_remove(p);
	return drawn;
}

void plots_expand(const struct plots *p, const char *html, size_t len, FILE *out)
{
	const char *end = html + len;

	while (html < end) {
		const char *mark = memchr(html, PLOT_MARK, (size_t)(end - html));
		const char *close;
		char prefix[32];
		size_t id;

		if (!mark) {
			fwrite(html, 1, (size_t)(end - html), out);
			return;
		}
		fwrite(html, 1, (size_t)(mark - html), out);
		close = memchr(mark + 1, PLOT_MARK, (size_t)(end - mark - 1));
		if (!close)
			return;
		id = strtoul(mark + 1, NULL, 10);
		html = close + 1;
		if (id >= p->n)
			continue;
		if (p->v[id].svg) {
			snprintf(prefix, sizeof(prefix), "p%zu-", id);
			svg_inline(out, p->v[id].svg, p->v[id].svg_len, prefix);
		} else {
			fputs("<p class=\"noplot\">Plot not drawn: ", out);
			html_text(out, p->v[id].note);
			fputs(". The figures are in the table below.</p>", out);
		}
	}
}
