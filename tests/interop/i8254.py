#!/usr/bin/env python3
# SPDX-License-Identifier: GPL-2.0-or-later
"""i8254 PIT and port 0x61: stubdm against QEMU 7.2, reply for reply.

Both processes get the same qtest lines: every mode, access mode and BCD
setting on every counter, counter latches, read-back commands, partial
writes, port 0x61 and wide accesses. QEMU runs with -accel tcg -S, so its
virtual clock stands still (its qtest has no clock_step under tcg); stubdm
runs with -accel qtest and nobody steps its clock. Every read therefore
depends on the programming only, never on elapsed time, and the replies
(IRQ 0 lines included) must be identical.

Then both save their device state: the "i8254" payloads must be the same
108 bytes, and a fresh QEMU loading stubdm's payload and a fresh stubdm
loading QEMU's must answer the same reads as the two that saved them.

Last, elapsed time without clock_step: a stream whose "timer" section
sets the virtual clock to T and whose counters were loaded at chosen
earlier times goes into a fresh QEMU and a fresh stubdm, both stopped, so
counts and OUT (status bytes, port 0x61 bit 5) are compared at exact
clock counts in every mode. BCD counters are left out there: QEMU counts
them in binary, stubdm in decimal (hw/i8254.c).

Exits non-zero on any difference or when qemu-system-x86_64 is missing.
"""
import concurrent.futures
import os
import struct
import sys
import tempfile
import time

sys.path.insert(0, os.path.join(os.path.dirname(__file__), "..", "..",
                                "scripts"))
from dmclient import DeviceModel, interop_args  # noqa: E402

PIT = 0x40
PIT_CW = 0x43
PORT61 = 0x61

# Raw counts chosen to cover 0 (= 0x10000), 1, all-nines, all-ones and
# digits that are not decimal (QEMU ignores BCD; stubdm must read back the
# raw value until the first clock).
COUNTS = [0x1234, 0x0000, 0x0001, 0x9999, 0xffff, 0x12ab, 0x0100, 0x8000,
          0x0002, 0x00ff]

# Run last, because they leave the two processes in different states.
# Each is a known difference that must still differ; once stubdm is
# fixed the script fails so the entry gets removed.
KNOWN_DIFFERENCES = {}


class Script:
    def __init__(self):
        self.lines = []

    def outb(self, port, val):
        self.lines.append("outb 0x%x 0x%x" % (port, val))

    def inb(self, port, times=1):
        self.lines.extend(["inb 0x%x" % port] * times)

    def program(self, ch, rw, mode, bcd, count):
        port = PIT + ch
        self.outb(PIT_CW, ch << 6 | rw << 4 | mode << 1 | bcd)
        if rw == 2:
            self.outb(port, count >> 8)
        else:
            self.outb(port, count & 0xff)
            if rw == 3:
                self.outb(port, count >> 8)

    def read_back(self, ch_mask, count, status):
        self.outb(PIT_CW, 0xc0 | (0 if count else 0x20) |
                  (0 if status else 0x10) | ch_mask << 1)


