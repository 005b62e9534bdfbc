/* SPDX-License-Identifier: MIT */
/*
 * The PVH ELF loader against images built here byte by byte: one valid
 * image, then one defect at a time, each of which must be refused with a
 * payload error that names it and with guest memory left exactly as it
 * was.  Finally the real hello.elf, whose path meson passes.
 *
 * usage: test_elf_load HELLO_ELF
 */
#include <elf.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>

#include <cmocka.h>

#include "elf_load.h"
#include "hvbench/pvh.h"

#define MEM_SIZE (16ull << 20)
#define FILL 0xaa

/* The valid image: one PT_LOAD and one PT_NOTE. */
#define IMG_SIZE 0x1200
#define PHDR_OFF sizeof(Elf64_Ehdr)
#define NOTE_OFF 0x200
#define SEG_OFF 0x1000
#define SEG_PADDR 0x100000ull
#define SEG_FILESZ 0x200ull
#define SEG_MEMSZ 0x1000ull
#define ENTRY (SEG_PADDR + 0x10)

static const struct elf_reserved boot_reserved[] = {
	{ 0, 0x3000, "boot structures" },
};

static const char *hello_path;

struct test_elf {
	union {
		uint8_t bytes[0x2000];
		uint64_t align;
	};
	size_t size;
};

struct ctx {
	uint8_t *mem;
	struct test_elf f;
	struct elf_image img;
	struct vmm_err err;
};

static Elf64_Ehdr *ehdr(struct test_elf *f)
{
	return (Elf64_Ehdr *)f->bytes;
}

static Elf64_Phdr *phdr(struct test_elf *f, unsigned int i)
{
	return (Elf64_Phdr *)(f->bytes + PHDR_OFF + i * sizeof(Elf64_Phdr));
}

static Elf64_Nhdr *nhdr(struct test_elf *f)
{
	return (Elf64_Nhdr *)(f->bytes + NOTE_OFF);
}

/* The PVH entry note at NOTE_OFF: "Xen\0", type 18, desc_size bytes of entry. */
static void put_note(struct test_elf *f, uint32_t desc_size, uint64_t entry)
{
	Elf64_Nhdr *nh = nhdr(f);
	uint8_t *p = f->bytes + NOTE_OFF + sizeof(*nh);

	nh->n_namesz = sizeof(PVH_NOTE_NAME);
	nh->n_descsz = desc_size;
	nh->n_type = PVH_NOTE_PHYS32_ENTRY;
	memcpy(p, PVH_NOTE_NAME, sizeof(PVH_NOTE_NAME));
	memset(p + 4, 0, 8);
	memcpy(p + 4, &entry, desc_size < 8 ? desc_size : 8);
	phdr(f, 1)->p_filesz = phdr(f, 1)->p_memsz = sizeof(*nh) + 4 + ((desc_size + 3) & ~3u);
}

static void build_valid(struct test_elf *f)
{
	Elf64_Ehdr *eh = ehdr(f);
	Elf64_Phdr *load = phdr(f, 0), *note = phdr(f, 1);

	memset(f, 0, sizeof(*f));
	f->size = IMG_SIZE;
	memcpy(eh->e_ident, ELFMAG, SELFMAG);
	eh->e_ident[EI_CLASS] = ELFCLASS64;
	eh->e_ident[EI_DATA] = ELFDATA2LSB;
	eh->e_ident[EI_VERSION] = EV_CURRENT;
	eh->e_type = ET_EXEC;
	eh->e_machine = EM_X86_64;
	eh->e_version = EV_CURRENT;
	eh->e_entry = 0xffffffff80000000ull; /* the ELF entry is not the PVH one */
	eh->e_phoff = PHDR_OFF;
	eh->e_ehsize = sizeof(*eh);
	eh->e_phentsize = sizeof(Elf64_Phdr);
	eh->e_phnum = 2;

	*load = (Elf64_Phdr){
		.p_type = PT_LOAD, .p_flags = PF_R | PF_X, .p_offset = SEG_OFF,
		.p_vaddr = 0xffffffff80000000ull, .p_paddr = SEG_PADDR,
		.p_filesz = SEG_FILESZ, .p_memsz = SEG_MEMSZ, .p_align = 0x1000,
	};
	*note = (Elf64_Phdr){
		.p_type = PT_NOTE, .p_flags = PF_R, .p_offset = NOTE_OFF, .p_align = 4,
	};
	put_note(f, 4, ENTRY);
	for (unsigned int i = 0; i < SEG_FILESZ; i++)
		f->bytes[SEG_OFF + i] = (uint8_t)(i * 7 + 1);
}

