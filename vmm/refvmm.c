/* SPDX-License-Identifier: MIT */
/*
 * refvmm: run one PVH payload under KVM and report how it ended.
 *
 * The guest's serial output goes to stdout; anything refvmm itself has to
 * say goes to stderr as lines starting with "refvmm:", so output can be
 * piped and parsed without the two mixing.
 */
#include <errno.h>
#include <fcntl.h>
#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "hvbench/ports.h"
#include "vm.h"

/* Exit codes: 0..63 are the payload's own status; the rest are refvmm's. */
enum {
	EXIT_USAGE = 64,
	EXIT_PAYLOAD = 65,
	EXIT_KVM = 66,
	EXIT_HANG = 67,
	EXIT_CRASH = 68,
	EXIT_STATUS_RANGE = 69,
	EXIT_INTERNAL = 70,
};

#define PAYLOAD_MAX_BYTES (1ull << 30)

struct options {
	const char *payload;
	const char *cmdline;
	struct vm_config vm;
	double timeout_sec;
	bool stats;
};

static const char usage_text[] =
	"usage: refvmm run PAYLOAD [options]\n"
	"\n"
	"Boot PAYLOAD, an x86-64 ELF with a PVH entry note, under KVM. Guest serial\n"
	"output (COM1) goes to stdout; refvmm's own messages go to stderr.\n"
	"\n"
	"options:\n"
	"  --cmdline STR         kernel command line for the payload; tsc_khz=N is\n"
	"                        appended unless STR sets it\n"
	"  --mem MIB             guest memory, 2 to 3072 MiB (default 64)\n"
	"  --cpus N              number of vCPUs, each on its own thread (default 1)\n"
	"  --timeout SEC         deadline for the whole run (default 10)\n"
	"  --irqchip kernel|user in-kernel LAPIC/IOAPIC/PIC, or none (default kernel)\n"
	"  --hugepages           back guest memory with huge pages where possible\n"
	"  --devices SET         the VM's devices: 'standard' (COM1, the PV console,\n"
	"                        the debug exit; the default) or 'conform' (those and\n"
	"                        the conformance suite's test device, control device\n"
	"                        and ROM, which the conformance payload needs)\n"
	"  --stats               print timing, memory and KVM counters to stderr\n"
	"  --fault NAME          misbehave on purpose, to show a conformance test\n"
	"                        catches it (repeatable; all but cpuid-signature and\n"
	"                        tsc-khz need --devices conform); NAME is one of:\n"
	"%s"
	"  --debug-pio-delay-ns N\n"
	"                        busy-wait N ns (0 to 10000000) in every port I/O\n"
	"                        exit refvmm handles: a VMM slower for real, to test\n"
	"                        that regression detection notices\n"
	"  -h, --help            this text\n"
	"\n"
	"exit status:\n"
	"  0-63  the payload's status, written to the debug-exit port 0xf4\n"
	"  64    usage error          65  bad payload file\n"
	"  66    KVM unavailable      67  guest hang (deadline passed)\n"
	"  68    guest crash          69  payload status above 63\n"
	"  70    internal error\n";

/* The usage text, with the fault names listed three to a line. */
static void usage_print(void)
{
	char names[512];
	size_t n = 0;

	for (int i = 0; i < VM_NR_FAULTS; i++) {
		const char *sep = i == VM_NR_FAULTS - 1 ? "\n" : i % 3 == 2 ? ",\n" : ", ";

		n += snprintf(names + n, sizeof(names) - n, "%*s%s%s", i % 3 ? 0 : 24, "",
			      vm_fault_names[i], sep);
	}
	printf(usage_text, names);
}

static int usage_error(const char *fmt, const char *arg)
{
	fprintf(stderr, "refvmm: ");
	fprintf(stderr, fmt, arg);
	fprintf(stderr, " (see refvmm --help)\n");
	return EXIT_USAGE;
}

