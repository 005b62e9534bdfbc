/* SPDX-License-Identifier: MIT */
/*
 * Native baselines: each guest workload's operation done by a host process.
 *
 * Every operation is a small set of hooks: open/close bracket a whole
 * measurement (signal handler, peer thread), prepare/finish bracket each
 * batch outside the timed region (fresh mappings), and run is the timed
 * loop.  One timing path serves all of them, so every baseline pays the
 * same clock, the same overhead correction and the same warm-up.
 */
#include "native.h"
#include "native_impl.h"
#include "thread_pin.h"

#include <cpuid.h>
#include <errno.h>
#include <pthread.h>
#include <sched.h>
#include <signal.h>
#include <stdarg.h>
#include <stdatomic.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/eventfd.h>
#include <sys/mman.h>
#include <sys/prctl.h>
#include <sys/syscall.h>
#include <time.h>
#include <ucontext.h>
#include <unistd.h>

#ifndef __x86_64__
#error "the native baselines use x86-64 instructions"
#endif

/* Page-touch maps batch pages at once: cap it at 1 GiB so a large target cannot exhaust RAM. */
#define NATIVE_PAGES_MAX	(UINT64_C(1) << 18)
#define NATIVE_CLOCK_PAIRS	1000
/* Long enough for the frequency governor, caches and TLB to settle; at least one batch runs. */
#define NATIVE_WARMUP_NS	1000000.0
/* The guest's timer-deadline arms its deadline delay_us (default 50) ahead: so do we. */
#define NATIVE_DEADLINE_AHEAD_NS	50000.0
/* Each timer-deadline operation sleeps 50 us: 4096 of them are a batch of about 0.2 s. */
#define NATIVE_SLEEPS_MAX	(UINT64_C(1) << 12)
/*
 * thread-signal: as irq-inject's injector, 50 us between sends so the peer
 * is asleep again.  An eventfd write is never lost, so a late wake-up is a
 * sample like any other, however long: only a peer that has not run for
 * 5 s is taken for hung (an injector's MSI can be lost; it gives up after
 * 100 ms and counts the loss).
 */
#define NATIVE_SIGNAL_GAP_NS	50000.0
#define NATIVE_ACK_TIMEOUT_NS	UINT64_C(5000000000)

/* Defined below, after the operations; native_ops points at its rows. */
static const struct native_impl native_impls[NATIVE_NR];

#define OP(id, name_, what_, ...) \
	[NATIVE_##id] = { .name = name_, .what = what_, .impl = &native_impls[NATIVE_##id], \
			  __VA_ARGS__ }

const struct native_op native_ops[NATIVE_NR + 1] = {
	OP(TIMER, "timer", "an empty loop iteration: the loop and clock cost only"),
	OP(CPUID, "cpuid", "cpuid leaf 0 in a host process (serialising; may trap)"),
	OP(RDTSC, "rdtsc", "the rdtsc instruction in a host process"),
	OP(RDTSCP, "rdtscp", "the rdtscp instruction in a host process"),
	OP(PAUSE, "pause", "the pause instruction in a host process"),
	OP(UD2_SIGNAL, "ud2-signal",
	   "ud2 caught by a SIGILL handler that skips it: an exception round trip"),
	OP(PAGE_TOUCH, "page-touch", "first write to a fresh anonymous 4 KiB page: a page fault"),
	OP(SYSCALL, "syscall",
	   "syscall(SYS_getppid): a privilege transition to the kernel and back"),
	OP(THREAD_WAKE, "thread-wake",
	   "eventfd ping-pong between two threads: one wake-up round trip", .peer = true),
	OP(THREAD_SIGNAL, "thread-signal",
	   "eventfd write to a thread asleep in read, which stores an acknowledgement the "
	   "writer spins on: one wake-up, send to store",
	   .wait_ns = NATIVE_SIGNAL_GAP_NS, .peer = true),
	OP(THREAD_SIGNAL_BUSY, "thread-signal-busy",
	   "as thread-signal, with a SCHED_IDLE thread spinning on the sleeper's CPU: the "
	   "wake-up of a busy CPU, which never idles",
	   .wait_ns = NATIVE_SIGNAL_GAP_NS, .peer = true),
	OP(TIMER_DEADLINE, "timer-deadline",
	   "clock_nanosleep(TIMER_ABSTIME) to a CLOCK_MONOTONIC deadline 50 us ahead, timer "
	   "slack 1 ns: wake-up minus deadline",
	   .wait_ns = NATIVE_DEADLINE_AHEAD_NS),
	[NATIVE_NR] = { .name = NULL },
};

