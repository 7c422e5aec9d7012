#!/usr/bin/env python3
# SPDX-License-Identifier: GPL-2.0-or-later
"""CFI01 flash (OVMF code + variables): stubdm against QEMU 7.2.

Both processes get their own copies of Debian's OVMF_CODE_4M.fd (unit 0,
readonly) and OVMF_VARS_4M.fd (unit 1) and the same qtest steps: array
reads at several widths and alignments, CFI query and ID reads over the
whole table window, status reads, program, buffered write, erase, lock
commands, invalid sequences, writes to the readonly unit. Replies and the
varstore files left behind are compared byte for byte. Fails when QEMU or
OVMF is missing.
"""
import os
import shutil
import sys
import tempfile

sys.path.insert(0, os.path.join(os.path.dirname(__file__), "..", "..",
                                "scripts"))
from dmclient import DeviceModel, interop_args  # noqa: E402

OVMF = "/usr/share/OVMF"
CODE = os.path.join(OVMF, "OVMF_CODE_4M.fd")
VARS = os.path.join(OVMF, "OVMF_VARS_4M.fd")
TOP = 1 << 32


def sequence(code_size, vars_size):
    b0 = TOP - code_size
    b1 = b0 - vars_size
    s = []
    # Read array, both units, every width and some unaligned offsets.
    for base in (b0, b1):
        for off in (0, 1, 2, 3, 0x7f, 0x1000, 0xfff):
            for w in "bwlq":
                s.append("read%s 0x%x" % (w, base + off))
        s.append("read 0x%x 0x200" % base)
    s.append("read 0x%x 0x100" % (TOP - 0x100))
    # CFI query and ID, byte and wider reads, both units.
    for base in (b0, b1):
        for cmd in (0x98, 0x90):
            s.append("writeb 0x%x 0x%x" % (base, cmd))
            for off in range(0, 0x110):
                s.append("readb 0x%x" % (base + off))
            for off in (0, 0x10, 0x11, 0x27, 0x2c, 0x52, 0x100, 0x101):
                s += ["readw 0x%x" % (base + off), "readl 0x%x" % (base + off),
                      "readq 0x%x" % (base + off)]
            s.append("read 0x%x 0x60" % (base + 0x1000))
            s.append("writeb 0x%x 0xff" % base)
            s.append("readl 0x%x" % base)
    # Status, clear status, on both units.
    for base in (b0, b1):
        s += ["writeb 0x%x 0x70" % base, "readb 0x%x" % base,
              "readw 0x%x" % base, "readl 0x%x" % base, "readq 0x%x" % base,
              "writeb 0x%x 0x50" % base, "readb 0x%x" % base,
              "writeb 0x%x 0x70" % base, "readb 0x%x" % base,
              "writeb 0x%x 0xff" % base, "readb 0x%x" % base]
    # Program on the variables: byte, word, long; unaligned too.
    for off, w, v in ((0x10, "b", 0x12), (0x22, "w", 0x3456),
                      (0x40, "l", 0x789abcde), (0x51, "w", 0xa5a5),
                      (0x63, "l", 0x01020304)):
        s += ["writeb 0x%x 0x40" % (b1 + off),
              "write%s 0x%x 0x%x" % (w, b1 + off, v),
              "readb 0x%x" % (b1 + off), "readl 0x%x" % (b1 + off),
              "writeb 0x%x 0xff" % b1, "read 0x%x 0x80" % b1]
    s += ["writeb 0x%x 0x10" % (b1 + 0x70), "writeb 0x%x 0x77" % (b1 + 0x70),
          "writeb 0x%x 0x70" % b1, "readb 0x%x" % b1,
          "writeb 0x%x 0xff" % b1, "read 0x%x 0x80" % b1]
    # Erase a sector (set up and confirm), then read it.
    s += ["writeb 0x%x 0x20" % (b1 + 0x2345), "readb 0x%x" % b1,
          "writeb 0x%x 0xd0" % (b1 + 0x2345), "readb 0x%x" % b1,
          "writeb 0x%x 0xff" % b1, "read 0x%x 0x40" % (b1 + 0x1ff0),
          "read 0x%x 0x40" % (b1 + 0x2ff0)]
    # Erase cancelled with 0xff, and an invalid confirm.
    s += ["writeb 0x%x 0x20" % (b1 + 0x4000), "writeb 0x%x 0xff" % b1,
          "readb 0x%x" % (b1 + 0x4000),
          "writeb 0x%x 0x20" % (b1 + 0x5000), "writeb 0x%x 0x33" % b1,
          "readb 0x%x" % (b1 + 0x5000)]
    # Buffered write of 8 bytes, confirmed; and one aborted.
    for confirm in (0xd0, 0xff):
        at = b1 + (0x6100 if confirm == 0xd0 else 0x6200)
        s += ["writeb 0x%x 0xe8" % at, "readb 0x%x" % at,
              "writeb 0x%x 0x7" % at]
        for i in range(8):
            s.append("writeb 0x%x 0x%x" % (at + i, 0x11 * (i + 1)))
        s += ["readb 0x%x" % at, "writeb 0x%x 0x%x" % (at, confirm),
              "readb 0x%x" % at, "writeb 0x%x 0xff" % at,
              "read 0x%x 0x10" % at]
    # Buffered write straying outside its 256-byte block.
    at = b1 + 0x6300
    s += ["writeb 0x%x 0xe8" % at, "writeb 0x%x 0x1" % at,
          "writeb 0x%x 0x55" % (at + 0x100), "writeb 0x%x 0x66" % at,
          "writeb 0x%x 0xd0" % at, "readb 0x%x" % at,
          "writeb 0x%x 0x50" % at, "writeb 0x%x 0xff" % at,
          "read 0x%x 0x10" % at, "read 0x%x 0x10" % (at + 0x100)]
    # Lock, unlock, unknown lock command.
    for c in (0x01, 0xd0, 0x2f, 0xff):
        s += ["writeb 0x%x 0x60" % b1, "readb 0x%x" % b1,
              "writeb 0x%x 0x%x" % (b1, c), "readb 0x%x" % b1,
              "writeb 0x%x 0xff" % b1]
    # Unknown commands, wide command writes.
    s += ["writeb 0x%x 0x42" % b1, "readb 0x%x" % b1,
          "writel 0x%x 0x98" % b1, "readl 0x%x" % (b1 + 0x40),
          "writew 0x%x 0x00ff" % b1, "readb 0x%x" % b1,
          "writeq 0x%x 0x9898" % b1, "readb 0x%x" % (b1 + 0x10),
          "writeb 0x%x 0xff" % b1]
    # The readonly code: program and erase fail with status bits.
    s += ["writeb 0x%x 0x40" % b0, "writeb 0x%x 0x00" % b0,
          "readb 0x%x" % b0, "writeb 0x%x 0x20" % b0,
          "writeb 0x%x 0xd0" % b0, "readb 0x%x" % b0,
          "writeb 0x%x 0xe8" % b0, "writeb 0x%x 0x0" % b0,
          "writeb 0x%x 0x1" % b0, "writeb 0x%x 0xd0" % b0,
          "readb 0x%x" % b0, "writeb 0x%x 0x50" % b0,
          "writeb 0x%x 0xff" % b0, "read 0x%x 0x20" % b0]
    # Below the flash, and the isa-bios copy of the code's tail.
    s += ["read 0x%x 0x20" % (b1 - 0x10), "read 0xffff0 0x10",
          "read 0xe0000 0x20"]
    return s


