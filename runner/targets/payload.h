/* SPDX-License-Identifier: MIT */
/* Guest payloads the runner boots, and what it asks KVM before booting them. */
#ifndef PAYLOAD_H
#define PAYLOAD_H

#include <limits.h>
#include <stddef.h>
#include <stdint.h>

struct payload {
	char path[PATH_MAX];
	uint8_t *data;
	size_t size;
};

/*
 * Load a payload: path, else $env_var, else default_rel relative to the
 * directory of this executable (the build tree's layout).  On failure,
 * prints one line naming cmd and returns -1.
 */
int payload_load(struct payload *p, const char *path, const char *env_var,
		 const char *default_rel, const char *cmd);
void payload_free(struct payload *p);

/*
 * KVM's guest TSC rate (KVM_GET_TSC_KHZ on a throwaway VM), which external
 * VMMs do not tell the payload; 0 if KVM cannot say.
 */
uint32_t payload_kvm_tsc_khz(void);

#endif
