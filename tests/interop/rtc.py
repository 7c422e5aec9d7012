#!/usr/bin/env python3
# SPDX-License-Identifier: GPL-2.0-or-later
"""MC146818 RTC and CMOS (ports 0x70/0x71): stubdm against QEMU 7.2.

Both start paused (-S) with -rtc base=2020-02-28T23:59:58. QEMU runs with
-accel tcg, where the RTC follows the host's wall clock even while paused;
stubdm runs with -accel qtest, where it follows the virtual clock, which
nobody steps. So the comparison leaves out what depends on elapsed time:
the seconds register, UIP in register A and the UF/AF flags in register
C; and it uses the minutes, hours and date only while QEMU's seconds show
that no minute has rolled over (QEMU's date changes two seconds after it
starts; the script starts both again if a slow start crossed that).

Compared: the CMOS bytes 0x0a-0x3f and 0x5b-0x5f right after start, for
two machine configurations; then register writes and reads that do not
depend on time: CMOS RAM, the NMI bit of the index, register D, read-only
C and D, the time and alarm registers written under SET in BCD and
binary, 24- and 12-hour mode, and the time read back after SET is
released. Exits non-zero on any difference or when qemu-system-x86_64 is
missing.
"""
import os
import sys

sys.path.insert(0, os.path.join(os.path.dirname(__file__), "..", "..",
                                "scripts"))
from dmclient import DeviceModel, interop_args  # noqa: E402

BASE = "2020-02-28T23:59:58"
CONFIGS = [
    ["-m", "128"],
    ["-m", "5000", "-smp", "3", "-boot", "order=nd"],
]
SECONDS, REG_A, REG_B, REG_C = 0x00, 0x0a, 0x0b, 0x0c
UIP, UF_AF, SET = 0x80, 0x30, 0x80
# Registers whose value may change by themselves with QEMU's host clock.
CLOCK_REGS = (0x02, 0x04, 0x06, 0x07, 0x08, 0x09, 0x32)
TRIES = 3


class Rtc:
    def __init__(self, binary, accel, extra):
        self.dm = DeviceModel(binary, ["-S", "-rtc", "base=" + BASE] + extra,
                              accel)
        self.dm.connect_qmp()
        self.dm.connect_qtest()
        reply = self.dm.qmp_cmd("qmp_capabilities")
        if reply != {"return": {}}:
            raise RuntimeError("%s: qmp_capabilities: %r" % (binary, reply))

    def cmd(self, line):
        reply = self.dm.qtest_cmd(line)
        if not reply.startswith("OK"):
            raise RuntimeError("%s: %s" % (line, reply))
        return reply

    def read(self, index):
        self.cmd("outb 0x70 0x%x" % index)
        return int(self.cmd("inb 0x71").split()[1], 16)

    def write(self, index, val):
        self.cmd("outb 0x70 0x%x" % index)
        self.cmd("outb 0x71 0x%x" % val)

    def close(self):
        self.dm.close()


def masked(index, val):
    """What of a register may be compared at any moment."""
    if index == REG_A:
        return val & ~UIP
    if index == REG_C:
        return val & ~UF_AF
    return val


def power_on(rtc):
    """(index, value) pairs right after start, or None when QEMU's clock
    went past 23:59:59 while they were read."""
    first = rtc.read(SECONDS)
    values = [(i, masked(i, rtc.read(i)))
              for i in list(range(0x0a, 0x40)) + list(range(0x5b, 0x60))]
    values += [(i, rtc.read(i)) for i in (0x01, 0x03, 0x05) + CLOCK_REGS]
    last = rtc.read(SECONDS)
    if first not in (0x58, 0x59) or last not in (0x58, 0x59):
        return None
    return values