static int setup(void **state)
{
	struct ctx *c = calloc(1, sizeof(*c));

	if (!c)
		return -1;
	c->mem = malloc(MEM_SIZE);
	if (!c->mem) {
		free(c);
		return -1;
	}
	memset(c->mem, FILL, MEM_SIZE);
	build_valid(&c->f);
	*state = c;
	return 0;
}

static int teardown(void **state)
{
	struct ctx *c = *state;

	free(c->mem);
	free(c);
	return 0;
}

static int load(struct ctx *c)
{
	c->err = (struct vmm_err){ 0 };
	return elf_load_pvh(c->f.bytes, c->f.size, c->mem, MEM_SIZE, boot_reserved,
			    1, &c->img, &c->err);
}

/* First offset in [from, to) of mem not equal to byte, or to. */
static uint64_t first_not(const uint8_t *mem, uint64_t from, uint64_t to, uint8_t byte)
{
	for (uint64_t a = from; a < to; a++)
		if (mem[a] != byte)
			return a;
	return to;
}

static void assert_mem_untouched(const struct ctx *c)
{
	uint64_t bad = first_not(c->mem, 0, MEM_SIZE, FILL);

	if (bad != MEM_SIZE)
		fail_msg("guest memory written at 0x%llx (0x%02x) by a rejected load",
			 (unsigned long long)bad, c->mem[bad]);
}

static void expect_reject(struct ctx *c, const char *what)
{
	int r = load(c);

	assert_int_equal(r, -1);
	assert_int_equal(c->err.kind, VMM_ERR_PAYLOAD);
	if (!strstr(c->err.msg, what))
		fail_msg("error \"%s\" does not mention \"%s\"", c->err.msg, what);
	assert_mem_untouched(c);
}

/* The segment at paddr is in guest memory: file bytes, zeroed tail, nothing beyond. */
static void assert_segment(const struct ctx *c, uint64_t paddr, const uint8_t *src,
			   uint64_t filesz, uint64_t memsz)
{
	assert_memory_equal(c->mem + paddr, src, filesz);
	assert_int_equal(first_not(c->mem, paddr + filesz, paddr + memsz, 0), paddr + memsz);
	if (paddr > 0)
		assert_int_equal(c->mem[paddr - 1], FILL);
	if (paddr + memsz < MEM_SIZE)
		assert_int_equal(c->mem[paddr + memsz], FILL);
}

/* ---- images that load ---- */

static void test_valid(void **state)
{
	struct ctx *c = *state;

	assert_int_equal(load(c), 0);
	assert_int_equal(c->err.kind, VMM_ERR_NONE);
	assert_int_equal(c->img.entry, ENTRY);
	assert_int_equal(c->img.lowest, SEG_PADDR);
	assert_int_equal(c->img.highest, SEG_PADDR + SEG_MEMSZ);
	assert_int_equal(c->img.nr_segments, 1);
	assert_segment(c, SEG_PADDR, c->f.bytes + SEG_OFF, SEG_FILESZ, SEG_MEMSZ);
	/* Only the segment was written. */
	assert_int_equal(first_not(c->mem, 0, SEG_PADDR, FILL), SEG_PADDR);
	assert_int_equal(first_not(c->mem, SEG_PADDR + SEG_MEMSZ, MEM_SIZE, FILL), MEM_SIZE);
}

static void test_note_desc_8(void **state)
{
	struct ctx *c = *state;

	put_note(&c->f, 8, SEG_PADDR + 0x1f8);
	assert_int_equal(load(c), 0);
	assert_int_equal(c->img.entry, SEG_PADDR + 0x1f8);
	assert_segment(c, SEG_PADDR, c->f.bytes + SEG_OFF, SEG_FILESZ, SEG_MEMSZ);
}

