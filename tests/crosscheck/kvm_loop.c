/* SPDX-License-Identifier: MIT */
/*
 * kvm_loop: an independent cross-check of hvbench's exit figures.
 *
 * A deliberately tiny KVM program that shares no code with refvmm or the
 * runner: raw ioctls on /dev/kvm, one VM per guest mode, one vCPU, a few
 * hand-assembled bytes of guest code and no in-kernel irqchip.  The guest
 * runs a counted loop
 *
 *     1: <op>                (left out in the "empty" loops)
 *        dec %rcx            (%rsi for the cpuid loops: cpuid writes %ecx)
 *        jnz 1b
 *
 * and then ends with hlt (CPL0) or a write to an end port (CPL3, where hlt
 * would fault).  The HOST times the whole KVM_RUN loop with CLOCK_MONOTONIC:
 * no guest timer is involved, so nothing here depends on the guest TSC, on
 * emulated rdtsc or on where a guest puts its timer reads.
 *
 * Per iteration = (T(N) - T(1)) / (N - 1): the run's fixed costs (entering
 * KVM_RUN, the iretq to CPL3, the final exit) cancel.  Three views of it:
 *   mean      over long runs of N iterations: median, min and max over -r runs
 *   p50/bat   from -b short runs of N/b iterations and as many of one
 *             iteration, medians of each: robust when other work on the host
 *             preempts the vCPU thread now and then (a mean is not)
 *   p50/exit  for loops that exit to userspace, the median time between two
 *             consecutive returns of KVM_RUN (one loop iteration each)
 *
 * Loops measured, each in real mode (CPL0), long mode CPL0 and long mode
 * CPL3 (user pages; the TSS I/O bitmap allows `out` to our ports):
 *   empty        the loop alone (dec/jnz): what the loop costs per iteration
 *   pio-user     out to port 0x48, which nothing claims: KVM_EXIT_IO to here
 *   pio-efd      out to port 0x4c, bound with KVM_IOEVENTFD: completed in KVM
 *   pio-user4    long mode CPL0 only: out; add; cmp; jne, the loop the bench
 *                payload's op_pio_user compiled to before it subtracted its
 *                loop
 *   cpuid-empty  xor %eax,%eax and the loop: cpuid's empty companion
 *   cpuid        xor %eax,%eax; cpuid (leaf 0), handled inside KVM
 *
 * Per-vCPU KVM binary statistics (exits, io_exits, insn_emulation) are read
 * before and after each run, outside the timed region, and reported per
 * loop iteration next to the userspace exits counted here.
 *
 * Then, for long mode CPL0 and CPL3, the figures to set against hvbench's
 * (whose payload subtracts its own empty loop): the cost of one pio-user
 * `out` and of one cpuid net of the loop around it.  Short runs of the
 * loop and of its empty companion alternate (-b pairs of each, both also
 * with one-iteration runs) so that the host's drift hits both alike, and
 *
 *     net = p50/bat(loop) - p50/bat(empty companion)
 *
 * printed one line each, with key=value fields for scripts:
 *
 *     crosscheck pio-user cpl0 net_ns=... loop_ns=... empty_ns=... ...
 *
 * For pio-user also exit_net_ns = the loop's p50/exit in those runs less
 * empty_ns: a median over single operations (a clock read included), as
 * hvbench's p50 is at CPL3, where it times one operation per sample; a
 * p50/bat is a median of means over a run, which the odd slow exit lifts.
 * -x prints only those lines (and measures nothing else).
 *
 * Usage: kvm_loop [-x] [-n N] [-N N_NATIVE] [-r REPS] [-b BATCHES] [-c CPU]
 *                 [-m real,long0,long3]
 */
#include <errno.h>
#include <fcntl.h>
#include <getopt.h>
#include <linux/kvm.h>
#include <math.h>
#include <sched.h>
#include <signal.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/eventfd.h>
#include <sys/ioctl.h>
#include <sys/mman.h>
#include <time.h>
#include <unistd.h>

/* Guest physical layout (identity-mapped in long mode). */
#define MEM_SIZE	(4ull << 20)
#define GPA_PML4	0x1000ull
#define GPA_PDPT	0x2000ull
#define GPA_PD		0x3000ull
#define GPA_GDT		0x5000ull
#define GPA_TSS		0x30000ull	/* 104 bytes + an 8 KiB I/O bitmap */
#define GPA_KSTACK	0x8000ull	/* top; the iretq frame sits just below */
#define GPA_RM_CODE	0x9000ull	/* real-mode code, CS base 0 */
#define GPA_KCODE	0x10000ull	/* long mode CPL0 code */
#define GPA_UCODE	0x11000ull	/* long mode CPL3 code */
#define GPA_USTACK	0x20000ull
#define TSS_IOMAP	0x68
#define TSS_LIMIT	(TSS_IOMAP + 65536 / 8 + 1 - 1)

#define PORT_USER	0x48	/* exits to this program */
#define PORT_DONE	0x49	/* end of a CPL3 run */
#define PORT_EFD	0x4c	/* bound to an ioeventfd */

/* GDT selectors. */
#define SEL_KCODE	0x08
#define SEL_KDATA	0x10
#define SEL_UDATA	0x18
#define SEL_UCODE	0x20
#define SEL_TSS		0x28

#define CR0_PE		(1ull << 0)
#define CR0_MP		(1ull << 1)
#define CR0_ET		(1ull << 4)
#define CR0_NE		(1ull << 5)
#define CR0_WP		(1ull << 16)
#define CR0_PG		(1ull << 31)
#define CR4_PAE		(1ull << 5)
#define EFER_LME	(1ull << 8)
#define EFER_LMA	(1ull << 10)
#define PTE_P		(1ull << 0)
#define PTE_RW		(1ull << 1)
#define PTE_US		(1ull << 2)
#define PTE_PS		(1ull << 7)
#define RFLAGS_FIXED	(1ull << 1)

