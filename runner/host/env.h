/* SPDX-License-Identifier: MIT */
/*
 * The environment a result was measured in, captured with every run:
 * CPU, microcode, topology, kernel, KVM backend and its parameters, whether
 * this host is itself a guest, frequency policy, mitigations, DMI identity.
 * Anything that cannot be read is recorded as unknown, with why.
 */
#ifndef ENV_H
#define ENV_H

#include <jansson.h>
#include <stdbool.h>
#include <stdio.h>

/*
 * The signature (CPUID 0x40000000 EBX:ECX:EDX, NUL-terminated) of the
 * hypervisor this process runs under; false when the CPUID hypervisor bit
 * is clear (or there is no CPUID).
 */
bool env_hypervisor_signature(char sig[13]);

/* A new JSON object describing this machine; NULL only when out of memory. */
json_t *env_capture(void);

/* Human-readable rendering of env_capture's object (`hvbench info`). */
void env_print(FILE *f, const json_t *env);

/*
 * env_print's lines about the hypervisor alone: its sources side by side,
 * a disagreement spelled out, the guest kernel's paravirtualisation; for a
 * header that shows no more of the environment (hvbench run's).
 */
void env_print_hypervisor(FILE *f, const json_t *env);

#endif