#undef OP

__attribute__((format(printf, 3, 4)))
static void why_set(char *why, size_t why_len, const char *fmt, ...)
{
	va_list ap;

	if (!why || !why_len)
		return;
	va_start(ap, fmt);
	vsnprintf(why, why_len, fmt, ap);
	va_end(ap);
}

static uint64_t clock_now_ns(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (uint64_t)ts.tv_sec * 1000000000u + (uint64_t)ts.tv_nsec;
}

static int u64_cmp(const void *a, const void *b)
{
	uint64_t x = *(const uint64_t *)a, y = *(const uint64_t *)b;

	return (x > y) - (x < y);
}

/*
 * What a back-to-back pair of clock reads costs: the median, so an
 * interrupt landing in a few pairs does not inflate the correction.
 */
static double clock_overhead_ns(void)
{
	uint64_t d[NATIVE_CLOCK_PAIRS];

	for (size_t i = 0; i < NATIVE_CLOCK_PAIRS; i++) {
		uint64_t t0 = clock_now_ns();

		d[i] = clock_now_ns() - t0;
	}
	qsort(d, NATIVE_CLOCK_PAIRS, sizeof(d[0]), u64_cmp);
	return (d[NATIVE_CLOCK_PAIRS / 2 - 1] + d[NATIVE_CLOCK_PAIRS / 2]) / 2.0;
}

/* ---- timer, cpuid, rdtsc, rdtscp, pause: one instruction per iteration ---- */

static int timer_run(struct native_ctx *ctx, uint64_t batch)
{
	(void)ctx;
	/* The empty asm keeps the compiler from deleting or collapsing the loop. */
	for (uint64_t i = 0; i < batch; i++)
		asm volatile("" ::: "memory");
	return 0;
}

static int cpuid_run(struct native_ctx *ctx, uint64_t batch)
{
	uint32_t a, b, c, d;

	(void)ctx;
	for (uint64_t i = 0; i < batch; i++)
		asm volatile("cpuid"
			     : "=a"(a), "=b"(b), "=c"(c), "=d"(d)
			     : "a"(0), "c"(0)
			     : "memory");
	return 0;
}

static int rdtsc_run(struct native_ctx *ctx, uint64_t batch)
{
	uint32_t lo, hi;

	(void)ctx;
	for (uint64_t i = 0; i < batch; i++)
		asm volatile("rdtsc" : "=a"(lo), "=d"(hi) : : "memory");
	return 0;
}

static int rdtscp_open(struct native_ctx *ctx, char *why, size_t why_len)
{
	unsigned int a, b, c, d;

	(void)ctx;
	/* __get_cpuid checks the maximum extended leaf first. */
	if (!__get_cpuid(0x80000001, &a, &b, &c, &d) || !(d & (1u << 27))) {
		why_set(why, why_len, "rdtscp unavailable: CPUID.80000001H:EDX[27] (RDTSCP) "
			"is clear on this CPU");
		return -1;
	}
	return 0;
}

static int rdtscp_run(struct native_ctx *ctx, uint64_t batch)
{
	uint32_t lo, hi, aux;

	(void)ctx;
	for (uint64_t i = 0; i < batch; i++)
		asm volatile("rdtscp" : "=a"(lo), "=d"(hi), "=c"(aux) : : "memory");
	return 0;
}

static int pause_run(struct native_ctx *ctx, uint64_t batch)
{
	(void)ctx;
	for (uint64_t i = 0; i < batch; i++)
		asm volatile("pause" ::: "memory");
	return 0;
}

/* ---- ud2-signal: #UD delivered as SIGILL, handler skips the instruction ---- */