/* Notes of another owner (GNU), another type (Xen 17) and name ("Xeno") come first. */
static void test_note_after_others(void **state)
{
	struct ctx *c = *state;
	uint8_t *p = c->f.bytes + NOTE_OFF;
	static const uint8_t others[] = {
		4, 0, 0, 0, 16, 0, 0, 0, 3, 0, 0, 0, 'G', 'N', 'U', 0,
		1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12, 13, 14, 15, 16,
		4, 0, 0, 0, 4, 0, 0, 0, 17, 0, 0, 0, 'X', 'e', 'n', 0,
		0, 0, 0x20, 0,
		5, 0, 0, 0, 4, 0, 0, 0, 18, 0, 0, 0, 'X', 'e', 'n', 'o', 0, 0, 0, 0,
		0, 0, 0x30, 0,
	};

	memmove(p + sizeof(others), p, 20);
	memcpy(p, others, sizeof(others));
	phdr(&c->f, 1)->p_filesz = sizeof(others) + 20;
	assert_int_equal(load(c), 0);
	assert_int_equal(c->img.entry, ENTRY);
	/* The same notes with the PVH one cut off the end of the segment. */
	memset(c->mem, FILL, MEM_SIZE);
	phdr(&c->f, 1)->p_filesz = sizeof(others);
	expect_reject(c, "no PVH entry note");
}

/*
 * In a PT_NOTE aligned to 8, names and descriptors are padded to 8: a note
 * with a 5-byte name ("GNUx\0") and a 4-byte descriptor takes 12 + 8 + 8
 * bytes, and the PVH note after it is found only with that padding.
 */
static void test_note_align8(void **state)
{
	struct ctx *c = *state;
	uint8_t *p = c->f.bytes + NOTE_OFF;
	static const uint8_t other[] = {
		5, 0, 0, 0, 4, 0, 0, 0, 3, 0, 0, 0, 'G', 'N', 'U', 'x', 0, 0, 0, 0,
		1, 2, 3, 4, 0, 0, 0, 0,
	};
	/* The PVH note padded to 8 as well: name "Xen\0" + 4, desc 4 + 4. */
	uint8_t pvh[12 + 8 + 8] = { 4, 0, 0, 0, 4, 0, 0, 0, 18, 0, 0, 0, 'X', 'e', 'n', 0 };
	uint32_t entry = ENTRY;

	memset(pvh + 16, 0, 12);
	memcpy(pvh + 20, &entry, 4);
	memcpy(p, other, sizeof(other));
	memcpy(p + sizeof(other), pvh, sizeof(pvh));
	phdr(&c->f, 1)->p_filesz = sizeof(other) + sizeof(pvh);
	phdr(&c->f, 1)->p_align = 8;
	assert_int_equal(load(c), 0);
	assert_int_equal(c->img.entry, ENTRY);
}

/*
 * Two segments with a gap.  An empty PT_LOAD and a PT_NULL are skipped, even
 * where a real segment would overlap the reserve or the first segment.
 */
static void test_two_segments(void **state)
{
	struct ctx *c = *state;

	ehdr(&c->f)->e_phnum = 5;
	*phdr(&c->f, 2) = (Elf64_Phdr){
		.p_type = PT_LOAD, .p_offset = SEG_OFF + 0x100, .p_paddr = 0x200000,
		.p_filesz = 0x100, .p_memsz = 0x3000,
	};
	*phdr(&c->f, 3) = (Elf64_Phdr){ .p_type = PT_LOAD, .p_paddr = 0x1000 };
	*phdr(&c->f, 4) = (Elf64_Phdr){ .p_type = PT_NULL, .p_paddr = SEG_PADDR, .p_memsz = 64 };
	assert_int_equal(load(c), 0);
	assert_int_equal(c->img.nr_segments, 2);
	assert_int_equal(c->img.lowest, SEG_PADDR);
	assert_int_equal(c->img.highest, 0x203000);
	assert_segment(c, SEG_PADDR, c->f.bytes + SEG_OFF, SEG_FILESZ, SEG_MEMSZ);
	assert_segment(c, 0x200000, c->f.bytes + SEG_OFF + 0x100, 0x100, 0x3000);
	assert_int_equal(first_not(c->mem, SEG_PADDR + SEG_MEMSZ, 0x200000, FILL), 0x200000);
}

