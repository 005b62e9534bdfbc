/* SPDX-License-Identifier: MIT */
/*
 * One repetition of one cell (workload x mode x CPL): a boot of the bench
 * payload under refvmm, or a native measurement, and what it produced.
 */
#ifndef REP_H
#define REP_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "host.h"
#include "pin.h"

enum rep_status { REP_OK, REP_UNAVAILABLE, REP_HANG, REP_CRASH, REP_ERROR };

const char *rep_status_name(enum rep_status s);

struct rep_opts {
	double target_ms;	/* time the samples should take */
	uint64_t batch;		/* 0: the guest calibrates */
	size_t max_samples;
	double timeout_s;
	const struct pin_plan *pin;
	const uint8_t *payload;	/* bench.elf */
	size_t payload_size;
};

/* Per-operation costs from the KVM statistics and CPU clocks at the marks. */
struct rep_costs {
	bool valid;
	double stats[BENCH_NR_STATS];	/* per operation, -1 when KVM has no such counter */
	double user_exits;
	double vcpu_cpu_ns, device_cpu_ns;	/* CPU time per operation */
	double wall_ns;				/* wall time per operation */
};

struct rep {
	enum rep_status status;
	char why[512];		/* not OK: what happened, one line */
	double *ns;		/* ns per operation, n of them */
	size_t n;
	uint64_t batch, ops;
	double timer_ns;	/* the timer's own cost (per sample) */
	double corr_ns;		/* subtracted from each batch before dividing */
	struct rep_costs costs;
	char notes[4][256];
	unsigned int nr_notes;
};

void rep_free(struct rep *r);

/* Run one repetition under refvmm. */
void rep_run_refvmm(const struct workload *w, enum bench_mode mode, unsigned int cpl,
		    const struct rep_opts *o, struct rep *out);

/* Run one repetition natively (mode native). */
void rep_run_native(const struct workload *w, const struct rep_opts *o, struct rep *out);

#endif
