/* SPDX-License-Identifier: MIT */
/*
 * Loading, attaching, registering threads, resetting and reading the eBPF
 * probes (probes.h).  The BPF side is one object, linked from the .bpf.c
 * files of this directory and embedded here by its libbpf skeleton.
 *
 * Failures to load or attach are the normal case on an unprivileged run or
 * a kernel without BTF: they come back as one line in `why`, and libbpf's
 * own messages (the verifier log, a multi-line dump) are kept off stderr
 * unless HVBENCH_PROBES_DEBUG is set in the environment.
 */
#include <bpf/bpf.h>
#include <bpf/libbpf.h>
#include <ctype.h>
#include <errno.h>
#include <linux/capability.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/syscall.h>
#include <unistd.h>

#include "hvbench_probes.skel.h"
#include "probes.h"

#define MAX_LINKS 32
#define MAX_PROCS 16
#define CAP_PERFMON_BIT 38
#define CAP_BPF_BIT 39
#define BTF_PATH "/sys/kernel/btf/vmlinux"

struct probes {
	struct hvbench_probes *skel;
	struct bpf_link *links[MAX_LINKS];
	unsigned int nr_links;
	int ncpus;
	void *zero;		/* per-CPU sized zeros, for resets */
	void *buf;		/* per-CPU values being read */
	size_t buf_size;
	pid_t slot_tid[HVB_MAX_THREADS];	/* 0: free */
	enum hvb_thread_kind slot_kind[HVB_MAX_THREADS];
	unsigned int slot_index[HVB_MAX_THREADS];
	pid_t procs[MAX_PROCS];
	unsigned int nr_procs;
	char backend[16];
	char exit_why[160];
	__u64 keys[HVB_MAX_EXIT_REASONS];	/* exit-reason hash keys being walked */
};

/*
 * libbpf's first warning that says something failed: the best one-line
 * explanation of a failed load ("prog 'x': BPF program load failed:
 * Permission denied"); the warnings after it repeat it more vaguely.
 */
static char libbpf_failure[256];

static int libbpf_print(enum libbpf_print_level level, const char *fmt, va_list ap)
{
	char line[256];
	va_list copy;
	size_t n;

	if (getenv("HVBENCH_PROBES_DEBUG")) {
		va_copy(copy, ap);
		vfprintf(stderr, fmt, copy);
		va_end(copy);
	}
	if (level != LIBBPF_WARN || libbpf_failure[0])
		return 0;
	vsnprintf(line, sizeof(line), fmt, ap);
	if (!strstr(line, "fail"))
		return 0;
	n = strlen(line);
	while (n && isspace((unsigned char)line[n - 1]))
		line[--n] = '\0';
	memcpy(libbpf_failure, line, n + 1);
	return 0;
}

static int fail(char *why, size_t len, const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(why, len, fmt, ap);
	va_end(ap);
	/* One line, whatever libbpf or strerror put in it. */
	for (char *c = why; len && *c; c++)
		if (*c == '\n' || *c == '\r')
			*c = ' ';
	return -1;
}

/* Effective capability bit, from the kernel (no libcap needed). */
static bool have_cap(int cap)
{
	struct __user_cap_header_struct hdr = { .version = _LINUX_CAPABILITY_VERSION_3 };
	struct __user_cap_data_struct data[2] = { 0 };

	if (syscall(SYS_capget, &hdr, data))
		return false;
	return data[cap / 32].effective & (1u << (cap % 32));
}

static bool permitted(void)
{
	if (have_cap(CAP_SYS_ADMIN))
		return true;
	return have_cap(CAP_BPF_BIT) && have_cap(CAP_PERFMON_BIT);
}

const char *probes_kvm_backend(void)
{
	static const struct {
		const char *module, *name;
	} backends[] = {
		{ "/sys/module/kvm_intel", "vmx" },
		{ "/sys/module/kvm_amd", "svm" },
		{ "/sys/module/kvm_pvm", "pvm" },
	};

	for (size_t i = 0; i < sizeof(backends) / sizeof(backends[0]); i++)
		if (!access(backends[i].module, F_OK))
			return backends[i].name;
	return "unknown";
}