static void ud2_handler(int sig, siginfo_t *si, void *uctx)
{
	ucontext_t *uc = uctx;
	const unsigned char *rip = (const unsigned char *)uc->uc_mcontext.gregs[REG_RIP];

	(void)si;
	/*
	 * Skip only our own ud2.  Any other SIGILL is a real fault: fall back
	 * to the default action and return, so it re-executes and kills the
	 * process as it would have without us.
	 */
	if (rip[0] == 0x0f && rip[1] == 0x0b) {
		uc->uc_mcontext.gregs[REG_RIP] += 2;
		return;
	}
	signal(sig, SIG_DFL);
}

static int ud2_open(struct native_ctx *ctx, char *why, size_t why_len)
{
	struct sigaction sa = { .sa_sigaction = ud2_handler, .sa_flags = SA_SIGINFO };
	sigset_t ill;
	int err;

	sigemptyset(&sa.sa_mask);
	if (sigaction(SIGILL, &sa, &ctx->old_sigill)) {
		why_set(why, why_len, "sigaction(SIGILL) failed: %s", strerror(errno));
		return -1;
	}
	/* A blocked synchronous SIGILL kills the process instead of reaching the handler. */
	sigemptyset(&ill);
	sigaddset(&ill, SIGILL);
	err = pthread_sigmask(SIG_UNBLOCK, &ill, &ctx->old_mask);
	if (err) {
		sigaction(SIGILL, &ctx->old_sigill, NULL);
		why_set(why, why_len, "pthread_sigmask failed: %s", strerror(err));
		return -1;
	}
	return 0;
}

static int ud2_run(struct native_ctx *ctx, uint64_t batch)
{
	(void)ctx;
	for (uint64_t i = 0; i < batch; i++)
		asm volatile("ud2" ::: "memory");
	return 0;
}

static void ud2_close(struct native_ctx *ctx)
{
	pthread_sigmask(SIG_SETMASK, &ctx->old_mask, NULL);
	sigaction(SIGILL, &ctx->old_sigill, NULL);
}

/* ---- page-touch: a fresh mapping per batch, faulted in under the clock ---- */

static int pages_open(struct native_ctx *ctx, char *why, size_t why_len)
{
	long pg = sysconf(_SC_PAGESIZE);

	if (pg <= 0) {
		why_set(why, why_len, "sysconf(_SC_PAGESIZE) failed");
		return -1;
	}
	ctx->page_size = (size_t)pg;
	return 0;
}