#define RUN_TIMEOUT_S	60

enum gmode { GM_REAL, GM_LONG0, GM_LONG3, GM_COUNT };
enum loop {
	LOOP_EMPTY, LOOP_PIO_USER, LOOP_PIO_EFD, LOOP_PIO_USER4, LOOP_CPUID_EMPTY, LOOP_CPUID,
	LOOP_COUNT
};

static const char *const gmode_name[GM_COUNT] = { "real", "long0", "long3" };
static const char *const gmode_what[GM_COUNT] = {
	"real mode, CPL0", "long mode, CPL0", "long mode, CPL3",
};
static const char *const loop_name[LOOP_COUNT] = {
	"empty", "pio-user", "pio-efd", "pio-user4", "cpuid-empty", "cpuid",
};

enum stat_id { ST_EXITS, ST_IO_EXITS, ST_INSN_EMUL, ST_COUNT };
static const char *const stat_name[ST_COUNT] = { "exits", "io_exits", "insn_emulation" };

struct vm {
	enum gmode gm;
	int vm_fd, vcpu_fd, stats_fd, efd;
	uint8_t *mem;
	struct kvm_run *run;
	size_t run_size;
	long stat_off[ST_COUNT];	/* byte offset in stats_fd, -1: absent */
};

struct sample {
	double ns;			/* wall time of the KVM_RUN loop */
	uint64_t user_exits;		/* KVM_RUN returns */
	int64_t stat[ST_COUNT];		/* deltas, -1: unknown */
};

static int kvm_fd = -1;
static volatile sig_atomic_t timed_out;

static void die(const char *what)
{
	fprintf(stderr, "kvm_loop: %s: %s\n", what, strerror(errno));
	exit(1);
}

static void on_alarm(int sig)
{
	(void)sig;
	timed_out = 1;
}

static double now_ns(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (double)ts.tv_sec * 1e9 + (double)ts.tv_nsec;
}

/* ---- guest code, assembled by hand ---------------------------------- */

/*
 * Writes the loop at p and returns its length.  `bits` is 16 or 64; `end`
 * is 0 for hlt, 1 for out %al, $PORT_DONE then a jump to itself.
 */
static size_t emit_loop(uint8_t *p, enum loop l, int bits, int end)
{
	bool cpuid = l == LOOP_CPUID || l == LOOP_CPUID_EMPTY;
	size_t n = 0, top = 0;

	if (l == LOOP_PIO_USER4) {
		/* xor %ecx,%ecx; then: out; add $1,%rcx; cmp %rcx,%rdi; jne */
		p[n++] = 0x31; p[n++] = 0xc9;
		top = n;
		p[n++] = 0xee;
		p[n++] = 0x48; p[n++] = 0x83; p[n++] = 0xc1; p[n++] = 0x01;
		p[n++] = 0x48; p[n++] = 0x39; p[n++] = 0xcf;
	} else {
		if (cpuid) {
			if (bits == 16)
				p[n++] = 0x66;		/* operand size: %eax */
			p[n++] = 0x31; p[n++] = 0xc0;	/* xor %eax,%eax */
		}
		if (l == LOOP_CPUID) {
			p[n++] = 0x0f; p[n++] = 0xa2;	/* cpuid */
		} else if (l != LOOP_EMPTY && l != LOOP_CPUID_EMPTY) {
			p[n++] = 0xee;			/* out %al, (%dx) */
		}
		/* dec %rcx (%ecx in real mode); %rsi (%esi) in the cpuid loops */
		if (bits == 64) {
			p[n++] = 0x48; p[n++] = 0xff; p[n++] = cpuid ? 0xce : 0xc9;
		} else {
			p[n++] = 0x66; p[n++] = cpuid ? 0x4e : 0x49;
		}
	}
	p[n] = 0x75;					/* jnz/jne top */
	p[n + 1] = (uint8_t)(int8_t)((int)top - (int)(n + 2));
	n += 2;
	if (end) {
		p[n++] = 0xe6; p[n++] = PORT_DONE;	/* out %al, $PORT_DONE */
		p[n++] = 0xeb; p[n++] = 0xfe;		/* jmp . */
	} else {
		p[n++] = 0xf4;				/* hlt */
		p[n++] = 0xeb; p[n++] = 0xfd;		/* jmp back to the hlt */
	}
	return n;
}

/* ---- VM setup ---------------------------------------------------------- */

static void put64(uint8_t *mem, uint64_t gpa, uint64_t v)
{
	memcpy(mem + gpa, &v, sizeof(v));
}

static uint64_t seg_desc(uint32_t flags_hi)
{
	/* base 0, limit 0xfffff (with G): the access byte and flags come in. */
	return 0x000000000000ffffull | (0xfull << 48) | ((uint64_t)flags_hi << 40);
}

