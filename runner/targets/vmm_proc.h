/* SPDX-License-Identifier: MIT */
/*
 * An external VMM (QEMU, or any VMM that boots a PVH ELF and has a UART) as
 * a child process: its console read line by line until it exits or a
 * deadline passes, when it is killed.  What the lines mean is the caller's.
 */
#ifndef VMM_PROC_H
#define VMM_PROC_H

#include <stdbool.h>
#include <stddef.h>
#include <sys/types.h>

typedef void (*vmm_proc_line_fn)(void *ctx, const char *line, size_t len);

struct vmm_proc {
	char *const *argv;		/* argv[0] is looked up in PATH */
	void (*child_setup)(void *arg);	/* runs in the child before exec, or NULL */
	void *child_arg;
	double timeout_s;
	/* Called once the deadline has passed, before the kill (e.g. to ask the VMM where it is). */
	void (*on_timeout)(void *ctx);
	vmm_proc_line_fn line;
	void *ctx;
	/* Or NULL. Told the child's pid once started, before any line (to find its threads). */
	void (*on_start)(void *ctx, pid_t pid);
	/*
	 * Or NULL. Asked after each read: true when the output says the run is
	 * over (a VMM that does not exit when its guest is done); the VMM is
	 * then stopped, SIGTERM first, SIGKILL a second later.
	 */
	bool (*done)(void *ctx);
};

struct vmm_proc_result {
	bool timed_out;		/* killed at the deadline */
	bool stopped;		/* stopped because done() said so */
	bool not_found;		/* the program could not be executed (exit 127) */
	int wstatus;		/* from waitpid */
	double seconds;		/* wall time, start to reaped */
};

/* 0, or -1 with errno when the process could not be started. */
int vmm_proc_run(const struct vmm_proc *p, struct vmm_proc_result *out);

#endif
