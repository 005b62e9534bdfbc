/* SPDX-License-Identifier: MIT */
/*
 * A repetition under refvmm: a fresh VM per sample set (boot costs ~5 ms),
 * the bench platform and the workload's host half, the bench payload with
 * the parameters on its command line, then the @hvb records turned into
 * nanoseconds per operation with the TSC rate KVM reports.
 *
 * vCPU threads are pinned where the placement plan says (vm_vcpu_pin).
 */
#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "hvbench/ports.h"
#include "mem_backing.h"
#include "proto.h"
#include "rep.h"
#include "rep_probes.h"

#define GUEST_MEM (64ull << 20)
#define GUEST_MEM_TOUCH (512ull << 20) /* page-touch: fresh pages to fault in */

static void console_to_proto(void *ctx, const char *line, size_t len)
{
	proto_line(ctx, line, len);
}

static int samples_host(struct bench_run *r, struct rep *out)
{
	out->ns = malloc((r->nr_host_samples ? r->nr_host_samples : 1) * sizeof(double));
	if (!out->ns)
		return -1;
	memcpy(out->ns, r->host_samples, r->nr_host_samples * sizeof(double));
	out->n = r->nr_host_samples;
	out->batch = 1;
	out->ops = r->nr_host_samples;
	return 0;
}

/*
 * Differences between the marks, per operation.  The end mark's own exit
 * (one exit, one io exit, one userspace exit) falls inside them and is taken
 * out.
 */
static void costs_compute(const struct bench_run *r, uint64_t ops, struct rep_costs *c)
{
	/* The end mark is a port write: one exit, one io exit (bench_stat_names order). */
	static const bool end_mark_counted[BENCH_NR_STATS] = { true, true };
	double wall;

	if (!r->ended || !ops)
		return;
	wall = (r->wall[1].tv_sec - r->wall[0].tv_sec) * 1e9 +
	       (r->wall[1].tv_nsec - r->wall[0].tv_nsec);
	for (int i = 0; i < BENCH_NR_STATS; i++) {
		double d = (double)(r->stats_end[i] - r->stats_begin[i]);

		if (r->stats_begin[i] < 0 || r->stats_end[i] < 0)
			c->stats[i] = -1;
		else
			c->stats[i] = (end_mark_counted[i] && d >= 1 ? d - 1 : d) / (double)ops;
	}
	c->user_exits = (double)(r->user_exits[1] - r->user_exits[0] - 1) / (double)ops;
	c->vcpu_cpu_ns = (double)(r->vcpu_cpu_ns[1] - r->vcpu_cpu_ns[0]) / (double)ops;
	c->device_cpu_ns = r->device_cpu_ns[1] >= r->device_cpu_ns[0] ?
		(double)(r->device_cpu_ns[1] - r->device_cpu_ns[0]) / (double)ops : -1;
	c->wall_ns = wall / (double)ops;
	c->valid = true;
}

static void outcome_judge(const struct vm_outcome *oc, struct rep *out)
{
	switch (oc->result) {
	case VM_RESULT_EXITED:
		if (oc->status == GUEST_STATUS_FAIL)
			rep_fail(out, REP_ERROR, "the payload reported a failure (status 1)");
		else if (oc->status != GUEST_STATUS_PASS)
			rep_fail(out, REP_CRASH, "the payload exited with status %u", oc->status);
		break;
	case VM_RESULT_HANG:
		rep_fail(out, REP_HANG, "%s", oc->reason);
		break;
	case VM_RESULT_CRASH:
		rep_fail(out, REP_CRASH, "%s", oc->reason);
		break;
	default:
		rep_fail(out, REP_ERROR, "%s", oc->reason);
		break;
	}
}

/* Where the hang happened, for the report: the vCPU's RIP and the instruction there. */
static void hang_detail(const struct vm *vm, struct rep *out)
{
	const struct vcpu_snapshot *s = &vm->vcpus[0].snap;
	const char *insn;
	size_t n = strlen(out->why);

	if (!s->valid)
		return;
	insn = vm_insn_name(s->insn, s->insn_len);
	out->hang_insn = insn;
	snprintf(out->why + n, sizeof(out->why) - n, "; vcpu 0 at RIP 0x%llx on %s",
		 (unsigned long long)s->regs.rip, insn ? insn : "an unrecognised instruction");
}

static void run_vm(struct bench_run *r, const struct rep_opts *o, struct proto_result *p,
		   struct rep *out)
{
	struct vmm_err err = { 0 };
	struct vm_outcome oc;
	char cmdline[256];

	if (bench_platform_setup(r, &err) || (r->w->host && r->w->host->setup(r, &err))) {
		rep_fail(out, err.kind == VMM_ERR_KVM ? REP_UNAVAILABLE : REP_ERROR, "%s", err.msg);
		return;
	}
	if (!r->vm->tsc_khz) {
		rep_fail(out, REP_UNAVAILABLE, "KVM does not report the guest TSC rate "
			 "(KVM_GET_TSC_KHZ), so guest cycles cannot be turned into time");
		return;
	}
	rep_cmdline(cmdline, sizeof(cmdline), r->w, r->mode, r->cpl, o, r->vm->tsc_khz);
	vm_console_set(r->vm, console_to_proto, p);
	if (vm_load_pvh(r->vm, o->payload, o->payload_size, cmdline, &err)) {
		rep_fail(out, REP_ERROR, "%s", err.msg);
		return;
	}
	for (unsigned int i = 0; o->pin && i < r->vm->nr_vcpus && (int)i < o->pin->nr_vcpus; i++)
		vm_vcpu_pin(r->vm, i, o->pin->vcpu_cpu[i]);
	vm_run(r->vm, o->timeout_s, &oc);
	outcome_judge(&oc, out);
	if (out->status == REP_HANG)
		hang_detail(r->vm, out);
}

