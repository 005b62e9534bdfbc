/* SPDX-License-Identifier: MIT */
/*
 * Block-device read latency: an O_DIRECT pread(2) of 4 KiB at a random
 * 4 KiB-aligned offset, one at a time (queue depth 1), from the first
 * 1 GiB of the first disk the guest sees.  O_DIRECT keeps the guest's page
 * cache out; what is left is the guest's block layer, the virtual device
 * (virtio-blk, NVMe, Xen's blkfront) and whatever the host does under it,
 * its own cache included, which is part of what an instance type sells.
 *
 * The disk is chosen by instance_disk_device(), so the runner can say
 * which one was read.  Offsets are drawn from a seed that differs per
 * measurement: a fixed seed would read the same blocks every run, and a
 * host cache would serve the second run's from memory.
 */
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/sysmacros.h>
#include <time.h>
#include <unistd.h>

#include "native_impl.h"
#include "probe_lib.h"
#include "probes.h"

#define DISK_BLOCK	4096
#define DISK_SPAN	(UINT64_C(1) << 30)
/* Sector counts above 2^50 (512 PiB) are a lie, not a disk: refuse them before multiplying. */
#define DISK_SECTORS_MAX	(UINT64_C(1) << 50)
/* A read is 50 us to a few ms: 4096 of them bound a batch to seconds. */
#define DISK_BATCH_MAX	(UINT64_C(1) << 12)
#define DISK_NAME_MAX	32

struct disk {
	int fd;
	void *buf;		/* DISK_BLOCK bytes, DISK_BLOCK-aligned, as O_DIRECT wants */
	uint64_t blocks;	/* offsets are drawn from [0, blocks) * DISK_BLOCK */
	uint64_t seed;
};

/* A decimal sysfs value, all digits, into *v; -1 on anything else. */
static int sysfs_u64(const char *path, uint64_t *v)
{
	char line[32], *end;
	unsigned long long x;

	if (probe_read_line(path, line, sizeof(line)) || line[0] < '0' || line[0] > '9')
		return -1;
	errno = 0;
	x = strtoull(line, &end, 10);
	if (errno || *end)
		return -1;
	*v = x;
	return 0;
}

/*
 * A name /sys/block may list that is safe to put in a path and maps to
 * /dev/NAME.  '!' stands for '/' in a few drivers' names (cciss!c0d0): skip
 * those rather than guess.
 */
static bool disk_name_ok(const char *name)
{
	size_t n = strlen(name);

	if (!n || n >= DISK_NAME_MAX || name[0] == '.')
		return false;
	return strspn(name, "abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789_-.")
	       == n;
}

/*
 * Whether /sys/block's entry name is a disk to read: hardware (virtual
 * ones, loop, ram, zram, dm-*, md*, have no device/ link) with at least
 * one block.  Its size in 512-byte sectors into *sectors.
 */
static bool disk_usable(const char *name, uint64_t *sectors)
{
	char path[sizeof("/sys/block//device") + DISK_NAME_MAX];

	if (!disk_name_ok(name))
		return false;
	snprintf(path, sizeof(path), "/sys/block/%.*s/device", DISK_NAME_MAX - 1, name);
	if (access(path, F_OK))
		return false;
	snprintf(path, sizeof(path), "/sys/block/%.*s/size", DISK_NAME_MAX - 1, name);
	return !sysfs_u64(path, sectors) && *sectors >= DISK_BLOCK / 512 &&
	       *sectors <= DISK_SECTORS_MAX;
}

/* The first usable disk in /sys/block, by name: 0 with its name and size, or -1. */
static int disk_pick(char name[DISK_NAME_MAX], uint64_t *sectors)
{
	struct dirent **list;
	int n, found = -1;

	n = scandir("/sys/block", &list, NULL, alphasort);
	if (n < 0)
		return -1;
	for (int i = 0; i < n; i++) {
		if (found < 0 && disk_usable(list[i]->d_name, sectors)) {
			/* disk_name_ok has bounded it below DISK_NAME_MAX. */
			memcpy(name, list[i]->d_name, strlen(list[i]->d_name) + 1);
			found = 0;
		}
		free(list[i]);
	}
	free(list);
	return found;
}

int instance_disk_device(char *buf, size_t len)
{
	char name[DISK_NAME_MAX];
	uint64_t sectors;

	if (!len)
		return -1;
	buf[0] = '\0';
	/* A clipped name would name another disk, or none: refuse it whole. */
	if (disk_pick(name, &sectors) || strlen(name) >= len)
		return -1;
	memcpy(buf, name, strlen(name) + 1);
	return 0;
}

