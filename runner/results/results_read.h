/* SPDX-License-Identifier: MIT */
/*
 * Reading a results file (docs/results.md, "Reading results") back, for
 * `hvbench show`.  The file is untrusted input: whatever it holds, the
 * reader either returns a document whose fields have the types the rest
 * of hvbench relies on, or refuses it with a one-line reason.
 */
#ifndef RESULTS_READ_H
#define RESULTS_READ_H

#include <jansson.h>
#include <stddef.h>

/* Larger files are refused unread: a full run writes a few MiB. */
#define RESULTS_MAX_BYTES (256u << 20)
/* More cells than any plan makes; bounds what results_rows allocates. */
#define RESULTS_MAX_CELLS 65536u
/*
 * Longest time a sample or summary figure may state: an hour for one
 * operation is no measurement hvbench makes, and far larger values overflow
 * what reads them (a median of two near DBL_MAX is infinite).
 */
#define RESULTS_MAX_NS 3.6e12
/* Longest workload, mode, target or status accepted: hvbench's are under 20. */
#define RESULTS_MAX_NAME 128u

/*
 * Parse and validate len bytes of a results document.  Returns the
 * document (json_decref it), or NULL with why set to one printable line.
 * Control characters in the strings hvbench show prints are replaced by
 * '?' in the returned document, so a file cannot drive the terminal.
 */
json_t *results_parse(const char *buf, size_t len, char *why, size_t why_len);

/* results_parse of a file's contents, refusing a file over RESULTS_MAX_BYTES unread. */
json_t *results_load(const char *path, char *why, size_t why_len);

struct table_row;
/*
 * One summary-table row per result of a document from results_parse, in
 * file order; the rows' strings point into doc.  *rows is malloc'ed (free
 * it); 0, or -ENOMEM.
 */
int results_rows(const json_t *doc, struct table_row **rows, size_t *n);

/*
 * A target by today's name: "qemu", as files written before the targets
 * were split named QEMU with KVM, is "qemu-kvm"; NULL stays NULL.
 */
const char *results_target_name(const char *t);

/* A results[] entry's target as tables name it: "refvmm-np" for a probes_off twin. */
const char *results_target_of(const json_t *r);

#endif