/* Segments may end exactly at the end of guest memory and start where the reserve ends. */
static void test_boundaries(void **state)
{
	struct ctx *c = *state;

	phdr(&c->f, 0)->p_paddr = MEM_SIZE - SEG_MEMSZ;
	put_note(&c->f, 4, MEM_SIZE - SEG_MEMSZ);
	assert_int_equal(load(c), 0);
	assert_int_equal(c->img.highest, MEM_SIZE);
	assert_segment(c, MEM_SIZE - SEG_MEMSZ, c->f.bytes + SEG_OFF, SEG_FILESZ, SEG_MEMSZ);

	memset(c->mem, FILL, MEM_SIZE);
	phdr(&c->f, 0)->p_paddr = 0x3000;
	put_note(&c->f, 4, 0x3000 + SEG_FILESZ - 1);
	assert_int_equal(load(c), 0);
	assert_int_equal(c->img.lowest, 0x3000);
	assert_int_equal(c->img.entry, 0x3000 + SEG_FILESZ - 1);
	assert_segment(c, 0x3000, c->f.bytes + SEG_OFF, SEG_FILESZ, SEG_MEMSZ);
}

/* ---- malformed files ---- */

static void test_empty(void **state)
{
	struct ctx *c = *state;

	c->f.size = 0;
	expect_reject(c, "not an ELF file");
}

static void test_truncated_header(void **state)
{
	struct ctx *c = *state;

	c->f.size = sizeof(Elf64_Ehdr) - 1;
	expect_reject(c, "truncated ELF: 63 bytes, the ELF header alone needs 64");
	c->f.size = EI_NIDENT;
	expect_reject(c, "truncated ELF: 16 bytes");
	/* The magic, but not the rest of e_ident. */
	c->f.size = SELFMAG;
	expect_reject(c, "truncated ELF: 4 bytes, the identification alone needs 16");
	/* Too short even for the magic. */
	c->f.size = SELFMAG - 1;
	expect_reject(c, "not an ELF file");
}

static void test_bad_magic(void **state)
{
	struct ctx *c = *state;

	c->f.bytes[EI_MAG3] = 'X';
	expect_reject(c, "no \\177ELF magic");
}

static void test_class32(void **state)
{
	struct ctx *c = *state;

	c->f.bytes[EI_CLASS] = ELFCLASS32;
	expect_reject(c, "ELF class 32-bit");
	c->f.bytes[EI_CLASS] = ELFCLASSNONE;
	expect_reject(c, "ELF class unknown");
}

static void test_big_endian(void **state)
{
	struct ctx *c = *state;

	c->f.bytes[EI_DATA] = ELFDATA2MSB;
	expect_reject(c, "not little-endian");
}

static void test_bad_version(void **state)
{
	struct ctx *c = *state;

	ehdr(&c->f)->e_version = 2;
	expect_reject(c, "unknown ELF version 2");
}

static void test_wrong_machine(void **state)
{
	struct ctx *c = *state;

	ehdr(&c->f)->e_machine = EM_AARCH64;
	expect_reject(c, "ELF machine 183 is not x86-64 (62)");
}

static void test_dyn(void **state)
{
	struct ctx *c = *state;

	ehdr(&c->f)->e_type = ET_DYN;
	expect_reject(c, "ELF type 3 is not an executable (ET_EXEC)");
}

static void test_no_phdrs(void **state)
{
	struct ctx *c = *state;

	ehdr(&c->f)->e_phnum = 0;
	expect_reject(c, "ELF has no program headers");
}

static void test_too_many_phdrs(void **state)
{
	struct ctx *c = *state;

	ehdr(&c->f)->e_phnum = 65;
	expect_reject(c, "ELF has 65 program headers (at most 64)");
	ehdr(&c->f)->e_phnum = 0xffff;
	expect_reject(c, "ELF has 65535 program headers");
}

static void test_bad_phentsize(void **state)
{
	struct ctx *c = *state;

	ehdr(&c->f)->e_phentsize = sizeof(Elf32_Phdr);
	expect_reject(c, "ELF program header size 32, expected 56");
}

static void test_phdrs_past_end(void **state)
{
	struct ctx *c = *state;

	/* The second program header's last byte is one past the end. */
	ehdr(&c->f)->e_phoff = c->f.size - 2 * sizeof(Elf64_Phdr) + 1;
	expect_reject(c, "program headers at offset");
	ehdr(&c->f)->e_phoff = c->f.size;
	expect_reject(c, "run past the end of the 4608-byte file");
}