static bool parse_u64(const char *s, uint64_t *out)
{
	char *end;

	errno = 0;
	*out = strtoull(s, &end, 10);
	return !errno && end != s && !*end && s[0] != '-';
}

static int options_parse(int argc, char **argv, struct options *o)
{
	enum {
		OPT_CMDLINE = 256,
		OPT_MEM,
		OPT_CPUS,
		OPT_TIMEOUT,
		OPT_IRQCHIP,
		OPT_HUGE,
		OPT_DEVICES,
		OPT_STATS,
		OPT_FAULT,
		OPT_PIO_DELAY,
	};
	static const struct option longopts[] = {
		{ "cmdline", required_argument, NULL, OPT_CMDLINE },
		{ "mem", required_argument, NULL, OPT_MEM },
		{ "cpus", required_argument, NULL, OPT_CPUS },
		{ "timeout", required_argument, NULL, OPT_TIMEOUT },
		{ "irqchip", required_argument, NULL, OPT_IRQCHIP },
		{ "hugepages", no_argument, NULL, OPT_HUGE },
		{ "devices", required_argument, NULL, OPT_DEVICES },
		{ "stats", no_argument, NULL, OPT_STATS },
		{ "fault", required_argument, NULL, OPT_FAULT },
		{ "debug-pio-delay-ns", required_argument, NULL, OPT_PIO_DELAY },
		{ "help", no_argument, NULL, 'h' },
		{ NULL, 0, NULL, 0 },
	};
	uint64_t n;
	char *end;
	int c, fault;

	*o = (struct options){
		.cmdline = "",
		.vm = { .mem_bytes = 64ull << 20, .nr_vcpus = 1, .irqchip = VM_IRQCHIP_KERNEL,
			.pit = true }, /* a PC has one; the benchmarks do without */
		.timeout_sec = 10,
	};
	opterr = 0;
	while ((c = getopt_long(argc, argv, "h", longopts, NULL)) != -1) {
		switch (c) {
		case OPT_CMDLINE:
			o->cmdline = optarg;
			break;
		case OPT_MEM:
			if (!parse_u64(optarg, &n) || n < 2 || n > 3072)
				return usage_error("--mem takes a size in MiB from 2 to 3072, not '%s'",
						   optarg);
			o->vm.mem_bytes = n << 20;
			break;
		case OPT_CPUS:
			if (!parse_u64(optarg, &n) || n < 1 || n > VM_MAX_VCPUS)
				return usage_error("--cpus takes a count from 1 to 64, not '%s'", optarg);
			o->vm.nr_vcpus = (unsigned int)n;
			break;
		case OPT_TIMEOUT:
			errno = 0;
			o->timeout_sec = strtod(optarg, &end);
			if (errno || end == optarg || *end || !(o->timeout_sec > 0) ||
			    o->timeout_sec > 86400)
				return usage_error("--timeout takes seconds (0 < SEC <= 86400), not '%s'",
						   optarg);
			break;
		case OPT_IRQCHIP:
			if (!strcmp(optarg, "kernel"))
				o->vm.irqchip = VM_IRQCHIP_KERNEL;
			else if (!strcmp(optarg, "user"))
				o->vm.irqchip = VM_IRQCHIP_USER;
			else
				return usage_error("--irqchip is 'kernel' or 'user', not '%s'", optarg);
			break;
		case OPT_HUGE:
			o->vm.hugepages = true;
			break;
		case OPT_DEVICES:
			o->vm.devices = dev_set_find(optarg);
			if (!o->vm.devices)
				return usage_error("--devices is 'standard' or 'conform', not '%s'",
						   optarg);
			break;
		case OPT_STATS:
			o->stats = true;
			break;
		case OPT_FAULT:
			fault = vm_fault_parse(optarg);
			if (fault < 0)
				return usage_error("--fault: no fault called '%s'", optarg);
			o->vm.faults |= (uint32_t)fault;
			break;
		case OPT_PIO_DELAY:
			if (!parse_u64(optarg, &n) || n > VM_PIO_DELAY_MAX_NS)
				return usage_error("--debug-pio-delay-ns takes nanoseconds from 0 to "
						   "10000000, not '%s'", optarg);
			o->vm.debug_pio_delay_ns = (uint32_t)n;
			break;
		case 'h':
			usage_print();
			exit(0);
		default:
			return usage_error("unknown option '%s'", argv[optind - 1]);
		}
	}
	if (optind != argc - 1)
		return usage_error("%s", optind >= argc ? "run needs a PAYLOAD file"
							 : "run takes one PAYLOAD file");
	o->payload = argv[optind];
	return 0;
}

