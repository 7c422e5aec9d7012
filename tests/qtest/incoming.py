#!/usr/bin/env python3
# SPDX-License-Identifier: GPL-2.0-or-later
"""Incoming migration sources and the report of skipped sections.

A stubdm programs PIRQ routes and CMOS, saves with migrate to a file;
stubdms then load it through -incoming exec:cat FILE, through -incoming
defer and migrate-incoming (exec: and a getfd descriptor), and check the
registers and the run state: the source's, from its globalstate section,
as QEMU 7.2 applies it (prelaunch from a source never started, paused
from a stopped one). migrate-incoming twice is
refused. Loading QEMU 7.2's device-state sample with unemulated=skip
sends UNEMULATED_SKIPPED naming what was skipped.
"""
import json
import os
import sys
import tempfile

HERE = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, os.path.join(HERE, "..", "..", "scripts"))
from dmclient import DeviceModel  # noqa: E402

SAMPLE = os.path.join(HERE, "..", "..", "..", "shared", "samples",
                      "devstate-i440fx-7.2.bin")
PROGRAM = ["outl 0xcf8 0x80000860", "outl 0xcfc 0x0b0a0b0a",
           "outb 0x70 0x0e", "outb 0x71 0x5a"]
READS = ["outl 0xcf8 0x80000860", "inl 0xcfc", "outb 0x70 0x0e",
         "inb 0x71"]


def fail(msg):
    sys.exit("FAIL: " + msg)


def start(stubdm, extra, **kw):
    dm = DeviceModel(stubdm, ["-S", "-m", "32"] + extra, "qtest", **kw)
    dm.connect_qmp()
    dm.connect_qtest()
    dm.qmp_cmd("qmp_capabilities")
    return dm


def check_loaded(dm, want, how, want_status="paused"):
    status = dm.qmp_cmd("query-status")["return"]["status"]
    if status != want_status:
        fail("%s: status %s, not %s" % (how, status, want_status))
    got = [dm.qtest_cmd(line) for line in READS]
    if got != want:
        fail("%s: registers %s, expected %s" % (how, got, want))


def check_vmdesc(path):
    """The JSON description after EOF names every device with its fields,
    and each piix4_pm field size matches what its table writes."""
    with open(path, "rb") as f:
        data = f.read()
    at = data.rfind(b"\x06", 0, len(data) - 4)
    while at > 0:
        length = int.from_bytes(data[at + 1:at + 5], "big")
        if at + 5 + length == len(data) and data[at - 1] == 0:
            break
        at = data.rfind(b"\x06", 0, at)
    if at <= 0:
        fail("no JSON description after EOF")
    desc = json.loads(data[at + 5:])
    names = [d["name"] for d in desc["devices"]]
    for want in ("timer", "0000:00:00.0/I440FX", "0000:00:01.0/PIIX3",
                 "mc146818rtc", "i8254", "port92", "0000:00:01.3/piix4_pm"):
        if want not in names:
            fail("JSON description lacks %s: %s" % (want, names))
    pm = desc["devices"][names.index("0000:00:01.3/piix4_pm")]
    size = sum(f["size"] * f.get("array_len", 1) for f in pm["fields"])
    size += sum(6 + len(sub["vmsd_name"]) +
                sum(f["size"] * f.get("array_len", 1) for f in sub["fields"])
                for sub in pm.get("subsections", []))
    if size != 2432:
        fail("piix4_pm described as %d bytes, writes 2432" % size)


def main():
    args = sys.argv[1:]
    stubdm = args[args.index("--stubdm") + 1]
    with tempfile.TemporaryDirectory(prefix="incoming-") as d:
        path = os.path.join(d, "state.bin")
        fresh = os.path.join(d, "fresh.bin")
        for out, ran in ((fresh, False), (path, True)):
            src = start(stubdm, [])
            try:
                for line in PROGRAM:
                    src.qtest_cmd(line)
                want = [src.qtest_cmd(line) for line in READS]
                if ran:
                    src.qmp_cmd("cont")
                    src.qmp_cmd("stop")
                reply = src.qmp_cmd("migrate", uri="file:" + out)
                if reply != {"return": {}}:
                    fail("migrate: %r" % reply)
            finally:
                src.close()
        check_vmdesc(path)

        dm = start(stubdm, ["-incoming", "exec:cat " + fresh])
        try:
            check_loaded(dm, want, "-incoming from a fresh source",
                         "prelaunch")
        finally:
            dm.close()
        dm = start(stubdm, ["-incoming", "exec:cat " + path])
        try:
            check_loaded(dm, want, "-incoming exec:")
        finally:
            dm.close()

        dm = start(stubdm, ["-incoming", "defer"])
        try:
            if dm.qmp_cmd("query-status")["return"]["status"] != "inmigrate":
                fail("-incoming defer is not inmigrate")
            reply = dm.qmp_cmd("migrate-incoming", uri="exec:cat " + path)
            if reply != {"return": {}}:
                fail("migrate-incoming exec: %r" % reply)
            check_loaded(dm, want, "migrate-incoming exec:")
            again = dm.qmp_cmd("migrate-incoming", uri="exec:cat " + path)
            if "error" not in again:
                fail("a second migrate-incoming was accepted")
        finally:
            dm.close()

        dm = start(stubdm, ["-incoming", "defer"])
        try:
            fd = os.open(path, os.O_RDONLY)
            dm.qmp_cmd_with_fd(fd, "getfd", fdname="in")
            os.close(fd)
            reply = dm.qmp_cmd("migrate-incoming", uri="fd:in")
            if reply != {"return": {}}:
                fail("migrate-incoming fd: %r" % reply)
            check_loaded(dm, want, "migrate-incoming fd:")
        finally:
            dm.close()

    if not os.path.exists(SAMPLE):
        fail("the reference stream %s is missing" % SAMPLE)
    dm = DeviceModel(stubdm, ["-S", "-m", "32"], "qtest",
                     machine="pc-i440fx-7.2,unemulated=skip")
    try:
        dm.connect_qmp()
        dm.connect_qtest()
        dm.qmp_cmd("qmp_capabilities")
        reply = dm.qmp_cmd("xen-load-devices-state", filename=SAMPLE)
        if reply != {"return": {}}:
            fail("loading the QEMU sample: %r" % reply)
        dm.qmp_cmd("query-status")
        ev = [e for e in dm.events if e["event"] == "UNEMULATED_SKIPPED"]
        if not ev or "cpu_common" not in ev[0]["data"]["sections"]:
            fail("no UNEMULATED_SKIPPED naming cpu_common: %r" % dm.events)
    finally:
        dm.close()
    print("PASS")


if __name__ == "__main__":
    main()
