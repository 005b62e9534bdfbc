/* SPDX-License-Identifier: MIT */
#include <cpuid.h>
#include <errno.h>
#include <stdarg.h>
#include <stdlib.h>
#include <sys/ioctl.h>
#include <sys/mman.h>
#include <unistd.h>

#include "gva.h"
#include "kvm.h"
#include "thread_pin.h"
#include "vcpu.h"
#include "watchdog.h"

#define CPUID_1_ECX_X2APIC (1u << 21)
#define CPUID_1_ECX_TSC_DEADLINE (1u << 24)
#define CPUID_1_ECX_HYPERVISOR (1u << 31)
#define CPUID_1_EDX_APIC (1u << 9)
#define EFER_LMA (1ull << 10)
#define CPUID_HV_SIGNATURE 0x40000000u
#define MSR_IA32_APIC_BASE 0x1b
#define CPUID_BRAND_FIRST 0x80000002u
#define CPUID_BRAND_LAST 0x80000004u

void vcpu_warn(const struct vcpu *v, const char *fmt, ...)
{
	va_list ap;

	fprintf(stderr, "refvmm: vcpu %d: ", v->id);
	va_start(ap, fmt);
	vfprintf(stderr, fmt, ap);
	va_end(ap);
	fputc('\n', stderr);
}

#define CPUID_TOPOLOGY 0xbu
#define CPUID_TOPOLOGY_SMT 1u	/* leaf 0xb level types, ECX[15:8] */
#define CPUID_TOPOLOGY_CORE 2u
#define CPUID_TOPOLOGY_LEVELS 3u	/* SMT, core, and the invalid level that ends them */

/*
 * Leaf 0xb sub-leaf n of vCPU id.  KVM_GET_SUPPORTED_CPUID gives the
 * topology leaves all zeros (the host's topology means nothing to a VM;
 * "Known KVM API problems" in Documentation/virt/kvm/api.rst), which says
 * "no leaf 0xb" (SDM: EBX of sub-leaf 0 is 0): the VMM has to describe
 * the VM.  The other leaves KVM gives make each vCPU a package of its own
 * (CPUID.1:EDX.HTT clear, no core count) and APIC IDs are the vCPU ids, so
 * leaf 0xb says the same: one thread per core, one core per package, no
 * ID bits at either level (QEMU gives the same for -smp 1).
 */
static struct kvm_cpuid_entry2 cpuid_topology(uint32_t n, uint32_t id)
{
	struct kvm_cpuid_entry2 e = { .function = CPUID_TOPOLOGY, .index = n,
				      .flags = KVM_CPUID_FLAG_SIGNIFCANT_INDEX, .edx = id };

	/* EAX (shift to the next level's ID) stays 0; EDX is the x2APIC ID at every level. */
	if (n + 1 < CPUID_TOPOLOGY_LEVELS) {
		e.ebx = 1; /* logical processors at this level */
		e.ecx = (n ? CPUID_TOPOLOGY_CORE : CPUID_TOPOLOGY_SMT) << 8;
	}
	e.ecx |= n; /* every sub-leaf echoes its number in ECX[7:0], the invalid one too */
	return e;
}

/*
 * The CPUID KVM supports, made per-vCPU (APIC IDs, topology) and honest
 * about the platform: with no in-kernel irqchip there is no local APIC to
 * offer.  VM_FAULT_CPUID_SIGNATURE spoils KVM's signature, for negative
 * tests.
 */
