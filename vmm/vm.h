/* SPDX-License-Identifier: MIT */
/*
 * refvmm's VM: guest memory, vCPUs each on its own thread, the I/O buses
 * devices register on, the devices its configuration chose (vmm/dev/), the
 * interrupt controller, and the outcome of a run.
 *
 * Lifecycle: vm_create (which creates the chosen devices) -> (register
 * handlers of the caller's own) -> vm_load_pvh -> vm_run -> vm_destroy.
 * vm_run always returns: a guest that exits, crashes or hangs past its
 * deadline ends the run with an outcome saying which.
 */
#ifndef VM_H
#define VM_H

#include <linux/kvm.h>
#include <pthread.h>
#include <stdatomic.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>

#include "console.h"
#include "dev_set.h"
#include "guest_mem.h"
#include "io_bus.h"
#include "irq.h"
#include "kvm_stats.h"
#include "vm_fault.h"
#include "vmm_err.h"

#define VM_MAX_VCPUS 64
#define VM_MAX_MEM (3ull << 30) /* RAM stays below the 32-bit MMIO hole */
#define VM_MIN_MEM (2ull << 20)
#define VM_MAX_DEVICES 8

enum vm_irqchip {
	VM_IRQCHIP_KERNEL,	/* KVM_CREATE_IRQCHIP: LAPIC, IOAPIC, PIC in the kernel */
	VM_IRQCHIP_USER,	/* none in the kernel: hlt and APIC accesses exit */
};

struct vm_config {
	/*
	 * The devices the VM has (dev_set.h); NULL for dev_set_standard.
	 * Conformance VMs take dev_set_conform, which adds the fixtures its
	 * tests talk to; benchmark VMs do without them.
	 */
	const struct dev_set *devices;
	uint64_t mem_bytes;
	unsigned int nr_vcpus;
	enum vm_irqchip irqchip;
	bool hugepages;
	/*
	 * An in-kernel PIT (with the speaker port gating channel 2), as a PC
	 * has: a timebase for guests.  Off by default: creating and tearing
	 * it down costs ~15 ms per VM here, which benchmark repetitions
	 * should not pay.
	 */
	bool pit;
	/* Accesses to unassigned ports and addresses go unreported (tests make them on purpose). */
	bool quiet_unknown_io;
	/*
	 * VM_FAULT_* bits (vm_fault.h); 0 for an honest VM.  vm_create
	 * refuses a fault that lives in a device the VM does not have.
	 */
	uint32_t faults;
	/*
	 * A debugging aid: every port I/O exit refvmm handles busy-waits this
	 * long first, so a run is slower for real (regression detection can
	 * be tested on it).  0 for an honest VM; at most VM_PIO_DELAY_MAX_NS.
	 */
	uint32_t debug_pio_delay_ns;
};

#define VM_PIO_DELAY_MAX_NS 10000000u	/* 10 ms */

enum vm_result {
	VM_RESULT_NONE,
	VM_RESULT_EXITED,	/* the guest wrote a status to the debug-exit port */
	VM_RESULT_HANG,		/* the deadline passed */
	VM_RESULT_CRASH,	/* triple fault, emulation failure, entry failure */
	VM_RESULT_ERROR,	/* refvmm itself failed */
};

/* The last exit a vCPU took, for hang and crash reports. */
struct vcpu_exit_info {
	uint32_t reason;	/* KVM_EXIT_* */
	uint64_t addr;		/* port or physical address, for IO/MMIO */
	uint32_t size;
	bool write;
};

/* A vCPU's state after it stopped, for reports. */
struct vcpu_snapshot {
	bool valid;
	struct kvm_regs regs;
	struct kvm_sregs sregs;
	uint32_t mp_state;	/* KVM_MP_STATE_* */
	uint8_t insn[16];	/* bytes at RIP */
	unsigned int insn_len;
	struct vcpu_exit_info last_exit;
	uint64_t nr_exits;
};

struct vm_outcome {
	enum vm_result result;
	uint32_t status;	/* EXITED: the value written to the debug-exit port */
	int vcpu;		/* the vCPU that ended the run, -1 for the watchdog */
	char reason[384];	/* one line: what happened */
	double seconds;		/* wall time of vm_run */
};

struct vm;

