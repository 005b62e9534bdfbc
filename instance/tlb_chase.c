/* SPDX-License-Identifier: MIT */
/*
 * A TLB-missing pointer chase, over 4 KiB pages and over 2 MiB ones.  The
 * same 65536 nodes, one per 4 KiB of a 256 MiB buffer, each at a random
 * cache line of its 4 KiB, linked in one random cycle: every load depends
 * on the last and lands on another 4 KiB page.  The data touched (65536
 * lines, 4 MiB) is the same in both, so the caches treat them alike; what
 * differs is translation.  With 4 KiB pages the 65536 pages are far beyond
 * any TLB (a few thousand entries), so each load walks the page tables;
 * with 2 MiB pages the 128 pages stay in the TLB.  The difference is the
 * page walk, which under nested paging is two-dimensional (each guest
 * page-table read is itself translated) and the hypervisor's to shape.
 * A TLB entry is as large as the smaller of the guest's page and the
 * host's: where the host backs guest memory with 4 KiB pages (or shadows
 * the guest's page tables in 4 KiB entries, as PVM does) the two chases
 * cost the same, and that equality is the finding.
 *
 * The chain is built in open, outside any timing, from a fixed seed so
 * every run chases the same cycle.
 */
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>

#include "native_impl.h"
#include "probe_lib.h"
#include "probes.h"

#define CHASE_LEN	(UINT64_C(256) << 20)
#define CHASE_SLOT	4096
#define CHASE_NODES	(CHASE_LEN / CHASE_SLOT)
#define CHASE_LINE	64
#define CHASE_SEED	UINT64_C(0x6876626e63686173)	/* "hvbnchas" */

struct chase {
	char *buf;
	void **cur;		/* where the next batch picks the chase up */
	void *volatile sink;	/* the last node reached: a result the compiler must produce */
};

/* splitmix64: a small, well-mixed generator, enough for a shuffle. */
static uint64_t chase_rand(uint64_t *s)
{
	uint64_t z = (*s += UINT64_C(0x9e3779b97f4a7c15));

	z = (z ^ (z >> 30)) * UINT64_C(0xbf58476d1ce4e5b9);
	z = (z ^ (z >> 27)) * UINT64_C(0x94d049bb133111eb);
	return z ^ (z >> 31);
}

static void **chase_node(char *buf, const uint8_t *line, uint32_t i)
{
	return (void **)(buf + (size_t)i * CHASE_SLOT + (size_t)line[i] * CHASE_LINE);
}

/*
 * Link buf's nodes into one cycle: Sattolo's shuffle gives a permutation
 * that is a single cycle, so the chase visits every node before it
 * repeats.  Writing the links is also what faults every page in.
 * Returns node 0, where a chase may start, or NULL when out of memory.
 */
static void **chase_link(char *buf)
{
	uint32_t *next = malloc(CHASE_NODES * sizeof(*next));
	uint8_t *line = malloc(CHASE_NODES);
	uint64_t seed = CHASE_SEED;
	void **start = NULL;

	if (!next || !line)
		goto out;
	for (uint32_t i = 0; i < CHASE_NODES; i++) {
		next[i] = i;
		line[i] = (uint8_t)(chase_rand(&seed) % (CHASE_SLOT / CHASE_LINE));
	}
	for (uint32_t i = CHASE_NODES - 1; i > 0; i--) {
		uint32_t j = (uint32_t)(chase_rand(&seed) % i), t = next[i];

		next[i] = next[j];
		next[j] = t;
	}
	for (uint32_t i = 0; i < CHASE_NODES; i++)
		*chase_node(buf, line, i) = chase_node(buf, line, next[i]);
	start = chase_node(buf, line, 0);
out:
	free(next);
	free(line);
	return start;
}

static int chase_open(struct native_ctx *ctx, int hugepage, char *why, size_t why_len)
{
	struct chase *c;

	if (hugepage && probe_thp_usable(why, why_len))
		return -1;
	c = calloc(1, sizeof(*c));
	if (!c)
		return probe_why(why, why_len, "out of memory");
	c->buf = probe_map(CHASE_LEN, hugepage, why, why_len);
	if (!c->buf)
		goto fail;
	c->cur = chase_link(c->buf);
	if (!c->cur) {
		probe_why(why, why_len, "out of memory");
		goto fail;
	}
	if (hugepage && probe_huge_check(c->buf, CHASE_LEN, why, why_len))
		goto fail;
	ctx->priv = c;
	return 0;
fail:
	if (c->buf)
		munmap(c->buf, CHASE_LEN);
	free(c);
	return -1;
}

static int chase_4k_open(struct native_ctx *ctx, char *why, size_t why_len)
{
	return chase_open(ctx, 0, why, why_len);
}

static int chase_2m_open(struct native_ctx *ctx, char *why, size_t why_len)
{
	return chase_open(ctx, 1, why, why_len);
}

/* One operation is one load whose address is the last load's value. */
static int chase_run(struct native_ctx *ctx, uint64_t batch)
{
	struct chase *c = ctx->priv;
	void **p = c->cur;

	for (uint64_t i = 0; i < batch; i++)
		p = *p;
	c->cur = p;
	c->sink = p;
	return 0;
}

static void chase_close(struct native_ctx *ctx)
{
	struct chase *c = ctx->priv;

	munmap(c->buf, CHASE_LEN);
	free(c);
	ctx->priv = NULL;
}

static const struct native_impl chase_4k_impl = {
	.open = chase_4k_open,
	.run = chase_run,
	.close = chase_close,
};

static const struct native_impl chase_2m_impl = {
	.open = chase_2m_open,
	.run = chase_run,
	.close = chase_close,
};

const struct native_op instance_op_tlb_chase_4k = {
	.name = "tlb-chase-4k",
	.what = "one dependent load in a random cycle over 65536 4 KiB pages (256 MiB, "
		"MADV_NOHUGEPAGE): a TLB miss and page walk per load",
	.impl = &chase_4k_impl,
};

const struct native_op instance_op_tlb_chase_2m = {
	.name = "tlb-chase-2m",
	.what = "tlb-chase-4k's chase over 2 MiB transparent huge pages: no page walk where "
		"the host backs them with huge pages too",
	.impl = &chase_2m_impl,
};