static void long_mode_tables(uint8_t *mem)
{
	uint64_t tss_lo, tss_hi;

	/* 4 KiB PML4 -> PDPT -> PD of 2 MiB pages; user-accessible throughout. */
	put64(mem, GPA_PML4, GPA_PDPT | PTE_P | PTE_RW | PTE_US);
	put64(mem, GPA_PDPT, GPA_PD | PTE_P | PTE_RW | PTE_US);
	for (uint64_t i = 0; i < MEM_SIZE >> 21; i++)
		put64(mem, GPA_PD + 8 * i, (i << 21) | PTE_P | PTE_RW | PTE_US | PTE_PS);

	/* GDT: null, kernel code/data, user data/code, 16-byte TSS. */
	put64(mem, GPA_GDT + 0x00, 0);
	put64(mem, GPA_GDT + SEL_KCODE, seg_desc(0xa09b));	/* G L P DPL0 code */
	put64(mem, GPA_GDT + SEL_KDATA, seg_desc(0xc093));	/* G DB P DPL0 data */
	put64(mem, GPA_GDT + SEL_UDATA, seg_desc(0xc0f3));	/* G DB P DPL3 data */
	put64(mem, GPA_GDT + SEL_UCODE, seg_desc(0xa0fb));	/* G L P DPL3 code */
	tss_lo = (TSS_LIMIT & 0xffff) | ((GPA_TSS & 0xffffff) << 16) | (0x8bull << 40) |
		 ((uint64_t)(TSS_LIMIT >> 16) << 48) |
		 (((GPA_TSS >> 24) & 0xff) << 56);		/* P, busy 64-bit TSS */
	tss_hi = GPA_TSS >> 32;
	put64(mem, GPA_GDT + SEL_TSS, tss_lo);
	put64(mem, GPA_GDT + SEL_TSS + 8, tss_hi);
	/*
	 * TSS: RSP0 (unused without an IDT), and an I/O permission bitmap that
	 * lets CPL3 use our three ports.  IOPL stays 0: the bitmap is what
	 * every backend honours (PVM ignores IOPL for CPL3 code).
	 */
	put64(mem, GPA_TSS + 4, GPA_KSTACK);
	{
		uint16_t iomap = TSS_IOMAP;
		uint8_t *bm = mem + GPA_TSS + TSS_IOMAP;
		const uint16_t open_ports[] = { PORT_USER, PORT_DONE, PORT_EFD };

		memcpy(mem + GPA_TSS + 0x66, &iomap, sizeof(iomap));
		memset(bm, 0xff, 65536 / 8 + 1);	/* all denied, plus the end byte */
		for (size_t i = 0; i < sizeof(open_ports) / sizeof(open_ports[0]); i++)
			bm[open_ports[i] / 8] &= (uint8_t)~(1u << (open_ports[i] % 8));
	}
}

static struct kvm_segment seg(uint16_t sel, uint8_t type, uint8_t dpl, bool code64)
{
	return (struct kvm_segment){
		.base = 0, .limit = 0xffffffff, .selector = sel, .type = type,
		.present = 1, .dpl = dpl, .db = code64 ? 0 : 1, .s = 1, .l = code64, .g = 1,
	};
}

static void set_sregs(struct vm *v)
{
	struct kvm_sregs s;

	if (ioctl(v->vcpu_fd, KVM_GET_SREGS, &s))
		die("KVM_GET_SREGS");
	if (v->gm == GM_REAL) {
		struct kvm_segment *all[] = { &s.cs, &s.ds, &s.es, &s.fs, &s.gs, &s.ss };

		for (size_t i = 0; i < sizeof(all) / sizeof(all[0]); i++) {
			all[i]->selector = 0;
			all[i]->base = 0;
			all[i]->limit = 0xffff;
		}
		s.cr0 &= ~(CR0_PE | CR0_PG);
		s.efer = 0;
	} else {
		s.cs = seg(SEL_KCODE, 11, 0, true);
		s.ds = s.es = s.fs = s.gs = s.ss = seg(SEL_KDATA, 3, 0, false);
		s.tr = (struct kvm_segment){ .base = GPA_TSS, .limit = TSS_LIMIT, .selector = SEL_TSS,
					     .type = 11, .present = 1 };
		s.ldt = (struct kvm_segment){ .type = 2, .present = 1, .unusable = 1 };
		s.gdt.base = GPA_GDT;
		s.gdt.limit = SEL_TSS + 16 - 1;
		s.idt.base = 0;
		s.idt.limit = 0;	/* no IDT: any exception ends in a shutdown exit */
		s.cr0 = CR0_PE | CR0_MP | CR0_ET | CR0_NE | CR0_WP | CR0_PG;
		s.cr3 = GPA_PML4;
		s.cr4 = CR4_PAE;
		s.efer = EFER_LME | EFER_LMA;
	}
	if (ioctl(v->vcpu_fd, KVM_SET_SREGS, &s))
		die("KVM_SET_SREGS");
}

static void set_cpuid(int vcpu_fd)
{
	struct kvm_cpuid2 *c = NULL;
	int nent = 64;

	for (;;) {
		c = realloc(c, sizeof(*c) + nent * sizeof(c->entries[0]));
		if (!c)
			die("realloc");
		c->nent = nent;
		if (!ioctl(kvm_fd, KVM_GET_SUPPORTED_CPUID, c))
			break;
		if (errno != E2BIG)
			die("KVM_GET_SUPPORTED_CPUID");
		nent *= 2;
	}
	/* Long mode needs CPUID.80000001H:EDX.LM in the guest's CPUID for EFER.LME. */
	if (ioctl(vcpu_fd, KVM_SET_CPUID2, c))
		die("KVM_SET_CPUID2");
	free(c);
}

static void stats_open(struct vm *v)
{
	struct kvm_stats_header h;
	size_t dsz;
	uint8_t *descs;

	for (int i = 0; i < ST_COUNT; i++)
		v->stat_off[i] = -1;
	v->stats_fd = ioctl(v->vcpu_fd, KVM_GET_STATS_FD, NULL);
	if (v->stats_fd < 0)
		return;
	if (pread(v->stats_fd, &h, sizeof(h), 0) != sizeof(h))
		return;
	dsz = sizeof(struct kvm_stats_desc) + h.name_size;
	descs = malloc(dsz * h.num_desc);
	if (!descs)
		die("malloc");
	if (pread(v->stats_fd, descs, dsz * h.num_desc, h.desc_offset) ==
	    (ssize_t)(dsz * h.num_desc)) {
		for (uint32_t d = 0; d < h.num_desc; d++) {
			const struct kvm_stats_desc *sd = (const void *)(descs + d * dsz);

			for (int i = 0; i < ST_COUNT; i++)
				if (!strncmp(sd->name, stat_name[i], h.name_size) && sd->size == 1)
					v->stat_off[i] = h.data_offset + sd->offset;
		}
	}
	free(descs);
}

