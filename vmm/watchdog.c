/* SPDX-License-Identifier: MIT */
#include <errno.h>
#include <pthread.h>
#include <signal.h>
#include <string.h>
#include <time.h>

#include "watchdog.h"

#define KICK_INTERVAL_NS 50000000L /* re-kick every 50 ms during the grace period */

static int kick_signal(void)
{
	return SIGRTMIN + 2;
}

static void kick_handler(int sig)
{
	(void)sig; /* interrupting the system call is the whole point */
}

int watchdog_init(struct vmm_err *err)
{
	struct sigaction sa;

	memset(&sa, 0, sizeof(sa));
	sa.sa_handler = kick_handler;
	sigemptyset(&sa.sa_mask);
	/* No SA_RESTART: KVM_RUN must return EINTR, not be restarted. */
	if (sigaction(kick_signal(), &sa, NULL))
		return vmm_err_sys(err, VMM_ERR_INTERNAL, "sigaction for the vCPU kick signal");
	return 0;
}

void watchdog_thread_prepare(void)
{
	sigset_t set;

	sigemptyset(&set);
	sigaddset(&set, kick_signal());
	pthread_sigmask(SIG_UNBLOCK, &set, NULL);
}

static struct timespec deadline_after(double sec)
{
	struct timespec t;

	clock_gettime(CLOCK_MONOTONIC, &t);
	t.tv_sec += (time_t)sec;
	t.tv_nsec += (long)((sec - (double)(time_t)sec) * 1e9);
	if (t.tv_nsec >= 1000000000L) {
		t.tv_sec++;
		t.tv_nsec -= 1000000000L;
	}
	return t;
}

static bool before(const struct timespec *a, const struct timespec *b)
{
	return a->tv_sec < b->tv_sec || (a->tv_sec == b->tv_sec && a->tv_nsec < b->tv_nsec);
}

bool watchdog_wait(struct vm *vm, double timeout_sec)
{
	struct timespec deadline = deadline_after(timeout_sec);
	bool done;

	pthread_mutex_lock(&vm->lock);
	while (!vm->done) {
		if (pthread_cond_timedwait(&vm->cond, &vm->lock, &deadline) == ETIMEDOUT)
			break;
	}
	done = vm->done;
	pthread_mutex_unlock(&vm->lock);
	return done;
}

static void kick_all(struct vm *vm)
{
	for (unsigned int i = 0; i < vm->nr_vcpus; i++) {
		struct vcpu *v = &vm->vcpus[i];

		if (!v->started)
			continue;
		v->run->immediate_exit = 1;
		pthread_kill(v->thread, kick_signal());
	}
}

void watchdog_stop(struct vm *vm, double grace_sec)
{
	struct timespec deadline = deadline_after(grace_sec);

	atomic_store(&vm->stopping, true);
	pthread_mutex_lock(&vm->lock);
	while (vm->threads_running) {
		struct timespec now, next;

		/* A thread waiting in user-space hlt emulation waits on vm->cond. */
		pthread_cond_broadcast(&vm->cond);
		kick_all(vm);
		clock_gettime(CLOCK_MONOTONIC, &now);
		if (!before(&now, &deadline))
			break;
		next = deadline_after(KICK_INTERVAL_NS / 1e9);
		if (before(&deadline, &next))
			next = deadline;
		pthread_cond_timedwait(&vm->cond, &vm->lock, &next);
	}
	pthread_mutex_unlock(&vm->lock);
	for (unsigned int i = 0; i < vm->nr_vcpus; i++) {
		struct vcpu *v = &vm->vcpus[i];

		/* A thread still inside KVM_RUN cannot be joined; leave it be. */
		if (v->started && atomic_load(&v->exited)) {
			pthread_join(v->thread, NULL);
			v->started = false;
		}
	}
}