static bool is_kvm_exit(const struct bpf_program *prog)
{
	return !strcmp(bpf_program__name(prog), "hvb_kvm_exit");
}

/*
 * Every program must attach except kvm_exit: a classic tracepoint, it needs
 * tracefs to find its id, and without it only the vmx/svm exit reasons are
 * lost.
 */
static int attach_all(struct probes *p, char *why, size_t len)
{
	struct bpf_program *prog;

	bpf_object__for_each_program(prog, p->skel->obj) {
		struct bpf_link *link;
		int e;

		if (p->nr_links == MAX_LINKS)
			return fail(why, len, "too many BPF programs (MAX_LINKS %d)", MAX_LINKS);
		link = bpf_program__attach(prog);
		if (link) {
			p->links[p->nr_links++] = link;
			continue;
		}
		e = errno;
		if (is_kvm_exit(prog)) {
			snprintf(p->exit_why, sizeof(p->exit_why),
				 "cannot attach kvm:kvm_exit: %s%s", strerror(e),
				 e == ENOENT ? " (is tracefs mounted at /sys/kernel/tracing?)" : "");
			continue;
		}
		return fail(why, len, "cannot attach BPF program to %s: %s%s",
			    bpf_program__section_name(prog), strerror(e),
			    e == ENOENT ? " (is the kvm module loaded?)" : "");
	}
	return 0;
}

static int probes_alloc(struct probes *p, char *why, size_t len)
{
	size_t biggest = sizeof(struct hvb_hist);

	if (sizeof(struct hvb_counters) > biggest)
		biggest = sizeof(struct hvb_counters);
	p->ncpus = libbpf_num_possible_cpus();
	if (p->ncpus <= 0)
		return fail(why, len, "cannot count the possible CPUs: %s", strerror(-p->ncpus));
	p->buf_size = biggest * p->ncpus;
	p->zero = calloc(1, p->buf_size);
	p->buf = malloc(p->buf_size);
	if (!p->zero || !p->buf)
		return fail(why, len, "out of memory");
	return 0;
}

int probes_open(struct probes **out, char *why, size_t len)
{
	libbpf_print_fn_t old_print;
	struct probes *p;
	int r;

	*out = NULL;
	if (!permitted())
		return fail(why, len,
			    "eBPF probes need root or CAP_BPF and CAP_PERFMON "
			    "(running as uid %u without them)", (unsigned int)geteuid());
	if (access(BTF_PATH, R_OK))
		return fail(why, len, "no kernel BTF at " BTF_PATH ": %s (the kernel needs "
			    "CONFIG_DEBUG_INFO_BTF)", strerror(errno));
	p = calloc(1, sizeof(*p));
	if (!p)
		return fail(why, len, "out of memory");
	snprintf(p->backend, sizeof(p->backend), "%s", probes_kvm_backend());
	if (probes_alloc(p, why, len)) {
		probes_close(p);
		return -1;
	}

	old_print = libbpf_set_print(libbpf_print);
	libbpf_failure[0] = '\0';
	r = -1;
	p->skel = hvbench_probes__open();
	if (!p->skel)
		fail(why, len, "cannot open the BPF object: %s",
		     libbpf_failure[0] ? libbpf_failure : strerror(errno));
	else if (hvbench_probes__load(p->skel))
		fail(why, len, "the kernel refused the BPF programs: %s "
		     "(HVBENCH_PROBES_DEBUG=1 shows libbpf's log)",
		     libbpf_failure[0] ? libbpf_failure : strerror(errno));
	else
		r = attach_all(p, why, len);
	libbpf_set_print(old_print);
	if (r) {
		probes_close(p);
		return -1;
	}
	*out = p;
	return 0;
}

