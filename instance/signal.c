/* SPDX-License-Identifier: MIT */
/*
 * A signal to oneself: tgkill(2) queues SIGUSR1 for the calling thread,
 * and the return to user space delivers it to a handler that counts it,
 * whose sigreturn(2) is a second kernel entry.  Generation, the signal
 * frame's save and restore of the FPU state: kernel work a hypervisor
 * touches only through the entries (syscall-getppid) and the size of the
 * XSAVE state.  Its pair, exception-ud-signal, delivers a signal from a
 * #UD fault instead of a system call; KVM intercepts #UD (to emulate
 * instructions), so there the difference is mostly that exit.
 */
#include <errno.h>
#include <signal.h>
#include <stdatomic.h>
#include <stdlib.h>
#include <string.h>
#include <sys/syscall.h>
#include <unistd.h>

#include "native_impl.h"
#include "probe_lib.h"
#include "probes.h"

/*
 * A handler reaches no context but globals.  Only one measurement runs at
 * a time (the runner's), and a lost count fails the batch, never skews it.
 */
static atomic_ulong signal_count;

struct signal_self {
	pid_t pid, tid;
	struct sigaction old_action;
	sigset_t old_mask;
};

static void signal_count_handler(int sig)
{
	(void)sig;
	atomic_fetch_add_explicit(&signal_count, 1, memory_order_relaxed);
}

static int signal_self_open(struct native_ctx *ctx, char *why, size_t why_len)
{
	struct sigaction sa = { .sa_handler = signal_count_handler };
	struct signal_self *s = calloc(1, sizeof(*s));
	sigset_t usr1;
	int err;

	if (!s)
		return probe_why(why, why_len, "out of memory");
	s->pid = getpid();
	s->tid = (pid_t)syscall(SYS_gettid);
	sigemptyset(&sa.sa_mask);
	if (sigaction(SIGUSR1, &sa, &s->old_action)) {
		probe_why(why, why_len, "sigaction(SIGUSR1) failed: %s", strerror(errno));
		free(s);
		return -1;
	}
	/* A caller that blocks SIGUSR1 would leave every signal pending, never delivered. */
	sigemptyset(&usr1);
	sigaddset(&usr1, SIGUSR1);
	err = pthread_sigmask(SIG_UNBLOCK, &usr1, &s->old_mask);
	if (err) {
		sigaction(SIGUSR1, &s->old_action, NULL);
		free(s);
		return probe_why(why, why_len, "pthread_sigmask failed: %s", strerror(err));
	}
	ctx->priv = s;
	return 0;
}

static int signal_self_run(struct native_ctx *ctx, uint64_t batch)
{
	struct signal_self *s = ctx->priv;
	unsigned long before = atomic_load(&signal_count);

	/* An unblocked signal to oneself is delivered before tgkill returns to us. */
	for (uint64_t i = 0; i < batch; i++)
		if (syscall(SYS_tgkill, s->pid, s->tid, SIGUSR1))
			return -1;
	/* More is someone else's SIGUSR1, harmless; fewer would be a lost delivery. */
	if (atomic_load(&signal_count) - before < batch) {
		errno = EPROTO;
		return -1;
	}
	return 0;
}

static void signal_self_close(struct native_ctx *ctx)
{
	struct signal_self *s = ctx->priv;

	pthread_sigmask(SIG_SETMASK, &s->old_mask, NULL);
	sigaction(SIGUSR1, &s->old_action, NULL);
	free(s);
	ctx->priv = NULL;
}

static const struct native_impl signal_self_impl = {
	.open = signal_self_open,
	.run = signal_self_run,
	.close = signal_self_close,
};

const struct native_op instance_op_signal_self = {
	.name = "signal-self",
	.what = "tgkill(getpid(), gettid(), SIGUSR1) delivered to a counting handler: a "
		"signal's generation, delivery and sigreturn",
	.impl = &signal_self_impl,
};
