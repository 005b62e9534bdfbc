/* SPDX-License-Identifier: MIT */
/*
 * kvm_loop: an independent cross-check of hvbench's exit figures
 * (docs/crosscheck.md).  It shares no code with refvmm, the runner or the
 * payload: raw ioctls on /dev/kvm, one VM, one vCPU, no in-kernel irqchip,
 * no guest timer.  The guest is a hand-assembled 64-bit loop at CPL0 or CPL3
 *
 *     1: <op>                 out %al,(%dx) | xor %eax,%eax; cpuid | nothing
 *        dec %rsi             (not %rcx: cpuid writes %ecx)
 *        jnz 1b
 *        out %al,$PORT_DONE   the end of a run
 *
 * and the HOST times each run with CLOCK_MONOTONIC: nothing depends on the
 * guest's TSC or on where a guest reads its timer.
 *
 * hvbench subtracts the loop around its operation, so this does too.  The
 * loop with the operation and its empty companion (the loop without it) run
 * alternately, PAIRS short runs of each, so that the host's drift between a
 * fast and a slow state hits both alike.  Each short run of b iterations
 * sits next to a run of one, and per iteration = (median T(b) - median
 * T(1)) / (b - 1): the fixed costs of a run cancel, and a median, unlike a
 * mean, shrugs off the odd preempted run.  Each pio-user `out` returns from
 * KVM_RUN, so the time between two returns is one whole iteration (one
 * clock read included); their median less the empty loop is exit_net_ns, a
 * median over single operations as hvbench's p50 is at CPL3.  It prints
 *
 *     crosscheck pio-user cpl0 net_ns=N empty_ns=E exit_net_ns=X
 *     crosscheck cpuid cpl0 net_ns=N empty_ns=E          (then both at cpl3)
 *
 * with net_ns = loop - empty, in ns per iteration.  A run fails unless each
 * `out` to PORT_OP made exactly one userspace exit and nothing else did.
 *
 * `kvm_loop --exits N` times nothing: it makes one run of N pio-user
 * iterations at CPL0 whose host loop does no more than KVM_RUN and the
 * exit's checks (no clock reads), then exits.  Run at two N under an
 * instruction counter, it gives what a minimal VMM's userspace spends per
 * exit (tests/bench/exit_instructions.sh sets refvmm's against it).
 */
#include <errno.h>
#include <fcntl.h>
#include <linux/kvm.h>
#include <sched.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/mman.h>
#include <time.h>
#include <unistd.h>

/* Guest physical layout: one 2 MiB page, identity-mapped. */
#define MEM_SIZE	(2u << 20)
#define GPA_PML4	0x1000
#define GPA_PDPT	0x2000
#define GPA_PD		0x3000
#define GPA_GDT		0x4000
#define GPA_TSS		0x5000
#define GPA_CODE	0x10000

/* GDT selectors; the TSS descriptor takes two slots. */
#define SEL_KCODE	0x08
#define SEL_KDATA	0x10
#define SEL_UCODE	0x18
#define SEL_UDATA	0x20
#define SEL_TSS		0x28

/*
 * CPL3 may use a port only if the TSS I/O permission bitmap allows it.  IOPL
 * stays 0 because PVM ignores IOPL at CPL3.  A bitmap of 16 bytes covers
 * ports 0-127, and the TSS limit denies every port above.
 */
#define TSS_IOMAP	0x68
#define TSS_LIMIT	(TSS_IOMAP + 16 - 1)

#define PORT_OP		0x48	/* the pio-user `out`: unclaimed, exits to us */
#define PORT_DONE	0x49	/* the end of a run */

#define BATCH		100	/* iterations of a short run */
#define NATIVE_BATCH	1000000	/* of an empty loop at CPL3, which runs natively */
#define PAIRS		100	/* short runs of each loop, alternating */

struct loop {
	const char *name;
	uint8_t op[4], len;	/* the operation's bytes, before dec/jnz */
	int exits;		/* its `out` exits to userspace */
};

static const struct loop pio_user = { "pio-user", { 0xee }, 1, 1 };
static const struct loop empty = { "empty", { 0 }, 0, 0 };
static const struct loop cpuid = { "cpuid", { 0x31, 0xc0, 0x0f, 0xa2 }, 4, 0 };
/* cpuid's loop starts with the xor that sets the leaf: keep it in the empty. */
static const struct loop cpuid_empty = { "cpuid-empty", { 0x31, 0xc0 }, 2, 0 };

