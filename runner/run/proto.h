/* SPDX-License-Identifier: MIT */
/*
 * Reading the @hvb records a benchmark payload prints (docs/protocol.md,
 * include/hvbench/bench.h).  The console text comes from the guest and is
 * untrusted: every number is range-checked, counts are bounded by what the
 * begin record declared and by HVB_SAMPLES_MAX, and the first violation is
 * kept as the error, which makes proto_finish fail however the output goes on.
 */
#ifndef PROTO_H
#define PROTO_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#define PROTO_NOTES_MAX 8

struct proto_result {
	bool begun, ended, unavailable;
	bool mark_begun, mark_ended;	/* the "@hvb mark begin/end" records (marks=serial) */
	char name[64], mode[16];
	unsigned int cpl;
	uint64_t batch, declared, timer, frame, corr, tsc_khz;
	uint64_t *samples;	/* TSC cycles per batch, nr of them */
	size_t nr;
	char why[256];		/* unavailable: the guest's reason */
	char notes[PROTO_NOTES_MAX][256];
	unsigned int nr_notes;
	char error[160];	/* first protocol violation, "" if none */
	char last_other[256];	/* the last line that was not a record (diagnostics) */
};

void proto_init(struct proto_result *p);
void proto_free(struct proto_result *p);

/* Feed one console line (without its newline). */
void proto_line(struct proto_result *p, const char *line, size_t len);

/* After the run: 0 if a complete sample set (or an unavailable record) arrived, else -1 with p->error set. */
int proto_finish(struct proto_result *p);

#endif