static void test_segment_past_end(void **state)
{
	struct ctx *c = *state;

	phdr(&c->f, 0)->p_offset = c->f.size - SEG_FILESZ + 1;
	expect_reject(c, "truncated ELF: segment 0 (offset 4097, 512 bytes) runs past the end");
	/* The file size, not the buffer, is the limit. */
	phdr(&c->f, 0)->p_offset = SEG_OFF;
	c->f.size = SEG_OFF + SEG_FILESZ - 1;
	expect_reject(c, "truncated ELF: segment 0");
}

static void test_note_past_end(void **state)
{
	struct ctx *c = *state;

	phdr(&c->f, 1)->p_offset = c->f.size - 8;
	expect_reject(c, "note segment 1 runs past the end");
}

static void test_filesz_gt_memsz(void **state)
{
	struct ctx *c = *state;

	phdr(&c->f, 0)->p_memsz = SEG_FILESZ - 1;
	expect_reject(c, "segment 0: file size 512 exceeds memory size 511");
}

static void test_oversized(void **state)
{
	struct ctx *c = *state;

	phdr(&c->f, 0)->p_paddr = MEM_SIZE - SEG_MEMSZ + 1;
	expect_reject(c, "does not fit in 16 MiB of guest memory");
	phdr(&c->f, 0)->p_paddr = SEG_PADDR;
	phdr(&c->f, 0)->p_memsz = MEM_SIZE;
	expect_reject(c, "segment 0 at 0x100000 (16777216 bytes) does not fit");
	phdr(&c->f, 0)->p_memsz = SEG_MEMSZ;
	phdr(&c->f, 0)->p_paddr = MEM_SIZE;
	expect_reject(c, "does not fit");
}

static void test_reserved_overlap(void **state)
{
	struct ctx *c = *state;

	phdr(&c->f, 0)->p_paddr = 0x2000;
	put_note(&c->f, 4, 0x2010);
	expect_reject(c, "segment 0 at 0x2000-0x3000 overlaps the boot structures at 0x0-0x3000");
	/* A zero-filled tail reaching into the reserve counts too. */
	phdr(&c->f, 0)->p_paddr = 0;
	phdr(&c->f, 0)->p_memsz = 0x3001;
	expect_reject(c, "overlaps the boot structures");
}

static void test_overlapping_loads(void **state)
{
	struct ctx *c = *state;

	ehdr(&c->f)->e_phnum = 3;
	*phdr(&c->f, 2) = (Elf64_Phdr){
		.p_type = PT_LOAD, .p_offset = SEG_OFF, .p_paddr = SEG_PADDR + SEG_MEMSZ - 1,
		.p_filesz = 0x10, .p_memsz = 0x10,
	};
	expect_reject(c, "segments 0 and 2 overlap in memory");
	/* The later one starting first, overlapping the tail of the earlier. */
	phdr(&c->f, 2)->p_paddr = SEG_PADDR - 0x8;
	expect_reject(c, "segments 0 and 2 overlap in memory");
}

static void test_no_load(void **state)
{
	struct ctx *c = *state;

	phdr(&c->f, 0)->p_type = PT_NULL;
	expect_reject(c, "no loadable (PT_LOAD) segment");
}

static void test_no_note_segment(void **state)
{
	struct ctx *c = *state;

	phdr(&c->f, 1)->p_type = PT_NULL;
	expect_reject(c, "no PVH entry note (Xen note type 18");
	/* The note bytes alone, without a PT_NOTE naming them, do not count. */
	ehdr(&c->f)->e_phnum = 1;
	expect_reject(c, "not a PVH payload");
}

static void test_no_xen_note(void **state)
{
	struct ctx *c = *state;

	c->f.bytes[NOTE_OFF + sizeof(Elf64_Nhdr) + 2] = 'm'; /* "Xem" */
	expect_reject(c, "no PVH entry note");
	build_valid(&c->f);
	nhdr(&c->f)->n_type = 17;
	expect_reject(c, "no PVH entry note");
	build_valid(&c->f);
	nhdr(&c->f)->n_namesz = 3; /* "Xen" without its NUL */
	expect_reject(c, "no PVH entry note");
	build_valid(&c->f);
	phdr(&c->f, 1)->p_filesz = 0;
	expect_reject(c, "no PVH entry note");
	/* The desc runs past the end of the PT_NOTE segment. */
	build_valid(&c->f);
	phdr(&c->f, 1)->p_filesz -= 1;
	expect_reject(c, "no PVH entry note");
}