static void stats_read(const struct vm *v, int64_t *out)
{
	for (int i = 0; i < ST_COUNT; i++) {
		uint64_t x;

		out[i] = -1;
		if (v->stat_off[i] >= 0 &&
		    pread(v->stats_fd, &x, sizeof(x), v->stat_off[i]) == sizeof(x))
			out[i] = (int64_t)x;
	}
}

static void vm_create(struct vm *v, enum gmode gm)
{
	struct kvm_userspace_memory_region region;
	struct kvm_ioeventfd ioev;
	int mmap_size;

	memset(v, 0, sizeof(*v));
	v->gm = gm;
	v->vm_fd = ioctl(kvm_fd, KVM_CREATE_VM, 0);
	if (v->vm_fd < 0)
		die("KVM_CREATE_VM");
	/* Needed by VMX without unrestricted guest for real mode; harmless elsewhere. */
	(void)ioctl(v->vm_fd, KVM_SET_TSS_ADDR, 0xfffbd000ul);
	v->mem = mmap(NULL, MEM_SIZE, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS |
		      MAP_NORESERVE, -1, 0);
	if (v->mem == MAP_FAILED)
		die("mmap guest memory");
	region = (struct kvm_userspace_memory_region){
		.slot = 0, .guest_phys_addr = 0, .memory_size = MEM_SIZE,
		.userspace_addr = (uint64_t)(uintptr_t)v->mem,
	};
	if (ioctl(v->vm_fd, KVM_SET_USER_MEMORY_REGION, &region))
		die("KVM_SET_USER_MEMORY_REGION");

	v->efd = eventfd(0, EFD_CLOEXEC | EFD_NONBLOCK);
	if (v->efd < 0)
		die("eventfd");
	ioev = (struct kvm_ioeventfd){ .addr = PORT_EFD, .len = 1, .fd = v->efd,
				       .flags = KVM_IOEVENTFD_FLAG_PIO };
	if (ioctl(v->vm_fd, KVM_IOEVENTFD, &ioev))
		die("KVM_IOEVENTFD");

	v->vcpu_fd = ioctl(v->vm_fd, KVM_CREATE_VCPU, 0);
	if (v->vcpu_fd < 0)
		die("KVM_CREATE_VCPU");
	mmap_size = ioctl(kvm_fd, KVM_GET_VCPU_MMAP_SIZE, 0);
	if (mmap_size < (int)sizeof(*v->run))
		die("KVM_GET_VCPU_MMAP_SIZE");
	v->run_size = mmap_size;
	v->run = mmap(NULL, v->run_size, PROT_READ | PROT_WRITE, MAP_SHARED, v->vcpu_fd, 0);
	if (v->run == MAP_FAILED)
		die("mmap kvm_run");
	set_cpuid(v->vcpu_fd);
	if (gm != GM_REAL)
		long_mode_tables(v->mem);
	stats_open(v);
}

static void vm_destroy(struct vm *v)
{
	munmap(v->run, v->run_size);
	if (v->stats_fd >= 0)
		close(v->stats_fd);
	close(v->vcpu_fd);
	close(v->efd);
	close(v->vm_fd);
	munmap(v->mem, MEM_SIZE);
}

/* ---- one run --------------------------------------------------------- */

static uint16_t loop_port(enum loop l)
{
	return l == LOOP_PIO_EFD ? PORT_EFD : PORT_USER;
}

/* Prepares registers for a run of n iterations; the code is already in place. */
static void run_prepare(struct vm *v, enum loop l, uint64_t n)
{
	struct kvm_regs r = { .rflags = RFLAGS_FIXED, .rax = 0, .rdx = loop_port(l) };

	set_sregs(v);
	if (l == LOOP_PIO_USER4) {
		r.rdi = n;		/* counts rcx up to rdi */
	} else if (l == LOOP_CPUID || l == LOOP_CPUID_EMPTY) {
		r.rsi = n;		/* counts rsi down to 0 */
	} else {
		r.rcx = n;		/* counts rcx down to 0 */
	}
	switch (v->gm) {
	case GM_REAL:
		r.rip = GPA_RM_CODE;
		r.rsp = GPA_KSTACK;
		break;
	case GM_LONG0:
		r.rip = GPA_KCODE;
		r.rsp = GPA_KSTACK;
		break;
	case GM_LONG3: {
		/* iretq frame: RIP, CS, RFLAGS, RSP, SS, then iretq at GPA_KCODE. */
		uint64_t f = GPA_KSTACK - 5 * 8;

		put64(v->mem, f + 0, GPA_UCODE);
		put64(v->mem, f + 8, SEL_UCODE | 3);
		put64(v->mem, f + 16, RFLAGS_FIXED);	/* IOPL 0: the TSS bitmap decides */
		put64(v->mem, f + 24, GPA_USTACK);
		put64(v->mem, f + 32, SEL_UDATA | 3);
		v->mem[GPA_KCODE] = 0x48;
		v->mem[GPA_KCODE + 1] = 0xcf;	/* iretq */
		r.rip = GPA_KCODE;
		r.rsp = f;
		break;
	}
	default:
		break;
	}
	if (ioctl(v->vcpu_fd, KVM_SET_REGS, &r))
		die("KVM_SET_REGS");
}

static void code_install(struct vm *v, enum loop l)
{
	switch (v->gm) {
	case GM_REAL:
		emit_loop(v->mem + GPA_RM_CODE, l, 16, 0);
		break;
	case GM_LONG0:
		emit_loop(v->mem + GPA_KCODE, l, 64, 0);
		break;
	case GM_LONG3:
		emit_loop(v->mem + GPA_UCODE, l, 64, 1);
		break;
	default:
		break;
	}
}