def sequence():
    """Steps: ("w", index, value) or ("r", index) or a raw qtest line."""
    s = []
    # CMOS RAM: every byte but the clock's, two patterns.
    ram = [i for i in range(0x0e, 0x80) if i not in (0x32, 0x37)]
    for pattern in (0xa5, 0x00):
        for i in ram:
            s.append(("w", i, (i * 7 + pattern) & 0xff))
        s += [("r", i) for i in ram]
    # Bit 7 of the index masks NMI; it never selects a register.
    s += [("r", 0x80 | i) for i in (0x0a, 0x0b, 0x0d, 0x10, 0x5f, 0x7f)]
    s += ["inb 0x70", "inw 0x70", "outw 0x70 0x5a40", ("r", 0x40)]
    # C and D are read-only; D shows VRT.
    s += [("w", 0x0d, 0x00), ("r", 0x0d), ("w", 0x0c, 0xff), ("r", 0x0c)]
    # SET freezes the time registers; UIE clears with it.
    s += [("w", REG_B, SET | 0x12), ("r", REG_B), ("r", REG_A)]
    # The time and alarm written in BCD and 24-hour mode, read back.
    bcd = [(0x00, 0x30), (0x01, 0x45), (0x02, 0x34), (0x03, 0xc0),
           (0x04, 0x12), (0x05, 0xff), (0x06, 0x03), (0x07, 0x15),
           (0x08, 0x07), (0x09, 0x21), (0x32, 0x20)]
    s += [("w", i, v) for i, v in bcd] + [("r", i) for i, _ in bcd]
    # Binary and 12-hour modes only change how the next update writes.
    for mode in (0x86, 0x84, 0x80, 0x82):
        s += [("w", REG_B, mode), ("r", REG_B)] + [("r", i) for i, _ in bcd]
    # Divider and rate bits (UIP never shows while SET holds).
    for a in (0x20, 0x2f, 0x70, 0x60, 0x26, 0xa6, 0x00, 0x26):
        s += [("w", REG_A, a), ("r", REG_A)]
    # Release SET in each mode: the clock restarts from what was written
    # (the seconds move with QEMU's clock; nothing else may in a minute).
    times = [
        (0x02, [(0x00, 0x05), (0x02, 0x34), (0x04, 0x12), (0x07, 0x15),
                (0x08, 0x07), (0x09, 0x21)]),
        (0x06, [(0x00, 5), (0x02, 34), (0x04, 13), (0x07, 31),
                (0x08, 12), (0x09, 99), (0x32, 20)]),
        (0x00, [(0x00, 0x05), (0x02, 0x34), (0x04, 0x91), (0x07, 0x01),
                (0x08, 0x02), (0x09, 0x00), (0x32, 0x20)]),
        (0x04, [(0x00, 5), (0x02, 34), (0x04, 0x8b), (0x07, 28),
                (0x08, 2), (0x09, 24), (0x32, 20)]),
    ]
    for mode, regs in times:
        s += [("w", REG_B, SET | mode)] + [("w", i, v) for i, v in regs]
        s += [("w", REG_B, mode), ("r", REG_B)]
        s += [("r", i) for i in (0x02, 0x04, 0x06, 0x07, 0x08, 0x09, 0x32)]
    return s


def run_steps(rtc, steps):
    replies = []
    for step in steps:
        if isinstance(step, str):
            replies.append(rtc.cmd(step))
        elif step[0] == "w":
            rtc.write(step[1], step[2])
            replies.append(None)
        else:
            replies.append(masked(step[1] & 0x7f, rtc.read(step[1])))
    return replies


def name(step):
    if isinstance(step, str):
        return step
    if step[0] == "w":
        return "write 0x%02x <- 0x%02x" % (step[1], step[2])
    return "read 0x%02x" % step[1]


def compare(label, names, qemu, stub, failures):
    for n, q, s in zip(names, qemu, stub):
        if q != s:
            failures.append("%s: %s: QEMU %s, stubdm %s" % (label, n, q, s))
    if len(qemu) != len(stub):
        failures.append("%s: %d replies from QEMU, %d from stubdm"
                        % (label, len(qemu), len(stub)))


def fmt(v):
    return v if v is None or isinstance(v, str) else "0x%02x" % v


def main():
    args = interop_args(__doc__)

    failures = []
    steps = sequence()
    for n, extra in enumerate(CONFIGS):
        label = " ".join(extra)
        for _ in range(TRIES):
            qemu = Rtc(args.qemu, "tcg", extra)
            stub = Rtc(args.stubdm, "qtest", extra)
            try:
                q, s = power_on(qemu), power_on(stub)
                if q is None:
                    continue
                if s is None:
                    raise RuntimeError("stubdm's clock moved by itself")
                compare(label + ": power-on",
                        ["CMOS 0x%02x" % i for i, _ in q],
                        [fmt(v) for _, v in q], [fmt(v) for _, v in s],
                        failures)
                if n == 0:
                    compare(label, [name(st) for st in steps],
                            [fmt(v) for v in run_steps(qemu, steps)],
                            [fmt(v) for v in run_steps(stub, steps)],
                            failures)
                break
            finally:
                qemu.close()
                stub.close()
        else:
            failures.append("%s: QEMU's clock passed 23:59:59 before its "
                            "CMOS was read, %d times" % (label, TRIES))

    for f in failures:
        print("FAIL:", f)
    if failures:
        sys.exit(1)
    print("rtc: %d configurations, %d steps: QEMU 7.2 and stubdm agree"
          % (len(CONFIGS), len(steps)))


if __name__ == "__main__":
    main()
