#!/usr/bin/env python3
# SPDX-License-Identifier: GPL-2.0-or-later
"""PIIX4 power management (00:01.3): stubdm against QEMU 7.2.

QEMU runs with smm=off: stubdm models the function as Xen's guests have
it, without SMM (config 0x5b bit 1 set, SCI_EN fixed on 6.0+ machines).

For each machine type both processes start paused (-S, so the virtual
clock stays at 0 and the PM timer is deterministic) and get the same
qtest lines: the config space before and after writing 0xff and then 0x00
to every byte, PMBA/PMREGMISC programming, every PM1/PM_TMR/GPE0 port at
widths 1, 2 and 4, the 0xae00 PCI hotplug and 0xaf00 CPU hotplug blocks
(legacy, then modern after the switch), APM 0xb2/0xb3, the SMBus host
registers and transactions to an address with no slave, a QMP
system_reset, and finally the piix4_pm section of xen-save-devices-state,
byte for byte. IRQ 9 changes (irq_intercept_in ioapic) are part of the
replies. A second part runs both VMs (QEMU on a firmware that only halts)
and compares the guest soft-off, S3 and power-button sequences: events,
run state, exit status.

Exits non-zero on any difference or when qemu-system-x86_64 is missing.
"""
import os
import re
import select
import shutil
import struct
import sys
import tempfile
import time

sys.path.insert(0, os.path.join(os.path.dirname(__file__), "..", "..",
                                "scripts"))
from dmclient import DeviceModel, interop_args  # noqa: E402

PMBA = 0xb000
SMBBA = 0xb100
GPE0 = 0xafe0
PCIHP = 0xae00
CPUHP = 0xaf00
EVENT_TIMEOUT = 10.0
# 7.0: acpi_index; 6.0: ACPI-only; 4.0: pmsmb; 2.1: memhp; 2.0: bridges.
MACHINES = ["pc-i440fx-7.2", "pc-i440fx-6.2", "pc-i440fx-5.2",
            "pc-i440fx-3.1", "pc-i440fx-2.0", "pc-i440fx-1.7"]

# Known differences: each must still differ (the script fails once stubdm
# is fixed, so the entry gets removed).
KNOWN_DIFFERENCES = {}

WIDTH = {1: "b", 2: "w", 4: "l"}


def cfg_addr(reg):
    return 0x80000000 | (1 << 11) | (3 << 8) | (reg & 0xfc)


def cfg_read(reg, size):
    return ["outl 0xcf8 0x%x" % cfg_addr(reg),
            "in%s 0x%x" % (WIDTH[size], 0xcfc + (reg & 3))]


def cfg_write(reg, val, size):
    return ["outl 0xcf8 0x%x" % cfg_addr(reg),
            "out%s 0x%x 0x%x" % (WIDTH[size], 0xcfc + (reg & 3), val)]


def cfg_dump():
    steps = []
    for reg in range(0, 256, 4):
        steps += cfg_read(reg, 4)
    return steps


def reads(base, length):
    """Every offset of a block (and one past it) at every width."""
    return ["in%s 0x%x" % (WIDTH[w], base + off)
            for off in range(length + 1) for w in (1, 2, 4)]


def pm_block():
    steps = reads(PMBA, 16)
    # PM1_STS: TMR_STS is set (overflow_time 0); write 1 to clear.
    steps += ["outw 0x%x 0x0001" % PMBA, "inw 0x%x" % PMBA,
              "outw 0x%x 0xffff" % PMBA, "inw 0x%x" % PMBA]
    # PM1_EN, whole and by byte (the odd byte is ignored); SCI follows.
    steps += ["outw 0x%x 0x0521" % (PMBA + 2), "inl 0x%x" % PMBA,
              "outb 0x%x 0x01" % (PMBA + 3), "inw 0x%x" % (PMBA + 2),
              "outb 0x%x 0x00" % (PMBA + 2), "inw 0x%x" % (PMBA + 2),
              "outw 0x%x 0x0001" % (PMBA + 2), "inw 0x%x" % PMBA]
    # PM1_CNT: stored without SLP_EN; a byte at +5 lands in the low byte.
    steps += ["outw 0x%x 0x0c00" % (PMBA + 4), "inw 0x%x" % (PMBA + 4),
              "outw 0x%x 0x0001" % (PMBA + 4), "inw 0x%x" % (PMBA + 4),
              "outb 0x%x 0x20" % (PMBA + 5), "inw 0x%x" % (PMBA + 4),
              "inb 0x%x" % (PMBA + 5), "outw 0x%x 0x0000" % (PMBA + 4),
              "inw 0x%x" % (PMBA + 4), "outl 0x%x 0x12345678" % (PMBA + 8),
              "inl 0x%x" % (PMBA + 8)]
    return steps


