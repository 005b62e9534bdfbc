/* SPDX-License-Identifier: MIT */
/*
 * A repetition on refvmm: a fresh VM per sample set (boot costs ~5 ms),
 * booted by the refvmm target with what hvbench run adds around it through
 * the VM hooks: the bench platform and the workload's host half, the
 * host-side probes, vCPU threads pinned where the placement plan says;
 * then the @hvb records turned into nanoseconds per operation with the TSC
 * rate KVM reports, and the per-operation costs from the marks.
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
#include "target.h"
#include "vm.h"


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

/* One repetition's state, shared by the hooks around the boot. */
struct refvmm_rep {
	const struct rep_opts *o;
	struct bench_run r;
	struct proto_result p;
	struct rep_probe_run *probes;
	json_t *probes_json;
	char backing[256];
};

static void refvmm_configure(void *ctx, struct vm_config *cfg)
{
	struct refvmm_rep *x = ctx;

	cfg->debug_pio_delay_ns = x->o->debug_pio_delay_ns;
	cfg->devices = &dev_set_standard;	/* no conformance fixtures */
}

static int refvmm_setup(void *ctx, struct vm *vm, struct vmm_err *err)
{
	struct refvmm_rep *x = ctx;
	struct bench_run *r = &x->r;
	const struct pin_plan *pin = x->o->pin;

	r->vm = vm;
	x->probes = rep_probe_run_start(x->o->probes, r);
	if (r->w->host_timed && !r->host_samples)
		return vmm_err_set(err, VMM_ERR_INTERNAL, "out of memory");
	if (bench_platform_setup(r, err) || (r->w->host && r->w->host->setup(r, err)))
		return -1;
	if (!vm->tsc_khz)
		return vmm_err_set(err, VMM_ERR_KVM, "KVM does not report the guest TSC rate "
				   "(KVM_GET_TSC_KHZ), so guest cycles cannot be turned into time");
	for (unsigned int i = 0; pin && i < vm->nr_vcpus && (int)i < pin->nr_vcpus; i++)
		vm_vcpu_pin(vm, i, pin->vcpu_cpu[i]);
	return 0;
}

static void refvmm_teardown(void *ctx, struct vm *vm, bool ran)
{
	struct refvmm_rep *x = ctx;
	struct bench_run *r = &x->r;

	(void)vm;
	(void)ran;
	if (r->ended)
		backing_note(r, x->backing, sizeof(x->backing));
	x->probes_json = rep_probe_run_finish(x->probes);
	if (x->probes_json && r->ended)
		json_object_set_new(x->probes_json, "kvm_stats", kvm_stats_json(r));
	if (r->w->host && r->w->host->teardown)
		r->w->host->teardown(r);
	bench_platform_teardown(r);
}

static void refvmm_cmdline(void *ctx, uint32_t tsc_khz, bool serial, char *buf, size_t len)
{
	struct refvmm_rep *x = ctx;

	(void)serial;
	rep_cmdline(buf, len, x->r.w, x->r.mode, x->r.cpl, x->o, tsc_khz);
}

static void refvmm_line(void *ctx, const char *line, size_t len)
{
	struct refvmm_rep *x = ctx;

	proto_line(&x->p, line, len);
}

static const struct target_vm_hooks refvmm_hooks = {
	.configure = refvmm_configure,
	.setup = refvmm_setup,
	.teardown = refvmm_teardown,
};

void rep_run_refvmm(const struct target *t, const struct workload *w, enum bench_mode mode,
		    unsigned int cpl, const struct rep_opts *o, struct rep *out)
{
	struct refvmm_rep x = {
		.o = o,
		.r = { .w = w, .mode = mode, .cpl = cpl, .target_ms = o->target_ms,
		       .device_cpu = o->pin ? o->pin->device_cpu : -1 },
	};
	struct target_boot b = {
		.payload = o->payload,
		.nr_vcpus = w->nr_vcpus ? w->nr_vcpus : 1,
		.mem_mib = w->mem_mib,
		.timeout_s = o->timeout_s,
		.cmdline = refvmm_cmdline,
		.line = refvmm_line,
		.ctx = &x,
		.vm = &refvmm_hooks,
	};
	struct bench_run *r = &x.r;
	struct target_outcome oc;

	*out = (struct rep){ .status = REP_OK };
	proto_init(&x.p);
	if (w->host_timed) {
		r->host_samples_cap = o->max_samples ? o->max_samples : HVB_SAMPLES_MAX;
		r->host_samples = calloc(r->host_samples_cap, sizeof(double));
	}
	t->boot(t, &b, &oc);
	rep_judge(out, t, o->timeout_s, &oc, &x.p);
	out->probes = x.probes_json;
	rep_note(out, r->note);
	rep_note(out, x.backing);
	rep_records(out, &x.p, oc.tsc_khz, w->host_timed);
	if (w->host_timed && out->status == REP_OK && samples_host(r, out))
		rep_fail(out, REP_ERROR, "out of memory");
	if (out->status == REP_OK && !out->n)
		rep_fail(out, REP_ERROR, "no samples");
	if (w->host_timed && out->status == REP_OK)
		out->timer_ns = rep_cycles_to_ns((double)x.p.timer, oc.tsc_khz);
	if (out->status == REP_OK)
		costs_compute(r, out->ops, &out->costs);
	free(r->host_samples);
	proto_free(&x.p);
}