struct vm {
	int kvm, fd, vcpu;
	uint8_t *mem;
	struct kvm_run *run;
};

static void die(const char *what)
{
	fprintf(stderr, "kvm_loop: %s: %s\n", what, strerror(errno));
	exit(1);
}

static double now_ns(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (double)ts.tv_sec * 1e9 + (double)ts.tv_nsec;
}

static void put64(uint8_t *mem, uint64_t gpa, uint64_t v)
{
	memcpy(mem + gpa, &v, sizeof(v));
}

/* ---- the VM: long mode, CPL0 or CPL3 ------------------------------------ */

/* A flat code or data descriptor; `access` is the access byte. */
static uint64_t gdt_seg(uint8_t access, int code)
{
	return 0xffffull | (0xfull << 48) | ((uint64_t)access << 40) |
	       (code ? 1ull << 53 : 1ull << 54) | (1ull << 55);	/* L or DB, G */
}

static void vm_tables(uint8_t *mem)
{
	/* PML4 -> PDPT -> PD, one user-accessible 2 MiB page (P RW US [PS]). */
	put64(mem, GPA_PML4, GPA_PDPT | 0x7);
	put64(mem, GPA_PDPT, GPA_PD | 0x7);
	put64(mem, GPA_PD, 0x87);

	/*
	 * No guest instruction loads a segment, so nothing reads the GDT; it is
	 * here so that the selectors KVM_SET_SREGS loads describe real entries.
	 */
	put64(mem, GPA_GDT + SEL_KCODE, gdt_seg(0x9b, 1));	/* P DPL0 code */
	put64(mem, GPA_GDT + SEL_KDATA, gdt_seg(0x93, 0));	/* P DPL0 data */
	put64(mem, GPA_GDT + SEL_UCODE, gdt_seg(0xfb, 1));	/* P DPL3 code */
	put64(mem, GPA_GDT + SEL_UDATA, gdt_seg(0xf3, 0));	/* P DPL3 data */
	put64(mem, GPA_GDT + SEL_TSS, TSS_LIMIT | ((uint64_t)GPA_TSS << 16) |
	      (0x8bull << 40));				/* P busy 64-bit TSS */

	/* The TSS: only the I/O bitmap matters; open PORT_OP and PORT_DONE. */
	mem[GPA_TSS + 0x66] = TSS_IOMAP;
	memset(mem + GPA_TSS + TSS_IOMAP, 0xff, 16);
	mem[GPA_TSS + TSS_IOMAP + PORT_OP / 8] &= ~(1u << (PORT_OP % 8));
	mem[GPA_TSS + TSS_IOMAP + PORT_DONE / 8] &= ~(1u << (PORT_DONE % 8));
}

static void vm_create(struct vm *v)
{
	struct kvm_userspace_memory_region region = { .memory_size = MEM_SIZE };
	/* 256: KVM_MAX_CPUID_ENTRIES, so one KVM_GET_SUPPORTED_CPUID suffices. */
	struct kvm_cpuid2 *cpuid = calloc(1, sizeof(*cpuid) + 256 * sizeof(cpuid->entries[0]));
	int size;

	v->fd = ioctl(v->kvm, KVM_CREATE_VM, 0);
	if (v->fd < 0)
		die("KVM_CREATE_VM");
	v->mem = mmap(NULL, MEM_SIZE, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS,
		      -1, 0);
	if (v->mem == MAP_FAILED)
		die("mmap guest memory");
	region.userspace_addr = (uintptr_t)v->mem;
	if (ioctl(v->fd, KVM_SET_USER_MEMORY_REGION, &region))
		die("KVM_SET_USER_MEMORY_REGION");
	v->vcpu = ioctl(v->fd, KVM_CREATE_VCPU, 0);
	size = ioctl(v->kvm, KVM_GET_VCPU_MMAP_SIZE, 0);
	if (v->vcpu < 0 || size < (int)sizeof(*v->run))
		die("KVM_CREATE_VCPU");
	v->run = mmap(NULL, size, PROT_READ | PROT_WRITE, MAP_SHARED, v->vcpu, 0);
	if (v->run == MAP_FAILED)
		die("mmap kvm_run");
	/* EFER.LME is accepted only with CPUID.80000001H:EDX.LM in the guest's CPUID. */
	if (!cpuid)
		die("calloc");
	cpuid->nent = 256;
	if (ioctl(v->kvm, KVM_GET_SUPPORTED_CPUID, cpuid) || ioctl(v->vcpu, KVM_SET_CPUID2, cpuid))
		die("KVM_SET_CPUID2");
	free(cpuid);
	vm_tables(v->mem);
}

