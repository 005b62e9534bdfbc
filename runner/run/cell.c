/* SPDX-License-Identifier: MIT */
#include <stdlib.h>
#include <string.h>

#include "cell.h"
#include "histogram.h"
#include "native.h"
#include "results_doc.h"
#include "table.h"

const char *cell_target(const struct cell *c)
{
	return c->target->name;
}

const char *cell_target_label(const struct cell *c)
{
	return c->probes_off ? "refvmm-np" : cell_target(c);
}

/* ok if any repetition measured; otherwise what the first one ran into. */
const char *cell_status(const struct cell *c)
{
	if (!c->nr_reps)
		return "not-run";
	for (unsigned int i = 0; i < c->nr_reps; i++)
		if (c->reps[i].status == REP_OK)
			return "ok";
	return rep_status_name(c->reps[0].status);
}

void cell_summarize(struct cell *c)
{
	size_t total = 0, k = 0, nt = 0;
	double *all, timers[CELL_MAX_REPS];

	c->have_summary = false;
	for (unsigned int i = 0; i < c->nr_reps; i++)
		if (c->reps[i].status == REP_OK)
			total += c->reps[i].n;
	if (!total || !(all = malloc(total * sizeof(double))))
		return;
	for (unsigned int i = 0; i < c->nr_reps; i++) {
		if (c->reps[i].status != REP_OK)
			continue;
		memcpy(all + k, c->reps[i].ns, c->reps[i].n * sizeof(double));
		k += c->reps[i].n;
		timers[nt++] = c->reps[i].timer_ns;
	}
	c->have_summary = !stats_summarize(all, total, &c->sum);
	c->timer_ns = stats_median_inplace(timers, nt);
	free(all);
}

/* A per-operation figure, or null where KVM has no such counter. */
static json_t *per_op_value(double v)
{
	return v < 0 ? json_null() : json_real(v);
}

/*
 * Each per-operation cost over the measured repetitions together: their
 * totals over their operations (a mean of per-repetition ratios would let
 * a short repetition weigh as much as a long one).
 */
static json_t *costs_json(const struct cell *c)
{
	double sum[BENCH_NR_STATS] = { 0 }, user = 0, vcpu = 0, dev = 0, wall = 0, n = 0;
	bool missing[BENCH_NR_STATS] = { false }, missing_dev = false;
	json_t *o;

	for (unsigned int i = 0; i < c->nr_reps; i++) {
		const struct rep_costs *k = &c->reps[i].costs;
		double ops = (double)c->reps[i].ops;

		if (c->reps[i].status != REP_OK || !k->valid)
			continue;
		for (int s = 0; s < BENCH_NR_STATS; s++) {
			missing[s] |= k->stats[s] < 0;
			sum[s] += k->stats[s] * ops;
		}
		user += k->user_exits * ops;
		vcpu += k->vcpu_cpu_ns * ops;
		missing_dev |= k->device_cpu_ns < 0;
		dev += k->device_cpu_ns * ops;
		wall += k->wall_ns * ops;
		n += ops;
	}
	if (n <= 0)
		return json_null();
	o = json_object();
	for (int s = 0; s < BENCH_NR_STATS; s++)
		json_object_set_new(o, bench_stat_names[s], per_op_value(missing[s] ? -1 : sum[s] / n));
	json_object_set_new(o, "user_exits", json_real(user / n));
	json_object_set_new(o, "vcpu_cpu_ns", json_real(vcpu / n));
	json_object_set_new(o, "device_cpu_ns", per_op_value(missing_dev ? -1 : dev / n));
	json_object_set_new(o, "wall_ns", json_real(wall / n));
	return o;
}

static json_t *rep_json(const struct rep *r, unsigned int idx, size_t max_raw)
{
	json_t *o = json_pack("{s:I, s:s}", "rep", (json_int_t)idx, "status",
			      rep_status_name(r->status));
	json_t *notes = json_array();

	json_object_set_new(o, "seconds", json_real(r->seconds));
	json_object_set_new(o, "at_s", json_real(r->at_s));
	json_object_set_new(o, "load", load_window_json(&r->load));
	if (r->status != REP_OK)
		json_object_set_new(o, "reason", json_string(r->why));
	for (unsigned int i = 0; i < r->nr_notes; i++)
		json_array_append_new(notes, json_string(r->notes[i]));
	json_object_set_new(o, "notes", notes);
	if (r->probes)
		json_object_set(o, "probes", r->probes);
	if (r->status == REP_OK) {
		json_t *raw = json_array();
		struct stats_summary s;

		json_object_set_new(o, "batch", json_integer((json_int_t)r->batch));
		json_object_set_new(o, "operations", json_integer((json_int_t)r->ops));
		json_object_set_new(o, "timer_ns", json_real(r->timer_ns));
		json_object_set_new(o, "loop_ns", json_real(r->frame_ns));
		json_object_set_new(o, "correction_ns", json_real(r->corr_ns));
		if (!stats_summarize(r->ns, r->n, &s))
			json_object_set_new(o, "p50", json_real(s.p50));
		for (size_t i = 0; i < r->n && i < max_raw; i++)
			json_array_append_new(raw, json_real(r->ns[i]));
		json_object_set_new(o, "samples_total", json_integer((json_int_t)r->n));
		json_object_set_new(o, "samples_kept", json_integer((json_int_t)json_array_size(raw)));
		json_object_set_new(o, "samples", raw);
		json_object_set_new(o, "histogram", histogram_json(r->ns, r->n));
	}
	return o;
}

