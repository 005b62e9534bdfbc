/* SPDX-License-Identifier: MIT */
#include <errno.h>
#include <stdarg.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/uio.h>
#include <time.h>
#include <unistd.h>

#include "boot_pvh.h"
#include "elf_load.h"
#include "kvm.h"
#include "vcpu.h"
#include "vm_dev.h"
#include "watchdog.h"

/* Where Intel VMX wants its real-mode TSS and identity map: above RAM, below the APIC. */
#define VMX_TSS_GPA 0xfffbd000ull
#define VMX_IDENTITY_MAP_GPA 0xfffbc000ull

#define STOP_GRACE_SEC 2.0

static void console_stdout(void *ctx, const char *line, size_t len)
{
	struct iovec iov[2] = { { (void *)line, len }, { "\n", 1 } };

	(void)ctx;
	if (writev(STDOUT_FILENO, iov, 2) < 0)
		return; /* stdout gone: the run's outcome still matters */
}

void vm_console_set(struct vm *vm, vm_console_fn fn, void *ctx)
{
	vm->console = fn ? fn : console_stdout;
	vm->console_ctx = ctx;
}

static int config_check(const struct vm_config *cfg, int kvm_fd, struct vmm_err *err)
{
	int max_vcpus = 1;

	/* Every KVM runs one vCPU; ask only when more are wanted. */
	if (cfg->nr_vcpus > 1) {
		max_vcpus = kvm_cap(kvm_fd, KVM_CAP_MAX_VCPUS);
		if (max_vcpus <= 0)
			max_vcpus = kvm_cap(kvm_fd, KVM_CAP_NR_VCPUS);
		if (max_vcpus > VM_MAX_VCPUS)
			max_vcpus = VM_MAX_VCPUS;
	}
	if (cfg->mem_bytes < VM_MIN_MEM || cfg->mem_bytes > VM_MAX_MEM || cfg->mem_bytes % 4096)
		return vmm_err_set(err, VMM_ERR_USAGE,
				   "guest memory must be 2 to 3072 MiB in whole pages, not %llu bytes",
				   (unsigned long long)cfg->mem_bytes);
	if (cfg->nr_vcpus < 1 || (int)cfg->nr_vcpus > max_vcpus)
		return vmm_err_set(err, VMM_ERR_USAGE, "%u vCPUs asked for; this KVM allows 1 to %d",
				   cfg->nr_vcpus, max_vcpus);
	if (cfg->nr_vcpus > 1 && cfg->irqchip != VM_IRQCHIP_KERNEL)
		return vmm_err_set(err, VMM_ERR_USAGE,
				   "more than one vCPU needs the in-kernel irqchip: secondary "
				   "vCPUs wait for INIT/SIPI from its local APICs");
	if (cfg->debug_pio_delay_ns > VM_PIO_DELAY_MAX_NS)
		return vmm_err_set(err, VMM_ERR_USAGE, "a PIO delay of %u ns asked for; at most %u",
				   cfg->debug_pio_delay_ns, VM_PIO_DELAY_MAX_NS);
	return 0;
}

static int caps_check(int kvm_fd, const struct vm_config *cfg, struct vmm_err *err)
{
	static const struct {
		long cap;
		const char *name;
	} required[] = {
		{ KVM_CAP_USER_MEMORY, "KVM_CAP_USER_MEMORY" },
		{ KVM_CAP_EXT_CPUID, "KVM_CAP_EXT_CPUID" },
		{ KVM_CAP_IMMEDIATE_EXIT, "KVM_CAP_IMMEDIATE_EXIT (needed by the watchdog)" },
	};

	for (size_t i = 0; i < sizeof(required) / sizeof(required[0]); i++)
		if (kvm_cap(kvm_fd, required[i].cap) <= 0)
			return vmm_err_set(err, VMM_ERR_KVM, "this KVM lacks %s", required[i].name);
	if (cfg->irqchip == VM_IRQCHIP_KERNEL && kvm_cap(kvm_fd, KVM_CAP_IRQCHIP) <= 0)
		return vmm_err_set(err, VMM_ERR_KVM,
				   "this KVM has no in-kernel irqchip (KVM_CAP_IRQCHIP): use "
				   "--irqchip user");
	return 0;
}

