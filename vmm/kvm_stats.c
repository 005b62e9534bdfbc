/* SPDX-License-Identifier: MIT */
/*
 * The stats file layout is self-describing: a header, descriptors of
 * name_size-byte names, then the data.  The kernel is trusted, but the
 * descriptors are still checked against the data block before use so a
 * kernel/header mismatch shows up as an error rather than a wild read.
 */
#include <linux/kvm.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <unistd.h>

#include "kvm_stats.h"

#define STATS_MAX 4096

static int stats_fail(struct kvm_stats *st, struct vmm_err *err, const char *what)
{
	kvm_stats_close(st);
	return vmm_err_set(err, VMM_ERR_INTERNAL, "KVM binary stats: %s", what);
}

int kvm_stats_open(struct kvm_stats *st, int fd, struct vmm_err *err)
{
	struct kvm_stats_header h;
	size_t desc_size;
	uint8_t *raw;

	*st = (struct kvm_stats){ .fd = ioctl(fd, KVM_GET_STATS_FD, NULL) };
	if (st->fd < 0)
		return vmm_err_sys(err, VMM_ERR_KVM, "KVM_GET_STATS_FD");
	if (pread(st->fd, &h, sizeof(h), 0) != sizeof(h))
		return stats_fail(st, err, "short header");
	if (h.num_desc > STATS_MAX || h.name_size == 0 || h.name_size > 1024)
		return stats_fail(st, err, "implausible header");
	desc_size = sizeof(struct kvm_stats_desc) + h.name_size;
	raw = malloc(desc_size * h.num_desc);
	st->descs = calloc(h.num_desc, sizeof(*st->descs));
	if (!raw || !st->descs) {
		free(raw);
		return stats_fail(st, err, "out of memory");
	}
	if (pread(st->fd, raw, desc_size * h.num_desc, h.desc_offset) !=
	    (ssize_t)(desc_size * h.num_desc)) {
		free(raw);
		return stats_fail(st, err, "short descriptor block");
	}
	for (uint32_t i = 0; i < h.num_desc; i++) {
		struct kvm_stats_desc d;
		struct kvm_stat_desc *o = &st->descs[i];
		const char *name = (const char *)raw + i * desc_size + sizeof(d);

		memcpy(&d, raw + i * desc_size, sizeof(d));
		memcpy(o->name, name, h.name_size < sizeof(o->name) ? h.name_size : sizeof(o->name));
		o->name[sizeof(o->name) - 1] = '\0';
		o->flags = d.flags;
		o->exponent = d.exponent;
		o->size = d.size;
		o->offset = d.offset;
		if ((uint64_t)d.offset + (uint64_t)d.size * 8 > st->data_bytes)
			st->data_bytes = (uint64_t)d.offset + (uint64_t)d.size * 8;
	}
	free(raw);
	st->nr = h.num_desc;
	st->data_offset = h.data_offset;
	if (st->data_bytes > (1u << 20))
		return stats_fail(st, err, "implausible data size");
	st->data = calloc(1, st->data_bytes + 8);
	if (!st->data)
		return stats_fail(st, err, "out of memory");
	return kvm_stats_read(st);
}

void kvm_stats_close(struct kvm_stats *st)
{
	if (st->fd >= 0)
		close(st->fd);
	free(st->descs);
	free(st->data);
	*st = (struct kvm_stats){ .fd = -1 };
}

int kvm_stats_read(struct kvm_stats *st)
{
	if (pread(st->fd, st->data, st->data_bytes, st->data_offset) != (ssize_t)st->data_bytes)
		return -1;
	return 0;
}

int kvm_stats_find(const struct kvm_stats *st, const char *name)
{
	for (size_t i = 0; i < st->nr; i++)
		if (!strcmp(st->descs[i].name, name))
			return (int)i;
	return -1;
}

uint64_t kvm_stats_value(const struct kvm_stats *st, int idx)
{
	uint64_t v;

	if (idx < 0 || (size_t)idx >= st->nr || !st->descs[idx].size)
		return 0;
	memcpy(&v, (const uint8_t *)st->data + st->descs[idx].offset, sizeof(v));
	return v;
}
