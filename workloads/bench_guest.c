/* SPDX-License-Identifier: MIT */
/*
 * The benchmark payload's main program: runs one workload, named on the
 * command line, and prints its samples as @hvb records (docs/protocol.md).
 *
 * Command line: name=W mode=M cpl=0|3 [batch=B] [samples=S] [target_ms=T]
 * [warmup_ms=U] [max_samples=N] [marks=serial] tsc_khz=K.  Everything that
 * decides the figures happens at the measured CPL: the timer's own cost, the
 * warm-up, the choice of batch size (so the timer costs at most
 * 1/TIMER_SHARE of a batch) and the samples, and the cost of the loop around
 * the operations (the workload's frame), which is subtracted with the
 * timer's.  The records are printed afterwards, outside the marks.  With
 * marks=serial (external VMMs, which ignore the mark port) the marks are
 * also announced on the console, outside the window: see serial_marks().
 */
#include "guest.h"

#define TIMER_SHARE 20		/* the timer may cost 5% of a batch */
#define TIMER_ROUNDS 63
#define MIN_SAMPLES 10
#define BATCH_MAX (1ull << 24)

struct plan {
	const struct guest_workload *w;
	struct bench_ctx *ctx;
	uint64_t batch;		/* 0: calibrate */
	uint64_t nsamples;	/* 0: from target_cycles */
	uint64_t target_cycles, warmup_cycles;
	uint64_t max_samples;
	uint64_t timer;		/* median cycles of an empty timed region */
	uint64_t frame;		/* median cycles of a batch's loop without its operations */
	uint64_t nframes;	/* frame timings taken */
	uint64_t ops_used;
};

static uint64_t samples[HVB_SAMPLES_MAX];
static struct hvb_shared shared_page __attribute__((aligned(4096)));
static bool shared_announced;

struct hvb_shared *bench_shared(void)
{
	if (!shared_announced) {
		rt_outl(PORT_HVB_SHARED, (uint32_t)(uintptr_t)&shared_page);
		shared_announced = true;
	}
	return &shared_page;
}

bool bench_wait_change(volatile uint64_t *counter, uint64_t old, uint64_t limit)
{
	for (uint64_t i = 0; i < limit && *counter == old; i++)
		rt_irq_wait();
	return *counter != old;
}

void bench_note(const char *fmt, ...)
{
	char line[256];
	va_list ap;

	va_start(ap, fmt);
	rt_vsnprintf(line, sizeof(line), fmt, ap);
	va_end(ap);
	rt_printf(HVB_RECORD_PREFIX "note %s\n", line);
}

static void mark(uint8_t what)
{
	rt_outb(PORT_HVB_MARK, what);
}

static void sort_u64(uint64_t *v, size_t n)
{
	for (size_t i = 1; i < n; i++) {
		uint64_t x = v[i];
		size_t j = i;

		for (; j > 0 && v[j - 1] > x; j--)
			v[j] = v[j - 1];
		v[j] = x;
	}
}

static uint64_t timer_cost(void)
{
	uint64_t t[TIMER_ROUNDS];

	for (int i = 0; i < TIMER_ROUNDS; i++) {
		uint64_t t0 = rt_rdtsc_begin();

		t[i] = rt_rdtsc_end() - t0;
	}
	sort_u64(t, TIMER_ROUNDS);
	return t[TIMER_ROUNDS / 2];
}

void bench_frame_empty(uint64_t n)
{
	__asm__ volatile("1: dec %[n]; jnz 1b" : [n] "+r"(n));
}

/*
 * The frame (the loop without its operations) is timed between the samples,
 * one batch every FRAME_EVERY samples, and its median subtracted from all of
 * them: where the host's speed drifts (a nested host's does, by tens of
 * percent within seconds) a frame timed at another moment would carry the
 * drift into every figure.  Its instructions fall inside the marks, so the
 * emulated-instruction count per operation includes a share of them.
 */