static const char *exit_name(uint32_t r)
{
	switch (r) {
	case KVM_EXIT_IO: return "IO";
	case KVM_EXIT_HLT: return "HLT";
	case KVM_EXIT_MMIO: return "MMIO";
	case KVM_EXIT_SHUTDOWN: return "SHUTDOWN";
	case KVM_EXIT_FAIL_ENTRY: return "FAIL_ENTRY";
	case KVM_EXIT_INTERNAL_ERROR: return "INTERNAL_ERROR";
	default: return "other";
	}
}

static void run_fail(const struct vm *v, const char *why)
{
	struct kvm_regs r;

	memset(&r, 0, sizeof(r));
	ioctl(v->vcpu_fd, KVM_GET_REGS, &r);
	fprintf(stderr, "kvm_loop: %s guest: %s (exit %u %s, rip 0x%llx rcx %llu)\n",
		gmode_name[v->gm], why, v->run->exit_reason, exit_name(v->run->exit_reason),
		(unsigned long long)r.rip, (unsigned long long)r.rcx);
	exit(1);
}

/*
 * Runs the guest to its end and times the whole KVM_RUN loop.  With stamps,
 * also notes the time of every return from KVM_RUN for the loop's port, at
 * most n of them (one clock read per exit, a few tens of ns).
 */
static struct sample run_once(struct vm *v, enum loop l, uint64_t n, double *stamps,
			      size_t *nr_stamps)
{
	struct sample s = { 0 };
	int64_t st0[ST_COUNT], st1[ST_COUNT];
	double t0, t1;
	bool done = false;
	uint16_t want = loop_port(l);

	code_install(v, l);
	run_prepare(v, l, n);
	timed_out = 0;
	alarm(RUN_TIMEOUT_S);
	stats_read(v, st0);
	if (nr_stamps)
		*nr_stamps = 0;
	t0 = now_ns();
	while (!done) {
		if (ioctl(v->vcpu_fd, KVM_RUN, 0) < 0) {
			if (errno == EINTR && timed_out)
				run_fail(v, "no end within the timeout (hang)");
			if (errno == EINTR || errno == EAGAIN)
				continue;
			die("KVM_RUN");
		}
		s.user_exits++;
		switch (v->run->exit_reason) {
		case KVM_EXIT_HLT:
			done = true;
			break;
		case KVM_EXIT_IO:
			if (v->run->io.direction == KVM_EXIT_IO_OUT &&
			    v->run->io.port == PORT_DONE)
				done = true;
			else if (v->run->io.direction != KVM_EXIT_IO_OUT ||
				 v->run->io.port != want || l == LOOP_PIO_EFD)
				run_fail(v, "unexpected port I/O");
			else if (stamps && *nr_stamps < n)
				stamps[(*nr_stamps)++] = now_ns();
			break;
		default:
			run_fail(v, "unexpected exit");
		}
	}
	t1 = now_ns();
	alarm(0);
	stats_read(v, st1);
	s.ns = t1 - t0;
	for (int i = 0; i < ST_COUNT; i++)
		s.stat[i] = st0[i] >= 0 && st1[i] >= 0 ? st1[i] - st0[i] : -1;
	return s;
}

/* ---- figures --------------------------------------------------------- */

struct figure {
	uint64_t n;		/* iterations of a long run */
	double mean, min, max;	/* (T(N) - T(1)) / (N - 1): median, min, max over runs */
	uint64_t batch;		/* iterations of a short run */
	double p50_batch;	/* (median T(batch) - median T(1)) / (batch - 1) */
	double p50_exit;	/* median time between two userspace exits, -1: none */
	double user_exits, stat[ST_COUNT];	/* per iteration, from the median long run */
	bool valid;
};

static int cmp_double(const void *a, const void *b)
{
	double x = *(const double *)a, y = *(const double *)b;

	return x < y ? -1 : x > y;
}

static double median(double *v, size_t n)
{
	qsort(v, n, sizeof(double), cmp_double);
	return n % 2 ? v[n / 2] : (v[n / 2 - 1] + v[n / 2]) / 2;
}

struct plan {
	unsigned int reps;	/* long runs */
	unsigned int batches;	/* short runs, and as many runs of one iteration */
};

static void measure(struct vm *v, enum loop l, uint64_t n, const struct plan *pl,
		    struct figure *f)
{
	unsigned int reps = pl->reps, nb = pl->batches;
	double *per = calloc(reps, sizeof(double)), *sorted = calloc(reps, sizeof(double));
	double *t1 = calloc(nb, sizeof(double)), *tb = calloc(nb, sizeof(double));
	struct sample *big = calloc(reps, sizeof(struct sample));
	bool exits = l == LOOP_PIO_USER || l == LOOP_PIO_USER4;
	double *stamps = exits ? calloc(n, sizeof(double)) : NULL;
	double *gaps = exits ? calloc((size_t)reps * n, sizeof(double)) : NULL;
	size_t nr_gaps = 0, nr_stamps;
	unsigned int mid = 0;

	if (!per || !sorted || !t1 || !tb || !big || (exits && (!stamps || !gaps)))
		die("calloc");
	memset(f, 0, sizeof(*f));
	f->n = n;
	f->batch = n / nb < 2 ? 2 : n / nb;
	f->p50_exit = -1;

	run_once(v, l, n, NULL, NULL);	/* warm-up: shadow pages, caches */
	run_once(v, l, 1, NULL, NULL);

