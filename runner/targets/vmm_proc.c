/* SPDX-License-Identifier: MIT */
#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <signal.h>
#include <string.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include "vmm_proc.h"

#define LINE_BYTES 8192

static double now_s(void)
{
	struct timespec t;

	clock_gettime(CLOCK_MONOTONIC, &t);
	return t.tv_sec + t.tv_nsec / 1e9;
}

/* Feed complete lines; keep a partial one for the next read. */
static void lines_feed(const struct vmm_proc *p, char *buf, size_t *len)
{
	char *start = buf, *nl;

	while ((nl = memchr(start, '\n', *len - (size_t)(start - buf)))) {
		size_t n = (size_t)(nl - start);

		if (n && start[n - 1] == '\r')
			n--;
		p->line(p->ctx, start, n);
		start = nl + 1;
	}
	*len -= (size_t)(start - buf);
	memmove(buf, start, *len);
	if (*len == LINE_BYTES) { /* longer than any record: pass it on in pieces */
		p->line(p->ctx, buf, *len);
		*len = 0;
	}
}

enum read_end { READ_EOF, READ_TIMEOUT, READ_DONE };

/* Read until the child closes its output, the deadline passes or done() says so. */
static enum read_end output_read(const struct vmm_proc *p, int fd)
{
	static char buf[LINE_BYTES];
	size_t len = 0;
	double deadline = now_s() + p->timeout_s;

	for (;;) {
		struct pollfd pfd = { .fd = fd, .events = POLLIN };
		double left = deadline - now_s();
		ssize_t n;

		if (left <= 0)
			return READ_TIMEOUT;
		if (poll(&pfd, 1, (int)(left * 1000) + 1) <= 0)
			continue;
		n = read(fd, buf + len, LINE_BYTES - len);
		if (n < 0 && errno == EINTR)
			continue;
		if (n <= 0)
			break;
		len += (size_t)n;
		lines_feed(p, buf, &len);
		if (p->done && p->done(p->ctx))
			return READ_DONE;
	}
	if (len)
		p->line(p->ctx, buf, len);
	return READ_EOF;
}

/* SIGTERM, and SIGKILL if the VMM is still there a second later. */
static void child_stop(pid_t pid, int *wstatus)
{
	kill(pid, SIGTERM);
	for (int i = 0; i < 100; i++) {
		if (waitpid(pid, wstatus, WNOHANG) == pid)
			return;
		usleep(10000);
	}
	kill(pid, SIGKILL);
	while (waitpid(pid, wstatus, 0) < 0 && errno == EINTR)
		;
}

int vmm_proc_run(const struct vmm_proc *p, struct vmm_proc_result *out)
{
	double t0 = now_s();
	int fds[2];
	pid_t pid;

	*out = (struct vmm_proc_result){ 0 };
	if (pipe2(fds, O_CLOEXEC))
		return -1;
	pid = fork();
	if (pid == 0) {
		if (p->child_setup)
			p->child_setup(p->child_arg);
		dup2(fds[1], STDOUT_FILENO);
		dup2(fds[1], STDERR_FILENO);
		execvp(p->argv[0], p->argv);
		_exit(127);
	}
	close(fds[1]);
	if (pid < 0) {
		close(fds[0]);
		return -1;
	}
	if (p->on_start)
		p->on_start(p->ctx, pid);
	switch (output_read(p, fds[0])) {
	case READ_TIMEOUT:
		out->timed_out = true;
		if (p->on_timeout)
			p->on_timeout(p->ctx);
		kill(pid, SIGKILL);
		break;
	case READ_DONE:
		out->stopped = true;
		close(fds[0]);
		child_stop(pid, &out->wstatus);
		goto reaped;
	case READ_EOF:
		break;
	}
	close(fds[0]);
	while (waitpid(pid, &out->wstatus, 0) < 0 && errno == EINTR)
		;
reaped:
	out->not_found = WIFEXITED(out->wstatus) && WEXITSTATUS(out->wstatus) == 127;
	out->seconds = now_s() - t0;
	return 0;
}