static int vm_fd_setup(struct vm *vm, struct vmm_err *err)
{
	struct kvm_userspace_memory_region region;

	do
		vm->fd = ioctl(vm->kvm_fd, KVM_CREATE_VM, 0);
	while (vm->fd < 0 && errno == EINTR);
	if (vm->fd < 0)
		return vmm_err_sys(err, VMM_ERR_KVM, "KVM_CREATE_VM");
	if (kvm_cap(vm->kvm_fd, KVM_CAP_SET_TSS_ADDR) > 0 &&
	    ioctl(vm->fd, KVM_SET_TSS_ADDR, VMX_TSS_GPA))
		return vmm_err_sys(err, VMM_ERR_KVM, "KVM_SET_TSS_ADDR");
	if (kvm_cap(vm->kvm_fd, KVM_CAP_SET_IDENTITY_MAP_ADDR) > 0) {
		uint64_t addr = VMX_IDENTITY_MAP_GPA;

		if (ioctl(vm->fd, KVM_SET_IDENTITY_MAP_ADDR, &addr))
			return vmm_err_sys(err, VMM_ERR_KVM, "KVM_SET_IDENTITY_MAP_ADDR");
	}
	if (guest_mem_alloc(&vm->mem, vm->cfg.mem_bytes, vm->cfg.hugepages, err))
		return -1;
	region = (struct kvm_userspace_memory_region){
		.slot = 0,
		.guest_phys_addr = 0,
		.memory_size = vm->mem.size,
		.userspace_addr = (uintptr_t)vm->mem.host,
	};
	if (ioctl(vm->fd, KVM_SET_USER_MEMORY_REGION, &region))
		return vmm_err_sys(err, VMM_ERR_KVM, "KVM_SET_USER_MEMORY_REGION");
	vm->next_slot = 1;
	if (vm->cfg.irqchip == VM_IRQCHIP_KERNEL && irq_chip_create(vm, err))
		return -1;
	return 0;
}

struct vm *vm_create(const struct vm_config *cfg, struct vmm_err *err)
{
	struct vm *vm = calloc(1, sizeof(*vm));
	pthread_condattr_t ca;
	int tsc_khz;

	if (!vm) {
		vmm_err_set(err, VMM_ERR_INTERNAL, "out of memory");
		return NULL;
	}
	vm->cfg = *cfg;
	vm->fd = -1;
	pthread_mutex_init(&vm->lock, NULL);
	pthread_condattr_init(&ca);
	pthread_condattr_setclock(&ca, CLOCK_MONOTONIC);
	pthread_cond_init(&vm->cond, &ca);
	pthread_condattr_destroy(&ca);
	vm_console_set(vm, NULL, NULL);
	console_init(&vm->con);

	vm->kvm_fd = kvm_open(err);
	if (vm->kvm_fd < 0 || config_check(cfg, vm->kvm_fd, err) || caps_check(vm->kvm_fd, cfg, err) ||
	    watchdog_init(err) || io_bus_init_ports(&vm->pio, err) || vm_fd_setup(vm, err))
		goto fail;
	vm->cpuid = kvm_supported_cpuid(vm->kvm_fd, err);
	if (!vm->cpuid)
		goto fail;
	for (unsigned int i = 0; i < cfg->nr_vcpus; i++) {
		if (vcpu_init(vm, i, err))
			goto fail;
		vm->nr_vcpus++;
	}
	if (vm_devices_create(vm, err))
		goto fail;
	tsc_khz = ioctl(vm->vcpus[0].fd, KVM_GET_TSC_KHZ, 0);
	vm->tsc_khz = tsc_khz > 0 ? (uint32_t)tsc_khz : 0;
	if (cfg->faults & VM_FAULT_TSC_KHZ)
		vm->tsc_khz += vm->tsc_khz / 100;
	return vm;
fail:
	vm_destroy(vm);
	return NULL;
}

void vm_destroy(struct vm *vm)
{
	bool stuck = false;

	if (!vm)
		return;
	for (unsigned int i = 0; i < vm->nr_vcpus; i++)
		stuck |= vm->vcpus[i].started;
	if (stuck) {
		/* A vCPU thread never came back: its memory must outlive it. */
		return;
	}
	for (unsigned int i = 0; i < vm->nr_vcpus; i++)
		vcpu_destroy(&vm->vcpus[i]);
	vm_devices_destroy(vm);
	console_destroy(&vm->con);
	io_bus_free(&vm->pio);
	io_bus_free(&vm->mmio);
	irq_routing_free(&vm->routing);
	free(vm->cpuid);
	if (vm->fd >= 0)
		close(vm->fd);
	if (vm->kvm_fd >= 0)
		close(vm->kvm_fd);
	guest_mem_free(&vm->mem);
	pthread_cond_destroy(&vm->cond);
	pthread_mutex_destroy(&vm->lock);
	free(vm);
}

