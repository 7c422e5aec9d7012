#!/usr/bin/env python3
# SPDX-License-Identifier: GPL-2.0-or-later
"""PCI configuration space of every function: stubdm against QEMU 7.2.

Both processes start paused and get the same qtest lines through the
configuration mechanism (0xcf8/0xcfc): all 256 bytes of every function on
bus 0 at power-on, then firmware-like programming (SeaBIOS's order: PAM
shadowing, PIRQ routes, PIIX4 PMBA/PMREGMISC and SMBus, command registers,
interrupt lines), all 256 bytes again, then every byte written with 0xff
and with 0x00 and read back (the writable masks), and finally reads at
every width and offset, absent functions and a disabled 0xcf8.

QEMU runs with smm=off: stubdm models the chipset as Xen guests have it,
without SMM (PIIX4 config 0x5b). QEMU's board also has the IDE function
00:01.1, which stubdm does not emulate; it is left out of the comparison
and must read as absent from stubdm. Exits non-zero on any difference or without qemu-system-x86_64.
"""
import os
import sys

sys.path.insert(0, os.path.join(os.path.dirname(__file__), "..", "..",
                                "scripts"))
from dmclient import DeviceModel, interop_args  # noqa: E402

MACHINES = ["pc-i440fx-7.2", "pc-i440fx-3.1"]
FUNCTIONS = [(0, 0), (1, 0), (1, 3)]          # host bridge, PIIX3, PIIX4 PM
IDE = (1, 1)
WIDTH = {1: "b", 2: "w", 4: "l"}


def addr(slot, fn, reg):
    return 0x80000000 | slot << 11 | fn << 8 | (reg & 0xfc)


def cfg_in(slot, fn, reg, size):
    return ["outl 0xcf8 0x%x" % addr(slot, fn, reg),
            "in%s 0x%x" % (WIDTH[size], 0xcfc + (reg & 3))]


def cfg_out(slot, fn, reg, size, value):
    return ["outl 0xcf8 0x%x" % addr(slot, fn, reg),
            "out%s 0x%x 0x%x" % (WIDTH[size], 0xcfc + (reg & 3), value)]


def dump(slot, fn):
    steps = []
    for reg in range(0, 256, 4):
        steps += cfg_in(slot, fn, reg, 4)
    return steps


def firmware():
    """What SeaBIOS does to these functions before the OS runs."""
    steps = []
    # i440FX: PAM all read/write RAM, SMRAM closed.
    steps += cfg_out(0, 0, 0x59, 1, 0x30)
    for reg in range(0x5a, 0x60):
        steps += cfg_out(0, 0, reg, 1, 0x33)
    steps += cfg_out(0, 0, 0x72, 1, 0x0a)
    # PIIX3: PIRQ A-D to IRQs 10, 10, 11, 11; memory/IO/master on.
    steps += cfg_out(1, 0, 0x60, 4, 0x0b0b0a0a)
    steps += cfg_out(1, 0, 0x04, 2, 0x0007)
    # PIIX4 PM: PMBA, PMREGMISC, SMBus base and host enable, IRQ line.
    steps += cfg_out(1, 3, 0x40, 4, 0xb001)
    steps += cfg_out(1, 3, 0x80, 1, 0x01)
    steps += cfg_out(1, 3, 0x90, 4, 0xb101)
    steps += cfg_out(1, 3, 0xd2, 1, 0x09)
    steps += cfg_out(1, 3, 0x04, 2, 0x0001)
    steps += cfg_out(1, 3, 0x3c, 1, 0x09)
    steps += cfg_out(0, 0, 0x3c, 1, 0x0b)
    return steps


def masks(slot, fn):
    """Writes every byte with 0xff then 0x00, reading each back."""
    steps = []
    for value in (0xff, 0x00):
        for reg in range(256):
            # Leave the function's decoding alone until the end.
            if reg in (0x04, 0x40, 0x41, 0x80, 0x90, 0x91, 0xd2):
                continue
            steps += cfg_out(slot, fn, reg, 1, value)
            steps += cfg_in(slot, fn, reg, 1)
    return steps


def widths(slot, fn):
    steps = []
    for reg in range(0, 0x40):
        for size in (1, 2, 4):
            if (reg & 3) + size <= 4:
                steps += cfg_in(slot, fn, reg, size)
    return steps


def sequence():
    steps = []
    for slot, fn in FUNCTIONS:
        steps += dump(slot, fn)
    steps += firmware()
    for slot, fn in FUNCTIONS:
        steps += dump(slot, fn) + widths(slot, fn)
    for slot, fn in FUNCTIONS:
        steps += masks(slot, fn)
    # Absent functions and slots, and 0xcf8 without its enable bit.
    for slot, fn in [(1, 2), (2, 0), (3, 0), (31, 7), (0, 1)]:
        steps += cfg_in(slot, fn, 0, 4)
    steps += ["outl 0xcf8 0x00000000", "inl 0xcfc", "inl 0xcf8",
              "outl 0xcf8 0x80000000", "inb 0xcf8", "inw 0xcfa"]
    return steps


def run(binary, accel, machine, steps):
    dm = DeviceModel(binary, ["-S"], accel, machine=machine)
    try:
        dm.connect_qmp()
        dm.connect_qtest()
        return [dm.qtest_cmd(line) for line in steps]
    finally:
        dm.close()


def main():
    args = interop_args(__doc__)

    failures = 0
    steps = sequence()
    for machine in MACHINES:
        qemu = run(args.qemu, "tcg", machine + ",smm=off", steps)
        stub = run(args.stubdm, "qtest", machine, steps)
        for line, q, s in zip(steps, qemu, stub):
            if q != s:
                failures += 1
                print("%s: %s: QEMU %s, stubdm %s" % (machine, line, q, s))
        ide = run(args.stubdm, "qtest", machine, cfg_in(*IDE, 0, 4))
        if ide[1] != "OK 0xffffffff":
            failures += 1
            print("%s: 00:01.1 should be absent, reads %s" % (machine, ide))
        print("%s: %d qtest lines compared" % (machine, len(steps)))
    if failures:
        sys.exit("FAIL: %d replies differ" % failures)
    print("PASS")


if __name__ == "__main__":
    main()