struct vcpu {
	struct vm *vm;
	int id;
	int fd;
	struct kvm_run *run;
	size_t run_size;
	pthread_t thread;
	/*
	 * The thread's kernel tid, set by the thread before its first KVM_RUN
	 * (0 until then), for tools that watch it from outside (probes/).
	 */
	atomic_int tid;
	int cpu;		/* host CPU its thread is pinned to, -1 = not pinned */
	bool started;		/* thread created and not yet joined */
	atomic_bool exited;	/* thread has left its run loop */
	/*
	 * The last exit refvmm handled, for reports: its KVM_EXIT_* reason
	 * and, for a port or MMIO exit, the access, which is also what the
	 * device's handler is given (one record, written once per exit).
	 */
	uint32_t last_reason;
	struct io_access access;
	uint64_t nr_exits;
	unsigned int unknown_io_reports;
	struct kvm_stats stats;
	bool stats_tried;	/* stats opened on first vcpu_stat */
	struct vcpu_snapshot snap;
};

typedef void (*vm_console_fn)(void *ctx, const char *line, size_t len);

/*
 * A handler for an exit reason refvmm itself does not handle (MSR and
 * hypercall exits a user of the library opted in to).  Runs on the vCPU
 * thread; returns false when the vCPU must stop.
 */
typedef bool (*vm_exit_fn)(void *opaque, struct vcpu *vcpu);

#define VM_EXIT_HANDLERS_MAX 8

struct vm_exit_handler {
	uint32_t reason;	/* KVM_EXIT_* */
	vm_exit_fn fn;
	void *opaque;
};

struct vm {
	struct vm_config cfg;
	int kvm_fd;
	int fd;
	struct guest_mem mem;
	struct kvm_cpuid2 *cpuid;
	unsigned int nr_vcpus;
	struct vcpu vcpus[VM_MAX_VCPUS];
	struct io_bus pio, mmio;	/* pio is a port bus (io_bus_init_ports) */
	struct irq_routing routing;
	struct vm_device {
		const struct dev_type *type;
		void *priv;		/* what its create made */
	} devices[VM_MAX_DEVICES];
	unsigned int nr_devices;
	uint32_t next_slot;	/* the next free memory slot number (0 is RAM) */
	struct console con;
	vm_console_fn console;
	void *console_ctx;
	uint32_t tsc_khz;	/* KVM_GET_TSC_KHZ (the rate stated to the guest), 0 if unknown */
	struct vm_exit_handler exit_handlers[VM_EXIT_HANDLERS_MAX];
	unsigned int nr_exit_handlers;

	pthread_mutex_t lock;
	pthread_cond_t cond;
	atomic_bool stopping;	/* vCPU threads must return; set only once done is */
	atomic_bool done;	/* an outcome is set: vCPUs stop running the guest */
	unsigned int threads_running;
	struct vm_outcome outcome;
};

struct vm *vm_create(const struct vm_config *cfg, struct vmm_err *err);
void vm_destroy(struct vm *vm);

/* Where complete lines from the guest console go (default: stdout). */
void vm_console_set(struct vm *vm, vm_console_fn fn, void *ctx);

/* Pin vCPU idx's thread to host CPU cpu when it starts (before vm_run). */
void vm_vcpu_pin(struct vm *vm, unsigned int idx, int cpu);

/* Handle exits of one KVM_EXIT_* reason with fn (before vm_run). */
int vm_exit_handler_set(struct vm *vm, uint32_t reason, vm_exit_fn fn, void *opaque,
			struct vmm_err *err);

/*
 * Map size bytes of host memory at guest-physical gpa as a memory slot of
 * its own (flags: KVM_MEM_READONLY for a ROM).  It must not overlap RAM.
 */
int vm_mem_map(struct vm *vm, uint64_t gpa, void *host, uint64_t size, uint32_t flags,
	       struct vmm_err *err);

/* Load a PVH ELF payload and prepare the boot vCPU to enter it. */
int vm_load_pvh(struct vm *vm, const uint8_t *elf, size_t size, const char *cmdline,
		struct vmm_err *err);

/* Run until the guest exits, crashes or hangs past timeout_sec. */
int vm_run(struct vm *vm, double timeout_sec, struct vm_outcome *out);

/*
 * End the run with a result; the first caller wins.  Called from device and
 * exit handlers on vCPU threads.
 */
void vm_finish(struct vm *vm, enum vm_result result, int vcpu, uint32_t status,
	       const char *fmt, ...) __attribute__((format(printf, 5, 6)));

/* Print what happened, with registers and the code at RIP for hangs/crashes. */
void vm_outcome_print(const struct vm *vm, const struct vm_outcome *out, FILE *f);

/* The name of the instruction starting with b (vmcall, hlt, ...), or NULL. */
const char *vm_insn_name(const uint8_t *b, unsigned int n);

/* Counters of one vCPU, from KVM binary stats (-1 if not available). */
int64_t vcpu_stat(struct vcpu *vcpu, const char *name);
/* Several counters from one snapshot: out[i] for names[i]. */
void vcpu_stats(struct vcpu *vcpu, const char *const *names, int n, int64_t *out);

#endif
