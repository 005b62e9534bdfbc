/* SPDX-License-Identifier: MIT */
/*
 * Reading one test's @hvb conform records (include/hvbench/conform.h) from
 * the guest console.  The text is untrusted: records must come in order,
 * name the test that was asked for, fit their bounds and agree with each
 * other; the first violation is kept and makes the result an ERROR.
 */
#ifndef CONFORM_PROTO_H
#define CONFORM_PROTO_H

#include "conform.h"

struct conform_proto {
	const char *id;			/* the test that was booted */
	struct conform_result *r;	/* fails, checks and the skip reason go here */
	bool begun, ended;
	enum conform_status status;	/* from the end record */
	unsigned int nr_fail_records;
	char skip[CONFORM_TEXT_MAX + 1];
	char crash[256];		/* the runtime's last "rt: " line (its exception report), if any */
	char error[200];		/* first protocol violation, "" if none */
	char last_other[256];		/* the last line that was no record */
};

void conform_proto_init(struct conform_proto *p, const char *id, struct conform_result *r);
void conform_proto_line(struct conform_proto *p, const char *line, size_t len);

/*
 * After a run that ended normally: the test's status and reason into p->r.
 * Returns 0, or -1 (p->r set to ERROR) when the records were incomplete or
 * invalid.
 */
int conform_proto_finish(struct conform_proto *p);

#endif