	/* Long runs: the mean over the whole KVM_RUN loop. */
	for (unsigned int i = 0; i < reps; i++) {
		struct sample one = run_once(v, l, 1, NULL, NULL);

		big[i] = run_once(v, l, n, stamps, &nr_stamps);
		per[i] = (big[i].ns - one.ns) / (double)(n - 1);
		for (size_t k = 1; exits && k < nr_stamps; k++)
			gaps[nr_gaps++] = stamps[k] - stamps[k - 1];
	}
	memcpy(sorted, per, reps * sizeof(double));
	f->mean = median(sorted, reps);
	f->min = sorted[0];
	f->max = sorted[reps - 1];
	for (unsigned int i = 0; i < reps; i++)
		if (per[i] == sorted[reps / 2])
			mid = i;
	f->user_exits = (double)big[mid].user_exits / (double)n;
	for (int i = 0; i < ST_COUNT; i++)
		f->stat[i] = big[mid].stat[i] >= 0 ? (double)big[mid].stat[i] / (double)n : -1;
	if (nr_gaps)
		f->p50_exit = median(gaps, nr_gaps);

	/* Short runs, alternating with one-iteration runs: robust to preemption. */
	for (unsigned int i = 0; i < nb; i++) {
		t1[i] = run_once(v, l, 1, NULL, NULL).ns;
		tb[i] = run_once(v, l, f->batch, NULL, NULL).ns;
	}
	f->p50_batch = (median(tb, nb) - median(t1, nb)) / (double)(f->batch - 1);
	f->valid = true;
	free(per);
	free(sorted);
	free(t1);
	free(tb);
	free(big);
	free(stamps);
	free(gaps);
}

/*
 * The cost of one operation net of its loop: short runs of the loop (b_op
 * iterations) and of its empty companion (b_empty), each next to a run of
 * one iteration, alternate `pairs` times, so that the host's drift between
 * a fast and a slow state hits both alike.  Each side is a p50/bat figure;
 * net is their difference.  The KVM statistics and the userspace exits are
 * summed over the same runs: per operation, net of the empty loop too.
 */
struct net {
	double loop, empty, net;	/* ns per iteration */
	double exit_loop;		/* p50/exit of the loop, -1: no exits */
	double user_exits, stat[ST_COUNT];	/* per operation, net; stat NAN: unknown */
	uint64_t b_op, b_empty;
	unsigned int pairs;
};

/* Per iteration from sums over runs of b and of 1 iteration: (sum_b - sum_1) / (runs (b - 1)). */
static double per_it(double sum_b, double sum_1, unsigned int runs, uint64_t b)
{
	return (sum_b - sum_1) / ((double)runs * (double)(b - 1));
}

static void measure_net(struct vm *v, enum loop op, enum loop empty, uint64_t b_op,
			uint64_t b_empty, unsigned int pairs, struct net *r)
{
	enum loop side[2] = { op, empty };
	uint64_t b[2] = { b_op, b_empty };
	double *t[2][2], *stamps = NULL, *gaps = NULL;
	double ue[2][2] = { { 0 } }, st[2][2][ST_COUNT] = { { { 0 } } };
	bool exits = op == LOOP_PIO_USER, known[ST_COUNT];
	size_t nr_gaps = 0, nr_stamps;

	for (int k = 0; k < 2; k++)
		for (int j = 0; j < 2; j++)
			if (!(t[k][j] = calloc(pairs, sizeof(double))))
				die("calloc");
	if (exits && (!(stamps = calloc(b_op, sizeof(double))) ||
		      !(gaps = calloc((size_t)pairs * b_op, sizeof(double)))))
		die("calloc");
	for (int i = 0; i < ST_COUNT; i++)
		known[i] = true;

	for (int k = 0; k < 2; k++) {	/* warm-up: shadow pages, caches */
		run_once(v, side[k], b[k], NULL, NULL);
		run_once(v, side[k], 1, NULL, NULL);
	}
	for (unsigned int p = 0; p < pairs; p++) {
		for (int k = 0; k < 2; k++) {
			bool stamp = exits && k == 0;
			struct sample s1 = run_once(v, side[k], 1, NULL, NULL);
			struct sample sb = run_once(v, side[k], b[k], stamp ? stamps : NULL,
						    stamp ? &nr_stamps : NULL);

			t[k][0][p] = s1.ns;
			t[k][1][p] = sb.ns;
			ue[k][0] += (double)s1.user_exits;
			ue[k][1] += (double)sb.user_exits;
			for (int i = 0; i < ST_COUNT; i++) {
				known[i] = known[i] && s1.stat[i] >= 0 && sb.stat[i] >= 0;
				st[k][0][i] += (double)s1.stat[i];
				st[k][1][i] += (double)sb.stat[i];
			}
			for (size_t g = 1; stamp && g < nr_stamps; g++)
				gaps[nr_gaps++] = stamps[g] - stamps[g - 1];
		}
	}

	memset(r, 0, sizeof(*r));
	r->b_op = b_op;
	r->b_empty = b_empty;
	r->pairs = pairs;
	r->loop = (median(t[0][1], pairs) - median(t[0][0], pairs)) / (double)(b_op - 1);
	r->empty = (median(t[1][1], pairs) - median(t[1][0], pairs)) / (double)(b_empty - 1);
	r->net = r->loop - r->empty;
	r->exit_loop = nr_gaps ? median(gaps, nr_gaps) : -1;
	r->user_exits = per_it(ue[0][1], ue[0][0], pairs, b_op) -
			per_it(ue[1][1], ue[1][0], pairs, b_empty);
	for (int i = 0; i < ST_COUNT; i++)
		r->stat[i] = known[i] ? per_it(st[0][1][i], st[0][0][i], pairs, b_op) -
					per_it(st[1][1][i], st[1][0][i], pairs, b_empty) : NAN;
	for (int k = 0; k < 2; k++)
		for (int j = 0; j < 2; j++)
			free(t[k][j]);
	free(stamps);
	free(gaps);
}

