#!/usr/bin/env python3
# SPDX-License-Identifier: GPL-2.0-or-later
"""Port 0x92 (System Control Port A): stubdm against QEMU 7.2.

Both processes run paused (-S) and get the same steps over qtest and QMP:
the power-on value, every byte with bit 0 clear written and read back,
fast resets (a 0 -> 1 write of bit 0), a QMP system_reset, and the
neighbouring ports. A fast reset is asynchronous in both (QEMU's main loop,
stubdm's), so after each one the script waits for the RESET event before
reading on; it compares the replies, the events' data and the run state.
Exits non-zero on any difference or when qemu-system-x86_64 is missing.
"""
import os
import sys
import time

sys.path.insert(0, os.path.join(os.path.dirname(__file__), "..", "..",
                                "scripts"))
from dmclient import DeviceModel, interop_args  # noqa: E402

PORT92 = 0x92
EVENT_TIMEOUT = 10.0

# Groups run last, each compared as a whole. Each is a known difference
# that must still differ; once stubdm is fixed the script fails so the
# entry gets removed.
KNOWN_DIFFERENCES = {}


def sequence():
    """Steps: qtest lines, ("reset",) to wait for a RESET event,
    ("qmp", command) for a QMP command."""
    steps = ["inb 0x92", "inb 0x92"]
    # Bit 0 clear: stored and read back as written, no reset.
    for val in range(0, 256, 2):
        steps += ["outb 0x92 0x%x" % val, "inb 0x92"]
    steps += [("qmp", "query-status")]
    # A rising bit 0 resets; the reset clears bit 0 and keeps the rest.
    for val in (0x01, 0x03, 0xff, 0x81, 0x7f, 0x02, 0x01):
        steps += ["outb 0x92 0x%x" % val]
        if val & 1:
            steps += [("reset",), ("qmp", "query-status")]
        steps += ["inb 0x92"]
    # A host reset clears bit 0 only as well.
    steps += ["outb 0x92 0xfe", ("qmp", "system_reset"), ("reset",),
              "inb 0x92"]
    # One port wide: the neighbours are not port92.
    steps += ["outb 0x93 0x01", "outb 0x91 0x01", "inb 0x92", "inb 0x91",
              "inb 0x93"]
    # Wider accesses all go to port92, byte by byte, as QEMU's I/O
    # dispatch hands them to the region at the first byte.
    steps += ["outb 0x92 0xfe", "inw 0x92", "inl 0x92", "outw 0x92 0x1200",
              "inb 0x92", "inw 0x91"]
    return steps


def wait_reset(dm, seen):
    """Returns the data of the next RESET event."""
    deadline = time.monotonic() + EVENT_TIMEOUT
    while True:
        for i, ev in enumerate(dm.events[seen[0]:], seen[0]):
            if ev["event"] == "RESET":
                seen[0] = i + 1
                return ("RESET", ev.get("data"))
        if time.monotonic() > deadline:
            return ("no RESET event",)
        dm.qmp_cmd("query-status")


def run(binary, accel, steps):
    """One reply per step."""
    dm = DeviceModel(binary, ["-S"], accel)
    replies = []
    seen = [0]
    try:
        dm.connect_qmp()
        dm.connect_qtest()
        reply = dm.qmp_cmd("qmp_capabilities")
        if reply != {"return": {}}:
            raise RuntimeError("%s: qmp_capabilities: %r" % (binary, reply))
        for step in steps:
            if isinstance(step, str):
                replies.append(dm.qtest_cmd(step))
            elif step[0] == "reset":
                replies.append(wait_reset(dm, seen))
            else:
                reply = dm.qmp_cmd(step[1])
                if "return" in reply and "singlestep" in reply["return"]:
                    # query-status: only the run state is compared.
                    reply = reply["return"]["status"]
                replies.append(reply)
        # Nothing else reset the machine: no late events either.
        time.sleep(0.2)
        dm.qmp_cmd("query-status")
        replies.append(sorted(ev["event"] for ev in dm.events[seen[0]:]))
    finally:
        dm.close()
    return replies


def flatten(steps):
    return [s if isinstance(s, str) else " ".join(s) for s in steps]


def main():
    args = interop_args(__doc__)

    steps = sequence()
    groups = []
    for group in KNOWN_DIFFERENCES:
        groups.append((len(steps), len(group), group))
        steps += list(group)
    qemu = run(args.qemu, "tcg", steps)
    stub = run(args.stubdm, "qtest", steps)

    names = flatten(steps) + ["events after the last step"]
    failures = []
    known = set()
    for start, n, group in groups:
        q, s = qemu[start:start + n], stub[start:start + n]
        known.update(range(start, start + n))
        if q == s:
            failures.append("%s: known difference gone (%s), both %s; "
                            "drop it from KNOWN_DIFFERENCES"
                            % (" / ".join(group), KNOWN_DIFFERENCES[group],
                               q))
        else:
            print("known: %s: QEMU %s, stubdm %s (%s)"
                  % (" / ".join(group), q, s, KNOWN_DIFFERENCES[group]))
    for n, (name, q, s) in enumerate(zip(names, qemu, stub)):
        if n not in known and q != s:
            failures.append("%d: %s: QEMU %s, stubdm %s" % (n, name, q, s))
    if len(qemu) != len(stub):
        failures.append("reply counts differ: %d, %d"
                        % (len(qemu), len(stub)))
    resets = sum(1 for r in qemu if isinstance(r, tuple)
                 and r[0] == "RESET")
    print("%d steps (%d resets) compared" % (len(steps), resets))
    if failures:
        for f in failures[:40]:
            print("DIFF " + f)
        sys.exit("FAIL: %d of %d replies differ" % (len(failures),
                                                     len(names)))
    print("PASS: stubdm and QEMU 7.2 gave identical replies")


if __name__ == "__main__":
    main()
