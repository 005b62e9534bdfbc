/* SPDX-License-Identifier: MIT */
/*
 * Where a payload boots (docs/targets.md): one table, read by hvbench run
 * and hvbench conform alike.  A target is one file here and one line in
 * the table (target.c): its name, whether it can run on this host at all
 * (probe), what it cannot run (cannot), and a boot of a payload with a
 * command line, a deadline and a sink for the console's lines, whose
 * outcome (the payload's exit status, a hang and where, a crash, a failure
 * of the VMM) it reports in one form.  What the lines mean, and what the
 * outcome means for a benchmark cell or a conformance test, is the
 * commands' business; how a VMM is started, decoded and asked where it
 * hung is the target's.
 *
 * refvmm boots in this process; external VMMs (QEMU, any VMM from a command
 * template) are child processes whose serial console carries the records
 * (target_external.c); native boots nothing and runs the same operation on
 * the host.
 */
#ifndef TARGET_H
#define TARGET_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <sys/types.h>

#include "catalog.h"

struct payload;
struct target;
struct vm;
struct vm_config;
struct vmm_err;

/*
 * What an in-process VM (refvmm) lets a command add around a boot: the VM's
 * configuration, its devices and threads before the payload loads, and a
 * look at the VM after it ran, before it is destroyed.
 */
struct target_vm_hooks {
	void (*configure)(void *ctx, struct vm_config *cfg);	/* or NULL */
	/* After the VM is made, before the payload loads: 0, or -1 with err. */
	int (*setup)(void *ctx, struct vm *vm, struct vmm_err *err);	/* or NULL */
	/* After the run (ran: it booted), and after a failed setup; or NULL. */
	void (*teardown)(void *ctx, struct vm *vm, bool ran);
};

/* What an external VMM lets a command add: its process placed and known. */
struct target_proc_hooks {
	void (*child_setup)(void *ctx);		/* in the child, before exec; or NULL */
	void (*started)(void *ctx, pid_t pid);	/* before any line; or NULL */
};

/* One boot of a payload. */
struct target_boot {
	const struct payload *payload;
	unsigned int nr_vcpus;
	unsigned int mem_mib;
	double timeout_s;
	/*
	 * The payload's command line into buf.  tsc_khz is the guest TSC rate
	 * this VM states (0 when the VMM states none: the command knows KVM's);
	 * serial: the payload must print its records on COM1 (external VMMs).
	 */
	void (*cmdline)(void *ctx, uint32_t tsc_khz, bool serial, char *buf, size_t len);
	/* The sink: each complete console line, without its newline. */
	void (*line)(void *ctx, const char *line, size_t len);
	/*
	 * True once the payload's records say it is done: a VMM that does not
	 * exit with its guest (vmm-cmd) is stopped there.  May be NULL.
	 */
	bool (*ended)(void *ctx);
	void *ctx;
	const struct target_vm_hooks *vm;	/* refvmm: or NULL */
	const struct target_proc_hooks *proc;	/* external VMMs: or NULL */
};

enum target_result {
	TARGET_EXITED,		/* the payload ended and said how: guest_status */
	TARGET_HUNG,		/* no end within the deadline */
	TARGET_CRASHED,		/* the VM crashed (triple fault, KVM error), or the VMM died */
	TARGET_FAILED,		/* the target could not run the boot at all */
};

struct target_outcome {
	enum target_result result;
	/* EXITED: the payload's status (GUEST_STATUS_*, include/hvbench/ports.h). */
	int guest_status;
	/* HUNG, CRASHED, FAILED: what happened, one line ("" for a plain hang). */
	char why[512];
	/*
	 * HUNG, CRASHED: where the vCPUs stopped, if the target could tell
	 * ("vCPU hung at vmcall (rip=0x...)", or "vCPU 0 at ..., vCPU 1 at ...");
	 * where_leads: it reads as the first clause of a report (one vCPU).
	 */
	char where[256];
	bool where_leads;
	/* HUNG: vCPU 0's instruction (vm_insn_name) and RIP, when known. */
	const char *hang_insn;
	uint64_t hang_rip;
	bool hang_rip_valid;
	bool unavailable;	/* FAILED because the VMM is not there (not installed) */
	int vmm_status;		/* external VMMs: their exit status, else -1 */
	double seconds;		/* wall time of the boot, start to end */
	uint32_t tsc_khz;	/* the TSC rate the VM stated to the payload (0: none) */
};

/* An external VMM: how to start it, decode its ending, and ask where it hung. */
struct target_vmm {
	const char *bin;	/* for messages and the PATH probe */
	bool needs_kvm;
	/* hvbench run gives its repetitions this many times the deadline (an emulator is slower). */
	double bench_deadline_scale;
	/* NULL, or why the host's KVM probes cannot see this VMM's work (it makes no KVM calls). */
	const char *kvm_probes_blind;
	/*
	 * Fill argv (NULL-terminated, at most TARGET_ARGV_MAX) for one boot;
	 * strings may point into buf.  argv[0] NULL when it does not fit.
	 */
	void (*argv_build)(const struct target *t, const struct target_boot *b,
			   const char *cmdline, const char *monitor, char **argv, char *buf,
			   size_t buf_len);
	/*
	 * The payload's debug-exit status from the VMM's wait status, or -1
	 * with why filled when the VMM ended for another reason.
	 */
	int (*guest_status)(int wstatus, char *why, size_t len);
	/* At a hang, before the kill: where the vCPU is ("vmcall (rip=0x...)"), or false. */
	bool (*hang_where)(const char *monitor, char *where, size_t len, uint64_t *rip,
			   const char **insn);
	/* The VMM need not exit when the guest is done: the records' end is the end. */
	bool stop_at_end;
};

#define TARGET_ARGV_MAX 48

struct target {
	const char *name;
	const char *what;	/* one line, for --help */
	/* The host itself: no VM, no boot (hvbench run's mode native). */
	bool native;
	/* 0 if it can boot here, else -1 with why. */
	int (*probe)(const struct target *t, char *why, size_t len);
	/* NULL if it can run workload w in mode m; else why not, one line (hvbench run). */
	const char *(*cannot)(const struct target *t, const struct workload *w,
			      enum bench_mode m);
	/* One boot; every outcome is in o.  NULL for native. */
	void (*boot)(const struct target *t, const struct target_boot *b,
		     struct target_outcome *o);
	const struct target_vmm *vmm;	/* external VMMs, else NULL */
};

/* The table, in the order targets are listed and run. */
extern const struct target *const targets[];
extern const size_t nr_targets;

/* The target of a name ("qemu" is qemu-kvm, its name before there were two), or NULL. */
const struct target *target_find(const char *name);

/* Its index in targets[]. */
size_t target_index(const struct target *t);

/* The targets, one file each. */
extern const struct target target_refvmm, target_qemu_kvm, target_qemu_tcg, target_vmm_cmd,
	target_native;

/* The boot and probe of every external VMM (target_external.c). */
void target_external_boot(const struct target *t, const struct target_boot *b,
			  struct target_outcome *o);
int target_external_probe(const struct target *t, char *why, size_t len);

/*
 * What an external VMM cannot run: what needs refvmm's own devices and
 * host halves (the workload is not `external`), and modes other than hvm.
 */
const char *target_external_cannot(const struct target *t, const struct workload *w,
				   enum bench_mode m);

struct vmm_template;
/* The vmm-cmd target's template and its program, resolved (--vmm-cmd). */
void target_vmm_cmd_set(const struct vmm_template *t, const char *program);

#endif