def run(binary, accel, steps, workdir):
    code = os.path.join(workdir, "code.fd")
    varsf = os.path.join(workdir, "vars.fd")
    shutil.copy(CODE, code)
    shutil.copy(VARS, varsf)
    args = ["-S",
            "-drive", "if=pflash,format=raw,unit=0,file=%s,readonly=on"
            % code,
            "-drive", "if=pflash,format=raw,unit=1,file=%s" % varsf]
    dm = DeviceModel(binary, args, accel)
    replies = []
    try:
        dm.connect_qmp()
        dm.connect_qtest()
        dm.qmp_cmd("qmp_capabilities")
        for step in steps:
            replies.append(dm.qtest_cmd(step))
        dm.qmp_cmd("quit")
        dm.proc.wait(20)
    finally:
        dm.close()
    with open(varsf, "rb") as f:
        vars_bytes = f.read()
    with open(code, "rb") as f:
        code_bytes = f.read()
    return replies, vars_bytes, code_bytes


def main():
    args = interop_args(__doc__)
    for path in (CODE, VARS):
        if not os.path.exists(path):
            sys.exit("FAIL: %s missing (Debian package ovmf)" % path)
    steps = sequence(os.path.getsize(CODE), os.path.getsize(VARS))
    with tempfile.TemporaryDirectory() as qd, \
            tempfile.TemporaryDirectory() as sd:
        q, qv, qc = run(args.qemu, "tcg", steps, qd)
        s, sv, sc = run(args.stubdm, "qtest", steps, sd)
    failures = []
    for n, (step, a, b) in enumerate(zip(steps, q, s)):
        if a != b:
            failures.append("%d: %s: QEMU %s, stubdm %s" % (n, step, a, b))
    if len(q) != len(s):
        failures.append("reply counts differ: %d, %d" % (len(q), len(s)))
    if qv != sv:
        diff = [i for i in range(min(len(qv), len(sv))) if qv[i] != sv[i]]
        failures.append("varstore files differ at %d bytes, first 0x%x"
                        % (len(diff), diff[0] if diff else -1))
    if qc != sc:
        failures.append("code files differ")
    print("%d steps compared, varstore files %s"
          % (len(steps), "equal" if qv == sv else "differ"))
    if failures:
        for f in failures[:40]:
            print("FAIL " + f)
        sys.exit(1)
    print("PASS")


if __name__ == "__main__":
    main()