#define FRAME_EVERY 8
#define FRAME_MAX (HVB_SAMPLES_MAX / FRAME_EVERY + 1)

static uint64_t frames[FRAME_MAX];

static uint64_t frame_time(const struct plan *p)
{
	uint64_t t0 = rt_rdtsc_begin();

	p->w->frame(p->batch);
	return rt_rdtsc_end() - t0;
}

static uint64_t frame_cost(uint64_t n, uint64_t timer)
{
	sort_u64(frames, n);
	return frames[n / 2] > timer ? frames[n / 2] - timer : 0;
}

static uint64_t time_batch(struct plan *p, uint64_t n)
{
	uint64_t t0, t1;

	p->ops_used += n;
	if (p->w->timed)
		return p->w->timed(n);
	t0 = rt_rdtsc_begin();
	p->w->op(n);
	t1 = rt_rdtsc_end();
	return t1 - t0;
}

/* Ops still available to a workload with a finite supply (fresh pages). */
static uint64_t ops_left(const struct plan *p)
{
	return p->ctx->max_ops > p->ops_used ? p->ctx->max_ops - p->ops_used : 0;
}

/* Double the batch until one costs TIMER_SHARE timer readings and a microsecond. */
static void calibrate(struct plan *p, uint64_t tsc_khz)
{
	uint64_t goal = p->timer * TIMER_SHARE;
	uint64_t n = p->ctx->min_batch;

	if (goal < tsc_khz / 1000)
		goal = tsc_khz / 1000;
	while (n < BATCH_MAX && 4 * n <= ops_left(p) / MIN_SAMPLES) {
		if (time_batch(p, n) >= goal)
			break;
		n *= 2;
	}
	p->batch = n;
}

/* A batch's usual time, for the sample count: one batch could be an outlier. */
#define TYPICAL_ROUNDS 5

static uint64_t typical_batch(struct plan *p)
{
	uint64_t t[TYPICAL_ROUNDS];

	for (int i = 0; i < TYPICAL_ROUNDS; i++)
		t[i] = time_batch(p, p->batch);
	sort_u64(t, TYPICAL_ROUNDS);
	return t[TYPICAL_ROUNDS / 2];
}

/* Everything before the marks: the timer, the batch, the warm-up, the sample count. */
static uint64_t measure_prepare(void *arg)
{
	struct plan *p = arg;
	uint64_t tsc_khz = rt_cmdline_u64("tsc_khz", 0);
	uint64_t spent = 0, per_batch;

	p->timer = timer_cost();
	if (!p->batch && p->w->timed)
		p->batch = 1; /* it times each operation itself: one per sample */
	else if (!p->batch)
		calibrate(p, tsc_khz);
	do { /* warm-up: caches, TLBs, the host's own lazy state */
		spent += time_batch(p, p->batch);
	} while (spent < p->warmup_cycles &&
		 ops_left(p) >= p->batch * (MIN_SAMPLES + TYPICAL_ROUNDS + 1));
	per_batch = typical_batch(p);
	if (!p->nsamples)
		p->nsamples = p->target_cycles / (per_batch ? per_batch : 1);
	if (p->nsamples < MIN_SAMPLES)
		p->nsamples = MIN_SAMPLES;
	if (p->nsamples > p->max_samples)
		p->nsamples = p->max_samples;
	if (p->nsamples > ops_left(p) / p->batch)
		p->nsamples = ops_left(p) / p->batch;
	return 0;
}

/* The samples, between the marks. */
static uint64_t measure_window(void *arg)
{
	struct plan *p = arg;
	uint64_t nframes = 0;

	mark(HVB_MARK_BEGIN);
	for (uint64_t i = 0; i < p->nsamples; i++) {
		samples[i] = time_batch(p, p->batch);
		if (p->w->frame && i % FRAME_EVERY == 0)
			frames[nframes++] = frame_time(p);
	}
	mark(HVB_MARK_END);
	p->nframes = nframes;
	return 0;
}