def gpe_block():
    steps = reads(GPE0, 4)
    for port, val, w in ((GPE0 + 2, 0x0f, 1), (GPE0 + 3, 0x80, 1),
                         (GPE0 + 2, 0xffff, 2), (GPE0, 0xffffffff, 4),
                         (GPE0 + 2, 0x0201, 2), (GPE0 + 1, 0xff, 1),
                         (GPE0 + 3, 0x00, 1)):
        steps += ["out%s 0x%x 0x%x" % (WIDTH[w], port, val),
                  "inl 0x%x" % GPE0]
    return steps


def pcihp_block():
    steps = reads(PCIHP, 0x18)
    for off, val in ((0x10, 5), (0x10, 0), (0x08, 4), (0x08, 0),
                     (0x14, 1), (0x10, 0x100), (0x10, 0)):
        steps += ["outl 0x%x 0x%x" % (PCIHP + off, val)]
        steps += ["inl 0x%x" % (PCIHP + o) for o in range(0, 0x18, 4)]
    steps += ["outw 0x%x 0x7" % (PCIHP + 0x10), "inl 0x%x" % (PCIHP + 0x10)]
    return steps


def cpuhp_block():
    steps = reads(CPUHP, 32)
    # Neither a non-zero value nor another offset switches the interface.
    steps += ["outb 0x%x 0x1" % CPUHP, "outb 0x%x 0x0" % (CPUHP + 1),
              "inl 0x%x" % CPUHP]
    steps += ["outl 0x%x 0x0" % CPUHP] + reads(CPUHP, 12)
    for sel in (0, 1, 3, 7, 8):
        steps += ["outl 0x%x 0x%x" % (CPUHP, sel), "inb 0x%x" % (CPUHP + 4)]
        for cmd in (3, 0, 9):
            steps += ["outb 0x%x 0x%x" % (CPUHP + 5, cmd),
                      "inl 0x%x" % (CPUHP + 8), "inl 0x%x" % CPUHP]
    steps += ["outl 0x%x 0x2" % CPUHP, "outb 0x%x 0x1" % (CPUHP + 5),
              "outl 0x%x 0x1234" % (CPUHP + 8), "outb 0x%x 0x2" % (CPUHP + 5),
              "outl 0x%x 0x5678" % (CPUHP + 8), "outb 0x%x 0x6" % (CPUHP + 4),
              "inb 0x%x" % (CPUHP + 4), ("events", "ACPI_DEVICE_OST")]
    return steps


def apm_block():
    steps = ["inb 0xb2", "inb 0xb3", "inw 0xb2", "inl 0xb2", "inb 0xb4",
             "inb 0xb1"]
    for val in (0x55, 0x00, 0xf1, 0xf0, 0xf1):
        steps += ["outb 0xb3 0x%x" % (val ^ 0xff), "outb 0xb2 0x%x" % val,
                  "inw 0xb2", "inw 0x%x" % (PMBA + 4)]
    return steps


