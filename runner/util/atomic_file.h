/* SPDX-License-Identifier: MIT */
/* Files written atomically: the results, reports, TAP/JUnit/JSON outputs. */
#ifndef ATOMIC_FILE_H
#define ATOMIC_FILE_H

#include <stdbool.h>
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

/*
 * Whether path can be written, asked before any work is done so that
 * nothing measured is lost at the end: when path's directory is
 * default_dir (a command's default "results"), it is made if missing
 * (mkdir -p); any other directory must already be a writable directory,
 * so a typo does not grow a tree.  0, or -errno with why ("directory
 * results2 does not exist") filled in.
 */
int atomic_file_dir_ready(const char *path, const char *default_dir, char *why, size_t len);

#endif