void probes_detach(struct probes *p)
{
	for (unsigned int i = 0; p && i < p->nr_links; i++)
		bpf_link__destroy(p->links[i]);
	if (p)
		p->nr_links = 0;
}

int probes_attach(struct probes *p, char *why, size_t len)
{
	if (p->nr_links)
		return 0;
	if (!attach_all(p, why, len))
		return 0;
	probes_detach(p);	/* the ones that did attach: none or all */
	return -1;
}

void probes_close(struct probes *p)
{
	if (!p)
		return;
	for (unsigned int i = 0; i < p->nr_links; i++)
		bpf_link__destroy(p->links[i]);
	hvbench_probes__destroy(p->skel);
	free(p->zero);
	free(p->buf);
	free(p);
}

/* The process a thread belongs to; getpid() for our own threads. */
static pid_t tgid_of(pid_t tid)
{
	char path[64], line[128];
	pid_t tgid = -1;
	FILE *f;

	snprintf(path, sizeof(path), "/proc/self/task/%d", (int)tid);
	if (!access(path, F_OK))
		return getpid();
	snprintf(path, sizeof(path), "/proc/%d/status", (int)tid);
	f = fopen(path, "r");
	if (!f)
		return -1;
	while (fgets(line, sizeof(line), f))
		if (sscanf(line, "Tgid: %d", &tgid) == 1)
			break;
	fclose(f);
	return tgid;
}

static int proc_add(struct probes *p, pid_t tgid)
{
	__u32 key = tgid, one = 1;

	for (unsigned int i = 0; i < p->nr_procs; i++)
		if (p->procs[i] == tgid)
			return 0;
	if (p->nr_procs == MAX_PROCS) {
		errno = ENOSPC;
		return -1;
	}
	if (bpf_map_update_elem(bpf_map__fd(p->skel->maps.procs), &key, &one, BPF_ANY))
		return -1;
	p->procs[p->nr_procs++] = tgid;
	return 0;
}

static int slot_for(struct probes *p, pid_t tid)
{
	int free_slot = -1;

	for (int i = 0; i < HVB_MAX_THREADS; i++) {
		if (p->slot_tid[i] == tid)
			return i;
		if (!p->slot_tid[i] && free_slot < 0)
			free_slot = i;
	}
	return free_slot;
}

int probes_thread_add(struct probes *p, pid_t tid, enum hvb_thread_kind kind, unsigned int index)
{
	struct hvb_thread t = {
		.tid = tid,
		.kind = kind,
		.index = index,
		.ev_kind = HVB_LAT_NONE,
	};
	struct hvb_thread_stats zero = { 0 };
	struct hvb_irq_pending none = { 0 };
	__u32 key = tid, slot;
	pid_t tgid = tgid_of(tid);
	int s = slot_for(p, tid);

	if (tid <= 0 || tgid < 0) {
		errno = ESRCH;
		return -1;
	}
	if (s < 0) {
		errno = ENOSPC;
		return -1;
	}
	slot = s;
	t.slot = slot;
	if (proc_add(p, tgid) ||
	    bpf_map_update_elem(bpf_map__fd(p->skel->maps.thread_stats), &slot, &zero, BPF_ANY))
		return -1;
	/* A new vCPU thread means a new VM: no interrupt of the last one is pending. */
	if (kind == HVB_THREAD_VCPU && index < HVB_MAX_VCPUS &&
	    bpf_map_update_elem(bpf_map__fd(p->skel->maps.irq_pending), &index, &none, BPF_ANY))
		return -1;
	if (bpf_map_update_elem(bpf_map__fd(p->skel->maps.thread_state), &slot, &t, BPF_ANY) ||
	    bpf_map_update_elem(bpf_map__fd(p->skel->maps.threads), &key, &slot, BPF_ANY))
		return -1;
	p->slot_tid[slot] = tid;
	p->slot_kind[slot] = kind;
	p->slot_index[slot] = index;
	return 0;
}

