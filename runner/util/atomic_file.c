/* SPDX-License-Identifier: MIT */
/*
 * Files written whole or not at all: to a temporary file beside the target,
 * fsync'ed, renamed over it, the directory synced, so a reader (or a crash)
 * sees the old file or the new one, never a torn one.
 */
#include <errno.h>
#include <fcntl.h>
#include <libgen.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "atomic_file.h"

/* The rename itself survives a crash only once the directory is on disk. */
static void dir_sync(const char *path)
{
	char dir[4096];
	int fd;

	snprintf(dir, sizeof(dir), "%s", path);
	fd = open(dirname(dir), O_RDONLY | O_DIRECTORY | O_CLOEXEC);
	if (fd >= 0) {
		fsync(fd);
		close(fd);
	}
}

int atomic_file_write(const char *path, const char *text, size_t len)
{
	char tmp[4096];
	int fd, e = 0;

	if (snprintf(tmp, sizeof(tmp), "%s.tmp.%d", path, (int)getpid()) >= (int)sizeof(tmp))
		return -ENAMETOOLONG;
	fd = open(tmp, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0644);
	if (fd < 0)
		return -errno;
	for (size_t off = 0; off < len && !e;) {
		ssize_t w = write(fd, text + off, len - off);

		if (w < 0 && errno != EINTR)
			e = -errno;
		else if (w > 0)
			off += (size_t)w;
	}
	if (!e && fsync(fd))
		e = -errno;
	if (close(fd) && !e)
		e = -errno;
	if (!e && rename(tmp, path))
		e = -errno;
	if (e)
		unlink(tmp);
	else
		dir_sync(path);
	return e;
}

int atomic_file_write_memstream(FILE *f, char **text, size_t *len, const char *path)
{
	bool bad = ferror(f);
	int e;

	if (fclose(f) || bad) {
		free(*text);
		*text = NULL;
		return -ENOMEM;	/* a memory stream fails for want of memory only */
	}
	e = atomic_file_write(path, *text, *len);
	free(*text);
	*text = NULL;
	return e;
}

/* mkdir -p dir (a copy it may cut up). */
static int dir_make(char *dir)
{
	for (char *p = dir + 1; ; p++) {
		bool end = !*p;

		if (!end && *p != '/')
			continue;
		*p = '\0';
		if (mkdir(dir, 0755) && errno != EEXIST)
			return -errno;
		if (end)
			return 0;
		*p = '/';
	}
}

int atomic_file_dir_ready(const char *path, const char *default_dir, char *why, size_t len)
{
	char buf[4096];
	const char *dir;
	struct stat st;
	int e = 0;

	if (snprintf(buf, sizeof(buf), "%s", path) >= (int)sizeof(buf)) {
		snprintf(why, len, "the path is too long");
		return -ENAMETOOLONG;
	}
	dir = dirname(buf);
	if (default_dir && !strcmp(dir, default_dir)) {
		char tmp[4096];

		snprintf(tmp, sizeof(tmp), "%s", dir);
		e = dir_make(tmp);
		if (e) {
			snprintf(why, len, "cannot create directory %s: %s", dir, strerror(-e));
			return e;
		}
	}
	if (stat(dir, &st))
		e = -errno;
	else if (!S_ISDIR(st.st_mode))
		e = -ENOTDIR;
	else if (access(dir, W_OK | X_OK))
		e = -errno;
	if (e == -ENOENT)
		snprintf(why, len, "directory %s does not exist", dir);
	else if (e == -ENOTDIR)
		snprintf(why, len, "%s is not a directory", dir);
	else if (e)
		snprintf(why, len, "directory %s: %s", dir, strerror(-e));
	return e;
}
