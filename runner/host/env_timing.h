/* SPDX-License-Identifier: MIT */
/*
 * Whether a machine's times are performance figures.  Under QEMU's TCG the
 * host's CPU is itself emulated (scripts/testvm's VM, where this project
 * tests its KVM paths): KVM runs there for real, so counts (exits,
 * injections, probe events) are exact, but a time measures the emulator,
 * tens of times slower than hardware and in other proportions.  The
 * environment records it as
 *
 *     "timing": { "performance_figures": bool, "why": str | null }
 *
 * and show, report, compare, gate and baseline record say it.
 */
#ifndef ENV_TIMING_H
#define ENV_TIMING_H

#include <jansson.h>
#include <stdbool.h>

/*
 * How much longer than on hardware deadlines must allow on this machine:
 * 1, or ENV_TIMING_EMULATED_SLOWDOWN where this process runs on a CPU that
 * QEMU's TCG emulates (a nested boot takes seconds there).
 */
#define ENV_TIMING_EMULATED_SLOWDOWN 5.0
double env_timing_deadline_scale(void);

/* Whether an environment captured by env_capture() is that of a CPU QEMU's TCG emulates. */
bool env_timing_host_is_tcg(const json_t *env);

/* The "timing" object for an environment captured by env_capture(). */
json_t *env_timing_json(const json_t *env);

/*
 * Why the times of a results document (run, baseline or conform) are not
 * performance figures, or NULL when they are.  Files written before the
 * "timing" object existed are judged by their hypervisor signature.
 */
const char *env_timing_caveat(const json_t *doc);

#endif