static uint64_t measure(void *arg)
{
	measure_prepare(arg);
	return measure_window(arg);
}

/* Host-timed workloads: the guest serves until the host says stop. */
static uint64_t hosted_prepare(void *arg)
{
	struct plan *p = arg;

	p->timer = timer_cost();
	p->batch = 1;
	return 0;
}

static uint64_t hosted_window(void *arg)
{
	struct plan *p = arg;

	mark(HVB_MARK_BEGIN);
	p->w->op(0);
	mark(HVB_MARK_END);
	p->nsamples = 0;
	return 0;
}

static uint64_t run_hosted(void *arg)
{
	hosted_prepare(arg);
	return hosted_window(arg);
}

static uint64_t at_cpl(unsigned int cpl, rt_fn fn, void *arg)
{
	return cpl == 3 ? rt_run_user(fn, arg) : fn(arg);
}

/* Spin without exits: rdtsc does not leave the guest. */
static void quiet_wait(uint64_t cycles)
{
	uint64_t t0 = rt_rdtsc_begin();

	while (rt_rdtsc_end() - t0 < cycles)
		;
}

/*
 * marks=serial: the host sees the marks only as "@hvb mark" lines, a
 * little after they are printed.  So the begin line is printed before the
 * window and followed by MARK_WAIT_MS without exits, in which the host
 * opens its window before the begin mark's port write; the end line is
 * printed after the end mark's port write and followed by the same wait,
 * in which the host closes its window before the next exit (the sample
 * records).  The lines go out at CPL0 (COM1 is closed to CPL3), so at CPL3
 * the work before the window and the window run as two calls at CPL3.
 * 50 ms was overrun by a sanitizer build of the runner in a VM on TCG
 * (docs/probes.md): 200 ms is the margin.
 */
#define MARK_WAIT_MS 200

static bool marks_serial(void)
{
	const char *v = rt_cmdline_get("marks");

	return v && !strcmp(v, "serial");
}

static void serial_marks(struct plan *p, unsigned int cpl, uint64_t tsc_khz)
{
	at_cpl(cpl, p->w->hosted ? hosted_prepare : measure_prepare, p);
	rt_printf(HVB_RECORD_PREFIX "mark begin\n");
	quiet_wait(MARK_WAIT_MS * tsc_khz);
	at_cpl(cpl, p->w->hosted ? hosted_window : measure_window, p);
	rt_printf(HVB_RECORD_PREFIX "mark end\n");
	quiet_wait(MARK_WAIT_MS * tsc_khz);
}

/*
 * The sample records are formatted at CPL3, where (on hypervisors that
 * emulate CPL0, like PVM) code runs natively: formatting thousands of
 * numbers at CPL0 would cost about a second.  CPL0 then only copies the
 * text to the console, a few kilobytes per exit.
 */
#define SAMPLE_TEXT_MAX (HVB_SAMPLES_MAX * 21 + HVB_SAMPLES_MAX / HVB_SAMPLES_PER_LINE * 8)

static char sample_text[SAMPLE_TEXT_MAX];

/* Also the frame's median: sorting thousands of values is for CPL3 too. */
static uint64_t samples_format(void *arg)
{
	struct plan *p = arg;
	size_t n = 0;

	if (p->nframes)
		p->frame = frame_cost(p->nframes, p->timer);
	for (uint64_t i = 0; i < p->nsamples; i++) {
		if (i % HVB_SAMPLES_PER_LINE == 0)
			n += rt_snprintf(sample_text + n, SAMPLE_TEXT_MAX - n, HVB_RECORD_PREFIX "s");
		n += rt_snprintf(sample_text + n, SAMPLE_TEXT_MAX - n, " %lu", samples[i]);
		if (i % HVB_SAMPLES_PER_LINE == HVB_SAMPLES_PER_LINE - 1 || i + 1 == p->nsamples)
			n += rt_snprintf(sample_text + n, SAMPLE_TEXT_MAX - n, "\n");
	}
	return n;
}