static int cpuid_set(struct vcpu *v, struct vmm_err *err)
{
	const struct kvm_cpuid2 *sup = v->vm->cpuid;
	bool lapic = v->vm->cfg.irqchip != VM_IRQCHIP_USER, topology = false;
	/*
	 * KVM emulates the TSC-deadline timer in its local APIC whatever the
	 * CPU, says so with KVM_CAP_TSC_DEADLINE_TIMER, and leaves
	 * CPUID.1:ECX[24] clear in KVM_GET_SUPPORTED_CPUID ("Known KVM API
	 * problems" again): the VMM sets it.  KVM only takes deadline mode in
	 * the LVT timer once the guest's CPUID has the bit.
	 */
	bool tsc_deadline = lapic && kvm_cap(v->vm->kvm_fd, KVM_CAP_TSC_DEADLINE_TIMER) > 0;
	struct kvm_cpuid2 *c = calloc(1, sizeof(*c) + (sup->nent + CPUID_TOPOLOGY_LEVELS) *
						      sizeof(c->entries[0]));
	int r;

	if (!c)
		return vmm_err_set(err, VMM_ERR_INTERNAL, "out of memory");
	for (uint32_t i = 0; i < sup->nent; i++) {
		struct kvm_cpuid_entry2 *e = &c->entries[c->nent];

		*e = sup->entries[i];
		if (e->function == CPUID_TOPOLOGY) {
			/* Replaced below by sub-leaves of refvmm's own. */
			topology = true;
			continue;
		}
		c->nent++;
		if (e->function == 1) {
			e->ebx = (e->ebx & 0x00ffffff) | ((uint32_t)v->id << 24);
			e->ecx |= CPUID_1_ECX_HYPERVISOR;
			if (tsc_deadline)
				e->ecx |= CPUID_1_ECX_TSC_DEADLINE;
			if (!lapic) {
				e->edx &= ~CPUID_1_EDX_APIC;
				e->ecx &= ~(CPUID_1_ECX_X2APIC | CPUID_1_ECX_TSC_DEADLINE);
			}
		} else if (e->function == 0x1f) {
			e->edx = v->id;
		} else if (e->function >= CPUID_BRAND_FIRST && e->function <= CPUID_BRAND_LAST &&
			   !(e->eax | e->ebx | e->ecx | e->edx)) {
			/*
			 * Some backends (PVM) leave the brand string out;
			 * a CPU always has one, so give the host's, as
			 * QEMU's -cpu host does.
			 */
			__cpuid(e->function, e->eax, e->ebx, e->ecx, e->edx);
		} else if (e->function == CPUID_HV_SIGNATURE &&
			   (v->vm->cfg.faults & VM_FAULT_CPUID_SIGNATURE)) {
			e->edx = 'X'; /* EBX:ECX:EDX = "KVMK" "VMKV" "X\0\0\0" */
		}
	}
	/* KVM lists leaf 0xb when the maximum basic leaf reaches it. */
	for (uint32_t n = 0; topology && n < CPUID_TOPOLOGY_LEVELS; n++)
		c->entries[c->nent++] = cpuid_topology(n, (uint32_t)v->id);
	r = ioctl(v->fd, KVM_SET_CPUID2, c);
	free(c);
	if (r)
		return vmm_err_sys(err, VMM_ERR_KVM, "KVM_SET_CPUID2 on vcpu %d", v->id);
	return 0;
}

/*
 * With no local APIC, IA32_APIC_BASE must not say one is enabled: KVM
 * resets it to enabled whatever the irqchip, and sets CPUID's APIC bit
 * again from it, so a guest would find an APIC that is not there.
 */
static int apic_base_disable(struct vcpu *v, struct vmm_err *err)
{
	struct {
		struct kvm_msrs hdr;
		struct kvm_msr_entry e;
	} msrs = { .hdr.nmsrs = 1, .e.index = MSR_IA32_APIC_BASE, .e.data = 0 };

	if (ioctl(v->fd, KVM_SET_MSRS, &msrs) != 1)
		return vmm_err_sys(err, VMM_ERR_KVM, "KVM_SET_MSRS (IA32_APIC_BASE) on vcpu %d",
				   v->id);
	return 0;
}

int vcpu_init(struct vm *vm, int id, struct vmm_err *err)
{
	struct vcpu *v = &vm->vcpus[id];
	int size;

	*v = (struct vcpu){ .vm = vm, .id = id, .fd = -1, .cpu = -1, .stats.fd = -1 };
	v->fd = ioctl(vm->fd, KVM_CREATE_VCPU, id);
	if (v->fd < 0)
		return vmm_err_sys(err, VMM_ERR_KVM, "KVM_CREATE_VCPU %d", id);
	size = ioctl(vm->kvm_fd, KVM_GET_VCPU_MMAP_SIZE, 0);
	if (size < (int)sizeof(struct kvm_run))
		return vmm_err_sys(err, VMM_ERR_KVM, "KVM_GET_VCPU_MMAP_SIZE");
	v->run = mmap(NULL, size, PROT_READ | PROT_WRITE, MAP_SHARED, v->fd, 0);
	if (v->run == MAP_FAILED) {
		v->run = NULL;
		return vmm_err_sys(err, VMM_ERR_KVM, "mmap of vcpu %d run area", id);
	}
	v->run_size = size;
	if (cpuid_set(v, err))
		return -1;
	return vm->cfg.irqchip == VM_IRQCHIP_USER ? apic_base_disable(v, err) : 0;
}