void vm_vcpu_pin(struct vm *vm, unsigned int idx, int cpu)
{
	if (idx < vm->nr_vcpus)
		vm->vcpus[idx].cpu = cpu;
}

int vm_exit_handler_set(struct vm *vm, uint32_t reason, vm_exit_fn fn, void *opaque,
			struct vmm_err *err)
{
	if (vm->nr_exit_handlers == VM_EXIT_HANDLERS_MAX)
		return vmm_err_set(err, VMM_ERR_INTERNAL, "too many exit handlers");
	vm->exit_handlers[vm->nr_exit_handlers++] = (struct vm_exit_handler){ reason, fn, opaque };
	return 0;
}

int vm_mem_map(struct vm *vm, uint64_t gpa, void *host, uint64_t size, uint32_t flags,
	       struct vmm_err *err)
{
	struct kvm_userspace_memory_region region = {
		.slot = vm->next_slot,
		.flags = flags,
		.guest_phys_addr = gpa,
		.memory_size = size,
		.userspace_addr = (uintptr_t)host,
	};

	if (gpa < vm->mem.size)
		return vmm_err_set(err, VMM_ERR_INTERNAL,
				   "memory at 0x%llx overlaps guest RAM (0x0-0x%llx)",
				   (unsigned long long)gpa, (unsigned long long)vm->mem.size);
	if (ioctl(vm->fd, KVM_SET_USER_MEMORY_REGION, &region))
		return vmm_err_sys(err, VMM_ERR_KVM, "KVM_SET_USER_MEMORY_REGION (slot %u, 0x%llx)",
				   region.slot, (unsigned long long)gpa);
	vm->next_slot++;
	return 0;
}

int vm_load_pvh(struct vm *vm, const uint8_t *elf, size_t size, const char *cmdline,
		struct vmm_err *err)
{
	const struct elf_reserved reserved[] = {
		{ 0, BOOT_RESERVED_END, BOOT_RESERVED_WHAT },
	};
	struct elf_image img;

	if (elf_load_pvh(elf, size, vm->mem.host, vm->mem.size, reserved, 1, &img, err))
		return -1;
	return boot_pvh_setup(vm, img.entry, cmdline, err);
}

void vm_finish(struct vm *vm, enum vm_result result, int vcpu, uint32_t status,
	       const char *fmt, ...)
{
	va_list ap;

	pthread_mutex_lock(&vm->lock);
	if (!atomic_load(&vm->done)) {
		vm->outcome.result = result;
		vm->outcome.vcpu = vcpu;
		vm->outcome.status = status;
		va_start(ap, fmt);
		vsnprintf(vm->outcome.reason, sizeof(vm->outcome.reason), fmt, ap);
		va_end(ap);
		atomic_store(&vm->done, true);
		pthread_cond_broadcast(&vm->cond);
	}
	pthread_mutex_unlock(&vm->lock);
}

static double now_sec(void)
{
	struct timespec t;

	clock_gettime(CLOCK_MONOTONIC, &t);
	return t.tv_sec + t.tv_nsec / 1e9;
}

int vm_run(struct vm *vm, double timeout_sec, struct vm_outcome *out)
{
	double start = now_sec();
	struct vmm_err err = { 0 };
	bool stuck = false;

	if (vm->outcome.result != VM_RESULT_NONE || atomic_load(&vm->stopping)) {
		*out = (struct vm_outcome){ .result = VM_RESULT_ERROR, .vcpu = -1 };
		snprintf(out->reason, sizeof(out->reason), "a VM runs only once");
		return -1;
	}
	for (unsigned int i = 0; i < vm->nr_vcpus; i++) {
		if (vcpu_start(&vm->vcpus[i], &err)) {
			vm_finish(vm, VM_RESULT_ERROR, -1, 0, "%s", err.msg);
			break;
		}
	}
	if (!watchdog_wait(vm, timeout_sec))
		vm_finish(vm, VM_RESULT_HANG, -1, 0, "no exit within the %.3g s deadline",
			  timeout_sec);
	watchdog_stop(vm, STOP_GRACE_SEC);
	for (unsigned int i = 0; i < vm->nr_vcpus; i++) {
		if (vm->vcpus[i].started) {
			stuck = true;
			continue;
		}
		vcpu_snapshot_take(&vm->vcpus[i]);
	}
	console_flush(vm);
	*out = vm->outcome;
	out->seconds = now_sec() - start;
	if (stuck) {
		size_t n = strlen(out->reason);

		snprintf(out->reason + n, sizeof(out->reason) - n,
			 "; a vCPU thread did not return from KVM_RUN within %.0f s of being kicked",
			 STOP_GRACE_SEC);
	}
	return 0;
}