void probes_thread_clear(struct probes *p)
{
	struct hvb_thread none = { 0 };

	for (__u32 i = 0; i < HVB_MAX_THREADS; i++) {
		__u32 key = p->slot_tid[i];

		if (!key)
			continue;
		bpf_map_delete_elem(bpf_map__fd(p->skel->maps.threads), &key);
		/* tid 0: the per-CPU caches stop matching it too. */
		bpf_map_update_elem(bpf_map__fd(p->skel->maps.thread_state), &i, &none, BPF_ANY);
		p->slot_tid[i] = 0;
	}
	for (unsigned int i = 0; i < p->nr_procs; i++) {
		__u32 key = p->procs[i];

		bpf_map_delete_elem(bpf_map__fd(p->skel->maps.procs), &key);
	}
	p->nr_procs = 0;
}

/* The keys of the exit-reason hash, at most max of them. */
static unsigned int exit_keys(struct probes *p, __u64 *keys, unsigned int max)
{
	int fd = bpf_map__fd(p->skel->maps.exit_stats);
	unsigned int n = 0;
	__u64 key, next;
	void *prev = NULL;

	while (n < max && !bpf_map_get_next_key(fd, prev, &next)) {
		keys[n++] = next;
		key = next;
		prev = &key;
	}
	return n;
}

int probes_reset(struct probes *p)
{
	int fd_exit = bpf_map__fd(p->skel->maps.exit_stats);
	struct hvb_thread_stats zero = { 0 };
	unsigned int n;
	__u32 key = 0;

	if (bpf_map_update_elem(bpf_map__fd(p->skel->maps.counters), &key, p->zero, BPF_ANY))
		return -1;
	for (key = 0; key < HVB_NR_HISTS; key++)
		if (bpf_map_update_elem(bpf_map__fd(p->skel->maps.hists), &key, p->zero, BPF_ANY))
			return -1;
	for (key = 0; key < HVB_MAX_THREADS; key++)
		if (p->slot_tid[key] &&
		    bpf_map_update_elem(bpf_map__fd(p->skel->maps.thread_stats), &key, &zero,
					BPF_ANY))
			return -1;
	/* Collect first: deleting while walking a hash can restart the walk. */
	n = exit_keys(p, p->keys, HVB_MAX_EXIT_REASONS);
	for (unsigned int i = 0; i < n; i++)
		bpf_map_delete_elem(fd_exit, &p->keys[i]);
	return 0;
}

static int read_counters(struct probes *p, struct hvb_counters *sum)
{
	const struct hvb_counters *v = p->buf;
	const __u64 *src;
	__u64 *dst = (__u64 *)sum;
	size_t words = sizeof(*sum) / sizeof(__u64);
	__u32 key = 0;

	if (bpf_map_lookup_elem(bpf_map__fd(p->skel->maps.counters), &key, p->buf))
		return -1;
	memset(sum, 0, sizeof(*sum));
	for (int cpu = 0; cpu < p->ncpus; cpu++) {
		src = (const __u64 *)&v[cpu];
		for (size_t w = 0; w < words; w++)
			dst[w] += src[w];
	}
	return 0;
}

static int read_hist(struct probes *p, __u32 id, struct hvb_hist *sum)
{
	const struct hvb_hist *v = p->buf;

	if (bpf_map_lookup_elem(bpf_map__fd(p->skel->maps.hists), &id, p->buf))
		return -1;
	memset(sum, 0, sizeof(*sum));
	for (int cpu = 0; cpu < p->ncpus; cpu++) {
		sum->count += v[cpu].count;
		sum->sum_ns += v[cpu].sum_ns;
		if (v[cpu].max_ns > sum->max_ns)
			sum->max_ns = v[cpu].max_ns;
		for (unsigned int b = 0; b < HVB_HIST_BUCKETS; b++)
			sum->bucket[b] += v[cpu].bucket[b];
	}
	return 0;
}

