#!/usr/bin/env python3
# SPDX-License-Identifier: GPL-2.0-or-later
"""stubdm's own format history: streams it wrote at earlier points.

Each *.json here describes one stream in this directory: the stubdm that
wrote it, the machine type and arguments, how it was saved (a full migrate
with RAM, or xen-save-devices-state as libxl asks for it) and the replies
its registers gave over qtest right after the save. "check" loads every
stream into the stubdm under test and requires the same replies; it is
run by meson test, so every new build still reads every old stream.
"record" writes a new stream and its description with the stubdm given:
do that when the format changes (a field, a subsection, a version), and
keep the old files.

  streams.py check --stubdm build/dm/stubdm
  streams.py record --stubdm build/dm/stubdm --machine pc-i440fx-7.2 \\
      [--device-state] [--name NAME]
"""
import argparse
import json
import os
import subprocess
import sys
import time

HERE = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, os.path.join(HERE, "..", "..", "scripts"))
from dmclient import DeviceModel  # noqa: E402

PMBA = 0xb000
SMBBA = 0xb100


def cfg(devfn, reg, val, size):
    """Config write through 0xcf8/0xcfc, as a guest does it."""
    port = 0xcfc + (reg & 3)
    return ["outl 0xcf8 0x%x" % (0x80000000 | devfn << 8 | (reg & 0xfc)),
            "out%s 0x%x 0x%x" % ({1: "b", 2: "w", 4: "l"}[size], port, val)]


def program_lines():
    """Guest-visible state in every emulated device, type-agnostic."""
    lines = []
    lines += cfg(0x00, 0x59, 0x30, 1) + cfg(0x00, 0x5a, 0x33, 1)  # PAM
    lines += cfg(0x00, 0x72, 0x02, 1)                             # SMRAM
    lines += cfg(0x08, 0x60, 0x0b, 1) + cfg(0x08, 0x63, 0x05, 1)  # PIRQ
    lines += cfg(0x0b, 0x40, PMBA | 1, 4) + cfg(0x0b, 0x80, 1, 1)
    lines += cfg(0x0b, 0x90, SMBBA | 1, 4) + cfg(0x0b, 0xd2, 9, 1)
    for port, val in ((0x43, 0x34), (0x40, 0x9c), (0x40, 0x2e),
                      (0x43, 0xb6), (0x42, 0x33), (0x42, 0x12),
                      (0x43, 0x70), (0x41, 0x05), (0x43, 0x00),
                      (0x61, 0x01), (0x70, 0x10), (0x71, 0x42),
                      (0x70, 0x2e), (0x71, 0x99), (0x70, 0x0b),
                      (0x71, 0x02), (0x92, 0x02), (0xb3, 0x55),
                      (0xafe2, 0x0f), (SMBBA + 3, 0x5a)):
        lines.append("outb 0x%x 0x%x" % (port, val))
    lines.append("outw 0x%x 0x121" % (PMBA + 2))                 # PM1_EN
    lines.append("outw 0x%x 0x1" % (PMBA + 4))                   # PM1_CNT
    return lines


def read_lines():
    """What is compared: config space, CMOS (not the clock), PIT status,
    PM, APM, GPE, port 92, the flash-free memory below 1 MiB."""
    lines = []
    for devfn in (0x00, 0x08, 0x0b, 0x10):
        for reg in range(0, 256, 4):
            lines.append("outl 0xcf8 0x%x" % (0x80000000 | devfn << 8 | reg))
            lines.append("inl 0xcfc")
    for reg in (0x0a, 0x0b, 0x0d, 0x10, 0x2e, 0x32):
        lines += ["outb 0x70 0x%x" % reg, "inb 0x71"]
    for ch in range(3):
        lines += ["outb 0x43 0x%x" % (0xe0 | 2 << ch), "inb 0x%x" % (0x40 + ch)]
    for port in (0x40, 0x40, 0x61, 0x92, 0xb2, 0xb3, PMBA, PMBA + 2,
                 PMBA + 4, 0xafe0, 0xafe2):
        lines.append("inb 0x%x" % port)
    lines.append("read 0xffff0 0x10")
    return lines