static uint8_t *payload_read(const char *path, size_t *size)
{
	struct stat st;
	uint8_t *buf = NULL;
	size_t done = 0;
	int fd = open(path, O_RDONLY | O_CLOEXEC);

	if (fd < 0) {
		fprintf(stderr, "refvmm: cannot open payload %s: %s\n", path, strerror(errno));
		return NULL;
	}
	if (fstat(fd, &st) || !S_ISREG(st.st_mode)) {
		fprintf(stderr, "refvmm: payload %s is not a regular file\n", path);
		goto fail;
	}
	if ((uint64_t)st.st_size > PAYLOAD_MAX_BYTES) {
		fprintf(stderr, "refvmm: payload %s is %lld bytes, more than the 1 GiB limit\n", path,
			(long long)st.st_size);
		goto fail;
	}
	buf = malloc(st.st_size ? st.st_size : 1);
	if (!buf)
		goto fail;
	while (done < (size_t)st.st_size) {
		ssize_t r = read(fd, buf + done, st.st_size - done);

		if (r <= 0) {
			fprintf(stderr, "refvmm: cannot read payload %s: %s\n", path,
				r ? strerror(errno) : "file shrank while reading");
			free(buf);
			buf = NULL;
			goto fail;
		}
		done += r;
	}
	*size = done;
fail:
	close(fd);
	return buf;
}

static int exit_code_for(enum vmm_err_kind kind)
{
	switch (kind) {
	case VMM_ERR_USAGE:
		return EXIT_USAGE;
	case VMM_ERR_KVM:
		return EXIT_KVM;
	case VMM_ERR_PAYLOAD:
		return EXIT_PAYLOAD;
	default:
		return EXIT_INTERNAL;
	}
}

static long proc_status_kib(const char *key)
{
	char line[256];
	long v = -1;
	size_t klen = strlen(key);
	FILE *f = fopen("/proc/self/status", "r");

	if (!f)
		return -1;
	while (fgets(line, sizeof(line), f))
		if (!strncmp(line, key, klen) && line[klen] == ':')
			v = strtol(line + klen + 1, NULL, 10);
	fclose(f);
	return v;
}

/* Figures for benchmarks: one "refvmm-stats: key value" per line. */
static void stats_print(struct vm *vm, const struct vm_outcome *out)
{
	static const char *const counters[] = { "exits", "io_exits", "mmio_exits", "halt_exits",
						"insn_emulation", "irq_injections" };
	long rss = proc_status_kib("VmRSS"), hwm = proc_status_kib("VmHWM");
	long guest = (long)(guest_mem_resident(&vm->mem) >> 10);

	fprintf(stderr, "refvmm-stats: run_seconds %.6f\n", out->seconds);
	fprintf(stderr, "refvmm-stats: tsc_khz %u\n", vm->tsc_khz);
	fprintf(stderr, "refvmm-stats: rss_kib %ld\nrefvmm-stats: rss_peak_kib %ld\n", rss, hwm);
	fprintf(stderr, "refvmm-stats: guest_resident_kib %ld\n", guest);
	fprintf(stderr, "refvmm-stats: guest_hugetlb %d\n", vm->mem.hugepages);
	fprintf(stderr, "refvmm-stats: vmm_rss_kib %ld\n", rss - guest);
	for (unsigned int i = 0; i < vm->nr_vcpus; i++) {
		struct vcpu *v = &vm->vcpus[i];

		fprintf(stderr, "refvmm-stats: vcpu%u.user_exits %llu\n", i,
			(unsigned long long)v->snap.nr_exits);
		for (size_t c = 0; c < sizeof(counters) / sizeof(counters[0]); c++) {
			int64_t val = vcpu_stat(v, counters[c]);

			if (val >= 0)
				fprintf(stderr, "refvmm-stats: vcpu%u.%s %lld\n", i, counters[c],
					(long long)val);
		}
	}
}

