#!/usr/bin/env python3
# SPDX-License-Identifier: GPL-2.0-or-later
"""Device-state save and load times: stubdm beside QEMU 7.2.

Each process is paused with its devices programmed as firmware leaves
them, and the same client times, over QMP, the command that writes the
device state to a descriptor passed with add-fd (xen-save-devices-state,
as libxl does) and the command that reads it back. stubdm loads with
xen-load-devices-state; QEMU 7.2's aborts under TCG (a yank assertion),
so QEMU loads through migrate-incoming on -incoming defer from a
descriptor passed with getfd, timed to its MIGRATION "completed" event.
Prints medians in microseconds, client round trip included; asserts
nothing about speed.
"""
import argparse
import os
import shutil
import statistics
import sys
import tempfile
import time

sys.path.insert(0, os.path.join(os.path.dirname(__file__), "..", "..",
                                "scripts"))
from dmclient import DeviceModel  # noqa: E402

FIRMWARE_IO = [
    "outl 0xcf8 0x80000860", "outl 0xcfc 0x0b0b0a0a",
    "outl 0xcf8 0x80000b40", "outl 0xcfc 0x0000b001",
    "outl 0xcf8 0x80000b80", "outb 0xcfc 0x01",
    "outw 0xb002 0x0121", "outb 0x70 0x0b", "outb 0x71 0x02",
    "outb 0x43 0x34", "outb 0x40 0x9c", "outb 0x40 0x2e",
]


def start(binary, accel, extra):
    dm = DeviceModel(binary, ["-S"] + extra, accel)
    dm.connect_qmp()
    dm.connect_qtest()
    dm.qmp_cmd("qmp_capabilities")
    return dm


def time_save(dm, path, rounds):
    """libxl's way: a fresh descriptor each time, passed with add-fd
    (untimed), then xen-save-devices-state to /dev/fdset/N (timed)."""
    samples = []
    for _ in range(rounds):
        fd = os.open(path, os.O_WRONLY | os.O_CREAT, 0o600)
        fdset = dm.qmp_cmd_with_fd(fd, "add-fd")["return"]["fdset-id"]
        os.close(fd)
        t0 = time.perf_counter()
        reply = dm.qmp_cmd("xen-save-devices-state",
                           filename="/dev/fdset/%d" % fdset, live=False)
        samples.append(time.perf_counter() - t0)
        assert reply == {"return": {}}, reply
    return statistics.median(samples) * 1e6


def time_round_trip(dm, rounds):
    """A command that does nothing: the client's and QMP's share."""
    samples = []
    for _ in range(rounds):
        t0 = time.perf_counter()
        dm.qmp_cmd("query-status")
        samples.append(time.perf_counter() - t0)
    return statistics.median(samples) * 1e6


def time_stubdm_load(dm, path, rounds):
    samples = []
    for _ in range(rounds):
        t0 = time.perf_counter()
        reply = dm.qmp_cmd("xen-load-devices-state", filename=path)
        samples.append(time.perf_counter() - t0)
        assert reply == {"return": {}}, reply
    return statistics.median(samples) * 1e6


def time_qemu_load(qemu, path, rounds):
    samples = []
    for _ in range(rounds):
        dm = start(qemu, "tcg", ["-incoming", "defer", "-global",
                                 "migration.send-configuration=off"])
        try:
            dm.qmp_cmd("migrate-set-capabilities", capabilities=[
                {"capability": "events", "state": True}])
            fd = os.open(path, os.O_RDONLY)
            dm.qmp_cmd_with_fd(fd, "getfd", fdname="state")
            os.close(fd)
            t0 = time.perf_counter()
            dm.qmp_cmd("migrate-incoming", uri="fd:state")
            while True:
                done = [e for e in dm.events if e["event"] == "MIGRATION" and
                        e["data"]["status"] in ("completed", "failed")]
                if done:
                    break
                dm.events.append(dm._qmp_line())
            samples.append(time.perf_counter() - t0)
            assert done[0]["data"]["status"] == "completed", done
        finally:
            dm.close()
    return statistics.median(samples) * 1e6


def main():
    ap = argparse.ArgumentParser(description=__doc__)
    ap.add_argument("--stubdm", default=os.environ.get("STUBDM",
                                                       "build/dm/stubdm"))
    ap.add_argument("--qemu", default="qemu-system-x86_64")
    ap.add_argument("--rounds", type=int, default=200)
    args = ap.parse_args()
    if not shutil.which(args.qemu):
        sys.exit("benchmark needs %s (Debian package qemu-system-x86)"
                 % args.qemu)
    tmp = tempfile.mkdtemp(prefix="bench-state-")
    figures = {}
    for name, binary, accel in (("stubdm", args.stubdm, "qtest"),
                                ("QEMU 7.2", args.qemu, "tcg")):
        dm = start(binary, accel, [])
        path = os.path.join(tmp, name.replace(" ", "-") + ".bin")
        try:
            for line in FIRMWARE_IO:
                dm.qtest_cmd(line)
            idle = time_round_trip(dm, args.rounds)
            save = time_save(dm, path, args.rounds)
            if name == "stubdm":
                load = time_stubdm_load(dm, path, args.rounds)
        finally:
            dm.close()
        if name != "stubdm":
            load = time_qemu_load(binary, path, max(args.rounds // 10, 5))
        figures[name] = (save, load, os.path.getsize(path), idle)
    shutil.rmtree(tmp)
    s, q = figures["stubdm"], figures["QEMU 7.2"]
    print("%-36s %10s %10s %8s" % ("device state (median, QMP round trip)",
                                   "stubdm", "QEMU 7.2", "ratio"))
    print("%-36s %10.0f %10.0f %7.1fx" % ("save (us)", s[0], q[0],
                                          q[0] / s[0]))
    print("%-36s %10.0f %10.0f %7.1fx" % ("load (us)", s[1], q[1],
                                          q[1] / s[1]))
    print("%-36s %10.0f %10.0f" % ("empty command round trip (us)", s[3],
                                   q[3]))
    print("%-36s %10d %10d" % ("stream size (bytes)", s[2], q[2]))


if __name__ == "__main__":
    main()