static int by_count_desc(const void *a, const void *b)
{
	const struct probes_exit_reason *x = a, *y = b;

	if (x->st.count != y->st.count)
		return x->st.count < y->st.count ? 1 : -1;
	return x->reason < y->reason ? -1 : x->reason > y->reason;
}

static void read_exit_reasons(struct probes *p, struct probes_snapshot *s)
{
	int fd = bpf_map__fd(p->skel->maps.exit_stats);
	unsigned int n = exit_keys(p, p->keys, HVB_MAX_EXIT_REASONS);
	__u64 *keys = p->keys;
	struct hvb_exit_stat *v;

	/* A hash's per-CPU buffer: ncpus values of the rounded value size. */
	v = calloc(p->ncpus, sizeof(*v));
	s->nr_exit_reasons = 0;
	for (unsigned int i = 0; v && i < n; i++) {
		struct probes_exit_reason *r = &s->exit_reasons[s->nr_exit_reasons];

		if (bpf_map_lookup_elem(fd, &keys[i], v))
			continue; /* deleted meanwhile */
		*r = (struct probes_exit_reason){ .isa = keys[i] >> 32, .reason = (__u32)keys[i] };
		for (int cpu = 0; cpu < p->ncpus; cpu++) {
			r->st.count += v[cpu].count;
			r->st.done += v[cpu].done;
			r->st.sum_ns += v[cpu].sum_ns;
			if (v[cpu].max_ns > r->st.max_ns)
				r->st.max_ns = v[cpu].max_ns;
		}
		s->nr_exit_reasons++;
	}
	free(v);
	qsort(s->exit_reasons, s->nr_exit_reasons, sizeof(s->exit_reasons[0]), by_count_desc);
}

int probes_read(struct probes *p, struct probes_snapshot *s)
{
	int fd_stats = bpf_map__fd(p->skel->maps.thread_stats);

	memset(s, 0, sizeof(*s));
	snprintf(s->kvm_backend, sizeof(s->kvm_backend), "%s", p->backend);
	snprintf(s->kvm_exit_unattached, sizeof(s->kvm_exit_unattached), "%s", p->exit_why);
	if (read_counters(p, &s->c))
		return -1;
	for (__u32 id = 0; id < HVB_NR_HISTS; id++)
		if (read_hist(p, id, &s->hist[id]))
			return -1;
	for (__u32 slot = 0; slot < HVB_MAX_THREADS; slot++) {
		struct probes_thread_stats *t = &s->threads[s->nr_threads];

		if (!p->slot_tid[slot])
			continue;
		if (bpf_map_lookup_elem(fd_stats, &slot, &t->st))
			return -1;
		t->tid = p->slot_tid[slot];
		t->kind = p->slot_kind[slot];
		t->index = p->slot_index[slot];
		s->nr_threads++;
	}
	read_exit_reasons(p, s);
	return 0;
}

double probes_hist_quantile(const struct hvb_hist *h, double q)
{
	__u64 total = 0, seen = 0;
	double rank;

	for (unsigned int b = 0; b < HVB_HIST_BUCKETS; b++)
		total += h->bucket[b];
	if (!total)
		return 0;
	rank = q * (double)total;
	if (rank < 1)
		rank = 1;
	for (unsigned int b = 0; b < HVB_HIST_BUCKETS; b++) {
		double lo, hi, v;

		if (!h->bucket[b] || (double)(seen + h->bucket[b]) < rank) {
			seen += h->bucket[b];
			continue;
		}
		lo = (double)hvb_hist_lower(b);
		hi = b + 1 < HVB_HIST_BUCKETS ? (double)hvb_hist_lower(b + 1) : lo;
		v = lo + (hi - lo) * (rank - (double)seen) / (double)h->bucket[b];
		if (h->max_ns && v > (double)h->max_ns)
			v = (double)h->max_ns;
		return v < lo ? lo : v;
	}
	return (double)h->max_ns;
}
