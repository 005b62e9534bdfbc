/* SPDX-License-Identifier: MIT */
/*
 * The contract between native.c's one timing path and an operation's
 * implementation, wherever it lives (native.c's own, the instance suite's
 * in instance/).  An operation is a set of hooks: open/close bracket a
 * whole measurement (signal handler, peer thread, buffers), prepare/finish
 * bracket each batch outside the timed region (fresh mappings), and run is
 * the timed loop.  The timing path calls them; nothing else does.
 */
#ifndef NATIVE_IMPL_H
#define NATIVE_IMPL_H

#include <pthread.h>
#include <signal.h>
#include <stdatomic.h>
#include <stddef.h>
#include <stdint.h>

/* What one measurement holds; lives on the timing path's stack, never in a global. */
struct native_ctx {
	/* page-touch: the batch's fresh mapping */
	char *pages;
	size_t pages_len;
	size_t page_size;
	/* ud2-signal: what to put back */
	struct sigaction old_sigill;
	sigset_t old_mask;
	/* thread-wake: ping wakes the peer, pong wakes us; thread-signal: ping only */
	int ping_fd, pong_fd;
	pthread_t peer;
	int peer_cpu;		/* where the peer runs, -1: where the caller may */
	atomic_int peer_stop;
	atomic_int peer_err;
	atomic_uint_fast64_t acks;	/* thread-signal: the peer's acknowledgements */
	pthread_t spinner;	/* thread-signal-busy: keeps the peer's CPU from idling */
	/* timer-deadline: the caller's timer slack */
	int old_slack;
	/* an operation outside native.c: its own state, which its open sets and close frees */
	void *priv;
	/* a self-timed op's own figure, summed over the batch */
	uint64_t own_ns;
};

struct native_impl {
	/* 0, or -1 with why[0..why_len) saying why the operation is unavailable here. */
	int (*open)(struct native_ctx *ctx, char *why, size_t why_len);
	int (*prepare)(struct native_ctx *ctx, uint64_t batch, char *why, size_t why_len);
	/* The timed loop: 0, or -1 with errno set. */
	int (*run)(struct native_ctx *ctx, uint64_t batch);
	void (*finish)(struct native_ctx *ctx);
	void (*close)(struct native_ctx *ctx);
	uint64_t max_batch;	/* 0: NATIVE_BATCH_MAX (native.h) */
};

#endif