void vcpu_destroy(struct vcpu *v)
{
	kvm_stats_close(&v->stats);
	if (v->run)
		munmap(v->run, v->run_size);
	if (v->fd >= 0)
		close(v->fd);
	v->run = NULL;
	v->fd = -1;
}

static void thread_exited(struct vcpu *v)
{
	struct vm *vm = v->vm;

	pthread_mutex_lock(&vm->lock);
	atomic_store(&v->exited, true);
	vm->threads_running--;
	pthread_cond_broadcast(&vm->cond);
	pthread_mutex_unlock(&vm->lock);
}

static void *vcpu_thread(void *arg)
{
	struct vcpu *v = arg;

	atomic_store(&v->tid, gettid());
	watchdog_thread_prepare();
	thread_pin(pthread_self(), v->cpu);
	vcpu_run_loop(v);
	thread_exited(v);
	return NULL;
}

int vcpu_start(struct vcpu *v, struct vmm_err *err)
{
	struct vm *vm = v->vm;
	int r;

	pthread_mutex_lock(&vm->lock);
	vm->threads_running++;
	pthread_mutex_unlock(&vm->lock);
	r = pthread_create(&v->thread, NULL, vcpu_thread, v);
	if (r) {
		thread_exited(v);
		errno = r;
		return vmm_err_sys(err, VMM_ERR_INTERNAL, "cannot start vcpu %d thread", v->id);
	}
	v->started = true;
	return 0;
}

void vcpu_snapshot_take(struct vcpu *v)
{
	struct vcpu_snapshot *s = &v->snap;
	struct kvm_mp_state mp = { .mp_state = KVM_MP_STATE_RUNNABLE };
	uint64_t linear;

	*s = (struct vcpu_snapshot){ .last_exit.reason = v->last_reason, .nr_exits = v->nr_exits };
	if (v->last_reason == KVM_EXIT_IO || v->last_reason == KVM_EXIT_MMIO) {
		s->last_exit.addr = v->access.addr;
		s->last_exit.size = v->access.size;
		s->last_exit.write = v->access.write;
	}
	if (ioctl(v->fd, KVM_GET_REGS, &s->regs) || ioctl(v->fd, KVM_GET_SREGS, &s->sregs))
		return;
	if (v->vm->cfg.irqchip == VM_IRQCHIP_KERNEL)
		ioctl(v->fd, KVM_GET_MP_STATE, &mp);
	else if (v->last_reason == KVM_EXIT_HLT)
		mp.mp_state = KVM_MP_STATE_HALTED;
	s->mp_state = mp.mp_state;
	/* Outside long mode, RIP is an offset into CS. */
	linear = s->regs.rip + ((s->sregs.efer & EFER_LMA) ? 0 : s->sregs.cs.base);
	s->insn_len = gva_read(&v->vm->mem, &s->sregs, linear, s->insn, 15);
	s->valid = true;
}

/*
 * The stats file is opened on first use: reading its descriptors costs a few
 * hundred microseconds that a run nobody asks figures of need not pay.
 * Older kernels lack KVM_GET_STATS_FD; then every counter reads as -1.
 * One snapshot serves all the names asked for together.
 */
void vcpu_stats(struct vcpu *v, const char *const *names, int n, int64_t *out)
{
	bool ok;

	if (!v->stats_tried) {
		struct vmm_err ignored = { 0 };

		v->stats_tried = true;
		if (kvm_cap(v->vm->kvm_fd, KVM_CAP_BINARY_STATS_FD) > 0)
			kvm_stats_open(&v->stats, v->fd, &ignored);
	}
	ok = v->stats.fd >= 0 && !kvm_stats_read(&v->stats);
	for (int i = 0; i < n; i++) {
		int idx = ok ? kvm_stats_find(&v->stats, names[i]) : -1;

		out[i] = idx < 0 ? -1 : (int64_t)kvm_stats_value(&v->stats, idx);
	}
}

int64_t vcpu_stat(struct vcpu *v, const char *name)
{
	int64_t value;

	vcpu_stats(v, &name, 1, &value);
	return value;
}