static void test_note_desc_2(void **state)
{
	struct ctx *c = *state;

	put_note(&c->f, 2, ENTRY);
	expect_reject(c, "neither 4 nor 8 bytes long");
	put_note(&c->f, 0, 0);
	expect_reject(c, "neither 4 nor 8 bytes long");
}

static void test_entry_outside(void **state)
{
	struct ctx *c = *state;

	put_note(&c->f, 4, 0x800000);
	expect_reject(c, "PVH entry point 0x800000 is not inside a loaded segment");
	/* Inside the segment but in its zero-filled tail: no code there. */
	put_note(&c->f, 4, SEG_PADDR + SEG_FILESZ);
	expect_reject(c, "PVH entry point 0x100200 is not inside");
	put_note(&c->f, 4, SEG_PADDR - 1);
	expect_reject(c, "PVH entry point 0xfffff is not inside");
	put_note(&c->f, 8, ENTRY | (1ull << 32));
	expect_reject(c, "PVH entry point 0x100100010 is not inside a loaded segment below 4 GiB");
}

/*
 * Guest memory above 4 GiB (reserved address space, only the touched pages
 * are ever backed): a segment may load there, the PVH entry may not lie there.
 */
static void test_entry_above_4g(void **state)
{
	struct ctx *c = *state;
	const uint64_t high = 1ull << 32, size = high + MEM_SIZE;
	struct vmm_err err = { 0 };
	struct elf_image img;
	uint8_t *mem;

	mem = mmap(NULL, size, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS | MAP_NORESERVE,
		   -1, 0);
	if (mem == MAP_FAILED)
		skip();
	ehdr(&c->f)->e_phnum = 3;
	*phdr(&c->f, 2) = (Elf64_Phdr){
		.p_type = PT_LOAD, .p_offset = SEG_OFF, .p_paddr = high,
		.p_filesz = SEG_FILESZ, .p_memsz = SEG_MEMSZ,
	};
	put_note(&c->f, 8, high + 0x10);
	assert_int_equal(elf_load_pvh(c->f.bytes, c->f.size, mem, size, boot_reserved, 1, &img,
				      &err),
			 -1);
	assert_int_equal(err.kind, VMM_ERR_PAYLOAD);
	assert_non_null(strstr(err.msg, "PVH entry point 0x100000010 is not inside a loaded "
				     "segment below 4 GiB"));
	assert_int_equal(first_not(mem, high, high + SEG_MEMSZ, 0), high + SEG_MEMSZ);

	put_note(&c->f, 8, ENTRY);
	err = (struct vmm_err){ 0 };
	assert_int_equal(elf_load_pvh(c->f.bytes, c->f.size, mem, size, boot_reserved, 1, &img,
				      &err),
			 0);
	assert_int_equal(img.entry, ENTRY);
	assert_int_equal(img.lowest, SEG_PADDR);
	assert_int_equal(img.highest, high + SEG_MEMSZ);
	assert_int_equal(img.nr_segments, 2);
	assert_memory_equal(mem + high, c->f.bytes + SEG_OFF, SEG_FILESZ);
	assert_memory_equal(mem + SEG_PADDR, c->f.bytes + SEG_OFF, SEG_FILESZ);
	munmap(mem, size);
}

/* Values chosen so that a naive offset + size or paddr + memsz wraps around. */
static void test_overflow(void **state)
{
	struct ctx *c = *state;

	ehdr(&c->f)->e_phoff = UINT64_MAX - sizeof(Elf64_Phdr) + 1;
	expect_reject(c, "program headers at offset 18446744073709551560");

	build_valid(&c->f);
	phdr(&c->f, 0)->p_offset = UINT64_MAX - SEG_FILESZ + 2;
	expect_reject(c, "truncated ELF: segment 0");

	build_valid(&c->f);
	phdr(&c->f, 0)->p_offset = UINT64_MAX;
	phdr(&c->f, 0)->p_filesz = 1;
	expect_reject(c, "truncated ELF: segment 0");

	build_valid(&c->f);
	phdr(&c->f, 0)->p_paddr = UINT64_MAX - SEG_MEMSZ + 2;
	expect_reject(c, "does not fit");

	build_valid(&c->f);
	phdr(&c->f, 0)->p_memsz = UINT64_MAX;
	expect_reject(c, "does not fit");

	build_valid(&c->f);
	phdr(&c->f, 0)->p_filesz = UINT64_MAX;
	phdr(&c->f, 0)->p_memsz = UINT64_MAX;
	expect_reject(c, "truncated ELF: segment 0");

	build_valid(&c->f);
	phdr(&c->f, 1)->p_offset = UINT64_MAX - 4;
	expect_reject(c, "note segment 1 runs past the end");

	build_valid(&c->f);
	phdr(&c->f, 1)->p_filesz = UINT64_MAX;
	expect_reject(c, "note segment 1 runs past the end");

	/* Name and desc sizes whose padded sum would wrap 32 bits. */
	build_valid(&c->f);
	nhdr(&c->f)->n_namesz = UINT32_MAX;
	nhdr(&c->f)->n_descsz = UINT32_MAX;
	expect_reject(c, "no PVH entry note");
	build_valid(&c->f);
	nhdr(&c->f)->n_descsz = UINT32_MAX - 2;
	expect_reject(c, "no PVH entry note");
}