def start(stubdm, machine, extra):
    dm = DeviceModel(stubdm, extra, "qtest", machine)
    dm.connect_qtest()
    dm.connect_qmp()
    if "return" not in dm.qmp_cmd("qmp_capabilities"):
        raise RuntimeError("qmp_capabilities refused")
    return dm


def wait_migrated(dm):
    for _ in range(2000):
        st = dm.qmp_cmd("query-migrate")["return"].get("status")
        if st == "completed":
            return
        if st == "failed":
            raise RuntimeError("migrate failed")
        time.sleep(0.005)
    raise RuntimeError("migrate did not complete")


def record(args):
    name = args.name or "stubdm-%s-%s%s" % (
        args.version, args.machine, "-devstate" if args.device_state else "")
    path = os.path.join(HERE, name + ".bin")
    extra = ["-m", "2", "-S"]
    dm = start(args.stubdm, args.machine, extra)
    try:
        for line in program_lines():
            if not dm.qtest_cmd(line).startswith("OK"):
                raise RuntimeError("%s refused" % line)
        if args.device_state:
            r = dm.qmp_cmd("xen-save-devices-state", filename=path,
                           live=False)
        else:
            r = dm.qmp_cmd("migrate", uri="file:" + path)
        if "return" not in r:
            raise RuntimeError("save: %r" % r)
        if not args.device_state:
            wait_migrated(dm)
        reads = [[line, dm.qtest_cmd(line)] for line in read_lines()]
    finally:
        dm.close()
    commit = subprocess.run(["git", "-C", HERE, "rev-parse", "--short",
                             "HEAD"], capture_output=True,
                            text=True).stdout.strip()
    desc = {
        "stream": name + ".bin",
        "written_by": "stubdm %s (commit %s)" % (args.version, commit),
        "machine": args.machine,
        "args": extra,
        "saved_by": "xen-save-devices-state" if args.device_state
                    else "migrate",
        "reads": reads,
    }
    with open(os.path.join(HERE, name + ".json"), "w") as f:
        json.dump(desc, f, indent=1)
        f.write("\n")
    print("wrote %s.bin and %s.json" % (name, name))


def check_one(stubdm, desc):
    path = os.path.join(HERE, desc["stream"])
    if desc["saved_by"] == "migrate":
        dm = start(stubdm, desc["machine"],
                   desc["args"] + ["-incoming", "file:" + path])
    else:
        dm = start(stubdm, desc["machine"], desc["args"])
    try:
        if desc["saved_by"] != "migrate":
            r = dm.qmp_cmd("xen-load-devices-state", filename=path)
            if "return" not in r:
                return ["xen-load-devices-state: %r" % r]
        else:
            for _ in range(2000):
                st = dm.qmp_cmd("query-status")["return"]["status"]
                if st != "inmigrate":
                    break
                time.sleep(0.005)
            if st != "paused":
                return ["after -incoming the run state is %s" % st]
        bad = []
        for line, want in desc["reads"]:
            got = dm.qtest_cmd(line)
            if got != want:
                bad.append("%s: %r, the stream's source said %r"
                           % (line, got, want))
        return bad
    finally:
        dm.close()


def check(args):
    descs = sorted(f for f in os.listdir(HERE) if f.endswith(".json"))
    if not descs:
        sys.exit("FAIL: no recorded streams in %s" % HERE)
    failed = 0
    for name in descs:
        with open(os.path.join(HERE, name)) as f:
            desc = json.load(f)
        bad = check_one(args.stubdm, desc)
        print("%s %s (%s, %s, %d reads)" % (
            "FAIL" if bad else "ok", desc["stream"], desc["written_by"],
            desc["machine"], len(desc["reads"])))
        for b in bad[:10]:
            print("  " + b)
        failed += bool(bad)
    if failed:
        sys.exit("FAIL: %d of %d recorded streams" % (failed, len(descs)))


def main():
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("mode", choices=("check", "record"))
    ap.add_argument("--stubdm", default="build/dm/stubdm")
    ap.add_argument("--machine", default="pc-i440fx-7.2")
    ap.add_argument("--device-state", action="store_true")
    ap.add_argument("--name")
    ap.add_argument("--version", default="0.1.0")
    args = ap.parse_args()
    (record if args.mode == "record" else check)(args)


if __name__ == "__main__":
    main()