/* After the run, while the guest's RAM is still mapped: what its first writes met. */
static void backing_note(const struct bench_run *r, char *note, size_t len)
{
	uintptr_t lo = (uintptr_t)r->vm->mem.host;
	struct mem_backing_select sel = { .lo = lo, .hi = lo + r->vm->mem.size };
	struct mem_backing b;
	int e = 0;

	note[0] = '\0';
	if (!r->w->memory_backing)
		return;
	if (mem_backing_read(0, &sel, &b))
		e = errno;
	mem_backing_note(r->w, "refvmm's guest RAM", &b, e, note, len);
}

/*
 * KVM's binary statistics over the same window as the probes (the marks), as
 * counts: the per-operation figures are in the cell's per_op.  null where
 * KVM has no such counter.
 */
static json_t *kvm_stats_json(const struct bench_run *r)
{
	json_t *o = json_object();

	for (int i = 0; i < BENCH_NR_STATS; i++)
		json_object_set_new(o, bench_stat_names[i],
				    r->stats_begin[i] < 0 || r->stats_end[i] < 0 ? json_null() :
				    json_integer(r->stats_end[i] - r->stats_begin[i]));
	return o;
}

void rep_run_refvmm(const struct workload *w, enum bench_mode mode, unsigned int cpl,
		    const struct rep_opts *o, struct rep *out)
{
	struct vm_config cfg = {
		.mem_bytes = strcmp(w->name, "page-touch") ? GUEST_MEM : GUEST_MEM_TOUCH,
		.nr_vcpus = w->nr_vcpus ? w->nr_vcpus : 1,
		.irqchip = VM_IRQCHIP_KERNEL,
		.debug_pio_delay_ns = o->debug_pio_delay_ns,
		.devices = &dev_set_standard, /* no conformance fixtures */
	};
	struct bench_run r = {
		.w = w, .mode = mode, .cpl = cpl, .target_ms = o->target_ms,
		.device_cpu = o->pin ? o->pin->device_cpu : -1,
	};
	struct proto_result p;
	struct vmm_err err = { 0 };
	struct rep_probe_run *probes;
	char backing[sizeof(out->notes[0])] = "";

	*out = (struct rep){ .status = REP_OK };
	proto_init(&p);
	r.vm = vm_create(&cfg, &err);
	if (!r.vm) {
		rep_fail(out, err.kind == VMM_ERR_KVM ? REP_UNAVAILABLE : REP_ERROR, "%s", err.msg);
		return;
	}
	if (w->host_timed) {
		r.host_samples_cap = o->max_samples ? o->max_samples : HVB_SAMPLES_MAX;
		r.host_samples = calloc(r.host_samples_cap, sizeof(double));
	}
	probes = rep_probe_run_start(o->probes, &r);
	if (w->host_timed && !r.host_samples)
		rep_fail(out, REP_ERROR, "out of memory");
	else
		run_vm(&r, o, &p, out);
	if (r.ended)
		backing_note(&r, backing, sizeof(backing));
	out->probes = rep_probe_run_finish(probes);
	if (out->probes && r.ended)
		json_object_set_new(out->probes, "kvm_stats", kvm_stats_json(&r));
	if (w->host && w->host->teardown)
		w->host->teardown(&r);
	bench_platform_teardown(&r);
	rep_note(out, r.note);
	rep_note(out, backing);
	for (unsigned int i = 0; i < p.nr_notes; i++)
		rep_note(out, p.notes[i]);
	if (out->status == REP_ERROR && p.error[0]) /* the payload said what went wrong */
		rep_fail(out, REP_ERROR, "%s", p.error);
	if (out->status == REP_OK) {
		uint64_t tsc_khz = r.vm->tsc_khz;

		if (proto_finish(&p))
			rep_fail(out, REP_ERROR, "bench payload output: %s (last other line: %s)",
				 p.error, p.last_other);
		else if (p.unavailable)
			rep_fail(out, REP_UNAVAILABLE, "%s", p.why);
		else if (w->host_timed ? samples_host(&r, out) : rep_samples_from_proto(&p, tsc_khz, out))
			rep_fail(out, REP_ERROR, "out of memory");
		else if (!out->n)
			rep_fail(out, REP_ERROR, "no samples");
		if (w->host_timed && out->status == REP_OK)
			out->timer_ns = rep_cycles_to_ns((double)p.timer, tsc_khz);
		if (out->status == REP_OK)
			costs_compute(&r, out->ops, &out->costs);
	}
	free(r.host_samples);
	proto_free(&p);
	vm_destroy(r.vm);
}