def sequence():
    s = Script()
    # Power-on: status, live counts with RW never written, control port.
    for ch in range(3):
        s.read_back(1 << ch, False, True)
        s.inb(PIT + ch)
        s.inb(PIT + ch, 2)
    s.inb(PIT_CW)
    s.inb(PORT61, 3)

    # Every counter, mode 0-7 (6 and 7 as written), RW 1-3, binary and BCD.
    i = 0
    for ch in range(3):
        port = PIT + ch
        for mode in range(8):
            for rw in (1, 2, 3):
                for bcd in (0, 1):
                    count = COUNTS[i % len(COUNTS)]
                    i += 1
                    s.program(ch, rw, mode, bcd, count)
                    s.read_back(1 << ch, False, True)
                    s.inb(port)
                    # A second latch before the read is ignored.
                    s.outb(PIT_CW, ch << 6)
                    s.outb(PIT_CW, ch << 6)
                    s.inb(port, 2 if rw == 3 else 1)
                    s.inb(port, 3)
                    # Count and status: status first.
                    s.read_back(1 << ch, True, True)
                    s.inb(port, 4)

    # Read-back with every counter mask and COUNT#/STATUS# combination.
    for ch in range(3):
        s.program(ch, 3, ch + 1, ch & 1, 0x4321 + ch)
    for mask in range(8):
        for count in (False, True):
            for status in (False, True):
                s.read_back(mask, count, status)
                for ch in range(3):
                    s.inb(PIT + ch, 3)

    # Latch state across new control words and partial word writes.
    s.program(1, 3, 2, 0, 0x2345)
    s.outb(PIT_CW, 0x40)
    s.outb(PIT_CW, 0x74)
    s.inb(PIT + 1, 3)
    s.outb(PIT + 1, 0x11)
    s.inb(PIT + 1, 2)
    s.outb(PIT_CW, 0x74)
    s.outb(PIT + 1, 0x22)
    s.outb(PIT + 1, 0x33)
    s.inb(PIT + 1, 3)
    s.outb(PIT_CW, 0x40)
    s.inb(PIT + 1)
    s.outb(PIT_CW, 0x40)
    s.inb(PIT + 1, 3)
    s.read_back(2, True, True)
    s.read_back(2, True, True)
    s.inb(PIT + 1, 4)

    # Port 0x61: every value written, then read (gate 2, data, refresh,
    # OUT 2), with counter 2 in each mode so OUT 2 and gate restarts vary.
    for mode in range(6):
        s.program(2, 3, mode, 0, 0x0800)
        for val in range(0, 256, 1 if mode == 0 else 17):
            s.outb(PORT61, val)
            s.inb(PORT61)
            s.read_back(4, True, True)
            s.inb(PIT + 2, 3)

    # Wide accesses inside the PIT's four ports are split into bytes.
    s.program(0, 3, 2, 0, 0x1234)
    s.program(1, 1, 3, 0, 0x56)
    s.lines += ["inw 0x40", "inw 0x40", "inw 0x42", "inl 0x40",
                "outw 0x40 0x5678", "inw 0x40", "inw 0x40",
                "outl 0x40 0x36000000", "outb 0x43 0xe2", "inb 0x40",
                # Unaligned: split by alignment, the tail is unassigned.
                "inl 0x42", "inw 0x43", "inl 0x41"]
    busy_state(s)
    return s.lines


PIT_FREQ = 1193182
NS_PER_SEC = 10 ** 9
MACHINE = b"pc-i440fx-7.2"


