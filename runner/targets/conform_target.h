/* SPDX-License-Identifier: MIT */
/*
 * Where conformance tests run.  A target boots the conformance payload with
 * one test named on its command line and turns what happened into a
 * conform_result.  refvmm runs in-process; external VMMs (QEMU today) are
 * child processes whose serial console carries the records: adding another
 * VMM that boots PVH ELFs (Firecracker, cloud-hypervisor) means writing one
 * conform_ext_vmm, an argv builder and an exit-status decoder.
 */
#ifndef CONFORM_TARGET_H
#define CONFORM_TARGET_H

#include <stdint.h>

#include "conform.h"
#include "payload.h"

/* What every boot of a run shares. */
struct conform_ctx {
	const struct payload *payload;
	uint32_t tsc_khz;	/* stated to the guest (tsc_khz=), 0 if unknown */
	double timeout_s;	/* per test */
	uint32_t faults;	/* refvmm fault injection (VM_FAULT_*), for negative tests */
};

/* One boot of one test: the command line and the VM's size. */
struct conform_boot {
	const char *payload_path;
	const char *cmdline;
	unsigned int nr_vcpus;
	unsigned int mem_mib;
	const char *monitor_path; /* a control socket the VMM may offer, for hang reports */
};

#define CONFORM_ARGV_MAX 48

/* An external VMM. */
struct conform_ext_vmm {
	const char *bin;
	/* Fill argv (NULL-terminated, at most CONFORM_ARGV_MAX) for one boot; strings may point into buf. */
	void (*argv_build)(const struct conform_ext_vmm *v, const struct conform_boot *b,
			   char **argv, char *buf, size_t buf_len);
	/*
	 * The payload's debug-exit status from the VMM's wait status, or -1
	 * with why filled when the VMM ended for another reason.
	 */
	int (*guest_status)(int wstatus, char *why, size_t len);
	/* At a hang, before the kill: where the vCPU is ("vmcall (rip=0x...)"), or false. */
	bool (*hang_where)(const struct conform_boot *b, char *where, size_t len);
	const char *accel;	/* QEMU: kvm or tcg */
	bool needs_kvm;
	/*
	 * The VMM need not exit when the guest is done: the test's end record
	 * ends the run, and the VMM is stopped (vmm-cmd).
	 */
	bool stop_at_end;
};

struct conform_target {
	const char *name;
	const char *what;	/* one line, for --help */
	/* 0 if it can run here, else -1 with why. */
	int (*probe)(const struct conform_target *t, char *why, size_t len);
	void (*run)(const struct conform_target *t, const struct conform_ctx *c,
		    const struct conform_test *test, struct conform_result *r);
	const struct conform_ext_vmm *ext;	/* external VMMs, else NULL */
};

extern const struct conform_target conform_targets[];
extern const size_t conform_nr_targets;

const struct conform_target *conform_target_find(const char *name);

/* The payload's command line for one test. */
void conform_cmdline(char *buf, size_t len, const struct conform_test *test,
		     const struct conform_ctx *c, bool serial);

/* The adapters. */
int conform_refvmm_probe(const struct conform_target *t, char *why, size_t len);
void conform_refvmm_run(const struct conform_target *t, const struct conform_ctx *c,
			const struct conform_test *test, struct conform_result *r);
int conform_ext_probe(const struct conform_target *t, char *why, size_t len);
void conform_ext_run(const struct conform_target *t, const struct conform_ctx *c,
		     const struct conform_test *test, struct conform_result *r);
extern const struct conform_ext_vmm conform_qemu_kvm, conform_qemu_tcg;
extern struct conform_ext_vmm conform_vmm_cmd;

struct vmm_template;
/* The vmm-cmd target's template and its program, resolved (--vmm-cmd). */
void conform_vmm_cmd_set(const struct vmm_template *t, const char *program);

#endif