/*
 * What one operation is, and how it is timed: a native cell's are the host
 * operation's that stands in for the guest's (the io family's ring between
 * host threads keeps the workload's words, being the same ring); an
 * instance cell's row says it in the suite's own terms.
 */
static const char *cell_what(const struct cell *c)
{
	const struct native_op *op = c->w->native;

	return c->target->native && op && !c->w->instance ? op->what : c->w->what;
}

/* An instance cell: what it stands for and is read against, and whether load moves it. */
static void cell_instance_json(const struct cell *c, json_t *o)
{
	const struct workload *w = c->w;

	if (!w->instance)
		return;
	json_object_set_new(o, "mechanism", json_string(w->mechanism));
	json_object_set_new(o, "stands_for", w->stands_for ? json_string(w->stands_for) :
			    json_null());
	json_object_set_new(o, "pair", w->pair ? json_string(w->pair) : json_null());
	json_object_set_new(o, "load_sensitive", json_boolean(w->load_sensitive));
}

static const char *cell_timed_by(const struct cell *c)
{
	if (c->target->native)
		return "host-clock";
	return c->w->host_timed ? "host" : "guest-tsc";
}

json_t *cell_json(const struct cell *c, size_t max_raw)
{
	json_t *o = json_pack("{s:s, s:s, s:s, s:s, s:s, s:s}", "workload", c->w->name, "family",
			      c->w->family, "what", cell_what(c), "mode", bench_mode_name(c->mode),
			      "target", cell_target(c), "status", cell_status(c));
	json_t *reps = json_array();

	json_object_set_new(o, "cpl", c->mode == MODE_NATIVE ? json_null() : json_integer(c->cpl));
	cell_instance_json(c, o);
	if (c->probes_off)
		json_object_set_new(o, "probes_off", json_true());
	json_object_set_new(o, "unit", json_string("ns"));
	json_object_set_new(o, "timed_by", json_string(cell_timed_by(c)));
	if (c->nr_reps && strcmp(cell_status(c), "ok"))
		json_object_set_new(o, "reason", json_string(c->reps[0].why));
	if (c->have_summary) {
		json_object_set_new(o, "summary", results_summary_json(&c->sum));
		json_object_set_new(o, "timer_ns", json_real(c->timer_ns));
	}
	json_object_set_new(o, "per_op", costs_json(c));
	for (unsigned int i = 0; i < c->nr_reps; i++)
		json_array_append_new(reps, rep_json(&c->reps[i], i, max_raw));
	json_object_set_new(o, "repetitions", reps);
	return o;
}

void cell_changed(struct cell *c)
{
	free(c->json_text);
	c->json_text = NULL;
}

void cell_free(struct cell *c)
{
	cell_changed(c);
	for (unsigned int i = 0; i < c->nr_reps; i++)
		rep_free(&c->reps[i]);
	c->nr_reps = 0;
}

/* Per-operation counts shown are the first repetition's (the JSON has them all). */
void cell_table_row(const struct cell *c, struct table_row *row)
{
	const struct rep_costs *k = &c->reps[0].costs;

	*row = (struct table_row){
		.workload = c->w->name,
		.mode = bench_mode_name(c->mode),
		.target = cell_target_label(c),
		.status = cell_status(c),
		.cpl = c->target->native ? -1 : (int)c->cpl,
		.measured = c->have_summary,
		.p50 = c->sum.p50,
		.p99 = c->sum.p99,
		.min = c->sum.min,
		.exits = k->valid ? k->stats[0] : -1,
		.user_exits = k->valid ? k->user_exits : -1,
		.reason = c->reps[0].why,
	};
	for (unsigned int i = 0; i < c->nr_reps; i++) {
		struct stats_summary s;

		if (c->reps[i].status == REP_OK && !stats_summarize(c->reps[i].ns, c->reps[i].n, &s))
			table_row_add_rep(row, s.p50);
	}
}
