#!/usr/bin/env python3
# SPDX-License-Identifier: GPL-2.0-or-later
"""Start-up, idle memory and qtest round trips: stubdm beside QEMU 7.2.

Both processes are started with the same arguments (QEMU with -accel tcg,
stubdm with -accel qtest) and driven by the same client, so the figures
compare like with like. Prints one table; asserts nothing about speed.
"""
import argparse
import os
import shutil
import statistics
import sys
import time

sys.path.insert(0, os.path.join(os.path.dirname(__file__), "..", "..",
                                "scripts"))
from dmclient import DeviceModel  # noqa: E402


def measure(binary, accel, starts, round_trips):
    ready, rss, rate = [], [], []
    for _ in range(starts):
        dm = DeviceModel(binary, ["-S", "-m", "128"], accel)
        try:
            greeting, elapsed = dm.connect_qmp()
            assert "QMP" in greeting, greeting
            ready.append(elapsed)
            dm.connect_qtest()
            assert dm.qmp_cmd("qmp_capabilities") == {"return": {}}
            time.sleep(0.5)
            rss.append(dm.rss_kib())
            t0 = time.perf_counter()
            for i in range(round_trips):
                reply = dm.qtest_cmd("outb 0x80 0x%02x" % (i & 0xff))
                assert reply == "OK", reply
            rate.append(round_trips / (time.perf_counter() - t0))
        finally:
            dm.close()
    return (statistics.median(ready) * 1000, statistics.median(rss),
            statistics.median(rate))


def main():
    ap = argparse.ArgumentParser(description=__doc__)
    ap.add_argument("--stubdm", default=os.environ.get("STUBDM",
                                                       "build/dm/stubdm"))
    ap.add_argument("--qemu", default="qemu-system-x86_64")
    ap.add_argument("--starts", type=int, default=5)
    ap.add_argument("--round-trips", type=int, default=20000)
    args = ap.parse_args()
    if not shutil.which(args.qemu):
        sys.exit("benchmark needs %s (Debian package qemu-system-x86)"
                 % args.qemu)

    s = measure(args.stubdm, "qtest", args.starts, args.round_trips)
    q = measure(args.qemu, "tcg", args.starts, args.round_trips)
    print("%-34s %12s %12s %9s" % ("figure (median of %d starts)"
                                   % args.starts, "stubdm", "QEMU 7.2",
                                   "ratio"))
    print("%-34s %12.2f %12.2f %8.1fx" % ("exec to QMP greeting (ms)",
                                          s[0], q[0], q[0] / s[0]))
    print("%-34s %12d %12d %8.1fx" % ("idle RSS (KiB)", s[1], q[1],
                                      q[1] / s[1]))
    print("%-34s %12.0f %12.0f %8.1fx" % ("qtest outb round trips per s",
                                          s[2], q[2], s[2] / q[2]))


if __name__ == "__main__":
    main()