static const struct guest_entry *workload_find(const char *name)
{
	for (const struct guest_entry *e = guest_workloads; e->name; e++)
		if (!strcmp(e->name, name))
			return e;
	return NULL;
}

static bool cmdline_copy(const char *key, char *buf, size_t len, const char *fallback)
{
	const char *v = rt_cmdline_get(key);

	if (!v && !fallback)
		return false;
	rt_snprintf(buf, len, "%s", v ? v : fallback);
	return true;
}

static int unavailable(const char *why)
{
	rt_printf(HVB_RECORD_PREFIX "unavailable %s\n", why);
	return GUEST_STATUS_PASS;
}

int guest_main(void)
{
	static char name[64], mode[16];
	const struct guest_entry *entry;
	char why[160];
	uint64_t text_len;
	uint64_t tsc_khz = rt_cmdline_u64("tsc_khz", 0);
	struct bench_ctx ctx = {
		.cpl = rt_cmdline_u64("cpl", 0), .max_ops = UINT64_MAX, .min_batch = 1,
	};
	struct plan p = {
		.ctx = &ctx,
		.batch = rt_cmdline_u64("batch", 0),
		.nsamples = rt_cmdline_u64("samples", 0),
		.target_cycles = rt_cmdline_u64("target_ms", 100) * tsc_khz,
		.warmup_cycles = rt_cmdline_u64("warmup_ms", 10) * tsc_khz,
		.max_samples = rt_cmdline_u64("max_samples", HVB_SAMPLES_MAX),
	};
	ctx.mode = mode;
	if (!cmdline_copy("name", name, sizeof(name), NULL) || !tsc_khz)
		return unavailable("the command line needs name= and tsc_khz=");
	cmdline_copy("mode", mode, sizeof(mode), "hvm");
	entry = workload_find(name);
	if (!entry)
		return unavailable("this payload has no workload of that name");
	if (ctx.cpl > 3 || !(entry->cpls & CPL_BIT(ctx.cpl)))
		return unavailable("the workload cannot run at that CPL");
	p.w = entry->half;
	if (p.w->setup && p.w->setup(&ctx))
		return unavailable(ctx.why);
	if (p.batch > BATCH_MAX)
		p.batch = BATCH_MAX;
	if (ctx.min_batch < 1 || ctx.min_batch > BATCH_MAX)
		ctx.min_batch = 1;
	p.batch = (p.batch + ctx.min_batch - 1) / ctx.min_batch * ctx.min_batch;
	if (p.max_samples > HVB_SAMPLES_MAX || p.max_samples < MIN_SAMPLES)
		p.max_samples = HVB_SAMPLES_MAX;
	if (marks_serial())
		serial_marks(&p, ctx.cpl, tsc_khz);
	else
		at_cpl(ctx.cpl, p.w->hosted ? run_hosted : measure, &p);
	if (!p.nsamples && !p.w->hosted)
		return unavailable("no operations left to measure after warm-up");
	if (p.w->finish && p.w->finish(why, sizeof(why))) {
		rt_printf(HVB_RECORD_PREFIX "error %s\n", why);
		return GUEST_STATUS_FAIL;
	}
	text_len = rt_run_user(samples_format, &p);
	rt_printf(HVB_RECORD_PREFIX "begin name=%s mode=%s cpl=%u batch=%lu samples=%lu timer=%lu "
		  "frame=%lu corr=%lu tsc_khz=%lu\n", name, ctx.mode, ctx.cpl, p.batch, p.nsamples,
		  p.timer, p.frame, p.w->timed ? 0ul : p.timer + p.frame, tsc_khz);
	rt_write(sample_text, text_len);
	rt_printf(HVB_RECORD_PREFIX "end\n");
	return GUEST_STATUS_PASS;
}
