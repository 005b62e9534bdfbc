#!/usr/bin/env python3
# SPDX-License-Identifier: MIT
"""Boot-to-exit time and memory of refvmm against QEMU microvm, one payload.

Both VMMs are timed by the same independent clock: the kernel's trace
buffer.  A tracefs instance records sched_process_exec (the VMM process
starts) and kvm_pio on the debug-exit port (the guest ends its run); the
difference is "process start to guest exit", unaffected by how either VMM
tears down afterwards.  Wall time from fork to reaping is printed as well.
Runs alternate between the two VMMs (A B A B ...) so drift hits both alike.

refvmm's own resident memory is its RSS minus the guest RAM it has touched
(refvmm --stats reports both, the latter from mincore on the guest mapping).

This is a benchmark: it prints figures and whether the targets were met,
and fails only if it could not measure.
"""
import argparse
import os
import shutil
import statistics
import subprocess
import sys
import time

TRACEFS = "/sys/kernel/tracing"
INSTANCE = "hvbench-boot-time"
DEBUG_EXIT_PORT = 0xF4


class Tracer:
    def __init__(self):
        self.dir = os.path.join(TRACEFS, "instances", INSTANCE)

    def __enter__(self):
        if not os.path.isdir(os.path.join(TRACEFS, "events")):
            subprocess.run(["mount", "-t", "tracefs", "nodev", TRACEFS],
                           stderr=subprocess.DEVNULL, check=False)
        if not os.path.isdir(self.dir):
            os.mkdir(self.dir)
        self._write("tracing_on", "0")
        self._write("events/kvm/kvm_pio/filter", "port == %d" % DEBUG_EXIT_PORT)
        self._write("events/kvm/kvm_pio/enable", "1")
        self._write("events/sched/sched_process_exec/enable", "1")
        return self

    def __exit__(self, *exc):
        self._write("tracing_on", "0")
        os.rmdir(self.dir)

    def _write(self, name, value):
        with open(os.path.join(self.dir, name), "w") as f:
            f.write(value)

    def start(self):
        self._write("trace", "")
        self._write("tracing_on", "1")

    def stop(self, exe):
        """Seconds from the exec of exe to the first debug-exit write."""
        self._write("tracing_on", "0")
        with open(os.path.join(self.dir, "trace")) as f:
            lines = f.readlines()
        t_exec = t_exit = None
        for line in lines:
            if line.startswith("#") or ":" not in line:
                continue
            ts = float(line.split(":")[0].split()[-1])
            if "sched_process_exec" in line and ("filename=" + exe) in line and t_exec is None:
                t_exec = ts
            elif "kvm_pio" in line and t_exec is not None and t_exit is None:
                t_exit = ts
        if t_exec is None or t_exit is None:
            return None
        return t_exit - t_exec


def run_once(cmd, tracer):
    if tracer:
        tracer.start()
    t0 = time.monotonic()
    p = subprocess.run(cmd, stdout=subprocess.PIPE, stderr=subprocess.PIPE)
    wall = time.monotonic() - t0
    boot = tracer.stop(os.path.realpath(shutil.which(cmd[0]))) if tracer else None
    return p, wall, boot


def median_ms(xs):
    return statistics.median(xs) * 1e3 if xs else float("nan")


def main():
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--refvmm", required=True)
    ap.add_argument("--payload", required=True)
    ap.add_argument("--qemu", default="qemu-system-x86_64")
    ap.add_argument("--rounds", type=int, default=15)
    args = ap.parse_args()

    refvmm_cmd = [os.path.realpath(args.refvmm), "run", args.payload, "--stats"]
    qemu_cmd = [args.qemu, "-M", "microvm", "-accel", "kvm", "-m", "64", "-nographic",
                "-nodefaults", "-no-user-config", "-serial", "stdio",
                "-device", "isa-debug-exit,iobase=0xf4,iosize=4", "-kernel", args.payload]
    if not shutil.which(args.qemu):
        print("boot_time: %s not found: install qemu-system-x86" % args.qemu, file=sys.stderr)
        return 2
    tracer = None
    if os.geteuid() == 0 and os.path.isdir(TRACEFS):
        try:
            tracer = Tracer().__enter__()
        except OSError as e:
            print("boot_time: no kernel tracing (%s): wall time only" % e, file=sys.stderr)
    res = {"refvmm": {"wall": [], "boot": []}, "qemu": {"wall": [], "boot": []}}
    vmm_rss = []
    try:
        for _ in range(args.rounds):
            for name, cmd, ok_rc in (("refvmm", refvmm_cmd, 0), ("qemu", qemu_cmd, 1)):
                p, wall, boot = run_once(cmd, tracer)
                if p.returncode != ok_rc:
                    print("boot_time: %s exited %d:\n%s" % (name, p.returncode,
                          p.stderr.decode(errors="replace")), file=sys.stderr)
                    return 1
                res[name]["wall"].append(wall)
                if boot is not None:
                    res[name]["boot"].append(boot)
                if name == "refvmm":
                    stats = dict(l.split()[1:3] for l in p.stderr.decode().splitlines()
                                 if l.startswith("refvmm-stats:"))
                    vmm_rss.append((int(stats["rss_peak_kib"]) - int(stats["guest_resident_kib"]),
                                    int(stats["vmm_rss_kib"])))
    finally:
        if tracer:
            tracer.__exit__(None, None, None)

    print("boot_time: %s, %d rounds each, interleaved" % (os.path.basename(args.payload),
                                                         args.rounds))
    for name in ("refvmm", "qemu"):
        r = res[name]
        print("  %-7s start->guest exit: median %7.2f ms  min %7.2f ms   "
              "start->process exit: median %7.2f ms" %
              (name, median_ms(r["boot"]), min(r["boot"], default=float("nan")) * 1e3,
               median_ms(r["wall"])))
    key = "boot" if res["refvmm"]["boot"] else "wall"
    ratio = statistics.median(res["qemu"][key]) / statistics.median(res["refvmm"][key])
    peak = statistics.median(x[0] for x in vmm_rss)
    end = statistics.median(x[1] for x in vmm_rss)
    print("  speed-up (start->guest exit): %.1fx  target >= 10x: %s" %
          (ratio, "met" if ratio >= 10 else "NOT met"))
    print("  refvmm resident memory without guest RAM: peak %d KiB, at exit %d KiB  "
          "target < 5120 KiB: %s" % (peak, end, "met" if peak < 5120 else "NOT met"))
    return 0


if __name__ == "__main__":
    sys.exit(main())
