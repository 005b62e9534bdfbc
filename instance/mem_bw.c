/* SPDX-License-Identifier: MIT */
/*
 * Memory bandwidth: memcpy of 1 MiB, from and to memory, not cache.  Source
 * and destination walk through two 128 MiB buffers, 256 MiB together,
 * beyond the last-level cache any one core reaches (32-96 MiB on current
 * EPYC and Xeon), so a block comes back only after 127 others have pushed
 * it out.  One operation is 1 MiB copied, so the figure is ns per MiB and
 * the bandwidth 1 MiB / figure, in bytes copied as perf bench mem memcpy
 * counts them (each read once and written once).
 *
 * A hypervisor costs bandwidth through nested translation of the TLB
 * misses, memory it backs from a remote node, and its neighbours on the
 * same memory channels: the last is load, so the cell is load-sensitive.
 */
#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>

#include "native_impl.h"
#include "probe_lib.h"
#include "probes.h"

#define MEMBW_BLOCK	(UINT64_C(1) << 20)
#define MEMBW_LEN	(UINT64_C(128) << 20)

struct mem_bw {
	char *src, *dst;
	size_t off;		/* the next block, carried across batches */
};

static void mem_bw_free(struct mem_bw *m)
{
	if (m->src)
		munmap(m->src, MEMBW_LEN);
	if (m->dst)
		munmap(m->dst, MEMBW_LEN);
	free(m);
}

static int mem_bw_open(struct native_ctx *ctx, char *why, size_t why_len)
{
	struct mem_bw *m = calloc(1, sizeof(*m));

	if (!m)
		return probe_why(why, why_len, "out of memory");
	/* Default advice: whatever pages a program's heap would get here. */
	m->src = mmap(NULL, MEMBW_LEN, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
	m->dst = mmap(NULL, MEMBW_LEN, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
	if (m->src == MAP_FAILED || m->dst == MAP_FAILED) {
		int err = errno;

		if (m->src == MAP_FAILED)
			m->src = NULL;
		if (m->dst == MAP_FAILED)
			m->dst = NULL;
		mem_bw_free(m);
		return probe_why(why, why_len, "mmap of 2 x 128 MiB failed: %s", strerror(err));
	}
	/*
	 * Fault both in now, outside any timing, with data that is not zero:
	 * a never-written source would read the shared zero page, from cache.
	 */
	memset(m->src, 0x5a, MEMBW_LEN);
	memset(m->dst, 0xa5, MEMBW_LEN);
	ctx->priv = m;
	return 0;
}

static int mem_bw_run(struct native_ctx *ctx, uint64_t batch)
{
	struct mem_bw *m = ctx->priv;
	size_t off = m->off;

	for (uint64_t i = 0; i < batch; i++) {
		memcpy(m->dst + off, m->src + off, MEMBW_BLOCK);
		off = (off + MEMBW_BLOCK) % MEMBW_LEN;
	}
	m->off = off;
	/* dst is never read: tell the compiler it escapes, so no copy is dropped. */
	asm volatile("" : : "r"(m->dst) : "memory");
	return 0;
}

static void mem_bw_close(struct native_ctx *ctx)
{
	mem_bw_free(ctx->priv);
	ctx->priv = NULL;
}

static const struct native_impl mem_bw_impl = {
	.open = mem_bw_open,
	.run = mem_bw_run,
	.close = mem_bw_close,
};

const struct native_op instance_op_mem_copy_1m = {
	.name = "mem-copy-1m",
	.what = "memcpy of 1 MiB between two 128 MiB buffers, beyond any cache: ns per MiB "
		"copied, so bandwidth = 1 MiB / figure",
	.impl = &mem_bw_impl,
};
