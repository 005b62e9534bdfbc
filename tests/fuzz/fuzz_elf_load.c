/* SPDX-License-Identifier: MIT */
/*
 * libFuzzer harness for the PVH ELF loader (built by scripts/fuzz elf).
 *
 * The input is the payload file.  Beyond "no crash, no sanitizer report"
 * it checks what elf_load.h promises, and abort()s on any violation:
 *  - on error: a payload error with a message, and guest memory untouched;
 *  - on success: an entry point below 4 GiB inside [lowest, highest), the
 *    span inside guest memory and clear of the reserved range, every PT_LOAD
 *    in place (file bytes, then zeros) and nothing written outside the span.
 *
 * "Untouched" is checked without scanning 16 MiB per input: guest memory is
 * an anonymous mapping whose pages start out unbacked, so any page the
 * loader wrote is resident afterwards (mincore); written pages are dropped
 * again (MADV_DONTNEED) before the next input.  The reserved range holds a
 * pattern and is compared byte by byte.
 */
#include <elf.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <unistd.h>

#include "elf_load.h"
#include "fuzz_check.h"

#define MEM_SIZE (16ull << 20)
#define PAGE 4096ull
#define NR_PAGES (MEM_SIZE / PAGE)
#define RESERVED_END 0x3000ull
#define PATTERN 0x5a

static const struct elf_reserved reserved[] = {
	{ 0, RESERVED_END, "boot structures" },
};

static uint8_t *mem;
static unsigned char residency[NR_PAGES];

static void mem_init(void)
{
	mem = mmap(NULL, MEM_SIZE, PROT_READ | PROT_WRITE,
		   MAP_PRIVATE | MAP_ANONYMOUS | MAP_NORESERVE, -1, 0);
	check(mem != MAP_FAILED, "cannot map guest memory");
	/* Page granularity for the residency check: no transparent huge pages. */
	madvise(mem, MEM_SIZE, MADV_NOHUGEPAGE);
	memset(mem, PATTERN, RESERVED_END);
}

/* Guest memory outside [lo, hi) and the reserved range is untouched. */
static void check_untouched_outside(uint64_t lo, uint64_t hi)
{
	uint64_t lo_page = lo / PAGE, hi_page = (hi + PAGE - 1) / PAGE;

	for (uint64_t a = 0; a < RESERVED_END; a++)
		check(mem[a] == PATTERN, "reserved byte 0x%llx is 0x%02x", (unsigned long long)a,
		      mem[a]);
	check(!mincore(mem, MEM_SIZE, residency), "mincore failed");
	for (uint64_t p = RESERVED_END / PAGE; p < NR_PAGES; p++)
		check(!(residency[p] & 1) || (p >= lo_page && p < hi_page),
		      "guest page 0x%llx written (loaded span 0x%llx-0x%llx)",
		      (unsigned long long)(p * PAGE), (unsigned long long)lo,
		      (unsigned long long)hi);
}

/* Re-read the (now validated) headers and check each PT_LOAD's bytes. */
static void check_segments(const uint8_t *file, const struct elf_image *img)
{
	unsigned int loads = 0;
	Elf64_Ehdr eh;

	memcpy(&eh, file, sizeof(eh));
	for (unsigned int i = 0; i < eh.e_phnum; i++) {
		Elf64_Phdr ph;

		memcpy(&ph, file + eh.e_phoff + i * sizeof(ph), sizeof(ph));
		if (ph.p_type != PT_LOAD || !ph.p_memsz)
			continue;
		loads++;
		check(ph.p_paddr >= img->lowest && ph.p_memsz <= img->highest - ph.p_paddr,
		      "segment %u outside the reported span", i);
		check(ph.p_paddr >= RESERVED_END, "segment %u in the reserved range", i);
		check(!memcmp(mem + ph.p_paddr, file + ph.p_offset, ph.p_filesz),
		      "segment %u bytes differ from the file", i);
		for (uint64_t a = ph.p_filesz; a < ph.p_memsz; a++)
			check(!mem[ph.p_paddr + a], "segment %u byte 0x%llx not zeroed", i,
			      (unsigned long long)a);
	}
	check(loads == img->nr_segments, "%u PT_LOADs, loader reports %u", loads,
	      img->nr_segments);
}

static void check_entry_loaded(const uint8_t *file, const struct elf_image *img)
{
	Elf64_Ehdr eh;

	memcpy(&eh, file, sizeof(eh));
	for (unsigned int i = 0; i < eh.e_phnum; i++) {
		Elf64_Phdr ph;

		memcpy(&ph, file + eh.e_phoff + i * sizeof(ph), sizeof(ph));
		if (ph.p_type == PT_LOAD && ph.p_memsz && img->entry >= ph.p_paddr &&
		    img->entry - ph.p_paddr < ph.p_filesz)
			return;
	}
	check(0, "entry 0x%llx is not in the file bytes of a loaded segment",
	      (unsigned long long)img->entry);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct vmm_err err = { 0 };
	struct elf_image img;
	uint8_t *file;
	uint64_t lo;
	int r;

	if (!mem)
		mem_init();
	/* An exact-size heap copy: ASan sees any read past the end. */
	file = malloc(size ? size : 1);
	check(file, "out of memory");
	memcpy(file, data, size);

	r = elf_load_pvh(file, size, mem, MEM_SIZE, reserved, 1, &img, &err);
	if (r) {
		check(r == -1, "returned %d", r);
		check(err.kind == VMM_ERR_PAYLOAD, "error kind %d: %s", err.kind, err.msg);
		check(err.msg[0], "error without a message");
		check_untouched_outside(0, 0);
	} else {
		check(err.kind == VMM_ERR_NONE, "success with an error set: %s", err.msg);
		check(img.nr_segments >= 1, "success without segments");
		check(img.lowest < img.highest, "empty span 0x%llx-0x%llx",
		      (unsigned long long)img.lowest, (unsigned long long)img.highest);
		check(img.highest <= MEM_SIZE, "span ends at 0x%llx",
		      (unsigned long long)img.highest);
		check(img.lowest >= RESERVED_END, "span starts at 0x%llx",
		      (unsigned long long)img.lowest);
		check(img.entry <= UINT32_MAX, "entry 0x%llx above 4 GiB",
		      (unsigned long long)img.entry);
		check(img.entry >= img.lowest && img.entry < img.highest,
		      "entry 0x%llx outside the span 0x%llx-0x%llx",
		      (unsigned long long)img.entry, (unsigned long long)img.lowest,
		      (unsigned long long)img.highest);
		check_segments(file, &img);
		check_entry_loaded(file, &img);
		check_untouched_outside(img.lowest, img.highest);
		/* Drop the written pages: the next input starts from unbacked memory. */
		lo = img.lowest & ~(PAGE - 1);
		check(!madvise(mem + lo, img.highest - lo, MADV_DONTNEED), "madvise failed");
	}
	free(file);
	return 0;
}
