/* SPDX-License-Identifier: MIT */
/*
 * PVH ELF loader.  Every offset, size and address in the file is checked
 * with overflow-safe arithmetic against the file and guest memory, and the
 * whole file is validated before anything is written to the guest, so a
 * malformed payload cannot make refvmm read or write out of bounds.
 * Headers are copied out with memcpy: the file buffer has no alignment.
 */
#include <elf.h>
#include <stdbool.h>
#include <string.h>

#include "hvbench/pvh.h"
#include "elf_load.h"

#define ELF_MAX_PHDRS 64

/* [off, off + len) lies within [0, limit), without overflow. */
static bool range_ok(uint64_t off, uint64_t len, uint64_t limit)
{
	return off <= limit && len <= limit - off;
}

static bool ranges_overlap(uint64_t a, uint64_t alen, uint64_t b, uint64_t blen)
{
	return a < b + blen && b < a + alen;
}

static int check_ident(const uint8_t *file, size_t size, Elf64_Ehdr *eh, struct vmm_err *err)
{
	if (size < SELFMAG || memcmp(file, ELFMAG, SELFMAG))
		return vmm_err_set(err, VMM_ERR_PAYLOAD, "not an ELF file (no \\177ELF magic)");
	if (size < EI_NIDENT)
		return vmm_err_set(err, VMM_ERR_PAYLOAD,
				   "truncated ELF: %zu bytes, the identification alone needs %d", size,
				   EI_NIDENT);
	if (file[EI_CLASS] != ELFCLASS64)
		return vmm_err_set(err, VMM_ERR_PAYLOAD,
				   "ELF class %s: refvmm loads 64-bit (ELFCLASS64) x86-64 payloads",
				   file[EI_CLASS] == ELFCLASS32 ? "32-bit" : "unknown");
	if (file[EI_DATA] != ELFDATA2LSB)
		return vmm_err_set(err, VMM_ERR_PAYLOAD, "ELF data is not little-endian");
	if (size < sizeof(*eh))
		return vmm_err_set(err, VMM_ERR_PAYLOAD,
				   "truncated ELF: %zu bytes, the ELF header alone needs %zu", size,
				   sizeof(*eh));
	memcpy(eh, file, sizeof(*eh));
	if (file[EI_VERSION] != EV_CURRENT || eh->e_version != EV_CURRENT)
		return vmm_err_set(err, VMM_ERR_PAYLOAD, "unknown ELF version %u", eh->e_version);
	if (eh->e_machine != EM_X86_64)
		return vmm_err_set(err, VMM_ERR_PAYLOAD, "ELF machine %u is not x86-64 (%u)",
				   eh->e_machine, EM_X86_64);
	if (eh->e_type != ET_EXEC)
		return vmm_err_set(err, VMM_ERR_PAYLOAD,
				   "ELF type %u is not an executable (ET_EXEC): payloads are linked "
				   "at a fixed physical address",
				   eh->e_type);
	if (eh->e_phnum == 0)
		return vmm_err_set(err, VMM_ERR_PAYLOAD, "ELF has no program headers");
	if (eh->e_phnum > ELF_MAX_PHDRS)
		return vmm_err_set(err, VMM_ERR_PAYLOAD, "ELF has %u program headers (at most %d)",
				   eh->e_phnum, ELF_MAX_PHDRS);
	if (eh->e_phentsize != sizeof(Elf64_Phdr))
		return vmm_err_set(err, VMM_ERR_PAYLOAD, "ELF program header size %u, expected %zu",
				   eh->e_phentsize, sizeof(Elf64_Phdr));
	if (!range_ok(eh->e_phoff, (uint64_t)eh->e_phnum * sizeof(Elf64_Phdr), size))
		return vmm_err_set(err, VMM_ERR_PAYLOAD,
				   "truncated ELF: program headers at offset %llu run past the end "
				   "of the %zu-byte file",
				   (unsigned long long)eh->e_phoff, size);
	return 0;
}

static int check_load(const Elf64_Phdr *ph, unsigned int idx, size_t size, uint64_t mem_size,
		      const struct elf_reserved *reserved, size_t nr_reserved,
		      struct vmm_err *err)
{
	if (ph->p_filesz > ph->p_memsz)
		return vmm_err_set(err, VMM_ERR_PAYLOAD,
				   "segment %u: file size %llu exceeds memory size %llu", idx,
				   (unsigned long long)ph->p_filesz,
				   (unsigned long long)ph->p_memsz);
	if (!range_ok(ph->p_offset, ph->p_filesz, size))
		return vmm_err_set(err, VMM_ERR_PAYLOAD,
				   "truncated ELF: segment %u (offset %llu, %llu bytes) runs past "
				   "the end of the %zu-byte file",
				   idx, (unsigned long long)ph->p_offset,
				   (unsigned long long)ph->p_filesz, size);
	if (!range_ok(ph->p_paddr, ph->p_memsz, mem_size))
		return vmm_err_set(err, VMM_ERR_PAYLOAD,
				   "segment %u at 0x%llx (%llu bytes) does not fit in %llu MiB of "
				   "guest memory (use a larger --mem)",
				   idx, (unsigned long long)ph->p_paddr,
				   (unsigned long long)ph->p_memsz,
				   (unsigned long long)(mem_size >> 20));
	for (size_t r = 0; r < nr_reserved; r++)
		if (ranges_overlap(ph->p_paddr, ph->p_memsz, reserved[r].start,
				   reserved[r].end - reserved[r].start))
			return vmm_err_set(err, VMM_ERR_PAYLOAD,
					   "segment %u at 0x%llx-0x%llx overlaps the %s at "
					   "0x%llx-0x%llx",
					   idx, (unsigned long long)ph->p_paddr,
					   (unsigned long long)(ph->p_paddr + ph->p_memsz),
					   reserved[r].what, (unsigned long long)reserved[r].start,
					   (unsigned long long)reserved[r].end);
	return 0;
}