static int pages_prepare(struct native_ctx *ctx, uint64_t batch, char *why, size_t why_len)
{
	size_t len = (size_t)batch * ctx->page_size;
	void *p;

	/* No MAP_POPULATE: the first write is what we time. */
	p = mmap(NULL, len, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
	if (p == MAP_FAILED) {
		why_set(why, why_len, "mmap of %llu pages failed: %s", (unsigned long long)batch,
			strerror(errno));
		return -1;
	}
	/*
	 * A transparent huge page would turn one fault into 512 pages' worth.
	 * EINVAL means the kernel has no THP, which is what we want anyway.
	 */
	if (madvise(p, len, MADV_NOHUGEPAGE) && errno != EINVAL) {
		why_set(why, why_len, "madvise(MADV_NOHUGEPAGE) failed: %s", strerror(errno));
		munmap(p, len);
		return -1;
	}
	ctx->pages = p;
	ctx->pages_len = len;
	return 0;
}

static int pages_run(struct native_ctx *ctx, uint64_t batch)
{
	volatile char *p = ctx->pages;

	for (uint64_t i = 0; i < batch; i++)
		p[i * ctx->page_size] = 1;
	return 0;
}

static void pages_finish(struct native_ctx *ctx)
{
	munmap(ctx->pages, ctx->pages_len);
	ctx->pages = NULL;
	ctx->pages_len = 0;
}

/* ---- syscall ---- */

static int syscall_run(struct native_ctx *ctx, uint64_t batch)
{
	(void)ctx;
	for (uint64_t i = 0; i < batch; i++)
		syscall(SYS_getppid);
	return 0;
}

/* ---- thread-wake: eventfd ping-pong with a peer thread ---- */

static int efd_write(int fd)
{
	uint64_t one = 1;
	ssize_t n;

	do
		n = write(fd, &one, sizeof(one));
	while (n < 0 && errno == EINTR);
	return n == sizeof(one) ? 0 : -1;
}

static int efd_read(int fd)
{
	uint64_t v;
	ssize_t n;

	do
		n = read(fd, &v, sizeof(v));
	while (n < 0 && errno == EINTR);
	return n == sizeof(v) ? 0 : -1;
}

static void *wake_peer(void *arg)
{
	struct native_ctx *ctx = arg;

	for (;;) {
		if (efd_read(ctx->ping_fd)) {
			atomic_store(&ctx->peer_err, errno ? errno : EIO);
			break;
		}
		if (atomic_load(&ctx->peer_stop))
			return NULL;
		if (efd_write(ctx->pong_fd)) {
			atomic_store(&ctx->peer_err, errno ? errno : EIO);
			return NULL;
		}
	}
	/* Wake the main thread rather than leave it blocked on a pong that never comes. */
	efd_write(ctx->pong_fd);
	return NULL;
}

/*
 * The peer inherits the caller's CPU affinity, and the answer depends on it:
 * on the 2-vCPU development VM a round trip is ~7 us with both threads on one
 * CPU but ~200-300 us when the wake-up crosses to an idle vCPU (an IPI through
 * the hypervisor underneath).  The runner pins and records; we do not.
 */
static int peer_open(struct native_ctx *ctx, void *(*peer)(void *), char *why, size_t why_len)
{
	int err;

	ctx->ping_fd = eventfd(0, EFD_CLOEXEC);
	ctx->pong_fd = eventfd(0, EFD_CLOEXEC);
	if (ctx->ping_fd < 0 || ctx->pong_fd < 0) {
		why_set(why, why_len, "eventfd failed: %s", strerror(errno));
		goto fail;
	}
	atomic_init(&ctx->peer_stop, 0);
	atomic_init(&ctx->peer_err, 0);
	atomic_init(&ctx->acks, 0);
	err = pthread_create(&ctx->peer, NULL, peer, ctx);
	if (err) {
		why_set(why, why_len, "pthread_create failed: %s", strerror(err));
		goto fail;
	}
	thread_pin(ctx->peer, ctx->peer_cpu);
	return 0;
fail:
	if (ctx->ping_fd >= 0)
		close(ctx->ping_fd);
	if (ctx->pong_fd >= 0)
		close(ctx->pong_fd);
	return -1;
}

static int wake_open(struct native_ctx *ctx, char *why, size_t why_len)
{
	return peer_open(ctx, wake_peer, why, why_len);
}

static int wake_run(struct native_ctx *ctx, uint64_t batch)
{
	for (uint64_t i = 0; i < batch; i++) {
		if (efd_write(ctx->ping_fd) || efd_read(ctx->pong_fd))
			return -1;
		if (atomic_load_explicit(&ctx->peer_err, memory_order_relaxed)) {
			errno = atomic_load(&ctx->peer_err);
			return -1;
		}
	}
	return 0;
}

/* Both kinds of peer: told to stop, woken to see it, joined. */
static void peer_close(struct native_ctx *ctx)
{
	atomic_store(&ctx->peer_stop, 1);
	efd_write(ctx->ping_fd);
	pthread_join(ctx->peer, NULL);
	close(ctx->ping_fd);
	close(ctx->pong_fd);
}

/*
 * ---- thread-signal: irq-inject's shape between host threads ----
 *
 * The injector sends, then spins on the guest's acknowledgement in memory:
 * one wake-up of an idle receiver, and nothing on the way back.  Here the
 * receiver sleeps in read(2) on an eventfd and its acknowledgement is a
 * counter the sender spins on, the sends GAP apart as the injector's are.
 */
static void *signal_peer(void *arg)
{
	struct native_ctx *ctx = arg;

	for (;;) {
		if (efd_read(ctx->ping_fd)) {
			atomic_store(&ctx->peer_err, errno ? errno : EIO);
			return NULL;
		}
		if (atomic_load(&ctx->peer_stop))
			return NULL;
		atomic_fetch_add_explicit(&ctx->acks, 1, memory_order_release);
	}
}

static int signal_open(struct native_ctx *ctx, char *why, size_t why_len)
{
	return peer_open(ctx, signal_peer, why, why_len);
}

/*
 * thread-signal-busy: the receiver's CPU never idles.  A SCHED_IDLE thread
 * spins there, so the wake-up preempts a running thread instead of
 * bringing a halted CPU back: inside a VM, the IPI to a running vCPU
 * against the halt exit, halt-polling and wake of an idle one.
 */
static void *busy_spinner(void *arg)
{
	struct native_ctx *ctx = arg;
	const struct sched_param idle = { 0 };

	pthread_setschedparam(pthread_self(), SCHED_IDLE, &idle);
	while (!atomic_load_explicit(&ctx->peer_stop, memory_order_relaxed))
		asm volatile("pause");
	return NULL;
}

static int signal_busy_open(struct native_ctx *ctx, char *why, size_t why_len)
{
	int err;

	if (ctx->peer_cpu < 0) {
		why_set(why, why_len, "needs the receiver pinned to a CPU of its own, to keep busy");
		return -1;
	}
	if (peer_open(ctx, signal_peer, why, why_len))
		return -1;
	err = pthread_create(&ctx->spinner, NULL, busy_spinner, ctx);
	if (err) {
		why_set(why, why_len, "pthread_create failed: %s", strerror(err));
		peer_close(ctx);
		return -1;
	}
	thread_pin(ctx->spinner, ctx->peer_cpu);
	return 0;
}

static void signal_busy_close(struct native_ctx *ctx)
{
	peer_close(ctx);	/* sets peer_stop, which the spinner reads too */
	pthread_join(ctx->spinner, NULL);
}

static int signal_run(struct native_ctx *ctx, uint64_t batch)
{
	const struct timespec gap = { 0, (long)NATIVE_SIGNAL_GAP_NS };
	uint64_t sum = 0;

	for (uint64_t i = 0; i < batch; i++) {
		uint64_t ack = atomic_load_explicit(&ctx->acks, memory_order_acquire), t0, t1;

		nanosleep(&gap, NULL);
		t0 = clock_now_ns();
		if (efd_write(ctx->ping_fd))
			return -1;
		do
			t1 = clock_now_ns();
		while (atomic_load_explicit(&ctx->acks, memory_order_acquire) == ack &&
		       !atomic_load_explicit(&ctx->peer_err, memory_order_relaxed) &&
		       t1 - t0 < NATIVE_ACK_TIMEOUT_NS);
		if (atomic_load_explicit(&ctx->acks, memory_order_acquire) == ack) {
			int err = atomic_load(&ctx->peer_err);

			errno = err ? err : ETIMEDOUT;
			return -1;
		}
		sum += t1 - t0;
	}
	ctx->own_ns = sum;
	return 0;
}

/* ---- timer-deadline: an absolute sleep, timed by how late it wakes ---- */

/*
 * The kernel may defer a sleeper's wake-up by its timer slack (50 us by
 * default) to batch timers: that is policy, not latency, and the guest's
 * TSC-deadline timer has none.  1 ns is the smallest slack a normal thread
 * can ask for (0 means "the default"); this thread only, put back after.
 */
static int deadline_open(struct native_ctx *ctx, char *why, size_t why_len)
{
	int old = prctl(PR_GET_TIMERSLACK, 0, 0, 0, 0);

	if (old < 0) {
		why_set(why, why_len, "prctl(PR_GET_TIMERSLACK) failed: %s", strerror(errno));
		return -1;
	}
	if (prctl(PR_SET_TIMERSLACK, 1, 0, 0, 0)) {
		why_set(why, why_len, "prctl(PR_SET_TIMERSLACK, 1) failed: %s", strerror(errno));
		return -1;
	}
	ctx->old_slack = old;
	return 0;
}

/*
 * As the guest does: arm a deadline a fixed distance from now, wait, and
 * sum wake-up minus deadline.  The wake-up time is the first clock read
 * back in the process, as the guest's is the first rdtsc in its handler.
 */
static int deadline_run(struct native_ctx *ctx, uint64_t batch)
{
	uint64_t late = 0;

	for (uint64_t i = 0; i < batch; i++) {
		uint64_t deadline = clock_now_ns() + (uint64_t)NATIVE_DEADLINE_AHEAD_NS, woke;
		struct timespec ts = { .tv_sec = (time_t)(deadline / 1000000000u),
				       .tv_nsec = (long)(deadline % 1000000000u) };
		int err;

		/* An absolute deadline survives a signal: sleep again to the same one. */
		do
			err = clock_nanosleep(CLOCK_MONOTONIC, TIMER_ABSTIME, &ts, NULL);
		while (err == EINTR);
		woke = clock_now_ns();
		if (err) {
			errno = err;
			return -1;
		}
		late += woke > deadline ? woke - deadline : 0;
	}
	ctx->own_ns = late;
	return 0;
}

static void deadline_close(struct native_ctx *ctx)
{
	prctl(PR_SET_TIMERSLACK, (unsigned long)ctx->old_slack, 0, 0, 0);
}

static const struct native_impl native_impls[NATIVE_NR] = {
	[NATIVE_TIMER] = { .run = timer_run },
	[NATIVE_CPUID] = { .run = cpuid_run },
	[NATIVE_RDTSC] = { .run = rdtsc_run },
	[NATIVE_RDTSCP] = { .open = rdtscp_open, .run = rdtscp_run },
	[NATIVE_PAUSE] = { .run = pause_run },
	[NATIVE_UD2_SIGNAL] = { .open = ud2_open, .run = ud2_run, .close = ud2_close },
	[NATIVE_PAGE_TOUCH] = { .open = pages_open, .prepare = pages_prepare, .run = pages_run,
				.finish = pages_finish, .max_batch = NATIVE_PAGES_MAX },
	[NATIVE_SYSCALL] = { .run = syscall_run },
	[NATIVE_THREAD_WAKE] = { .open = wake_open, .run = wake_run, .close = peer_close },
	[NATIVE_THREAD_SIGNAL] = { .open = signal_open, .run = signal_run, .close = peer_close,
				   .max_batch = NATIVE_SLEEPS_MAX },
	[NATIVE_THREAD_SIGNAL_BUSY] = { .open = signal_busy_open, .run = signal_run,
					.close = signal_busy_close, .max_batch = NATIVE_SLEEPS_MAX },
	[NATIVE_TIMER_DEADLINE] = { .open = deadline_open, .run = deadline_run,
				    .close = deadline_close, .max_batch = NATIVE_SLEEPS_MAX },
};

/* ---- the common timing path ---- */

/* native_ops' operation called name, or NULL having said why. */
static const struct native_op *native_lookup(const char *name, char *why, size_t why_len)
{
	const struct native_op *op = native_op_find(name);

	if (!op)
		why_set(why, why_len, "no native baseline named '%s'", name ? name : "(null)");
	return op;
}

static uint64_t native_max_batch(const struct native_impl *impl)
{
	return impl->max_batch ? impl->max_batch : NATIVE_BATCH_MAX;
}

/* One batch: prepare and finish outside the clock, run inside it.  *ns is raw elapsed time. */
static int native_time_batch(const struct native_impl *impl, struct native_ctx *ctx,
			     uint64_t batch, double *ns, char *why, size_t why_len)
{
	uint64_t t0, t1;
	int ret, err;

	if (impl->prepare && impl->prepare(ctx, batch, why, why_len))
		return -1;
	t0 = clock_now_ns();
	ret = impl->run(ctx, batch);
	err = errno;	/* before the clock read can disturb it */
	t1 = clock_now_ns();
	if (ret)
		why_set(why, why_len, "the timed loop failed: %s", strerror(err));
	if (impl->finish)
		impl->finish(ctx);
	*ns = (double)(t1 - t0);
	return ret;
}

static int native_warm_up(const struct native_impl *impl, struct native_ctx *ctx,
			  uint64_t batch, char *why, size_t why_len)
{
	uint64_t start = clock_now_ns();
	double ns;

	do {
		if (native_time_batch(impl, ctx, batch, &ns, why, why_len))
			return -1;
	} while (clock_now_ns() - start < NATIVE_WARMUP_NS);
	return 0;
}

static int native_open(const struct native_impl *impl, struct native_ctx *ctx, int peer_cpu,
		       char *why, size_t why_len)
{
	*ctx = (struct native_ctx){ .ping_fd = -1, .pong_fd = -1, .peer_cpu = peer_cpu };
	return impl->open ? impl->open(ctx, why, why_len) : 0;
}

static void native_close(const struct native_impl *impl, struct native_ctx *ctx)
{
	if (impl->close)
		impl->close(ctx);
}

int native_measure(const char *name, uint64_t batch, size_t nsamples, double *samples,
		   double *timer_ns, char *why, size_t why_len)
{
	return native_measure_peer(name, batch, nsamples, samples, timer_ns, -1, why, why_len);
}

int native_measure_peer(const char *name, uint64_t batch, size_t nsamples, double *samples,
			double *timer_ns, int peer_cpu, char *why, size_t why_len)
{
	const struct native_op *op = native_lookup(name, why, why_len);

	return op ? native_op_measure(op, batch, nsamples, samples, timer_ns, peer_cpu, why,
				      why_len) : -1;
}

int native_op_measure(const struct native_op *op, uint64_t batch, size_t nsamples,
		      double *samples, double *timer_ns, int peer_cpu, char *why, size_t why_len)
{
	const struct native_impl *impl = op->impl;
	bool self_timed = op->wait_ns > 0;
	struct native_ctx ctx;
	double overhead, ns;
	int ret = 0;

	if (batch < 1 || batch > native_max_batch(impl)) {
		why_set(why, why_len, "batch %llu for '%s' is outside 1..%llu",
			(unsigned long long)batch, op->name,
			(unsigned long long)native_max_batch(impl));
		return -1;
	}
	if (nsamples && !samples) {
		why_set(why, why_len, "no buffer for %zu samples", nsamples);
		return -1;
	}
	if (native_open(impl, &ctx, peer_cpu, why, why_len))
		return -1;
	overhead = clock_overhead_ns();
	if (timer_ns)
		*timer_ns = overhead;
	ret = native_warm_up(impl, &ctx, batch, why, why_len);
	for (size_t i = 0; !ret && i < nsamples; i++) {
		ret = native_time_batch(impl, &ctx, batch, &ns, why, why_len);
		/*
		 * A self-timed op's figure is its own, nothing subtracted (as the
		 * guest's).  Otherwise a batch faster than the median clock pair
		 * is noise around zero, not negative.
		 */
		if (self_timed)
			samples[i] = (double)ctx.own_ns / (double)batch;
		else
			samples[i] = ns > overhead ? (ns - overhead) / (double)batch : 0.0;
	}
	native_close(impl, &ctx);
	return ret;
}

uint64_t native_calibrate(const char *name, double target_ns)
{
	const struct native_op *op = native_lookup(name, NULL, 0);

	return op ? native_op_calibrate(op, target_ns, -1) : 1;
}

uint64_t native_op_calibrate(const struct native_op *op, double target_ns, int peer_cpu)
{
	const struct native_impl *impl = op->impl;
	struct native_ctx ctx;
	uint64_t batch = 1, max;
	double overhead, ns;

	/* The negated test also sends NaN to the smallest batch. */
	if (!(target_ns > 0))
		return 1;
	if (native_open(impl, &ctx, peer_cpu, NULL, 0))
		return 1;
	overhead = clock_overhead_ns();
	max = native_max_batch(impl);
	/* A cold first batch (first fault, first signal, first wake-up) would stop us too early. */
	if (native_warm_up(impl, &ctx, 1, NULL, 0))
		goto out;
	for (; batch < max; batch *= 2) {
		if (native_time_batch(impl, &ctx, batch, &ns, NULL, 0))
			break;
		if (ns - overhead >= target_ns)
			break;
	}
out:
	native_close(impl, &ctx);
	return batch;
}

const struct native_op *native_op_find(const char *name)
{
	for (size_t i = 0; name && native_ops[i].name; i++)
		if (!strcmp(native_ops[i].name, name))
			return &native_ops[i];
	return NULL;
}