/* ---- the real payload ---- */

static uint8_t *read_file(const char *path, size_t *size)
{
	FILE *fp = fopen(path, "rb");
	uint8_t *buf = NULL;
	long n;

	if (!fp)
		return NULL;
	if (fseek(fp, 0, SEEK_END) == 0 && (n = ftell(fp)) > 0 && fseek(fp, 0, SEEK_SET) == 0) {
		buf = malloc(n);
		if (buf && fread(buf, 1, n, fp) != (size_t)n) {
			free(buf);
			buf = NULL;
		}
		*size = n;
	}
	fclose(fp);
	return buf;
}

static void test_hello_elf(void **state)
{
	struct ctx *c = *state;
	struct vmm_err err = { 0 };
	struct elf_image img;
	unsigned int loads = 0;
	size_t size = 0;
	uint8_t *file;
	Elf64_Ehdr eh;

	if (!hello_path)
		fail_msg("usage: test_elf_load HELLO_ELF");
	file = read_file(hello_path, &size);
	if (!file)
		fail_msg("cannot read %s", hello_path);
	assert_int_equal(elf_load_pvh(file, size, c->mem, MEM_SIZE, boot_reserved, 1, &img, &err),
			 0);
	assert_int_equal(err.kind, VMM_ERR_NONE);
	assert_true(img.lowest < img.highest);
	assert_in_range(img.entry, img.lowest, img.highest - 1);
	assert_in_range(img.highest, img.lowest + 1, MEM_SIZE);
	assert_true(img.lowest >= boot_reserved[0].end);

	/* Every PT_LOAD as this test reads the headers: bytes in place, tail zeroed. */
	memcpy(&eh, file, sizeof(eh));
	for (unsigned int i = 0; i < eh.e_phnum; i++) {
		Elf64_Phdr ph;

		memcpy(&ph, file + eh.e_phoff + i * sizeof(ph), sizeof(ph));
		if (ph.p_type != PT_LOAD || !ph.p_memsz)
			continue;
		loads++;
		assert_in_range(ph.p_paddr, img.lowest, img.highest - ph.p_memsz);
		assert_memory_equal(c->mem + ph.p_paddr, file + ph.p_offset, ph.p_filesz);
		assert_int_equal(first_not(c->mem, ph.p_paddr + ph.p_filesz,
					   ph.p_paddr + ph.p_memsz, 0),
				 ph.p_paddr + ph.p_memsz);
	}
	assert_int_equal(img.nr_segments, loads);
	assert_int_equal(first_not(c->mem, 0, img.lowest, FILL), img.lowest);
	assert_int_equal(first_not(c->mem, img.highest, MEM_SIZE, FILL), MEM_SIZE);

	/* The same file cut short inside its last segment is refused. */
	memset(c->mem, FILL, MEM_SIZE);
	err = (struct vmm_err){ 0 };
	assert_int_equal(elf_load_pvh(file, 0x2000, c->mem, MEM_SIZE, boot_reserved, 1, &img, &err),
			 -1);
	assert_int_equal(err.kind, VMM_ERR_PAYLOAD);
	assert_non_null(strstr(err.msg, "truncated ELF: segment"));
	assert_mem_untouched(c);
	free(file);
}

/*
 * Regression (found by libFuzzer): a PT_LOAD with p_memsz == 0 is skipped
 * by every check and by the copy, so its unchecked p_filesz must not let it
 * hold the entry point; the load used to succeed with an entry outside
 * every loaded segment, even outside guest memory.
 */
