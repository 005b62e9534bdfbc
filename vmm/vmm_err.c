/* SPDX-License-Identifier: MIT */
#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <string.h>

#include "vmm_err.h"

static int err_vset(struct vmm_err *err, enum vmm_err_kind kind, int errnum, const char *fmt,
		    va_list ap)
{
	size_t n;

	if (!err || err->kind != VMM_ERR_NONE)
		return -1;
	err->kind = kind;
	vsnprintf(err->msg, sizeof(err->msg), fmt, ap);
	n = strlen(err->msg);
	if (errnum && n < sizeof(err->msg))
		snprintf(err->msg + n, sizeof(err->msg) - n, ": %s", strerror(errnum));
	return -1;
}

int vmm_err_set(struct vmm_err *err, enum vmm_err_kind kind, const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	err_vset(err, kind, 0, fmt, ap);
	va_end(ap);
	return -1;
}

int vmm_err_sys(struct vmm_err *err, enum vmm_err_kind kind, const char *fmt, ...)
{
	int errnum = errno;
	va_list ap;

	va_start(ap, fmt);
	err_vset(err, kind, errnum, fmt, ap);
	va_end(ap);
	errno = errnum;
	return -1;
}
