#!/usr/bin/env python3
# SPDX-License-Identifier: GPL-2.0-or-later
"""Device state across full migrations, QEMU 7.2 <-> stubdm, both ways.

For each machine type (pc-i440fx-1.4, 2.8, 4.2, 6.2, 7.2, and 7.2 with an
OVMF pflash pair) a QEMU 7.2 (-accel tcg -S, smm=off as stubdm models the
chipset) and a stubdm (unemulated=skip) get the same qtest lines: PIT
counters in several modes with a latch half read, a status latch and a
half-written count pending, gate 2 through port 0x61; PIIX4 PM (PMBA and
PMREGMISC through config space, PM1_EN, PM1_CNT, GPE0 enables, APM,
PCI/CPU hotplug selectors, SMBus host registers with a transaction in
progress); the config space of 00:00.0, 00:01.0 and 00:01.3 (command,
latency, interrupt line, PIRQ routes, PAM over RAM patterns, SMRAM, the
0xcf8 selector, the 0xcf9 reset control); CMOS RAM, the time under SET
and registers A/B and the index; port 0x92; the pflash pair in CFI-query
and read-status mode. Each migrates to a file (QMP migrate, exec:cat).
Interrupt lines as the I/O APIC would see them (irq_intercept_in) are part
of every reply, and the run state after loading is compared first.
Both sides get the machine type's default firmware (bios.bin up to 1.7)
but in the "elapsed" runs below.

Reads have side effects (latches, register C, SMBus status), so every
file goes into two fresh processes, a QEMU and a stubdm (-incoming), and
the same read sequence runs on both, reply for reply:
  QEMU -> stubdm      QEMU's file in QEMU and in stubdm;
  stubdm -> QEMU      stubdm's file in QEMU and in stubdm;
  stubdm's file vs QEMU's file, both loaded by QEMU (what stubdm saved);
  no migration        the two sources themselves, after saving (a
                      difference here is a device bug, not a wire one).
Nothing runs, so every virtual clock stays at 0 and PIT and PM timer
reads do not depend on elapsed time; except in the "elapsed" runs (1.4
and 7.2), where QEMU runs a firmware that only halts for a moment and
stubdm steps its clock between the programming and the migration: both
destinations of a file then stand at the same saved clock, and only the
two direction comparisons apply. QEMU's RTC follows the host clock, so
the RTC is kept under SET (time registers frozen) and register C's UF
bit is masked while the divider runs.

Prints machine type, direction, qtest line and both replies for every
difference and exits non-zero on any, or when QEMU or OVMF is missing.
"""
import concurrent.futures
import os
import select
import shutil
import sys
import tempfile
import threading
import time

sys.path.insert(0, os.path.join(os.path.dirname(__file__), "..", "..",
                                "scripts"))
from dmclient import DeviceModel, interop_args  # noqa: E402

# (machine type, variant, extra): the variant (0-5) picks modes and
# values; "pflash" adds the OVMF pair, "elapsed" lets the sources' clocks
# run between the programming and the migration.
CONFIGS = [("pc-i440fx-1.4", 0, None), ("pc-i440fx-2.8", 1, None),
           ("pc-i440fx-4.2", 2, None), ("pc-i440fx-6.2", 3, None),
           ("pc-i440fx-7.2", 4, None), ("pc-i440fx-7.2", 5, "pflash"),
           ("pc-i440fx-1.4", 1, "elapsed"), ("pc-i440fx-7.2", 2, "elapsed")]
RAM = "128"
TIMEOUT = 60.0
OVMF = "/usr/share/OVMF"
CODE = os.path.join(OVMF, "OVMF_CODE_4M.fd")
VARS = os.path.join(OVMF, "OVMF_VARS_4M.fd")
TOP = 1 << 32
PMBA, SMBBA, GPE0, PCIHP, CPUHP = 0xb000, 0xb100, 0xafe0, 0xae00, 0xaf00
WIDTH = {1: "b", 2: "w", 4: "l"}
# QEMU's clock runs only while its guest does: "elapsed" configurations
# give every process a firmware that halts, stubdm steps its clock.
STEP_NS = 31415926
MAX_PRINTED = 25


def cfg_addr(dev, fn, reg):
    return 0x80000000 | dev << 11 | fn << 8 | (reg & 0xfc)