def timed_cases():
    """(mode, count, elapsed input clocks), three per stream."""
    cases = []
    for mode in range(8):
        for count in (1, 3, 101, 0x2e9c, 0x10000):
            ds = {0, 1, count // 2, (count + 1) // 2, count - 1, count,
                  count + 1, 2 * count, 3 * count + count // 3, 1000003}
            cases += [(mode, count, d) for d in sorted(ds) if d >= 0]
    return [cases[i:i + 3] for i in range(0, len(cases), 3)]


def record(sid, name, version, payload):
    """A FULL record with its footer."""
    return (b"\x04" + struct.pack(">I", sid) + bytes([len(name)]) + name +
            struct.pack(">II", 0, version) + payload + b"\x7e" +
            struct.pack(">I", sid))


def timed_stream(now, chunk, configuration):
    """Clock at `now`; counter i in word mode, loaded d clocks ago."""
    pit = struct.pack(">I", 0)
    for ch in range(3):
        mode, count, d = chunk[ch] if ch < len(chunk) else (3, 0x10000, 0)
        load = now - -(-d * NS_PER_SEC // PIT_FREQ)
        # count, latched_count, count_latched, status_latched, status,
        # read_state, write_state, write_latch, rw_mode, mode, bcd, gate,
        # count_load_time, next_transition_time (-1: no timer to run)
        pit += struct.pack(">iHBBBBBBBBBBqq", count, 0, 0, 0, 0, 3, 3, 0,
                           3, mode, 0, 1, load, -1 if ch == 0 else 0)
    pit += struct.pack(">q", -1)
    out = b"QEVM" + struct.pack(">I", 3)
    if configuration:
        out += b"\x07" + struct.pack(">I", len(MACHINE)) + MACHINE
    return (out + record(0, b"timer", 2, struct.pack(">q8xq", 0, now)) +
            record(1, b"i8254", 3, pit) + b"\x00")


def timed_reads():
    s = Script()
    for ch in range(3):
        s.read_back(1 << ch, True, True)
        s.inb(PIT + ch, 5)
    s.inb(PORT61)
    return s.lines


def timed_run(args, tmp, n, chunk):
    """The timed reads from QEMU and from stubdm for one stream."""
    now = 10 * NS_PER_SEC + 7919 * n
    got = []
    for binary, load, conf in ((args.qemu, load_into_qemu, True),
                               (args.stubdm, load_into_stubdm, False)):
        path = os.path.join(tmp, "timed-%d-%d.bin" % (n, conf))
        dm = load(binary, path, timed_stream(now, chunk, conf))
        try:
            got.append([qtest(dm, line) for line in timed_reads()])
        finally:
            dm.close()
    return got


def busy_state(s):
    """Leaves something pending in every counter, for the saved state."""
    s.program(0, 3, 2, 0, 0x2e9c)
    s.outb(PIT_CW, 0x00)
    s.inb(PIT)
    s.program(1, 3, 5, 1, 0x0777)
    s.read_back(2, False, True)
    s.outb(PIT_CW, 0xb6)
    s.outb(PIT + 2, 0x33)
    s.outb(PORT61, 0x02)


def after_load():
    """Reads that consume the pending latches and partial writes."""
    s = Script()
    for ch in range(3):
        s.inb(PIT + ch, 3)
    s.outb(PIT + 2, 0x12)
    s.read_back(7, True, True)
    for ch in range(3):
        s.inb(PIT + ch, 4)
    return s.lines


def qtest(dm, line):
    """The IRQ lines a qtest line caused, then its own reply."""
    dm.qtest.write(line.encode() + b"\n")
    got = []
    while True:
        r = dm.qtest.readline()
        if not r:
            raise dm._died()
        got.append(r.decode().rstrip("\n"))
        if not got[-1].startswith("IRQ "):
            return tuple(got)


def start(binary, accel, extra=()):
    dm = DeviceModel(binary, ["-S"] + list(extra), accel)
    try:
        dm.connect_qmp()
        dm.connect_qtest()
        reply = dm.qmp_cmd("qmp_capabilities")
        if reply != {"return": {}}:
            raise RuntimeError("%s: qmp_capabilities: %r" % (binary, reply))
        qtest(dm, "irq_intercept_in ioapic")
    except BaseException:
        dm.close()
        raise
    return dm


def qmp_ok(dm, name, **args):
    reply = dm.qmp_cmd(name, **args)
    if "return" not in reply:
        raise RuntimeError("%s %s: %r" % (dm.argv[0], name, reply))
    return reply["return"]


def sections(path):
    """The "timer" and "i8254" records of a savevm stream, by name.

    QEVM records carry no length; with footers on (both writers here) a
    FULL record is 0x04, be32 id, counted idstr, be32 instance, be32
    version, the payload (size known from qemu-stream.md) and 0x7e + id.
    """
    data = open(path, "rb").read()
    out = {}
    for name, size in ((b"timer", 24), (b"i8254", 108)):
        at = data.find(b"\x05" + name + b"\x00\x00\x00\x00")
        head = at + 1 + len(name) + 8
        if at < 5 or data[at - 5] != 0x04 or \
                data[head + size:head + size + 5] != b"\x7e" + data[at - 4:at]:
            raise RuntimeError("%s: no %s section of %d bytes"
                               % (path, name.decode(), size))
        out[name] = (data[at - 5:head], data[head:head + size],
                     data[head + size:head + size + 5])
    return out


def with_payload(secs, payload):
    head, _, foot = secs[b"i8254"]
    return b"".join(secs[b"timer"]) + head + payload + foot


def qemu_stream(secs, payload):
    return (b"QEVM" + struct.pack(">I", 3) + b"\x07" +
            struct.pack(">I", len(MACHINE)) + MACHINE +
            with_payload(secs, payload) + b"\x00")


def stubdm_stream(secs, payload):
    return b"QEVM" + struct.pack(">I", 3) + with_payload(secs, payload) + \
        b"\x00"


def load_into_qemu(qemu_bin, path, stream):
    """A fresh, stopped QEMU loads the stream through -incoming (a
    xen-save-devices-state file needs Xen's migration settings)."""
    with open(path, "wb") as f:
        f.write(stream)
    dm = start(qemu_bin, "tcg", ["-incoming", "defer"])
    qmp_ok(dm, "migrate-incoming", uri="exec:cat " + path)
    deadline = time.monotonic() + 30
    while True:
        status = qmp_ok(dm, "query-migrate").get("status")
        if status == "completed":
            return dm
        if status == "failed" or time.monotonic() > deadline:
            dm.close()
            raise RuntimeError("QEMU did not load %s: %s" % (path, status))
        time.sleep(0.02)


def load_into_stubdm(stubdm_bin, path, stream):
    with open(path, "wb") as f:
        f.write(stream)
    dm = start(stubdm_bin, "qtest")
    qmp_ok(dm, "xen-load-devices-state", filename=path)
    return dm


def compare(label, lines, a, b, failures):
    for n, (line, x, y) in enumerate(zip(lines, a, b)):
        if x != y:
            failures.append("%s %d: %s: QEMU %s, stubdm %s"
                            % (label, n, line, x, y))


def main():
    args = interop_args(__doc__)

    lines = sequence()
    failures = []
    procs = []
    with tempfile.TemporaryDirectory(prefix="interop-i8254-") as tmp:
        try:
            qemu = start(args.qemu, "tcg")
            procs.append(qemu)
            stub = start(args.stubdm, "qtest")
            procs.append(stub)

            # 1. The same I/O, the same replies.
            q = [qtest(qemu, line) for line in lines]
            s = [qtest(stub, line) for line in lines]
            compare("io", lines, q, s, failures)
            irqs = sum(len(r) - 1 for r in q)

            # 2. The same state on the wire, byte for byte.
            saved = {}
            for dm, who in ((qemu, "qemu"), (stub, "stubdm")):
                path = os.path.join(tmp, who + ".bin")
                qmp_ok(dm, "xen-save-devices-state", filename=path)
                saved[who] = sections(path)
            qp = saved["qemu"][b"i8254"][1]
            sp = saved["stubdm"][b"i8254"][1]
            if qp != sp:
                failures.append("i8254 payload: QEMU %s, stubdm %s"
                                % (qp.hex(), sp.hex()))

            # 3. Each loads the other's state; all four read alike.
            procs.append(load_into_qemu(args.qemu,
                                        os.path.join(tmp, "to-qemu.bin"),
                                        qemu_stream(saved["qemu"], sp)))
            procs.append(load_into_stubdm(args.stubdm,
                                          os.path.join(tmp, "to-stubdm.bin"),
                                          stubdm_stream(saved["stubdm"],
                                                        qp)))
            tail = after_load()
            got = [[qtest(dm, line) for line in tail] for dm in procs]
            compare("after save", tail, got[0], got[1], failures)
            compare("QEMU loading stubdm's state", tail, got[0], got[2],
                    failures)
            compare("stubdm loading QEMU's state", tail, got[0], got[3],
                    failures)

            # 4. A word read at 0x61 goes to the speaker port twice (its
            # refresh bit toggles twice), as QEMU's I/O dispatch does.
            got = [qtest(qemu, "inw 0x61"), qtest(stub, "inw 0x61")]
            compare("wide access", ["inw 0x61"], [got[0]], [got[1]],
                    failures)
            for line, why in KNOWN_DIFFERENCES.items():
                x, y = qtest(qemu, line), qtest(stub, line)
                if x == y:
                    failures.append("%s: known difference gone (%s), both "
                                    "%s; drop it from KNOWN_DIFFERENCES"
                                    % (line, why, x))
                else:
                    print("known: %s: QEMU %s, stubdm %s (%s)"
                          % (line, x, y, why))
        finally:
            for dm in procs:
                dm.close()

        # 5. Counts and OUT at exact elapsed times, one stream per three
        # counters; the pairs of fresh processes run a few at a time.
        chunks = timed_cases()
        with concurrent.futures.ThreadPoolExecutor(4) as pool:
            jobs = [pool.submit(timed_run, args, tmp, n, chunk)
                    for n, chunk in enumerate(chunks)]
            for chunk, job in zip(chunks, jobs):
                q, s = job.result()
                compare("(mode, count, clocks) %s:" % chunk, timed_reads(),
                        q, s, failures)

    print("%d qtest lines (%d reads, %d IRQ 0 changes), the 108-byte "
          "i8254 state, %d reads after cross-loading it and %d counters "
          "at exact elapsed times compared"
          % (len(lines), sum(ln.startswith("in") for ln in lines), irqs,
             len(tail), sum(len(c) for c in chunks)))
    if failures:
        for f in failures[:40]:
            print("DIFF " + f)
        sys.exit("FAIL: %d differences" % len(failures))
    print("PASS: stubdm and QEMU 7.2 agree")


if __name__ == "__main__":
    main()
