#!/bin/sh
# SPDX-License-Identifier: MIT
#
# /init of scripts/testvm's initramfs (busybox sh).  Loads KVM and the 9p
# and overlay modules, makes the host's root (read-only 9p, under a tmpfs
# overlay) the root of a chroot, mounts the checkout writable at its own
# path in it, runs the job's run.sh there and writes its exit status to
# the job folder, then powers off.  Anything that fails before the job
# runs is written to the job's init-error (and the console), so the host
# side can say why.
export PATH=/bin
/bin/busybox --install -s /bin
mkdir -p /proc /sys /dev
mount -t proc proc /proc
mount -t sysfs sys /sys
mount -t devtmpfs dev /dev

fail() {
	echo "testvm-init: $*" >/dev/console
	[ -d /job ] && echo "$*" >/job/init-error
	sync
	poweroff -f
}

# The modules come in dependency order (built by scripts/testvm).
while read -r m; do
	insmod "/modules/$m" || fail "insmod $m failed"
done </modules/order
[ -c /dev/kvm ] || fail "no /dev/kvm after loading kvm_amd (is the CPU an EPYC with svm?)"

p9="trans=virtio,version=9p2000.L,msize=524288"
mkdir -p /job /lower /rw /root
mount -t 9p -o "$p9,cache=none" job /job || fail "cannot mount the job folder over 9p"
checkout=$(cat /job/checkout)
mount -t 9p -o "$p9,ro,cache=loose" hostroot /lower || fail "cannot mount the host's root over 9p"
mount -t tmpfs -o mode=755 rw /rw
mkdir -p /rw/upper /rw/work
mount -t overlay -o lowerdir=/lower,upperdir=/rw/upper,workdir=/rw/work overlay /root ||
	fail "cannot mount the overlay root"
r=/root
mkdir -p "$r$checkout"
mount -t 9p -o "$p9,cache=mmap" checkout "$r$checkout" || fail "cannot mount the checkout at $checkout"
mount -t proc proc $r/proc
mount -t sysfs sys $r/sys
mount -t devtmpfs dev $r/dev
mkdir -p $r/dev/pts $r/dev/shm
mount -t devpts -o newinstance,ptmxmode=0666 devpts $r/dev/pts
mount -t tmpfs -o mode=1777 shm $r/dev/shm
mount -t tmpfs -o mode=755 run $r/run
mount -t tracefs tracefs $r/sys/kernel/tracing 2>/dev/null
mount -t debugfs debugfs $r/sys/kernel/debug 2>/dev/null
mount -t bpf bpf $r/sys/fs/bpf 2>/dev/null
mount -t cgroup2 cgroup2 $r/sys/fs/cgroup 2>/dev/null
# devtmpfs has none of these links; bash's process substitution needs /dev/fd.
ln -sf /proc/self/fd $r/dev/fd
ln -sf /proc/self/fd/0 $r/dev/stdin
ln -sf /proc/self/fd/1 $r/dev/stdout
ln -sf /proc/self/fd/2 $r/dev/stderr
mkdir -p $r/run/testvm
mount --bind /job $r/run/testvm
hostname testvm
ip link set lo up

up=$(cut -d' ' -f1 /proc/uptime)
echo "testvm-init: started COMMAND at $up s" >/dev/console
echo "$up" >/job/started
chroot $r /bin/bash /run/testvm/run.sh </dev/null >>/job/stdout 2>>/job/stderr
echo $? >/job/status
sync
poweroff -f
