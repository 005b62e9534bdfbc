/* SPDX-License-Identifier: MIT */
/*
 * One repetition of one cell (workload x mode x CPL x target): a boot of
 * the bench payload on a target (targets/target.h), or a native
 * measurement, and what it produced.
 */
#ifndef REP_H
#define REP_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include <jansson.h>

#include "host.h"
#include "load.h"
#include "pin.h"
#include "target.h"

struct payload;

struct rep_probes;

/* From REP_HANG on, a failure: the run exits 1. */
enum rep_status { REP_OK, REP_UNAVAILABLE, REP_HANG, REP_CRASH, REP_ERROR };

const char *rep_status_name(enum rep_status s);

struct rep_opts {
	double target_ms;	/* time the samples should take */
	uint64_t batch;		/* 0: the guest calibrates */
	size_t max_samples;
	double timeout_s;
	const struct pin_plan *pin;
	const struct payload *payload;	/* bench.elf */
	struct rep_probes *probes; /* host-side probes (refvmm, qemu-kvm, vmm-cmd), or NULL */
	uint32_t debug_pio_delay_ns; /* refvmm: vm_config.debug_pio_delay_ns (0: honest) */
	uint32_t kvm_tsc_khz;	/* KVM's guest TSC rate, told to payloads under external VMMs */
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
	const char *hang_insn;	/* HANG under refvmm: the instruction vCPU 0 stopped on, if known */
	double *ns;		/* ns per operation, n of them */
	size_t n;
	uint64_t batch, ops;
	double timer_ns;	/* the timer's own cost (per sample) */
	double frame_ns;	/* the loop around one operation, measured empty */
	double corr_ns;		/* subtracted from each batch before dividing */
	struct rep_costs costs;
	double seconds;		/* wall time of the whole repetition (boot to teardown) */
	double at_s;		/* when it began, seconds after the run's first repetition */
	char notes[4][256];
	unsigned int nr_notes;
	json_t *probes;		/* refvmm: the probes' section for this repetition, or NULL */
	struct load_window load;	/* what else the machine did meanwhile (host/load.h) */
};

void rep_free(struct rep *r);

/* Set a failed status and its one-line reason. */
void rep_fail(struct rep *r, enum rep_status s, const char *fmt, ...)
	__attribute__((format(printf, 3, 4)));
/* Keep a note (host half or payload), if there is room. */
void rep_note(struct rep *r, const char *text);

double rep_cycles_to_ns(double cycles, uint64_t tsc_khz);

/* The bench payload's command line for one repetition. */
void rep_cmdline(char *buf, size_t len, const struct workload *w, enum bench_mode mode,
		 unsigned int cpl, const struct rep_opts *o, uint32_t tsc_khz);

struct proto_result;
/* Samples: cycles per batch minus the timer's cost, over the batch, in ns. */
int rep_samples_from_proto(const struct proto_result *p, uint64_t tsc_khz, struct rep *out);

struct target_outcome;
/*
 * The repetition's status from a boot's outcome (and the payload's records,
 * which may say what went wrong): a hang, a crash, a failure of the VMM, or
 * the payload's own failing status.  Leaves out->status REP_OK when the
 * payload ended well; its records are then read by rep_records.
 */
void rep_judge(struct rep *out, const struct target *t, double timeout_s,
	       const struct target_outcome *o, const struct proto_result *p);

/*
 * After an ok boot: the payload's notes kept, its records checked
 * (proto_finish), an unavailable record or the samples taken.  The
 * samples are the records' unless the host made them (host_timed: the
 * caller's).
 */
void rep_records(struct rep *out, struct proto_result *p, uint64_t tsc_khz, bool host_timed);

/* Run one repetition on refvmm (in-process): the bench platform and host half around the boot. */
void rep_run_refvmm(const struct target *t, const struct workload *w, enum bench_mode mode,
		    unsigned int cpl, const struct rep_opts *o, struct rep *out);

/*
 * Run one repetition on an external VMM (QEMU, vmm-cmd), mode hvm: the
 * payload's records and marks on COM1, the probes on the VMM's threads.
 */
void rep_run_external(const struct target *t, const struct workload *w, unsigned int cpl,
		      const struct rep_opts *o, struct rep *out);

/* Run one repetition natively (mode native). */
void rep_run_native(const struct workload *w, const struct rep_opts *o, struct rep *out);

#endif
