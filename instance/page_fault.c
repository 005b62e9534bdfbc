/* SPDX-License-Identifier: MIT */
/*
 * A first write to a fresh transparent huge page: one fault that allocates
 * and zeroes 2 MiB and maps it with one page-table entry.  Read against
 * page-fault-4k (native.c's page-touch) it says whether the hypervisor
 * makes the fault's entry and exit dearer (both rise) or the zeroing of
 * guest memory (this one rises: 512 times the bytes, one entry).
 *
 * As page-touch does, each batch gets a fresh mapping made outside the
 * clock.  Each batch's mapping is read back in smaps after the batch: a
 * 2 MiB fault that the kernel quietly served with a 4 KiB page would look
 * like a cheap huge page, so the next batch refuses instead.
 *
 * A batch's mapping is not unmapped at once but held while the next
 * 128 MiB are faulted in: otherwise a batch of one huge page would get back
 * the page it freed a moment ago, its 2 MiB still in the cache, and zero
 * it in about 45 us where a cold one takes about 110 us (measured on the
 * development VM), so the figure would follow the batch the runner picks.
 *
 * Where the guest hands free memory back to the host (free page reporting,
 * a balloon) a huge page the host has reclaimed is faulted in again by
 * the host, page by page if it backs guest memory with 4 KiB pages: 4 ms
 * instead of 110 us on the development VM, a few seconds after a large
 * free.  That is a cost of the hypervisor too, and shows as spread between
 * repetitions, not as a fault here.
 */
#include <stdbool.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>

#include "native_impl.h"
#include "probe_lib.h"
#include "probes.h"

/* 64 huge pages: one batch maps at most 128 MiB, and with what is held, 256 MiB in all. */
#define THP_FAULT_BATCH_MAX	64
/* Beyond the last-level caches, so a page freed after this much zeroing comes back cold. */
#define THP_FAULT_HOLD		(UINT64_C(128) << 20)
#define THP_FAULT_HELD_MAX	(THP_FAULT_HOLD / PROBE_HUGE_SIZE + 1)

struct thp_region {
	char *p;
	size_t len;
};

struct thp_fault {
	char *region;		/* this batch's mapping, batch * 2 MiB */
	size_t len;
	/* earlier batches' mappings, oldest first from head, at most THP_FAULT_HOLD */
	struct thp_region held[THP_FAULT_HELD_MAX];
	size_t head, nheld, held_len;
	bool refused;		/* an earlier batch was not all huge pages: why says so */
	char why[160];
};

/* Hold f's batch mapping, then unmap the oldest held ones while more than HOLD is held. */
static void thp_fault_hold(struct thp_fault *f)
{
	f->held[(f->head + f->nheld) % THP_FAULT_HELD_MAX] =
		(struct thp_region){ .p = f->region, .len = f->len };
	f->nheld++;
	f->held_len += f->len;
	while (f->held_len > THP_FAULT_HOLD || f->nheld == THP_FAULT_HELD_MAX) {
		struct thp_region *old = &f->held[f->head];

		munmap(old->p, old->len);
		f->held_len -= old->len;
		f->head = (f->head + 1) % THP_FAULT_HELD_MAX;
		f->nheld--;
	}
}

static int thp_fault_open(struct native_ctx *ctx, char *why, size_t why_len)
{
	struct thp_fault *f;
	volatile char *trial;
	int ret;

	if (probe_thp_usable(why, why_len))
		return -1;
	/* One trial page, so a kernel that never gives huge pages says so before any figure. */
	trial = probe_map(PROBE_HUGE_SIZE, 1, why, why_len);
	if (!trial)
		return -1;
	trial[0] = 1;
	ret = probe_huge_check((const void *)trial, PROBE_HUGE_SIZE, why, why_len);
	munmap((void *)trial, PROBE_HUGE_SIZE);
	if (ret)
		return -1;
	f = calloc(1, sizeof(*f));
	if (!f)
		return probe_why(why, why_len, "out of memory");
	ctx->priv = f;
	return 0;
}

static int thp_fault_prepare(struct native_ctx *ctx, uint64_t batch, char *why, size_t why_len)
{
	struct thp_fault *f = ctx->priv;

	if (f->refused)
		return probe_why(why, why_len, "%s", f->why);
	f->len = (size_t)batch * PROBE_HUGE_SIZE;
	f->region = probe_map(f->len, 1, why, why_len);
	return f->region ? 0 : -1;
}

static int thp_fault_run(struct native_ctx *ctx, uint64_t batch)
{
	struct thp_fault *f = ctx->priv;
	volatile char *p = f->region;

	for (uint64_t i = 0; i < batch; i++)
		p[i * PROBE_HUGE_SIZE] = 1;
	return 0;
}

static void thp_fault_finish(struct native_ctx *ctx)
{
	struct thp_fault *f = ctx->priv;

	if (!f->refused && probe_huge_check(f->region, f->len, f->why, sizeof(f->why)))
		f->refused = true;
	thp_fault_hold(f);
	f->region = NULL;
	f->len = 0;
}

static void thp_fault_close(struct native_ctx *ctx)
{
	struct thp_fault *f = ctx->priv;

	for (size_t i = 0; i < f->nheld; i++) {
		struct thp_region *r = &f->held[(f->head + i) % THP_FAULT_HELD_MAX];

		munmap(r->p, r->len);
	}
	free(f);
	ctx->priv = NULL;
}

static const struct native_impl thp_fault_impl = {
	.open = thp_fault_open,
	.prepare = thp_fault_prepare,
	.run = thp_fault_run,
	.finish = thp_fault_finish,
	.close = thp_fault_close,
	.max_batch = THP_FAULT_BATCH_MAX,
};

const struct native_op instance_op_page_fault_2m_thp = {
	.name = "page-fault-2m-thp",
	.what = "first write to a fresh 2 MiB-aligned MADV_HUGEPAGE region: a page fault that "
		"allocates and zeroes one transparent huge page",
	.impl = &thp_fault_impl,
};