/*
 * Walk one PT_NOTE segment for the PVH entry note; 1 if found.  Names and
 * descriptors are padded to the segment's alignment: 4 bytes almost
 * everywhere, 8 where a segment says so (as GNU property notes do).
 */
static int find_pvh_note(const uint8_t *file, const Elf64_Phdr *ph, uint64_t *entry)
{
	uint64_t off = ph->p_offset, end = ph->p_offset + ph->p_filesz;
	uint64_t pad = ph->p_align == 8 ? 7 : 3;

	while (end - off >= sizeof(Elf64_Nhdr)) {
		Elf64_Nhdr nh;
		uint64_t name_len, desc_len;

		memcpy(&nh, file + off, sizeof(nh));
		off += sizeof(nh);
		name_len = ((uint64_t)nh.n_namesz + pad) & ~pad;
		desc_len = ((uint64_t)nh.n_descsz + pad) & ~pad;
		if (!range_ok(off, name_len + desc_len, end))
			return 0;
		if (nh.n_type == PVH_NOTE_PHYS32_ENTRY && nh.n_namesz == sizeof(PVH_NOTE_NAME) &&
		    !memcmp(file + off, PVH_NOTE_NAME, sizeof(PVH_NOTE_NAME))) {
			const uint8_t *desc = file + off + name_len;

			if (nh.n_descsz == 4) {
				uint32_t e32;

				memcpy(&e32, desc, 4);
				*entry = e32;
				return 1;
			}
			if (nh.n_descsz == 8) {
				memcpy(entry, desc, 8);
				return 1;
			}
			return -1;
		}
		off += name_len + desc_len;
	}
	return 0;
}

int elf_load_pvh(const uint8_t *file, size_t size, uint8_t *mem, uint64_t mem_size,
		 const struct elf_reserved *reserved, size_t nr_reserved, struct elf_image *img,
		 struct vmm_err *err)
{
	Elf64_Phdr ph[ELF_MAX_PHDRS];
	Elf64_Ehdr eh;
	bool have_note = false, entry_loaded = false;
	uint64_t entry = 0;

	*img = (struct elf_image){ .lowest = UINT64_MAX };
	if (check_ident(file, size, &eh, err))
		return -1;
	memcpy(ph, file + eh.e_phoff, eh.e_phnum * sizeof(Elf64_Phdr));

	for (unsigned int i = 0; i < eh.e_phnum; i++) {
		if (ph[i].p_type == PT_NOTE && !have_note) {
			int found;

			if (!range_ok(ph[i].p_offset, ph[i].p_filesz, size))
				return vmm_err_set(err, VMM_ERR_PAYLOAD,
						   "truncated ELF: note segment %u runs past the end "
						   "of the file",
						   i);
			found = find_pvh_note(file, &ph[i], &entry);
			if (found < 0)
				return vmm_err_set(err, VMM_ERR_PAYLOAD,
						   "PVH entry note's address is neither 4 nor 8 "
						   "bytes long");
			have_note = found;
		}
		if (ph[i].p_type != PT_LOAD || ph[i].p_memsz == 0)
			continue;
		if (check_load(&ph[i], i, size, mem_size, reserved, nr_reserved, err))
			return -1;
		for (unsigned int j = 0; j < i; j++)
			if (ph[j].p_type == PT_LOAD && ph[j].p_memsz &&
			    ranges_overlap(ph[i].p_paddr, ph[i].p_memsz, ph[j].p_paddr,
					   ph[j].p_memsz))
				return vmm_err_set(err, VMM_ERR_PAYLOAD,
						   "segments %u and %u overlap in memory", j, i);
		img->nr_segments++;
		if (ph[i].p_paddr < img->lowest)
			img->lowest = ph[i].p_paddr;
		if (ph[i].p_paddr + ph[i].p_memsz > img->highest)
			img->highest = ph[i].p_paddr + ph[i].p_memsz;
	}
	if (!img->nr_segments)
		return vmm_err_set(err, VMM_ERR_PAYLOAD, "ELF has no loadable (PT_LOAD) segment");
	if (!have_note)
		return vmm_err_set(err, VMM_ERR_PAYLOAD,
				   "no PVH entry note (Xen note type %u, XEN_ELFNOTE_PHYS32_ENTRY) "
				   "in any PT_NOTE segment: not a PVH payload",
				   PVH_NOTE_PHYS32_ENTRY);
	/* Only segments that are loaded (and so were checked) may hold the entry. */
	for (unsigned int i = 0; i < eh.e_phnum; i++)
		if (ph[i].p_type == PT_LOAD && ph[i].p_memsz && entry >= ph[i].p_paddr &&
		    entry - ph[i].p_paddr < ph[i].p_filesz)
			entry_loaded = true;
	if (!entry_loaded || entry > UINT32_MAX)
		return vmm_err_set(err, VMM_ERR_PAYLOAD,
				   "PVH entry point 0x%llx is not inside a loaded segment below 4 GiB",
				   (unsigned long long)entry);

	for (unsigned int i = 0; i < eh.e_phnum; i++) {
		if (ph[i].p_type != PT_LOAD || ph[i].p_memsz == 0)
			continue;
		memcpy(mem + ph[i].p_paddr, file + ph[i].p_offset, ph[i].p_filesz);
		memset(mem + ph[i].p_paddr + ph[i].p_filesz, 0, ph[i].p_memsz - ph[i].p_filesz);
	}
	img->entry = entry;
	return 0;
}
