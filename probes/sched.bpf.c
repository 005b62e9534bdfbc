// SPDX-License-Identifier: GPL-2.0-only OR MIT
/*
 * The scheduler's view of the registered threads: a noise detector.  A
 * repetition whose vCPU or device thread was preempted, or waited for a
 * CPU, measured the host's other work too, and can be flagged.
 *
 * Voluntary and involuntary are told apart as the kernel does for
 * nvcsw/nivcsw in /proc/<pid>/status: a switch is voluntary when the task
 * blocked (not preempted, and its state was not TASK_RUNNING), involuntary
 * otherwise.  Run-queue wait is the time from becoming runnable (woken, or
 * switched out while still runnable) to running again.
 *
 * BTF-typed tracepoints (tp_btf): the task pointers are read directly,
 * with no probe_read call, which matters on a hook every context switch of
 * the host goes through.  Needs the four-argument sched_switch of Linux
 * 5.18 and later.
 */
#include "hvbench.bpf.h"

#define TASK_RUNNING 0

/*
 * A wakeup: runnable from now on, unless the thread is already waiting on
 * a run queue since a preemption (then that is when its wait began).  Any
 * other wake_ns is from a wakeup that found the thread not yet asleep and
 * only marked it running: stale, so overwritten.
 */
static __always_inline void runnable_since(struct task_struct *p, __u64 now)
{
	struct hvb_thread_stats *st;
	struct hvb_thread *t = hvb_thread_of(p->pid);

	if (!t)
		return;
	if (!t->queued)
		t->wake_ns = now;
	hvb_count(HVB_C_WAKEUP);
	st = hvb_stats_of(t);
	if (st)
		st->wakeups++;
}

/*
 * sched_waking, not sched_wakeup: waking is traced on the waker's CPU
 * before the task is put on a run queue, so it runs before the task can be
 * switched in anywhere.  sched_wakeup comes after the enqueue, and an idle
 * CPU could switch the task in before the waker's CPU ran this program:
 * that run-queue wait was lost (3 of 200 in one CI run).  It is traced only
 * for a task in a sleeping state.
 */
SEC("tp_btf/sched_waking")
int BPF_PROG(hvb_sched_waking, struct task_struct *p)
{
	runnable_since(p, bpf_ktime_get_ns());
	return 0;
}

SEC("tp_btf/sched_wakeup_new")
int BPF_PROG(hvb_sched_wakeup_new, struct task_struct *p)
{
	runnable_since(p, bpf_ktime_get_ns());
	return 0;
}

SEC("tp_btf/sched_switch")
int BPF_PROG(hvb_sched_switch, bool preempt, struct task_struct *prev, struct task_struct *next,
	     unsigned int prev_state)
{
	struct hvb_thread_stats *st;
	struct hvb_thread *t;
	__u64 now = 0, ns;

	t = hvb_thread_of(prev->pid);
	if (t) {
		bool involuntary = preempt || prev_state == TASK_RUNNING;

		now = bpf_ktime_get_ns();
		hvb_count(involuntary ? HVB_C_SWITCH_INVOLUNTARY : HVB_C_SWITCH_VOLUNTARY);
		st = hvb_stats_of(t);
		if (st) {
			if (involuntary)
				st->switch_involuntary++;
			else
				st->switch_voluntary++;
		}
		/*
		 * Still on the run queue when preempted: waiting starts now.
		 * Going to sleep, wake_ns is kept: it is set only if a wakeup
		 * raced with the sleep (it is zeroed at every switch in), and
		 * then the thread is runnable from that wakeup on.
		 */
		if (involuntary)
			t->wake_ns = now;
		t->queued = involuntary;
	}
	t = hvb_thread_of(next->pid);
	if (!t || !t->wake_ns)
		return 0;
	if (!now)
		now = bpf_ktime_get_ns();
	ns = now - t->wake_ns;
	t->wake_ns = 0;
	t->queued = 0;
	hvb_hist_add(HVB_H_RQ_WAIT, ns);
	st = hvb_stats_of(t);
	if (!st)
		return 0;
	st->rq_waits++;
	st->rq_wait_ns += ns;
	if (ns > st->rq_wait_max_ns)
		st->rq_wait_max_ns = ns;
	return 0;
}