static struct kvm_segment seg(uint16_t sel, int dpl, int code)
{
	return (struct kvm_segment){
		.limit = 0xffffffff, .selector = sel | dpl, .type = code ? 11 : 3,
		.present = 1, .dpl = dpl, .db = !code, .s = 1, .l = code, .g = 1,
	};
}

/*
 * Paging on, long mode active, flat segments of privilege `cpl`: the CPL is
 * CS's (and SS's) DPL, so CPL3 needs no iretq from a CPL0 stub.  No IDT:
 * any exception ends in a shutdown exit, which fails the run.
 */
static void vm_set_cpl(struct vm *v, int cpl)
{
	struct kvm_sregs s;

	if (ioctl(v->vcpu, KVM_GET_SREGS, &s))
		die("KVM_GET_SREGS");
	s.cs = seg(cpl ? SEL_UCODE : SEL_KCODE, cpl, 1);
	s.ds = s.es = s.fs = s.gs = s.ss = seg(cpl ? SEL_UDATA : SEL_KDATA, cpl, 0);
	s.tr = (struct kvm_segment){ .base = GPA_TSS, .limit = TSS_LIMIT, .selector = SEL_TSS,
				     .type = 11, .present = 1 };
	s.ldt = (struct kvm_segment){ .type = 2, .present = 1, .unusable = 1 };
	s.gdt.base = GPA_GDT;
	s.gdt.limit = SEL_TSS + 16 - 1;
	s.idt.base = 0;
	s.idt.limit = 0;
	s.cr0 = 0x80010033;	/* PG WP NE ET MP PE */
	s.cr3 = GPA_PML4;
	s.cr4 = 0x20;		/* PAE */
	s.efer = 0x500;		/* LMA LME */
	if (ioctl(v->vcpu, KVM_SET_SREGS, &s))
		die("KVM_SET_SREGS");
}

/* ---- one run: the guest loop, timed on the host --------------------------- */

static void run_fail(const struct vm *v, const struct loop *l, const char *why)
{
	fprintf(stderr, "kvm_loop: %s loop: %s (exit reason %u, port 0x%x)\n", l->name, why,
		v->run->exit_reason, v->run->io.port);
	exit(1);
}

/* Puts loop l, of n iterations, at the guest's code address and the vCPU at its start. */
static void load(struct vm *v, const struct loop *l, uint64_t n)
{
	static const uint8_t tail[] = { 0x48, 0xff, 0xce, 0x75, 0, 0xe6, PORT_DONE };
	/* rflags: only the always-one bit 1; IOPL 0, no interrupts. */
	struct kvm_regs r = { .rip = GPA_CODE, .rsi = n, .rdx = PORT_OP, .rflags = 0x2 };
	uint8_t *code = v->mem + GPA_CODE;

	memcpy(code, l->op, l->len);
	memcpy(code + l->len, tail, sizeof(tail));
	code[l->len + 4] = (uint8_t)-(l->len + 5);	/* jnz back to the op */
	if (ioctl(v->vcpu, KVM_SET_REGS, &r))
		die("KVM_SET_REGS");
}

/*
 * The next exit of a run of loop l: true for an out to PORT_OP, false for
 * the out to PORT_DONE that ends it; any other exit ends the program.
 * Inlined, so --exits counts a loop with no call in it, as a minimal VMM's.
 */
static inline __attribute__((always_inline)) bool next_op(struct vm *v, const struct loop *l)
{
	for (;;) {
		if (ioctl(v->vcpu, KVM_RUN, 0) < 0) {
			if (errno == EINTR)
				continue;
			die("KVM_RUN");
		}
		if (v->run->exit_reason != KVM_EXIT_IO || v->run->io.direction != KVM_EXIT_IO_OUT)
			run_fail(v, l, "unexpected exit");
		if (v->run->io.port == PORT_DONE)
			return false;
		if (v->run->io.port != PORT_OP)
			run_fail(v, l, "unexpected port");
		return true;
	}
}

/*
 * Runs n iterations of loop l and returns the KVM_RUN loop's wall time.
 * Every return for PORT_OP is stamped (one clock read); with gaps, the
 * times between consecutive stamps are appended there.
 */
