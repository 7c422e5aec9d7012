#!/usr/bin/env python3
# SPDX-License-Identifier: GPL-2.0-or-later
"""RAM-section save and load throughput: stubdm beside QEMU 7.2.

Each process (-m 1024, -S) gets 1 GiB of guest RAM filled through qtest,
either dense (every page above 1 MiB non-zero, memset in 16 MiB chunks)
or mostly zero (one non-zero byte in every 64th page), then migrates:
stubdm to "file:FILE", QEMU to "exec:cat > FILE" (max-bandwidth lifted),
timed from the migrate command until query-migrate says completed. The
load is a fresh process on -incoming defer, timed from migrate-incoming
(stubdm "file:FILE", QEMU "exec:cat FILE") until query-status leaves
inmigrate. Throughput = 1 GiB of RAM / time, in MiB/s, beside this
machine's memcpy bandwidth (bench-memcpy), the ceiling. The stream file
is in the page cache for the load (written back first). With --runs N
each figure is the median of N rounds, the ratio the median of each
round's ratio (first-touch page faults and other load on the machine
make single runs noisy), with the spread beside them. Prints; asserts
nothing about speed.
"""
import argparse
import os
import statistics
import shutil
import subprocess
import sys
import tempfile
import time

sys.path.insert(0, os.path.join(os.path.dirname(__file__), "..", "..",
                                "scripts"))
from dmclient import DeviceModel  # noqa: E402

RAM_MIB = 1024
CHUNK = 16 << 20          # stubdm's qtest limit for one memset
POLL = 0.002


def start(binary, accel, extra):
    dm = DeviceModel(binary, ["-m", str(RAM_MIB), "-S"] + extra, accel)
    dm.connect_qmp()
    dm.connect_qtest()
    dm.qmp_cmd("qmp_capabilities")
    return dm


def qtest_ok(dm, line):
    reply = dm.qtest_cmd(line)
    if not reply.startswith("OK"):
        raise RuntimeError("%s: %r -> %r" % (dm.argv[0], line, reply))


def fill(dm, kind):
    top = RAM_MIB << 20
    if kind == "dense":
        addr = 1 << 20
        while addr < top:
            n = min(CHUNK, top - addr)
            qtest_ok(dm, "memset 0x%x 0x%x 0x%02x" % (
                addr, n, 0x11 + (addr >> 24) % 200))
            addr += n
    else:
        for addr in range(1 << 20, top, 64 << 12):
            qtest_ok(dm, "memset 0x%x 1 0x5a" % addr)


def wait_migrated(dm):
    while True:
        st = dm.qmp_cmd("query-migrate")["return"]
        if st.get("status") == "completed":
            return
        if st.get("status") == "failed":
            raise RuntimeError("%s: migrate failed: %r" % (dm.argv[0], st))
        time.sleep(POLL)


def time_save(dm, qemu, path):
    if qemu:
        # QEMU 7.2 throttles a migrate to 32 MiB/s unless told otherwise.
        reply = dm.qmp_cmd("migrate-set-parameters", **{
            "max-bandwidth": 1 << 40})
        assert reply == {"return": {}}, reply
        uri = "exec:cat > %s" % path
    else:
        uri = "file:" + path
    t0 = time.perf_counter()
    reply = dm.qmp_cmd("migrate", uri=uri)
    assert "return" in reply, reply
    wait_migrated(dm)
    return time.perf_counter() - t0


def time_load(binary, accel, qemu, path):
    dm = start(binary, accel, ["-incoming", "defer"])
    try:
        uri = ("exec:cat " if qemu else "file:") + path
        t0 = time.perf_counter()
        reply = dm.qmp_cmd("migrate-incoming", uri=uri)
        assert reply == {"return": {}}, reply
        while dm.qmp_cmd("query-status")["return"]["status"] == "inmigrate":
            time.sleep(POLL)
        t = time.perf_counter() - t0
        st = dm.qmp_cmd("query-status")["return"]["status"]
        if st not in ("paused", "prelaunch", "running"):
            raise RuntimeError("%s: after load: %s" % (binary, st))
        return t
    finally:
        dm.close()


def memcpy_mibs(helper):
    out = subprocess.run([helper], check=True, capture_output=True,
                         text=True).stdout.split()
    return float(out[1])


def one_round(args, tmp):
    """{(kind, name): (save s, load s, stream bytes)} for one round."""
    figures = {}
    for kind in ("dense", "mostly zero"):
        for name, binary, accel in (("stubdm", args.stubdm, "qtest"),
                                    ("QEMU 7.2", args.qemu, "tcg")):
            qemu = name != "stubdm"
            path = os.path.join(tmp, "stream.bin")
            dm = start(binary, accel, [])
            try:
                fill(dm, kind)
                save = time_save(dm, qemu, path)
            finally:
                dm.close()
            size = os.path.getsize(path)
            # The stream stays cached; its writeback must not overlap the
            # load (it would weigh on whichever peer came first).
            os.sync()
            load = time_load(binary, accel, qemu, path)
            os.unlink(path)
            figures[kind, name] = (save, load, size)
    return figures


def main():
    ap = argparse.ArgumentParser(description=__doc__)
    ap.add_argument("--stubdm", default=os.environ.get("STUBDM",
                                                       "build/dm/stubdm"))
    ap.add_argument("--qemu", default="qemu-system-x86_64")
    ap.add_argument("--memcpy", default="build/tests/bench/bench-memcpy")
    ap.add_argument("--runs", type=int, default=1,
                    help="rounds; each figure is their median")
    args = ap.parse_args()
    if not shutil.which(args.qemu):
        sys.exit("benchmark needs %s (Debian package qemu-system-x86)"
                 % args.qemu)
    tmp = tempfile.mkdtemp(prefix="bench-ram-")
    rounds, mcs = [], []
    try:
        for _ in range(args.runs):
            rounds.append(one_round(args, tmp))
            mcs.append(memcpy_mibs(args.memcpy))
    finally:
        shutil.rmtree(tmp)
    mc = statistics.median(mcs)

    def rate(kind, name, i):
        """Median MiB/s and the spread (min-max) over the rounds."""
        v = [RAM_MIB / r[kind, name][i] for r in rounds]
        return statistics.median(v), min(v), max(v)

    print("%-28s %10s %10s %8s   %s" % (
        "RAM section, 1 GiB (MiB/s)", "stubdm", "QEMU 7.2", "ratio",
        "of memcpy" + ("   (spread over %d runs)" % args.runs
                       if args.runs > 1 else "")))
    for kind in ("dense", "mostly zero"):
        for i, what in ((0, "save"), (1, "load")):
            sv, slo, shi = rate(kind, "stubdm", i)
            qv, qlo, qhi = rate(kind, "QEMU 7.2", i)
            ratio = statistics.median(r[kind, "QEMU 7.2"][i] /
                                      r[kind, "stubdm"][i] for r in rounds)
            spread = ("   stubdm %.0f-%.0f, QEMU %.0f-%.0f" % (
                slo, shi, qlo, qhi)) if args.runs > 1 else ""
            print("%-28s %10.0f %10.0f %7.2fx %7.1f%%%s" % (
                "%s %s" % (kind, what), sv, qv, ratio, 100 * sv / mc,
                spread))
        print("%-28s %10d %10d" % ("%s stream (bytes)" % kind,
                                   rounds[-1][kind, "stubdm"][2],
                                   rounds[-1][kind, "QEMU 7.2"][2]))
    print("%-28s %10.0f" % ("memcpy (MiB/s, this machine)", mc))


if __name__ == "__main__":
    main()