/* The payload learns the TSC rate from the command line, as under any VMM. */
static char *cmdline_build(const char *user, uint32_t tsc_khz)
{
	size_t len = strlen(user) + 32;
	char *s = malloc(len);

	if (!s)
		return NULL;
	if (tsc_khz && !strstr(user, "tsc_khz="))
		snprintf(s, len, "%s%stsc_khz=%u", user, *user ? " " : "", tsc_khz);
	else
		snprintf(s, len, "%s", user);
	return s;
}

static int cmd_run(int argc, char **argv)
{
	struct vmm_err err = { 0 };
	struct vm_outcome out;
	struct options o;
	uint8_t *elf;
	size_t size = 0;
	struct vm *vm;
	char *cmdline;
	int rc;

	rc = options_parse(argc, argv, &o);
	if (rc)
		return rc;
	elf = payload_read(o.payload, &size);
	if (!elf)
		return EXIT_PAYLOAD;
	vm = vm_create(&o.vm, &err);
	if (!vm) {
		fprintf(stderr, "refvmm: %s\n", err.msg);
		free(elf);
		return exit_code_for(err.kind);
	}
	cmdline = cmdline_build(o.cmdline, vm->tsc_khz);
	if (!cmdline || vm_load_pvh(vm, elf, size, cmdline, &err)) {
		if (err.kind == VMM_ERR_PAYLOAD)
			fprintf(stderr, "refvmm: bad payload %s: %s\n", o.payload, err.msg);
		else
			fprintf(stderr, "refvmm: %s\n", cmdline ? err.msg : "out of memory");
		free(cmdline);
		free(elf);
		vm_destroy(vm);
		return cmdline ? exit_code_for(err.kind) : EXIT_INTERNAL;
	}
	free(cmdline);
	free(elf);
	vm_run(vm, o.timeout_sec, &out);
	switch (out.result) {
	case VM_RESULT_EXITED:
		rc = out.status <= GUEST_STATUS_MAX ? (int)out.status : EXIT_STATUS_RANGE;
		if (rc == EXIT_STATUS_RANGE)
			fprintf(stderr, "refvmm: payload status %u is above %d\n", out.status,
				GUEST_STATUS_MAX);
		break;
	case VM_RESULT_HANG:
		rc = EXIT_HANG;
		break;
	case VM_RESULT_CRASH:
		rc = EXIT_CRASH;
		break;
	default:
		rc = EXIT_INTERNAL;
		break;
	}
	if (out.result != VM_RESULT_EXITED)
		vm_outcome_print(vm, &out, stderr);
	if (o.stats)
		stats_print(vm, &out);
	vm_destroy(vm);
	return rc;
}

int main(int argc, char **argv)
{
	if (argc >= 2 && (!strcmp(argv[1], "-h") || !strcmp(argv[1], "--help"))) {
		usage_print();
		return 0;
	}
	if (argc < 2 || strcmp(argv[1], "run"))
		return usage_error("%s", argc < 2 ? "no command given; the command is 'run'"
						 : "unknown command; the command is 'run'");
	return cmd_run(argc - 1, argv + 1);
}
