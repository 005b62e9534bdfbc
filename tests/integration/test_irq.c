/* SPDX-License-Identifier: MIT */
/*
 * Interrupt delivery through refvmm's library on real KVM: the irq payload
 * asks for one interrupt per path (KVM_SIGNAL_MSI, irqfd, IOAPIC line) on a
 * test port, this host half injects it, and the guest checks it arrived
 * once with the right vector.  KVM's own irq_injections counter is the
 * independent check that three injections happened.
 *
 * usage: test_irq PAYLOAD_DIR
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <cmocka.h>

#include "irq_inject.h"
#include "kvm_or_skip.h"
#include "payload_file.h"
#include "vm.h"


static const char *payload_dir;

struct irq_host {
	struct vm *vm;
	int irqfd;
	unsigned int requests;
	int errors;
	char console[4096];
	size_t console_len;
};

static void on_request(void *opaque, struct vcpu *vcpu, struct io_access *a)
{
	struct irq_host *h = opaque;
	struct vmm_err err = { 0 };
	int r;

	(void)vcpu;
	if (!a->write)
		return;
	h->requests++;
	r = irq_inject_request(h->vm, h->irqfd, a->data[0], &err);
	if (r) {
		fprintf(stderr, "injection %u failed: %s\n", a->data[0], err.msg);
		h->errors++;
	}
}

static void on_console(void *ctx, const char *line, size_t len)
{
	struct irq_host *h = ctx;

	printf("# guest: %.*s\n", (int)len, line);
	if (h->console_len + len + 1 < sizeof(h->console)) {
		memcpy(h->console + h->console_len, line, len);
		h->console_len += len;
		h->console[h->console_len++] = '\n';
	}
}

static void test_irq_paths(void **state)
{
	struct vm_config cfg = { .mem_bytes = 64 << 20, .nr_vcpus = 1, .irqchip = VM_IRQCHIP_KERNEL };
	struct irq_host h = { 0 };
	struct vmm_err err = { 0 };
	struct vm_outcome out;
	uint32_t gsi;
	int64_t before, after;
	uint8_t *elf;
	size_t size;

	(void)state;
	kvm_or_skip();
	elf = payload_file_read(payload_dir, "irq.elf", &size);
	h.vm = vm_create(&cfg, &err);
	if (!h.vm)
		fail_msg("vm_create: %s", err.msg);
	vm_console_set(h.vm, on_console, &h);
	assert_int_equal(io_bus_register(&h.vm->pio, IRQ_TEST_PORT, 1, on_request, &h, "irq-test",
					 &err), 0);
	assert_int_equal(irq_msi_route(h.vm, irq_msi_fixed(0, 0x41), &gsi, &err), 0);
	h.irqfd = irq_irqfd_attach(h.vm, gsi, &err);
	assert_true(h.irqfd >= 0);
	assert_int_equal(vm_load_pvh(h.vm, elf, size, "", &err), 0);
	before = vcpu_stat(&h.vm->vcpus[0], "irq_injections");

	assert_int_equal(vm_run(h.vm, 20, &out), 0);
	if (out.result != VM_RESULT_EXITED)
		vm_outcome_print(h.vm, &out, stderr);
	assert_int_equal(out.result, VM_RESULT_EXITED);
	assert_int_equal(out.status, 0);
	assert_int_equal(h.requests, 3);
	assert_int_equal(h.errors, 0);
	assert_non_null(strstr(h.console, "ok 1 - MSI by KVM_SIGNAL_MSI"));
	assert_non_null(strstr(h.console, "ok 2 - MSI by irqfd"));
	assert_non_null(strstr(h.console, "ok 3 - IOAPIC pin 5 edge"));
	assert_null(strstr(h.console, "not ok"));

	after = vcpu_stat(&h.vm->vcpus[0], "irq_injections");
	if (before >= 0 && after >= 0) {
		printf("# KVM irq_injections: %lld -> %lld\n", (long long)before, (long long)after);
		assert_true(after - before >= 3);
	}
	close(h.irqfd);
	vm_destroy(h.vm);
	free(elf);
}

int main(int argc, char **argv)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_irq_paths),
	};

	if (argc != 2) {
		fprintf(stderr, "usage: %s PAYLOAD_DIR\n", argv[0]);
		return 2;
	}
	payload_dir = argv[1];
	return cmocka_run_group_tests(tests, NULL, NULL);
}