def smbus_block():
    steps = reads(SMBBA, 16)
    for off in (2, 3, 4, 5, 6, 7, 0xd):
        steps += ["outb 0x%x 0xff" % (SMBBA + off),
                  "inb 0x%x" % (SMBBA + off)]
    steps += ["outb 0x%x 0x00" % (SMBBA + 0xd)]
    # Transactions to 0x10, where no slave answers in either.
    for ctl in (0x48, 0x49, 0x40, 0x54, 0x55, 0x58, 0x42):
        steps += ["outb 0x%x 0xff" % SMBBA, "outb 0x%x 0x21" % (SMBBA + 4),
                  "outb 0x%x 0x%x" % (SMBBA + 2, ctl)]
        steps += ["inb 0x%x" % (SMBBA + o) for o in range(16)]
        steps += ["inb 0x%x" % SMBBA]
    # A byte-by-byte block write: bytes go one per BYTE_DONE, then DEV_ERR.
    steps += ["outb 0x%x 0xff" % SMBBA, "outb 0x%x 0x20" % (SMBBA + 4),
              "outb 0x%x 0x3" % (SMBBA + 5), "outb 0x%x 0x11" % (SMBBA + 7),
              "outb 0x%x 0x54" % (SMBBA + 2), "inb 0x%x" % SMBBA,
              "inb 0x%x" % SMBBA]
    for _ in range(3):
        steps += ["outb 0x%x 0x22" % (SMBBA + 7),
                  "outb 0x%x 0x80" % SMBBA, "inb 0x%x" % SMBBA,
                  "inb 0x%x" % (SMBBA + 7)]
    # With the 32-byte buffer: fill it, read it back.
    steps += ["outb 0x%x 0x2" % (SMBBA + 0xd), "inb 0x%x" % (SMBBA + 2)]
    steps += ["outb 0x%x 0x%x" % (SMBBA + 7, b) for b in range(5)]
    steps += ["inb 0x%x" % (SMBBA + 7) for _ in range(6)]
    return steps


def sequence():
    steps = ["irq_intercept_in ioapic"] + cfg_dump()
    # Nothing decodes before PMREGMISC.
    steps += reads(PMBA, 8)
    steps += cfg_write(0x40, PMBA | 1, 4) + reads(PMBA, 4)
    steps += cfg_write(0x80, 1, 1) + pm_block()
    # The base is 16 bits, 64-byte aligned; PMREGMISC off unmaps it.
    steps += cfg_write(0x40, 0x1234c0ff, 4) + cfg_read(0x40, 4)
    steps += ["inw 0xc0c0", "inw 0x%x" % PMBA]
    steps += cfg_write(0x80, 0, 1) + ["inw 0xc0c0"]
    steps += cfg_write(0x40, PMBA, 4) + cfg_write(0x80, 0xff, 1)
    steps += gpe_block() + pcihp_block() + cpuhp_block() + apm_block()
    steps += smbus_block()
    # The SMBus block moves with SMBBA and goes with SMBHSTCFG bit 0.
    steps += cfg_write(0x90, 0xc101, 4) + ["inb 0xc10d", "inb 0xb10d"]
    steps += cfg_write(0xd2, 0x08, 1) + ["inb 0xc10d"]
    steps += cfg_write(0xd2, 0x09, 1) + cfg_write(0x90, SMBBA | 1, 4)
    # A power button press only counts with PWRBTN_EN.
    steps += [("qmp", "system_powerdown"), "inw 0x%x" % PMBA,
              "outw 0x%x 0x0100" % (PMBA + 2), ("qmp", "system_powerdown"),
              "inw 0x%x" % PMBA, "outw 0x%x 0x0100" % PMBA, "inw 0x%x" % PMBA]
    steps += [("save",)]
    # Reset: 0x40, 0x58-0x5b and 0x80 only; SMBus, APM, selectors stay.
    steps += [("qmp", "system_reset"), ("events", "RESET")] + cfg_dump()
    steps += cfg_write(0x80, 1, 1) + reads(PMBA, 12)
    steps += ["inw 0xb2", "inl 0x%x" % (PCIHP + 0x10), "inb 0xb10d",
              "inb 0x%x" % (CPUHP + 4), ("save",)]
    # Every config byte written with 0xff, then with 0x00.
    for val in (0xff, 0x00):
        for reg in range(256):
            steps += cfg_write(reg, val, 1)
        steps += cfg_dump()
    steps += [("save",)]
    return steps