def cfg_out(dev, fn, reg, size, val):
    return ["outl 0xcf8 0x%x" % cfg_addr(dev, fn, reg),
            "out%s 0x%x 0x%x" % (WIDTH[size], 0xcfc + (reg & 3), val)]


def cfg_in(dev, fn, reg, size=4):
    return ["outl 0xcf8 0x%x" % cfg_addr(dev, fn, reg),
            "in%s 0x%x" % (WIDTH[size], 0xcfc + (reg & 3))]


# PAM segments in register order: PAM0's high nibble, then 16 KiB each.
PAM = [0xf0000] + [0xc0000 + i * 0x4000 for i in range(12)]


def pam_modes(v):
    """The mode of each PAM segment for variant v: every one (0 PCI/ROM,
    1 read RAM, 2 write RAM, 3 both) somewhere, a different mix each."""
    return [1 + v % 2] + [(i + v) % 4 for i in range(12)]


def pam_values(v):
    modes = pam_modes(v)
    vals = [modes[0] << 4] + [0] * 6
    for i, mode in enumerate(modes[1:]):
        vals[1 + i // 2] |= mode << (4 if i & 1 else 0)
    return vals


def pit_cw(ch, mode, bcd=0, rw=3):
    return ch << 6 | rw << 4 | mode << 1 | bcd


def pit_program(v):
    s = []
    # Counter 0: a count latch with only its low byte read.
    s += ["outb 0x43 0x%x" % pit_cw(0, (2, 3, 0, 4, 2, 5)[v]),
          "outb 0x40 0x9c", "outb 0x40 0x2e", "outb 0x43 0x00",
          "inb 0x40"]
    # Counter 1: BCD, a full count then the low byte of the next one.
    s += ["outb 0x43 0x%x" % pit_cw(1, (5, 2, 3, 1, 0, 4)[v], bcd=1),
          "outb 0x41 0x34", "outb 0x41 0x12", "outb 0x41 0x56",
          "inb 0x41"]
    # Counter 2 behind port 0x61: gate edges, then status + count latched
    # by a read-back and only the status byte read.
    s += ["outb 0x61 0x03", "outb 0x43 0x%x" % pit_cw(2, (1, 3, 5, 2, 0,
                                                          1)[v]),
          "outb 0x42 0x00", "outb 0x42 0x08", "outb 0x61 0x00",
          "inb 0x61", "outb 0x61 0x%x" % (0x01, 0x03, 0x01, 0x03, 0x01,
                                          0x03)[v],
          "outb 0x43 0xc8", "inb 0x42"]
    # Counter 0 again, low byte only: QEMU keeps the pending latch across
    # the control word, ignores the second latch, adds a status latch.
    if v % 2:
        s += ["outb 0x43 0x%x" % pit_cw(0, 2, rw=1), "outb 0x40 0x77",
              "outb 0x43 0x00", "outb 0x43 0xc2"]
    return s


def pit_verify():
    s = ["inb 0x40", "inb 0x40", "inb 0x40",     # pending latches first
         "inb 0x41", "outb 0x41 0x12", "inb 0x41", "inb 0x41",
         "inb 0x42", "inb 0x42", "inb 0x42", "inb 0x42",
         "inb 0x61", "inb 0x61", "inb 0x61", "inb 0x43"]
    # Read-back of status and count of all three, then each on its own.
    s += ["outb 0x43 0xce"] + ["inb 0x%x" % p for p in (0x40, 0x40, 0x40,
                                                        0x41, 0x41, 0x41,
                                                        0x42, 0x42, 0x42)]
    for ch in range(3):
        s += ["outb 0x43 0x%x" % (0xc0 | 2 << ch), "inb 0x%x" % (0x40 + ch),
              "inb 0x%x" % (0x40 + ch), "inb 0x%x" % (0x40 + ch)]
    # Gate 2 low, then high again: mode 1 and 5 restart on the edge.
    s += ["outb 0x61 0x00", "inb 0x61", "outb 0x43 0xe8", "inb 0x42",
          "outb 0x61 0x01", "inb 0x61", "outb 0x43 0xc8", "inb 0x42",
          "inb 0x42", "inb 0x42"]
    return s


def pm_program(v):
    s = cfg_out(1, 3, 0x40, 4, PMBA | 1) + cfg_out(1, 3, 0x80, 1, 1)
    s += cfg_out(1, 3, 0x04, 2, 0x0001) + cfg_out(1, 3, 0x3c, 1, 0x09)
    s += cfg_out(1, 3, 0x90, 4, SMBBA | 1) + cfg_out(1, 3, 0xd2, 1, 0x09)
    # PM1: TMR_STS (set at power-on, clock 0) cleared in odd variants.
    s += ["outw 0x%x 0x%x" % (PMBA + 2, (0x0121, 0x0101, 0x0520)[v % 3]),
          "outw 0x%x 0x%x" % (PMBA + 4, (0x0401, 0x1c00, 0x0801)[v % 3]),
          "outw 0x%x 0x%x" % (PMBA, v % 2), "inw 0x%x" % PMBA]
    s += ["outb 0x%x 0x0f" % (GPE0 + 2), "outb 0x%x 0x80" % (GPE0 + 3)]
    # APM: status, and the command port's ACPI enable (no SMI).
    s += ["outb 0xb3 0x%x" % (0x5a + v), "outb 0xb2 0xf1"]
    # PCI hotplug bus select (migrated with bridge support, 2.0+).
    s += ["outl 0x%x 0x%x" % (PCIHP + 0x10, 5 + v)]
    # Modern CPU hotplug (a subsection once switched), selector 0.
    if v % 2 == 0:
        s += ["outl 0x%x 0x0" % CPUHP, "outl 0x%x 0x0" % CPUHP,
              "outb 0x%x 0x0" % (CPUHP + 5)]
    # SMBus: a failed quick command to 0x10 (no slave in either), the
    # registers programmed, and a byte-by-byte block write left waiting
    # for its next byte (or the 32-byte buffer, filled, in odd variants).
    s += ["outb 0x%x 0xff" % SMBBA, "outb 0x%x 0x21" % (SMBBA + 4),
          "outb 0x%x 0x40" % (SMBBA + 2), "inb 0x%x" % SMBBA,
          "outb 0x%x 0x5a" % (SMBBA + 3), "outb 0x%x 0x03" % (SMBBA + 5),
          "outb 0x%x 0x22" % (SMBBA + 6)]
    if v % 2:
        s += ["outb 0x%x 0x02" % (SMBBA + 0xd), "inb 0x%x" % (SMBBA + 2)]
        s += ["outb 0x%x 0x%x" % (SMBBA + 7, 0x31 + b) for b in range(5)]
        s += ["inb 0x%x" % (SMBBA + 7), "inb 0x%x" % (SMBBA + 2)]
    else:
        s += ["outb 0x%x 0xff" % SMBBA, "outb 0x%x 0x20" % (SMBBA + 4),
              "outb 0x%x 0x11" % (SMBBA + 7), "outb 0x%x 0x54" % (SMBBA + 2),
              "inb 0x%x" % SMBBA, "outb 0x%x 0x22" % (SMBBA + 7),
              "outb 0x%x 0x80" % SMBBA]
    return s


def pm_verify():
    s = ["inw 0x%x" % (PMBA + o) for o in (0, 2, 4)] + \
        ["inl 0x%x" % (PMBA + 8)]
    s += ["inb 0x%x" % (GPE0 + o) for o in range(4)]
    s += ["inb 0xb2", "inb 0xb3", "inl 0x%x" % (PCIHP + 0x10)]
    s += ["inl 0x%x" % (PCIHP + o) for o in (0, 4, 8, 0xc)]
    s += ["inb 0x%x" % (CPUHP + o) for o in range(12)]
    # SMBus: status first (a pending byte-done), then every register.
    s += ["inb 0x%x" % (SMBBA + o) for o in range(16)]
    s += ["outb 0x%x 0x33" % (SMBBA + 7), "outb 0x%x 0x80" % SMBBA,
          "inb 0x%x" % SMBBA, "outb 0x%x 0x80" % SMBBA, "inb 0x%x" % SMBBA]
    s += ["inb 0x%x" % (SMBBA + 7) for _ in range(4)]
    # The PM block follows PMBA, as loaded.
    s += cfg_out(1, 3, 0x40, 4, 0xc001) + ["inw 0xc000", "inw 0x%x" % PMBA]
    return s


def pci_program(v):
    s = []
    # PAM all RAM, a pattern in every segment and at 0xa0000 (SMRAM open).
    s += cfg_out(0, 0, 0x59, 1, 0x30)
    for reg in range(0x5a, 0x60):
        s += cfg_out(0, 0, reg, 1, 0x33)
    s += cfg_out(0, 0, 0x72, 1, 0x4a)
    for base in PAM:
        s.append("write 0x%x 0x8 0x%016x" % (base, 0x1122334455667700 |
                                             base >> 14 | v << 40))
    s.append("write 0xa0000 0x4 0xa5a5%04x" % v)
    for reg, val in enumerate(pam_values(v)):
        s += cfg_out(0, 0, 0x59 + reg, 1, val)
    s += cfg_out(0, 0, 0x72, 1, 0x4a if v % 2 else 0x0a)
    # Writes under the final modes but 1, where QEMU's read-only alias of
    # RAM stops CPU writes and not qtest's (address_space_write).
    for base, val in zip(PAM, pam_modes(v)):
        if val == 1:
            continue
        s.append("write 0x%x 0x8 0x%016x" % (base + 8, 0xa0b0c0d0e0f00000 |
                                             base >> 12))
    s += cfg_out(0, 0, 0x04, 2, 0x0006) + cfg_out(0, 0, 0x0d, 1, 0x40)
    s += cfg_out(0, 0, 0x3c, 1, 0x0b)
    # PIIX3: PIRQ A-D (one disabled), command, latency, line, and
    # assorted ISA bridge registers; the reset control register.
    s += cfg_out(1, 0, 0x60, 4, 0x0b0a800b + v)
    s += cfg_out(1, 0, 0x04, 2, 0x0007) + cfg_out(1, 0, 0x0d, 1, 0x20)
    s += cfg_out(1, 0, 0x3c, 1, 0x0a)
    for reg, val in ((0x4c, 0x4d), (0x4e, 0x03), (0x69, 0x02), (0x6a, 0x04),
                     (0x70, 0x80), (0x76, 0x0c), (0x77, 0x0c), (0x80, 0x01),
                     (0x82, 0x01), (0xa0, 0x08), (0xb0, 0x04)):
        s += cfg_out(1, 0, reg, 1, val)
    s += ["outb 0xcf9 0x02", "inb 0xcf9"]
    # The selector left at PIIX3's PIRQ routes (PCIHost, 5.1+).
    s += cfg_in(1, 0, 0x60)
    return s


def pci_verify():
    s = ["inl 0xcf8", "inl 0xcfc", "inb 0xcf9"]
    for dev, fn in ((0, 0), (1, 0), (1, 3)):
        for reg in range(0, 256, 4):
            s += cfg_in(dev, fn, reg)
    # What PAM and SMRAM map, as loaded: RAM, or the BIOS/pc.rom/PCI.
    s += ["read 0x%x 0x10" % base for base in PAM]
    s += ["read 0xa0000 0x8", "read 0xfffffff0 0x10"]
    return s


# RTC: (index, value) written under SET, so the time stays put in both.
RTC_TIME = [(0x00, 0x30), (0x02, 0x45), (0x04, 0x12), (0x06, 0x03),
            (0x07, 0x15), (0x08, 0x07), (0x09, 0x21), (0x32, 0x20),
            (0x01, 0x10), (0x03, 0x20), (0x05, 0x08)]


# Register A: the divider held in reset (0x6x, 0x7x) or running, when
# QEMU sets UF once a second even under SET; the rate does not matter
# with PIE off.
RTC_REG_A = (0x76, 0x26, 0x70, 0x2f, 0x66, 0x20)


def rtc_program(v):
    s = []

    def w(i, val):
        s.extend(["outb 0x70 0x%x" % i, "outb 0x71 0x%x" % val])
    w(0x0b, 0x82)
    for i, val in RTC_TIME:
        w(i, val)
    w(0x0a, RTC_REG_A[v])
    w(0x0b, (0x82, 0x86, 0x80, 0x84, 0x82, 0x86)[v])
    for i in list(range(0x0e, 0x32)) + list(range(0x38, 0x80)):
        w(i, (i * 13 + v) & 0xff)
    # Clears what QEMU's host clock set since power-on (UF, or AF at
    # midnight with the alarm at its reset 00:00:00).
    s += ["outb 0x70 0x0c", ("inb 0x71", 0xcf)]
    # The index left pointing at a CMOS byte (bit 7: NMI mask).
    s += ["outb 0x70 0x%x" % (0x80 | (0x4b + v))]
    return s


def rtc_verify(v):
    running = RTC_REG_A[v] & 0x60 != 0x60
    s = ["inb 0x71"]
    for i in range(0x80):
        s.append("outb 0x70 0x%x" % i)
        s.append(("inb 0x71", 0xef) if i == 0x0c and running else "inb 0x71")
    return s


def pflash_layout():
    b0 = TOP - os.path.getsize(CODE)
    return b0, b0 - os.path.getsize(VARS)


def pflash_program():
    b0, b1 = pflash_layout()
    # A byte programmed in the variables, then read-status mode there
    # and CFI-query mode in the code.
    return ["writeb 0x%x 0x40" % (b1 + 0x10), "writeb 0x%x 0x12" % (b1 + 0x10),
            "readb 0x%x" % b1, "writeb 0x%x 0xff" % b1,
            "writeb 0x%x 0x70" % b1, "readb 0x%x" % b1,
            "writeb 0x%x 0x98" % b0, "readb 0x%x" % (b0 + 0x10)]


def pflash_verify():
    b0, b1 = pflash_layout()
    s = ["readb 0x%x" % (b0 + o) for o in (0x10, 0x11, 0x12, 0x27, 0x2c)]
    s += ["readl 0x%x" % b0, "readb 0x%x" % b1, "readw 0x%x" % b1,
          "readl 0x%x" % (b1 + 0x100)]
    s += ["writeb 0x%x 0xff" % b0, "writeb 0x%x 0xff" % b1,
          "read 0x%x 0x20" % b0, "read 0x%x 0x20" % b1,
          "read 0x%x 0x10" % (TOP - 0x10), "read 0xffff0 0x10"]
    return s


def program(v, kind):
    s = [INTERCEPT] + pit_program(v) + pm_program(v) + rtc_program(v)
    s += ["outb 0x92 0x%x" % (0x02, 0xa6, 0x00, 0x5a, 0xfe, 0x02)[v],
          "inb 0x92"]
    if kind == "pflash":
        s += pflash_program()
    s += pci_program(v)
    if kind == "elapsed":
        # Then counter 1 reloaded and gate 2 raised at the later time, so
        # the loads are at different points of the saved clock. Writes
        # only: the two sources' clocks differ from here on.
        s += [("elapse",), "outb 0x43 0x%x" % pit_cw(1, 2),
              "outb 0x41 0x00", "outb 0x41 0x10", "outb 0x61 0x00",
              "outb 0x61 0x01", "outw 0x%x 0x1" % PMBA]
    return s


def verify(v, kind):
    # 0xcfc and 0x71 first: they show the selectors as loaded.
    s = [INTERCEPT] + pci_verify() + rtc_verify(v) + pit_verify()
    s += pm_verify()
    s += ["inb 0x92"]
    if kind == "pflash":
        s += pflash_verify()
    return s


def line_of(step):
    return step if isinstance(step, str) else step[0]


def run_steps(side, steps):
    return [side.step(st) for st in steps]


def masked(step, reply):
    """A reply, with the bits a step says vary with the host clock off."""
    if isinstance(step, str) or not reply.startswith("OK 0x"):
        return reply
    return "OK 0x%x (masked 0x%x)" % (int(reply.split()[1], 16) & step[1],
                                      step[1])


# Interrupt lines (SCI, PIT) as the I/O APIC would see them are replies
# too, from the first line on.
INTERCEPT = "irq_intercept_in ioapic"


class Side:
    """One process of a configuration: its binary, options, files."""

    def __init__(self, args, tmp, name, qemu, machine, kind):
        self.name = name
        self.qemu = qemu
        self.binary = args.qemu if qemu else args.stubdm
        self.machine = machine + (",smm=off" if qemu else
                                  ",unemulated=skip")
        self.extra = ["-m", RAM, "-S"]
        if kind == "elapsed":
            self.extra += ["-bios", os.path.join(tmp, "..", "hlt.bin")]
        if kind == "pflash":
            # Own copies: QEMU locks its images, and writes stay apart.
            d = os.path.join(tmp, name)
            os.mkdir(d)
            code, varsf = os.path.join(d, "code.fd"), os.path.join(d,
                                                                   "vars.fd")
            shutil.copy(CODE, code)
            shutil.copy(VARS, varsf)
            self.extra += [
                "-drive", "if=pflash,format=raw,unit=0,readonly=on,file="
                + code, "-drive", "if=pflash,format=raw,unit=1,file=" + varsf]
        self.dm = None

    def spawn(self, incoming=None):
        extra = list(self.extra)
        if incoming:
            extra += ["-incoming", ("exec:cat " if self.qemu else "file:")
                      + incoming]
        self.dm = DeviceModel(self.binary, extra,
                              "tcg" if self.qemu else "qtest",
                              machine=self.machine)

    def connect(self):
        self.dm.connect_qmp()
        self.dm.connect_qtest()
        reply = self.dm.qmp_cmd("qmp_capabilities")
        if reply != {"return": {}}:
            raise RuntimeError("qmp_capabilities: %r" % reply)

    def step(self, st):
        """One step's reply: a qtest line, masked, or the clocks moved."""
        if st == ("elapse",):
            if not self.qemu:
                reply = self.dm.qtest_cmd("clock_step %d" % STEP_NS)
                if not reply.startswith("OK"):
                    raise RuntimeError("clock_step: %s" % reply)
                return "OK"
            # Its IRQ lines keep coming while it runs; QEMU would block on
            # a full qtest socket (and never answer "stop").
            stopped = threading.Event()
            drain = threading.Thread(target=self.drain, args=(stopped,))
            drain.start()
            try:
                for cmd in ("cont", "stop"):
                    if self.dm.qmp_cmd(cmd) != {"return": {}}:
                        raise RuntimeError("QMP %s failed" % cmd)
                    time.sleep(0.03)
            finally:
                stopped.set()
                drain.join()
            return "OK"
        return masked(st, self.qtest(line_of(st)))

    def drain(self, stopped):
        """Reads whole IRQ lines until stopped and quiet for a moment."""
        data = b""
        while True:
            if select.select([self.dm.qtest], [], [], 0.1)[0]:
                chunk = self.dm.qtest.read(65536)
                if not chunk:
                    return        # the next qtest line reports the death
                data += chunk
            elif stopped.is_set() and data.endswith(b"\n" if data else b""):
                return

    def qtest(self, line):
        """The reply, after the IRQ lines the access caused."""
        self.dm.qtest.write(line.encode() + b"\n")
        irqs = []
        while True:
            r = self.dm.qtest.readline()
            if not r:
                raise self.dm._died()
            r = r.decode().rstrip("\n")
            if not r.startswith("IRQ "):
                return "; ".join(irqs + [r])
            irqs.append(r)

    def wait_loaded(self):
        deadline = time.monotonic() + TIMEOUT
        while True:
            st = self.dm.qmp_cmd("query-status")["return"]["status"]
            if st != "inmigrate":
                return st
            if time.monotonic() > deadline:
                raise RuntimeError("still inmigrate after %ds" % TIMEOUT)
            time.sleep(0.02)

    def migrate(self, path):
        reply = self.dm.qmp_cmd("migrate", uri="exec:cat > %s" % path)
        if "return" not in reply:
            raise RuntimeError("migrate: %r" % reply)
        deadline = time.monotonic() + TIMEOUT
        while True:
            st = self.dm.qmp_cmd("query-migrate")["return"]
            if st.get("status") == "completed":
                return
            if st.get("status") == "failed" or time.monotonic() > deadline:
                raise RuntimeError("migrate: %r" % st)
            time.sleep(0.02)

    def stderr_tail(self):
        self.dm.stderr.seek(0)
        text = self.dm.stderr.read().decode(errors="replace").strip()
        return text.splitlines()[-3:] if text else []

    def close(self):
        if self.dm:
            self.dm.close()


def compare(label, steps, a, b, names, failures):
    bad = [(line_of(st), x, y) for st, x, y in zip(steps, a, b) if x != y]
    if len(a) != len(b):
        bad.append(("(reply count)", len(a), len(b)))
    for line, x, y in bad[:MAX_PRINTED]:
        print("DIFF %s: %s: %s %s, %s %s" % (label, line, names[0], x,
                                              names[1], y))
    if len(bad) > MAX_PRINTED:
        print("DIFF %s: ... %d more" % (label, len(bad) - MAX_PRINTED))
    if bad:
        failures.append("%s: %d of %d replies differ" % (label, len(bad),
                                                        len(steps)))


def run_config(args, tmp, n, machine, v, kind):
    """Returns the failures, the numbers of programming and read lines and
    of comparisons."""
    tag = machine + (" +" + kind if kind else "")
    cdir = os.path.join(tmp, "c%d" % n)
    os.mkdir(cdir)
    failures = []
    prog, reads = program(v, kind), verify(v, kind)
    src = {"qemu": Side(args, cdir, "src-qemu", True, machine, kind),
           "stubdm": Side(args, cdir, "src-stubdm", False, machine, kind)}
    files = {k: os.path.join(cdir, "from-%s.bin" % k) for k in src}
    dst = {}
    pairs = [("QEMU -> stubdm", "qemu<-qemu", "stubdm<-qemu"),
             ("stubdm -> QEMU", "qemu<-stubdm", "stubdm<-stubdm")]
    if kind != "elapsed":
        pairs += [("stubdm's stream vs QEMU's, both in QEMU", "qemu<-qemu",
                   "qemu<-stubdm"),
                  ("no migration (the sources after saving)", "src-qemu",
                   "src-stubdm")]
    # The run state each process is left in comes first.
    steps = [("(run state)",)] + reads
    try:
        for s in src.values():
            s.spawn()
        for s in src.values():
            s.connect()
        # Programming replies too (partial reads, SMBus, flash status).
        got = {k: run_steps(s, prog) for k, s in src.items()}
        # After the clocks ran apart, IRQ lines may differ: up to there.
        n = prog.index(("elapse",)) if kind == "elapsed" else len(prog)
        compare("%s, programming" % tag, prog[:n], got["qemu"][:n],
                got["stubdm"][:n], ("QEMU", "stubdm"), failures)
        saved = {}
        for k, s in src.items():
            try:
                s.migrate(files[k])
                saved[k] = True
            except RuntimeError as e:
                failures.append("%s: %s could not migrate: %s %s"
                                % (tag, k, e, s.stderr_tail()))
        for who in saved:
            for qemu in (True, False):
                name = "%s<-%s" % ("qemu" if qemu else "stubdm", who)
                d = Side(args, cdir, name, qemu, machine, kind)
                d.spawn(files[who])
                dst[name] = d
        res = {}
        for name, d in dst.items():
            try:
                d.connect()
                res[name] = [d.wait_loaded()]
            except (RuntimeError, OSError) as e:
                failures.append("%s: %s refused the stream: %s %s"
                                % (tag, name, e, d.stderr_tail()))
        for name in res:
            res[name] += run_steps(dst[name], reads)
        # Once the sources' clocks ran apart, each file is compared only.
        for k, s in src.items() if kind != "elapsed" else ():
            status = s.dm.qmp_cmd("query-status")["return"]["status"]
            res["src-" + k] = [status] + run_steps(s, reads)
        for label, a, b in pairs:
            if a in res and b in res:
                compare("%s, %s" % (tag, label), steps, res[a], res[b],
                        (a, b), failures)
        for k in saved:
            print("%s: %s's stream %d bytes" % (tag, k,
                                                os.path.getsize(files[k])))
    except (RuntimeError, OSError) as e:
        failures.append("%s: %s" % (tag, e))
    finally:
        for s in list(src.values()) + list(dst.values()):
            s.close()
    return failures, len(prog), len(reads), len(pairs)


def main():
    args = interop_args(__doc__.splitlines()[0])
    for path in (CODE, VARS):
        if not os.path.exists(path):
            sys.exit("FAIL: %s missing (Debian package ovmf)" % path)
    t0 = time.monotonic()
    failures = []
    with tempfile.TemporaryDirectory(prefix="interop-migdev-") as tmp:
        with open(os.path.join(tmp, "hlt.bin"), "wb") as f:
            f.write(b"\xf4" * 65536)
        # Two configurations at a time: six processes each, mostly idle.
        with concurrent.futures.ThreadPoolExecutor(2) as pool:
            jobs = [pool.submit(run_config, args, tmp, n, *c)
                    for n, c in enumerate(CONFIGS)]
            for (m, _, kind), job in zip(CONFIGS, jobs):
                f, np, nr, nc = job.result()
                failures += f
                print("%s%s: %d programming lines, %d read lines x %d "
                      "comparisons, %s" % (m, " +" + kind if kind else "",
                                           np, nr, nc,
                                           "FAIL" if f else "ok"))
    print("%.1f s" % (time.monotonic() - t0))
    if failures:
        for f in failures:
            print("FAIL " + f)
        sys.exit(1)
    print("PASS: QEMU 7.2 and stubdm agree after migrating either way")


if __name__ == "__main__":
    main()
