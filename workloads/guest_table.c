/* SPDX-License-Identifier: MIT */
/* Every guest half the bench payload carries, by name (runner/catalog.c has the rest). */
#include "guest.h"

extern const struct guest_workload gw_cpuid, gw_rdtsc, gw_rdtscp, gw_pause, gw_ud, gw_touch,
	gw_rdmsr_kernel, gw_wrmsr_kernel, gw_rdmsr_user, gw_pio_user, gw_pio_kernel, gw_mmio_user,
	gw_mmio_kernel, gw_cr8, gw_xsetbv;
extern const struct guest_workload gw_hypercall_kvm, gw_hypercall_exit, gw_hypercall_pio;
extern const struct guest_workload gw_irq_inject, gw_self_ipi, gw_timer_deadline, gw_eoi,
	gw_hlt_wake, gw_irq_inject_ioapic, gw_ipi;
extern const struct guest_workload gw_io_lat_64, gw_io_lat_4k, gw_io_iops_64, gw_io_iops_4k;

const struct guest_workload *const guest_workloads[] = {
	&gw_cpuid, &gw_rdtsc, &gw_rdtscp, &gw_pause, &gw_ud, &gw_touch,
	&gw_rdmsr_kernel, &gw_wrmsr_kernel, &gw_rdmsr_user, &gw_pio_user, &gw_pio_kernel,
	&gw_mmio_user, &gw_mmio_kernel, &gw_cr8, &gw_xsetbv,
	&gw_hypercall_kvm, &gw_hypercall_exit, &gw_hypercall_pio,
	&gw_irq_inject, &gw_self_ipi, &gw_timer_deadline, &gw_eoi, &gw_hlt_wake,
	&gw_irq_inject_ioapic, &gw_ipi,
	&gw_io_lat_64, &gw_io_lat_4k, &gw_io_iops_64, &gw_io_iops_4k,
	NULL,
};