def piix4_section(path):
    """The piix4_pm payload (with subsections) of a saved device state."""
    with open(path, "rb") as f:
        data = f.read()
    name = b"0000:00:01.3/piix4_pm"
    at = data.find(bytes([len(name)]) + name)
    if at < 5 or data[at - 5] != 0x04:
        return ("no piix4_pm section",)
    sid = data[at - 4:at]
    start = at + 1 + len(name) + 8
    version = struct.unpack(">I", data[start - 4:start])[0]
    end = start
    while True:
        end = data.find(b"\x7e" + sid, end + 1)
        if end < 0 or end + 5 == len(data) or data[end + 5] in (0, 4):
            break
    if end < 0:
        # No footers (pc-i440fx-2.3 and older): up to the next section
        # header, or to the EOF byte.
        nxt = re.compile(rb"\x04\x00\x00\x00.(.)", re.S)
        end = len(data) - 1
        for m in nxt.finditer(data, start):
            n = m.group(1)[0]
            idstr = data[m.end():m.end() + n]
            if n and len(idstr) == n and all(32 < b < 127 for b in idstr):
                end = m.start()
                break
    return ("piix4_pm v%d" % version, data[start:end].hex())


def run(binary, accel, machine, steps, workdir):
    args = ["-S"]
    if accel == "tcg":
        machine += ",smm=off"
    dm = DeviceModel(binary, args + ["-smp", "3,maxcpus=8"], accel,
                     machine=machine)
    replies = []
    try:
        dm.connect_qmp()
        dm.connect_qtest()
        dm.qmp_cmd("qmp_capabilities")
        saves = 0
        for step in steps:
            if isinstance(step, str):
                replies.append(qtest_line(dm, step))
            elif step[0] == "qmp":
                r = dm.qmp_cmd(step[1])
                replies.append(("qmp", step[1], r.get("return"),
                                "error" in r))
            elif step[0] == "events":
                replies.append(wait_event(dm, step[1]))
            elif step[0] == "save":
                path = os.path.join(workdir, "%s-%d" % (accel, saves))
                saves += 1
                r = dm.qmp_cmd("xen-save-devices-state", filename=path)
                replies.append(("save", "error" in r) + piix4_section(path))
        replies.append(("status", dm.qmp_cmd("query-status")["return"]
                        ["status"]))
    finally:
        dm.close()
    return replies


def qtest_line(dm, line):
    """The reply, with the IRQ lines that came before it."""
    dm.qtest.write(line.encode() + b"\n")
    irqs = []
    while True:
        reply = dm.qtest.readline()
        if not reply:
            raise dm._died()
        reply = reply.decode().rstrip("\n")
        if not reply.startswith("IRQ "):
            return (line, reply, tuple(irqs))
        # Other devices' lines (QEMU's PIT on IRQ 0) are not compared.
        if reply.split()[-1] == "9":
            irqs.append(reply)


def wait_event(dm, name):
    """The data of the first event called name, reading as needed; the
    peer may exit right after sending it."""
    deadline = time.monotonic() + EVENT_TIMEOUT
    while True:
        for i, ev in enumerate(dm.events):
            if ev["event"] == name:
                del dm.events[i]
                return (name, ev.get("data"))
        left = deadline - time.monotonic()
        if left <= 0 or not select.select([dm.qmp], [], [], left)[0]:
            return ("no %s event" % name,)
        try:
            msg = dm._qmp_line()
        except (OSError, RuntimeError):
            return ("no %s event" % name,)
        if "event" in msg:
            dm.events.append(msg)


def compare(name, qemu, stub):
    """Counts differences; a known one must still differ somewhere."""
    failures = 0
    still = set()
    if len(qemu) != len(stub):
        print("%s: %d replies from QEMU, %d from stubdm" %
              (name, len(qemu), len(stub)))
        return 1
    for q, s in zip(qemu, stub):
        if q == s:
            continue
        if q[0] in KNOWN_DIFFERENCES:
            still.add(q[0])
            continue
        print("%s: differs\n  QEMU:   %r\n  stubdm: %r" % (name, q, s))
        failures += 1
    for line in sorted(set(KNOWN_DIFFERENCES) - still):
        if any(q[0] == line for q in qemu):
            print("%s: %r now matches; drop it from KNOWN_DIFFERENCES" %
                  (name, line))
            failures += 1
    return failures