/* A count per operation, "-" if unknown; no "-0.00" for a hair below 0. */
static void print_kv(const char *key, double x)
{
	if (isnan(x))
		printf(" %s=-", key);
	else
		printf(" %s=%.2f", key, x > -0.005 && x < 0.005 ? 0.0 : x);
}

static void print_net(enum gmode gm, enum loop op, const struct net *r)
{
	printf("crosscheck %s cpl%d net_ns=%.1f loop_ns=%.1f empty_ns=%.1f", loop_name[op],
	       gm == GM_LONG3 ? 3 : 0, r->net, r->loop, r->empty);
	if (r->exit_loop >= 0)
		printf(" exit_net_ns=%.1f", r->exit_loop - r->empty);
	printf(" batch=%llu empty_batch=%llu pairs=%u", (unsigned long long)r->b_op,
	       (unsigned long long)r->b_empty, r->pairs);
	print_kv("user_exits", r->user_exits);
	print_kv("exits", r->stat[ST_EXITS]);
	print_kv("insn_emulation", r->stat[ST_INSN_EMUL]);
	printf("\n");
	fflush(stdout);
}

static void print_header(void)
{
	printf("%-6s %-11s %10s %9s %9s %9s %8s %9s %9s %8s %8s %8s %8s\n", "guest", "loop", "N",
	       "mean", "min", "max", "batch", "p50/bat", "p50/exit", "user/it", "exits/it",
	       "io/it", "emul/it");
}

static void print_num(double x, int width, int prec)
{
	if (x < 0)
		printf(" %*s", width, "-");
	else
		printf(" %*.*f", width, prec, x);
}

static void print_figure(enum gmode gm, enum loop l, const struct figure *f)
{
	printf("%-6s %-11s %10llu", gmode_name[gm], loop_name[l], (unsigned long long)f->n);
	print_num(f->mean, 9, 1);
	print_num(f->min, 9, 1);
	print_num(f->max, 9, 1);
	printf(" %8llu", (unsigned long long)f->batch);
	print_num(f->p50_batch, 9, 1);
	print_num(f->p50_exit, 9, 1);
	print_num(f->user_exits, 8, 2);
	for (int i = 0; i < ST_COUNT; i++)
		print_num(f->stat[i], 8, 2);
	printf("\n");
	fflush(stdout);
}

static void pin(int cpu)
{
	cpu_set_t set;

	if (cpu < 0)
		return;
	CPU_ZERO(&set);
	CPU_SET(cpu, &set);
	if (sched_setaffinity(0, sizeof(set), &set))
		fprintf(stderr, "kvm_loop: cannot pin to CPU %d: %s (continuing)\n", cpu,
			strerror(errno));
}

static void usage(FILE *f)
{
	fprintf(f,
		"usage: kvm_loop [-x] [-n N] [-N N_NATIVE] [-r REPS] [-b BATCHES] [-c CPU]\n"
		"                [-m MODES]\n"
		"  -x           only the crosscheck lines (net cost of pio-user and cpuid in\n"
		"               long mode, CPL0 and CPL3), without the table\n"
		"  -n N         iterations of a long run, for loops that are emulated or exit\n"
		"               (default 10000)\n"
		"  -N N         iterations of a long run of an empty loop at CPL3, which runs\n"
		"               natively (default 100000000)\n"
		"  -r REPS      long runs per figure (default 5)\n"
		"  -b BATCHES   short runs of N/BATCHES (N_NATIVE/BATCHES) iterations per\n"
		"               figure, and per loop of a crosscheck pair (default 100)\n"
		"  -c CPU       pin to this CPU (default 1, the CPU hvbench gives vCPU 0\n"
		"               on a 2-CPU host; -1: no pinning)\n"
		"  -m MODES     comma list of real, long0, long3 (default all)\n"
		"Prints one line per (guest mode, loop), in ns per loop iteration:\n"
		"  mean min max  (T(N) - T(1)) / (N - 1), T the host CLOCK_MONOTONIC time of\n"
		"                the whole KVM_RUN loop: median, min and max over the long runs\n"
		"  batch p50/bat (median T(batch) - median T(1)) / (batch - 1) over the short\n"
		"                runs: like a median, robust to the odd preempted run\n"
		"  p50/exit      loops that exit to userspace: the median time from one return\n"
		"                of KVM_RUN to the next, over all the long runs\n"
		"and per iteration (from the median long run) the userspace exits counted\n"
		"here and the vCPU's KVM statistics exits, io_exits and insn_emulation.\n"
		"Then the net cost of one operation: its loop minus its empty loop.\n"
		"Then, for long0 and long3, one line per operation measured anew with its\n"
		"loop and empty loop alternating, BATCHES pairs of short runs (-x: only these):\n"
		"  crosscheck OP cplC net_ns= loop_ns= empty_ns= [exit_net_ns=] batch=\n"
		"             empty_batch= pairs= user_exits= exits= insn_emulation=\n"
		"  net_ns = loop_ns - empty_ns, both p50/bat; exit_net_ns (pio-user) = the\n"
		"  loop's p50/exit in those runs - empty_ns; the counts per operation, net.\n");
}

/* Cost of one clock read, as taken per exit for p50/exit. */
static double clock_cost_ns(void)
{
	double t0 = now_ns(), t1 = t0;
	int k;

	for (k = 0; k < 100000; k++)
		t1 = now_ns();
	return (t1 - t0) / k;
}

/* Each operation the crosscheck lines report, with its empty companion. */
static const struct {
	enum loop op, empty;
} net_pairs[] = {
	{ LOOP_PIO_USER, LOOP_EMPTY },
	{ LOOP_CPUID, LOOP_CPUID_EMPTY },
};
#define NR_NET_PAIRS (sizeof(net_pairs) / sizeof(net_pairs[0]))

static bool loop_native(enum gmode gm, enum loop l)
{
	return gm == GM_LONG3 && (l == LOOP_EMPTY || l == LOOP_CPUID_EMPTY);
}

