/* SPDX-License-Identifier: MIT */
/*
 * `hvbench info`: what this host is (env_capture's record, env_print), and
 * what it can run: one capability per target and per tool the runner or
 * its tests use, each available or not with the reason, found by probing
 * (opening /dev/kvm and creating a VM, running QEMU, loading the eBPF
 * probes, opening perf counters), never by guessing.  docs/info.md.
 */
#ifndef INFO_H
#define INFO_H

#include <jansson.h>
#include <stddef.h>
#include <stdio.h>


/*
 * Probe this host now: {"refvmm": {"available": bool, "why": str | null,
 * "detail": str | null, "notes": [str], ...}, "qemu-kvm": ..., ...} in the
 * order of docs/info.md.  env is env_capture()'s object (the backend and
 * whether this host is a guest come from it).  NULL when out of memory.
 */
json_t *info_capabilities(const json_t *env);

/*
 * The "What this host can run" section: one line per capability, "yes" or
 * "yes: DETAIL" or "no: WHY", then its notes, one line each.  It reads only
 * the JSON; a member missing or of the wrong type is printed as such.
 */
void info_print(FILE *f, const json_t *caps);


#endif