def lifecycle(binary, accel, machine, extra, actions, workdir):
    """Runs a started VM through actions; returns what was observed."""
    args = list(extra)
    if accel == "tcg":
        machine += ",smm=off"
        bios = os.path.join(workdir, "hlt.bin")
        with open(bios, "wb") as f:
            f.write(b"\xf4" * 65536)
        args += ["-bios", bios]
    dm = DeviceModel(binary, args, accel, machine=machine)
    seen = []
    try:
        dm.connect_qmp()
        dm.connect_qtest()
        dm.qmp_cmd("qmp_capabilities")
        for line in cfg_write(0x40, PMBA | 1, 4) + cfg_write(0x80, 1, 1):
            dm.qtest_cmd(line)
        for act in actions:
            if act[0] == "out":
                dm.qtest_cmd(act[1])
            elif act[0] == "in":
                seen.append((act[1], dm.qtest_cmd(act[1])))
            elif act[0] == "qmp":
                dm.qmp_cmd(act[1])
            elif act[0] == "event":
                seen.append(wait_event(dm, act[1]))
            elif act[0] == "status":
                seen.append(dm.qmp_cmd("query-status")["return"]["status"])
            elif act[0] == "exit":
                try:
                    seen.append(("exit", dm.proc.wait(EVENT_TIMEOUT)))
                except Exception as e:  # noqa: BLE001
                    seen.append(("no exit", str(e)))
        seen.append(("other events", sorted(e["event"] for e in dm.events)))
    finally:
        dm.close()
    return seen


SLP_EN = 0x2000
LIFECYCLES = {
    "soft-off": ([], [("out", "outw 0x%x 0x%x" % (PMBA + 4, SLP_EN)),
                      ("event", "SHUTDOWN"), ("exit",)]),
    "soft-off -no-shutdown": (["-no-shutdown"], [
        ("out", "outw 0x%x 0x%x" % (PMBA + 4, SLP_EN)),
        ("event", "SHUTDOWN"), ("event", "STOP"), ("status",),
        ("in", "inw 0x%x" % (PMBA + 4))]),
    "s3": ([], [("out", "outw 0x%x 0x%x" % (PMBA + 4, SLP_EN | 1 << 10)),
                ("event", "SUSPEND"), ("status",),
                ("in", "inw 0x%x" % (PMBA + 4))]),
    "s4": ([], [("out", "outw 0x%x 0x%x" % (PMBA + 4, SLP_EN | 2 << 10)),
                ("event", "SUSPEND_DISK"), ("event", "SHUTDOWN"),
                ("exit",)]),
    "slp-typ-5": ([], [("out", "outw 0x%x 0x%x" % (PMBA + 4,
                                                   SLP_EN | 5 << 10)),
                       ("qmp", "query-status"), ("status",)]),
    "powerdown": ([], [("out", "outw 0x%x 0x0100" % (PMBA + 2)),
                       ("qmp", "system_powerdown"), ("event", "POWERDOWN"),
                       ("in", "inw 0x%x" % PMBA), ("status",)]),
}


def main():
    opts = interop_args(__doc__.splitlines()[0])
    qemu = shutil.which(opts.qemu)
    failures = 0
    steps = sequence()
    with tempfile.TemporaryDirectory(prefix="piix4-pm-") as workdir:
        for machine in MACHINES:
            q = run(qemu, "tcg", machine, steps, workdir)
            s = run(opts.stubdm, "qtest", machine, steps, workdir)
            failures += compare(machine, q, s)
        for name, (extra, actions) in LIFECYCLES.items():
            q = lifecycle(qemu, "tcg", "pc-i440fx-7.2", extra, actions,
                          workdir)
            s = lifecycle(opts.stubdm, "qtest", "pc-i440fx-7.2", extra,
                          actions, workdir)
            if q != s:
                print("%s: differs\n  QEMU:   %r\n  stubdm: %r" %
                      (name, q, s))
                failures += 1
    print("%s: %d steps x %d machine types, %d lifecycles" %
          ("FAIL" if failures else "PASS", len(steps), len(MACHINES),
           len(LIFECYCLES)))
    return 1 if failures else 0


if __name__ == "__main__":
    sys.exit(main())