static void test_entry_in_empty_load(void **state)
{
	struct ctx *c = *state;

	ehdr(&c->f)->e_phnum = 3;
	*phdr(&c->f, 2) = (Elf64_Phdr){
		.p_type = PT_LOAD, .p_offset = 0, .p_paddr = 0xfffff000,
		.p_filesz = 0x1000, .p_memsz = 0,
	};
	put_note(&c->f, 4, 0xfffff000);
	expect_reject(c, "PVH entry point 0xfffff000 is not inside");
}

/* The same as libFuzzer found it: a p_filesz of 2^56 + 16 covers almost any entry. */
static void test_entry_in_empty_load_huge_filesz(void **state)
{
	struct ctx *c = *state;

	ehdr(&c->f)->e_phnum = 3;
	*phdr(&c->f, 2) = (Elf64_Phdr){
		.p_type = PT_LOAD, .p_offset = 0x100, .p_paddr = 0x200000,
		.p_filesz = 0x0100000000000010ull, .p_memsz = 0,
	};
	put_note(&c->f, 8, 0x10560200);
	expect_reject(c, "PVH entry point 0x10560200 is not inside");
}

int main(int argc, char **argv)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test_setup_teardown(test_valid, setup, teardown),
		cmocka_unit_test_setup_teardown(test_note_desc_8, setup, teardown),
		cmocka_unit_test_setup_teardown(test_note_after_others, setup, teardown),
		cmocka_unit_test_setup_teardown(test_note_align8, setup, teardown),
		cmocka_unit_test_setup_teardown(test_two_segments, setup, teardown),
		cmocka_unit_test_setup_teardown(test_boundaries, setup, teardown),
		cmocka_unit_test_setup_teardown(test_empty, setup, teardown),
		cmocka_unit_test_setup_teardown(test_truncated_header, setup, teardown),
		cmocka_unit_test_setup_teardown(test_bad_magic, setup, teardown),
		cmocka_unit_test_setup_teardown(test_class32, setup, teardown),
		cmocka_unit_test_setup_teardown(test_big_endian, setup, teardown),
		cmocka_unit_test_setup_teardown(test_bad_version, setup, teardown),
		cmocka_unit_test_setup_teardown(test_wrong_machine, setup, teardown),
		cmocka_unit_test_setup_teardown(test_dyn, setup, teardown),
		cmocka_unit_test_setup_teardown(test_no_phdrs, setup, teardown),
		cmocka_unit_test_setup_teardown(test_too_many_phdrs, setup, teardown),
		cmocka_unit_test_setup_teardown(test_bad_phentsize, setup, teardown),
		cmocka_unit_test_setup_teardown(test_phdrs_past_end, setup, teardown),
		cmocka_unit_test_setup_teardown(test_segment_past_end, setup, teardown),
		cmocka_unit_test_setup_teardown(test_note_past_end, setup, teardown),
		cmocka_unit_test_setup_teardown(test_filesz_gt_memsz, setup, teardown),
		cmocka_unit_test_setup_teardown(test_oversized, setup, teardown),
		cmocka_unit_test_setup_teardown(test_reserved_overlap, setup, teardown),
		cmocka_unit_test_setup_teardown(test_overlapping_loads, setup, teardown),
		cmocka_unit_test_setup_teardown(test_no_load, setup, teardown),
		cmocka_unit_test_setup_teardown(test_no_note_segment, setup, teardown),
		cmocka_unit_test_setup_teardown(test_no_xen_note, setup, teardown),
		cmocka_unit_test_setup_teardown(test_note_desc_2, setup, teardown),
		cmocka_unit_test_setup_teardown(test_entry_outside, setup, teardown),
		cmocka_unit_test_setup_teardown(test_entry_above_4g, setup, teardown),
		cmocka_unit_test_setup_teardown(test_overflow, setup, teardown),
		cmocka_unit_test_setup_teardown(test_hello_elf, setup, teardown),
		cmocka_unit_test_setup_teardown(test_entry_in_empty_load, setup, teardown),
		cmocka_unit_test_setup_teardown(test_entry_in_empty_load_huge_filesz, setup,
						teardown),
	};

	for (int i = 1; i < argc; i++)
		hello_path = argv[i];
	return cmocka_run_group_tests_name("elf_load", tests, NULL, NULL);
}
