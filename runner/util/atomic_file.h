/* SPDX-License-Identifier: MIT */
/* Files written atomically: the results, reports, TAP/JUnit/JSON outputs. */
#ifndef ATOMIC_FILE_H
#define ATOMIC_FILE_H

#include <stddef.h>
#include <stdio.h>

/*
 * Write len bytes of text to path atomically: to path.tmp.PID, fsync'ed,
 * renamed over path.  0, or -errno (the temporary file is removed).
 */
int atomic_file_write(const char *path, const char *text, size_t len);

/*
 * Close f, a memory stream (open_memstream(text, len)) a file was built in,
 * and write what it holds to path atomically; *text is freed.  0, or -errno
 * (-ENOMEM if the stream failed).
 */
int atomic_file_write_memstream(FILE *f, char **text, size_t *len, const char *path);

#endif
