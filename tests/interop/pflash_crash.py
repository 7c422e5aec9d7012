#!/usr/bin/env python3
# SPDX-License-Identifier: GPL-2.0-or-later
"""The flash backing file survives SIGKILL at any moment.

Part 1, writes: stubdm serves a copy of Debian's OVMF_VARS_4M.fd as flash
unit 0 and programs bytes at random offsets over qtest; it is killed with
SIGKILL after a random number of them. Every program whose qtest reply
arrived must be in the file (it was written back before the reply), and
nothing outside the programmed bytes may have changed.

Part 2, write-back after an incoming migration: a stream carrying flash
contents different from the destination's file is loaded with -incoming,
and stubdm is killed at a random moment while it starts (and rewrites the
file). Each time the file must be either the complete old image or the
complete new one, never a mix.

Fails when OVMF or the stubdm binary is missing.
"""
import os
import random
import shutil
import signal
import sys
import tempfile
import time

sys.path.insert(0, os.path.join(os.path.dirname(__file__), "..", "..",
                                "scripts"))
from dmclient import DeviceModel  # noqa: E402

VARS = "/usr/share/OVMF/OVMF_VARS_4M.fd"
ROUNDS_WRITES = 250
ROUNDS_WRITEBACK = 250


def drive(path):
    return ["-drive", "if=pflash,format=raw,unit=0,file=" + path]


def start(stubdm, path, extra=()):
    dm = DeviceModel(stubdm, ["-S", "-m", "16"] + drive(path) + list(extra),
                     "qtest")
    dm.connect_qmp()
    dm.connect_qtest()
    if dm.qmp_cmd("qmp_capabilities") != {"return": {}}:
        sys.exit("FAIL: qmp_capabilities")
    return dm


def kill(dm):
    dm.proc.send_signal(signal.SIGKILL)
    dm.proc.wait(10)
    dm.close()


def part_writes(stubdm, tmp, original, rng):
    size = len(original)
    base = (1 << 32) - size
    path = os.path.join(tmp, "vars.fd")
    for n in range(ROUNDS_WRITES):
        with open(path, "wb") as f:
            f.write(original)
        dm = start(stubdm, path)
        done = {}
        for _ in range(rng.randrange(1, 40)):
            off = rng.randrange(size)
            val = rng.randrange(256)
            dm.qtest_cmd("writeb 0x%x 0x40" % (base + off))
            reply = dm.qtest_cmd("writeb 0x%x 0x%x" % (base + off, val))
            if reply != "OK":
                sys.exit("FAIL: program at 0x%x: %s" % (off, reply))
            done[off] = val
        dm.qtest_cmd("writeb 0x%x 0xff" % base)     # back to read array
        kill(dm)
        with open(path, "rb") as f:
            got = f.read()
        want = bytearray(original)
        for off, val in done.items():
            want[off] = val
        if got != bytes(want):
            bad = [i for i in range(size) if got[i] != want[i]][:5]
            sys.exit("FAIL: round %d: file differs at %s" %
                     (n, ", ".join("0x%x" % i for i in bad)))
    print("writes: %d kills, every acknowledged program in the file"
          % ROUNDS_WRITES)


def part_writeback(stubdm, tmp, original, rng):
    size = len(original)
    base = (1 << 32) - size
    src_path = os.path.join(tmp, "src.fd")
    stream = os.path.join(tmp, "state.bin")
    with open(src_path, "wb") as f:
        f.write(original)
    src = start(stubdm, src_path)
    for i in range(64):
        off = (i * 8191) % size
        src.qtest_cmd("writeb 0x%x 0x40" % (base + off))
        src.qtest_cmd("writeb 0x%x 0x%x" % (base + off, i))
    src.qtest_cmd("writeb 0x%x 0xff" % base)
    reply = src.qmp_cmd("migrate", uri="file:" + stream)
    src.qmp_cmd("quit")
    src.proc.wait(10)
    src.close()
    if reply != {"return": {}}:
        sys.exit("FAIL: migrate: %r" % reply)
    with open(src_path, "rb") as f:
        new = f.read()
    if new == original:
        sys.exit("FAIL: the source flash did not change")

    dst = os.path.join(tmp, "dst.fd")
    seen = {"old": 0, "new": 0}
    for n in range(ROUNDS_WRITEBACK):
        with open(dst, "wb") as f:
            f.write(original)
        dm = DeviceModel(stubdm, ["-S", "-m", "16"] + drive(dst) +
                         ["-incoming", "file:" + stream], "qtest")
        time.sleep(rng.uniform(0, 0.03))
        dm.proc.send_signal(signal.SIGKILL)
        dm.proc.wait(10)
        dm.close()
        with open(dst, "rb") as f:
            got = f.read()
        if got == original:
            seen["old"] += 1
        elif got == new:
            seen["new"] += 1
        else:
            sys.exit("FAIL: round %d: the file is neither image (%d bytes)"
                     % (n, len(got)))
        leftovers = [p for p in os.listdir(tmp) if p.startswith("dst.fd.")]
        for p in leftovers:
            os.unlink(os.path.join(tmp, p))
    print("write-back: %d kills, old image %d times, new image %d times"
          % (ROUNDS_WRITEBACK, seen["old"], seen["new"]))
    if not seen["new"]:
        sys.exit("FAIL: no kill came after the write-back: the test did "
                 "not reach it")


def main():
    args = sys.argv[1:]
    stubdm = args[args.index("--stubdm") + 1]
    if not os.path.exists(VARS):
        sys.exit("FAIL: this test needs %s (Debian package ovmf)" % VARS)
    with open(VARS, "rb") as f:
        original = f.read()
    rng = random.Random(2026)
    tmp = tempfile.mkdtemp(prefix="pflash-crash-")
    try:
        part_writes(stubdm, tmp, original, rng)
        part_writeback(stubdm, tmp, original, rng)
    finally:
        shutil.rmtree(tmp)
    print("PASS")


if __name__ == "__main__":
    main()
