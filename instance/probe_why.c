/* SPDX-License-Identifier: MIT */
/*
 * The instance operations' refusals and their reads of kernel files.  What
 * sysfs and procfs say comes from the kernel we are measuring under, which
 * a hypervisor may have configured oddly: every read is bounded and a line
 * that does not fit is an error, never a silently clipped value.
 */
#include <errno.h>
#include <fcntl.h>
#include <stdarg.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>

#include "probe_lib.h"

int probe_why(char *why, size_t len, const char *fmt, ...)
{
	va_list ap;

	if (!why || !len)
		return -1;
	va_start(ap, fmt);
	vsnprintf(why, len, fmt, ap);
	va_end(ap);
	return -1;
}

int probe_read_line(const char *path, char *buf, size_t len)
{
	ssize_t n;
	char *nl;
	int fd, err;

	if (!len) {
		errno = EINVAL;
		return -1;
	}
	fd = open(path, O_RDONLY | O_CLOEXEC);
	if (fd < 0)
		return -1;
	/* One read: sysfs and these procfs files hand over the whole value at once. */
	do
		n = read(fd, buf, len);
	while (n < 0 && errno == EINTR);
	err = errno;
	close(fd);
	if (n < 0) {
		errno = err;
		return -1;
	}
	nl = memchr(buf, '\n', (size_t)n);
	if (!nl && (size_t)n == len) {
		errno = EOVERFLOW;
		return -1;
	}
	if (nl)
		*nl = '\0';
	else
		buf[n] = '\0';
	return 0;
}