static double run(struct vm *v, const struct loop *l, uint64_t n, double *gaps, size_t *nr)
{
	uint64_t exits = 0;
	double t0, t, prev = 0;

	load(v, l, n);
	t0 = now_ns();
	while (next_op(v, l)) {
		t = now_ns();
		if (gaps && exits)
			gaps[(*nr)++] = t - prev;
		prev = t;
		exits++;
	}
	t = now_ns() - t0;
	if (exits != (l->exits ? n : 0))
		run_fail(v, l, "not one userspace exit per out");
	return t;
}

/* One untimed run of n pio-user iterations: the host does only what an exit needs. */
static void count_exits(struct vm *v, uint64_t n)
{
	uint64_t exits = 0;

	load(v, &pio_user, n);
	while (next_op(v, &pio_user))
		exits++;
	if (exits != n)
		run_fail(v, &pio_user, "not one userspace exit per out");
	printf("kvm_loop: %llu pio-user exits at cpl0\n", (unsigned long long)exits);
}

/* ---- the figures ------------------------------------------------------ */

static int cmp_double(const void *a, const void *b)
{
	double x = *(const double *)a, y = *(const double *)b;

	return x < y ? -1 : x > y;
}

static double median(double *v, size_t n)
{
	qsort(v, n, sizeof(*v), cmp_double);
	return n % 2 ? v[n / 2] : (v[n / 2 - 1] + v[n / 2]) / 2;
}

/* Prints the cost of one operation net of its loop at `cpl` (see the top). */
static void measure(struct vm *v, int cpl, const struct loop *op, const struct loop *emp)
{
	static double t[2][2][PAIRS];	/* [op, empty][T(1), T(b)][pair] */
	static double gaps[PAIRS * BATCH];
	const struct loop *side[2] = { op, emp };
	/* At CPL3 the empty loop runs natively: make its runs long enough to time. */
	uint64_t b[2] = { BATCH, cpl ? NATIVE_BATCH : BATCH };
	double per[2];
	size_t nr = 0;

	vm_set_cpl(v, cpl);
	for (int k = 0; k < 2; k++) {	/* warm-up: shadow pages, caches */
		run(v, side[k], b[k], NULL, NULL);
		run(v, side[k], 1, NULL, NULL);
	}
	for (int p = 0; p < PAIRS; p++) {
		for (int k = 0; k < 2; k++) {
			t[k][0][p] = run(v, side[k], 1, NULL, NULL);
			t[k][1][p] = run(v, side[k], b[k], k ? NULL : gaps, &nr);
		}
	}
	for (int k = 0; k < 2; k++)
		per[k] = (median(t[k][1], PAIRS) - median(t[k][0], PAIRS)) / (double)(b[k] - 1);

	printf("crosscheck %s cpl%d net_ns=%.1f empty_ns=%.1f", op->name, cpl, per[0] - per[1],
	       per[1]);
	if (op->exits)
		printf(" exit_net_ns=%.1f", median(gaps, nr) - per[1]);
	printf("\n");
	fflush(stdout);
}

int main(int argc, char **argv)
{
	unsigned long long exits = 0;
	char *end = NULL;
	cpu_set_t set;
	struct vm v;

	if (argc == 3 && !strcmp(argv[1], "--exits"))
		exits = strtoull(argv[2], &end, 10);
	if ((argc != 1 && argc != 3) || (argc == 3 && (!exits || *end || argv[2][0] == '-'))) {
		fprintf(stderr, "usage: %s [--exits N]\n", argv[0]);
		return 64;
	}
	/* hvbench pins vCPU 0 to CPU 1 on this 2-CPU host: run where it runs. */
	CPU_ZERO(&set);
	CPU_SET(1, &set);
	if (sysconf(_SC_NPROCESSORS_ONLN) > 1 && sched_setaffinity(0, sizeof(set), &set))
		fprintf(stderr, "kvm_loop: not pinned to CPU 1: %s\n", strerror(errno));

	v.kvm = open("/dev/kvm", O_RDWR | O_CLOEXEC);
	if (v.kvm < 0) {
		fprintf(stderr, "kvm_loop: SKIP: cannot open /dev/kvm: %s\n", strerror(errno));
		return 77;
	}
	vm_create(&v);
	if (exits) {
		vm_set_cpl(&v, 0);
		count_exits(&v, exits);
		return 0;
	}
	for (int cpl = 0; cpl <= 3; cpl += 3) {
		measure(&v, cpl, &pio_user, &empty);
		measure(&v, cpl, &cpuid, &cpuid_empty);
	}
	return 0;
}
