/* SPDX-License-Identifier: MIT */
/*
 * The request ring of the io workloads, shared by the guest driver, the
 * device in refvmm (on the vCPU thread or on a device thread) and the
 * native baseline (two host threads).  A submission queue of requests and a
 * completion queue, each a power-of-two array indexed by free-running
 * 32-bit counters; producer and consumer indices live on separate cache
 * lines so polling sides do not false-share.
 *
 * The device treats every field as hostile: indices more than
 * HVB_RING_ENTRIES apart, buffer addresses outside memory and lengths over
 * HVB_RING_MAX_LEN complete with an error status instead of being used.
 */
#ifndef HVBENCH_RING_H
#define HVBENCH_RING_H

#include <stdint.h>

#define HVB_RING_ENTRIES 64u
#define HVB_RING_MAX_LEN 4096u

enum hvb_ring_op {
	HVB_RING_OP_WRITE = 1,	/* the device takes the buffer's bytes */
	HVB_RING_OP_READ = 2,	/* the device fills the buffer */
};

enum hvb_ring_status {
	HVB_RING_OK = 0,
	HVB_RING_EINVAL = 1,	/* bad op, length or address */
};

struct hvb_ring_req {
	uint64_t addr;		/* guest-physical (or, natively, region offset) of the buffer */
	uint32_t len;
	uint32_t op;
	uint64_t id;
	uint64_t reserved;
};

struct hvb_ring_cpl {
	uint64_t id;
	uint32_t status;
	uint32_t len;
};

struct hvb_ring {
	volatile uint32_t sq_tail;	/* driver: requests posted */
	uint32_t pad0[15];
	volatile uint32_t sq_head;	/* device: requests taken */
	uint32_t pad1[15];
	volatile uint32_t cq_tail;	/* device: completions posted */
	uint32_t pad2[15];
	volatile uint32_t cq_head;	/* driver: completions consumed */
	volatile uint32_t want_irq;	/* driver: about to sleep, interrupt on completion */
	uint32_t pad3[14];
	struct hvb_ring_req sq[HVB_RING_ENTRIES];
	struct hvb_ring_cpl cq[HVB_RING_ENTRIES];
};

/*
 * The register-level device of mode hvm: every access is an exit.  Write
 * ADDR (32-bit guest-physical), LEN and OP, then DOORBELL: the device does
 * the request and raises HVB_VEC_IO; reading STATUS returns its status and
 * acknowledges the interrupt.
 */
#define PORT_HVB_IODEV 0x560
#define HVB_IODEV_ADDR 0x0
#define HVB_IODEV_LEN 0x4
#define HVB_IODEV_OP 0x8
#define HVB_IODEV_DOORBELL 0xc
#define HVB_IODEV_STATUS 0x10
#define HVB_IODEV_SIZE 0x14

/* Ring notification: mode pv exits to the VMM, mode offload hits an ioeventfd. */
#define PORT_HVB_RING_NOTIFY 0x580
#define PORT_HVB_RING_KICK 0x584

#endif