/* /dev/NAME is the disk sysfs means: its device number matches NAME's dev. */
static int disk_same_device(const char *name, int fd, char *why, size_t why_len)
{
	char path[64], line[32];
	unsigned int maj, min;
	struct stat st;

	snprintf(path, sizeof(path), "/sys/block/%s/dev", name);
	if (probe_read_line(path, line, sizeof(line)) || sscanf(line, "%u:%u", &maj, &min) != 2)
		return probe_why(why, why_len, "%s: unreadable", path);
	if (fstat(fd, &st) || !S_ISBLK(st.st_mode) || st.st_rdev != makedev(maj, min))
		return probe_why(why, why_len, "/dev/%s is not the block device %u:%u that "
				 "/sys/block/%s is", name, maj, min, name);
	return 0;
}

/* splitmix64, as tlb_chase.c's: cheap next to the read it places. */
static uint64_t disk_rand(uint64_t *s)
{
	uint64_t z = (*s += UINT64_C(0x9e3779b97f4a7c15));

	z = (z ^ (z >> 30)) * UINT64_C(0xbf58476d1ce4e5b9);
	z = (z ^ (z >> 27)) * UINT64_C(0x94d049bb133111eb);
	return z ^ (z >> 31);
}

static int disk_read_one(struct disk *d)
{
	off_t off = (off_t)((disk_rand(&d->seed) % d->blocks) * DISK_BLOCK);
	ssize_t n;

	do
		n = pread(d->fd, d->buf, DISK_BLOCK, off);
	while (n < 0 && errno == EINTR);
	if (n == DISK_BLOCK)
		return 0;
	if (n >= 0)
		errno = EIO;
	return -1;
}

static int disk_open(struct native_ctx *ctx, char *why, size_t why_len)
{
	char name[DISK_NAME_MAX], path[48], lbs_path[80];
	uint64_t sectors, lbs = 512, span;
	struct timespec ts;
	struct disk *d;
	int err;

	if (disk_pick(name, &sectors))
		return probe_why(why, why_len, "no block device visible: /sys/block lists no disk "
				 "with a device and a size");
	snprintf(lbs_path, sizeof(lbs_path), "/sys/block/%s/queue/logical_block_size", name);
	if (!sysfs_u64(lbs_path, &lbs) && lbs > DISK_BLOCK)
		return probe_why(why, why_len, "/dev/%s has %llu-byte blocks: a 4 KiB O_DIRECT "
				 "read cannot be aligned to them", name, (unsigned long long)lbs);
	d = calloc(1, sizeof(*d));
	if (!d)
		return probe_why(why, why_len, "out of memory");
	snprintf(path, sizeof(path), "/dev/%s", name);
	d->fd = open(path, O_RDONLY | O_DIRECT | O_CLOEXEC);
	if (d->fd < 0) {
		err = errno;
		free(d);
		/* Root refused is a device cgroup or a security module, not file modes. */
		if ((err == EACCES || err == EPERM) && !geteuid())
			return probe_why(why, why_len, "%s: %s, to root too (a device cgroup or "
					 "security policy)", path, strerror(err));
		if (err == EACCES || err == EPERM)
			return probe_why(why, why_len, "%s: permission denied (reading a disk needs "
					 "root or its group)", path);
		if (err == EINVAL)
			return probe_why(why, why_len, "%s does not support O_DIRECT", path);
		return probe_why(why, why_len, "%s: %s", path, strerror(err));
	}
	err = posix_memalign(&d->buf, DISK_BLOCK, DISK_BLOCK);
	if (err) {
		d->buf = NULL;
		probe_why(why, why_len, "out of memory");
		goto fail;
	}
	if (disk_same_device(name, d->fd, why, why_len))
		goto fail;
	span = sectors * 512 < DISK_SPAN ? sectors * 512 : DISK_SPAN;
	d->blocks = span / DISK_BLOCK;
	clock_gettime(CLOCK_MONOTONIC, &ts);
	d->seed = (uint64_t)ts.tv_sec * 1000000000u + (uint64_t)ts.tv_nsec;
	/* One read now, so a device that fails reads says so before any figure. */
	if (disk_read_one(d)) {
		probe_why(why, why_len, "O_DIRECT read of %s failed: %s", path, strerror(errno));
		goto fail;
	}
	ctx->priv = d;
	return 0;
fail:
	free(d->buf);
	close(d->fd);
	free(d);
	return -1;
}

static int disk_run(struct native_ctx *ctx, uint64_t batch)
{
	struct disk *d = ctx->priv;

	for (uint64_t i = 0; i < batch; i++)
		if (disk_read_one(d))
			return -1;
	return 0;
}

static void disk_close(struct native_ctx *ctx)
{
	struct disk *d = ctx->priv;

	free(d->buf);
	close(d->fd);
	free(d);
	ctx->priv = NULL;
}

static const struct native_impl disk_impl = {
	.open = disk_open,
	.run = disk_run,
	.close = disk_close,
	.max_batch = DISK_BATCH_MAX,
};

const struct native_op instance_op_disk_read_4k_qd1 = {
	.name = "disk-read-4k-qd1",
	.what = "O_DIRECT pread of 4 KiB at a random offset in the first 1 GiB of the first "
		"disk (instance_disk_device), one at a time: a device round trip",
	.impl = &disk_impl,
	.device = instance_disk_device,
};
