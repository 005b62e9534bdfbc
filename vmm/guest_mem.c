/* SPDX-License-Identifier: MIT */
#include <stdlib.h>
#include <sys/mman.h>
#include <unistd.h>

#include "guest_mem.h"

#define HUGE_2M (2ull << 20)

int guest_mem_alloc(struct guest_mem *m, uint64_t size, bool hugepages, struct vmm_err *err)
{
	int flags = MAP_PRIVATE | MAP_ANONYMOUS;
	void *p = MAP_FAILED;

	*m = (struct guest_mem){ .size = size };
	/*
	 * hugetlbfs pages are reserved at mmap time (no MAP_NORESERVE): with an
	 * empty pool the mmap fails here, rather than the first guest touch
	 * raising SIGBUS in refvmm.
	 */
	if (hugepages && size % HUGE_2M == 0) {
		p = mmap(NULL, size, PROT_READ | PROT_WRITE, flags | MAP_HUGETLB, -1, 0);
		m->hugepages = p != MAP_FAILED;
	}
	if (p == MAP_FAILED)
		p = mmap(NULL, size, PROT_READ | PROT_WRITE, flags | MAP_NORESERVE, -1, 0);
	if (p == MAP_FAILED)
		return vmm_err_sys(err, VMM_ERR_INTERNAL, "cannot map %llu MiB of guest memory",
				   (unsigned long long)(size >> 20));
	/* Without reserved hugetlbfs pages, transparent huge pages still help. */
	if (hugepages && !m->hugepages)
		madvise(p, size, MADV_HUGEPAGE);
	m->host = p;
	return 0;
}

void guest_mem_free(struct guest_mem *m)
{
	if (m->host)
		munmap(m->host, m->size);
	m->host = NULL;
}

void *guest_mem_ptr(const struct guest_mem *m, uint64_t gpa, uint64_t len)
{
	if (gpa > m->size || len > m->size - gpa)
		return NULL;
	return m->host + gpa;
}

uint64_t guest_mem_resident(const struct guest_mem *m)
{
	long page = sysconf(_SC_PAGESIZE);
	uint64_t pages = (m->size + page - 1) / page, resident = 0;
	unsigned char *vec = malloc(pages);

	if (!vec || mincore(m->host, m->size, vec)) {
		free(vec);
		return 0;
	}
	for (uint64_t i = 0; i < pages; i++)
		resident += vec[i] & 1;
	free(vec);
	return resident * page;
}