int main(int argc, char **argv)
{
	uint64_t n = 10000, n_native = 100000000;
	unsigned int modes = (1u << GM_COUNT) - 1;
	struct plan pl = { .reps = 5, .batches = 100 };
	unsigned long ul;
	int cpu = 1, c;
	bool only_net = false;
	struct figure fig[GM_COUNT][LOOP_COUNT];
	struct net net[GM_COUNT][NR_NET_PAIRS];
	struct sigaction sa = { .sa_handler = on_alarm };

	while ((c = getopt(argc, argv, "xn:N:r:b:c:m:h")) != -1) {
		switch (c) {
		case 'x':
			only_net = true;
			break;
		case 'n':
			n = strtoull(optarg, NULL, 0);
			break;
		case 'N':
			n_native = strtoull(optarg, NULL, 0);
			break;
		case 'r':
			ul = strtoul(optarg, NULL, 0);
			pl.reps = ul > 1000 ? 0 : (unsigned int)ul;	/* 0: rejected below */
			break;
		case 'b':
			ul = strtoul(optarg, NULL, 0);
			pl.batches = ul > 1000000 ? 0 : (unsigned int)ul;
			break;
		case 'c':
			cpu = atoi(optarg);
			break;
		case 'm': {
			char buf[64], *save = NULL;

			modes = 0;
			snprintf(buf, sizeof(buf), "%s", optarg);
			for (char *t = strtok_r(buf, ",", &save); t; t = strtok_r(NULL, ",", &save)) {
				int m;

				for (m = 0; m < GM_COUNT && strcmp(t, gmode_name[m]); m++)
					;
				if (m == GM_COUNT) {
					usage(stderr);
					return 64;
				}
				modes |= 1u << m;
			}
			break;
		}
		case 'h':
			usage(stdout);
			return 0;
		default:
			usage(stderr);
			return 64;
		}
	}
	if (n < 4 || n > 0xffffffffull || n_native < 4 || n_native > 0xffffffffull ||
	    pl.reps < 1 || pl.reps > 101 || pl.batches < 1 || pl.batches > 100000 || !modes) {
		usage(stderr);
		return 64;
	}
	if (cpu >= 0 && cpu >= sysconf(_SC_NPROCESSORS_ONLN))
		cpu = -1;
	pin(cpu);
	sigaction(SIGALRM, &sa, NULL);	/* no SA_RESTART: KVM_RUN returns EINTR */

	kvm_fd = open("/dev/kvm", O_RDWR | O_CLOEXEC);
	if (kvm_fd < 0) {
		fprintf(stderr, "kvm_loop: SKIP: cannot open /dev/kvm: %s\n", strerror(errno));
		return 77;
	}
	if (ioctl(kvm_fd, KVM_CHECK_EXTENSION, KVM_CAP_IOEVENTFD) <= 0) {
		fprintf(stderr, "kvm_loop: SKIP: KVM has no ioeventfd\n");
		return 77;
	}
	printf("# kvm_loop: ns per loop iteration, timed on the host with CLOCK_MONOTONIC;\n"
	       "# %u long runs, %u short runs per figure; pinned to CPU %d; one clock read "
	       "%.0f ns\n", pl.reps, pl.batches, cpu, clock_cost_ns());
	printf("# ports: 0x%x exits to userspace, 0x%x bound by KVM_IOEVENTFD\n", PORT_USER,
	       PORT_EFD);
	if (!only_net)
		print_header();
	memset(fig, 0, sizeof(fig));
	memset(net, 0, sizeof(net));
	for (int gm = 0; gm < GM_COUNT; gm++) {
		uint64_t b = n / pl.batches < 2 ? 2 : n / pl.batches;
		uint64_t b_native = n_native / pl.batches < 2 ? 2 : n_native / pl.batches;
		struct vm v;

		if (!(modes & (1u << gm)))
			continue;
		vm_create(&v, gm);
		for (int l = 0; l < LOOP_COUNT && !only_net; l++) {
			if (l == LOOP_PIO_USER4 && gm != GM_LONG0)
				continue;
			measure(&v, l, loop_native(gm, l) ? n_native : n, &pl, &fig[gm][l]);
			print_figure(gm, l, &fig[gm][l]);
		}
		for (size_t k = 0; k < NR_NET_PAIRS && gm != GM_REAL; k++) {
			enum loop e = net_pairs[k].empty;

			measure_net(&v, net_pairs[k].op, e, b, loop_native(gm, e) ? b_native : b,
				    pl.batches, &net[gm][k]);
		}
		vm_destroy(&v);
	}
	if (!only_net) {
		printf("# net cost of one operation = its loop - its empty loop (ns), from mean "
		       "and p50/bat:\n");
		for (int gm = 0; gm < GM_COUNT; gm++) {
			for (int l = LOOP_PIO_USER; l < LOOP_COUNT; l++) {
				const struct figure *e = &fig[gm][l == LOOP_CPUID ? LOOP_CPUID_EMPTY :
								    LOOP_EMPTY];

				if (l == LOOP_PIO_USER4 || l == LOOP_CPUID_EMPTY ||
				    !fig[gm][l].valid || !e->valid)
					continue;
				printf("%-6s %-11s net %9.1f %9.1f   (%s)\n", gmode_name[gm],
				       loop_name[l], fig[gm][l].mean - e->mean,
				       fig[gm][l].p50_batch - e->p50_batch, gmode_what[gm]);
			}
		}
	}
	for (int gm = GM_LONG0; gm < GM_COUNT; gm++)
		for (size_t k = 0; k < NR_NET_PAIRS; k++)
			if (modes & (1u << gm))
				print_net(gm, net_pairs[k].op, &net[gm][k]);
	close(kvm_fd);
	return 0;
}
