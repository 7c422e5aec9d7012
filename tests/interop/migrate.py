#!/usr/bin/env python3
# SPDX-License-Identifier: GPL-2.0-or-later
"""Full migrations between QEMU 7.2 and stubdm, both ways (RAM section).

QEMU 7.2 (-m 128, -S) gets bytes written through qtest at scattered
guest-physical addresses, below 1 MiB, across page boundaries, at the top
of RAM; it migrates to a file, stubdm (same machine type, -m 128,
unemulated=skip) loads it with -incoming file:PATH and must read back the
same bytes, and the same firmware bytes (pc.bios at 4 GiB and its isa-bios
alias below 1 MiB). Then the other way: stubdm writes its own pattern,
migrates with "exec:cat > FILE" and QEMU loads it with -incoming
"exec:cat FILE". The same both ways with the "compress" capability on
(RAM_SAVE_FLAG_COMPRESS_PAGE records, zlib; QEMU with one compress
thread, its destination told with -incoming defer). Exits non-zero on any
difference or when QEMU is missing.
"""
import base64
import os
import random
import sys
import tempfile
import time

sys.path.insert(0, os.path.join(os.path.dirname(__file__), "..", "..",
                                "scripts"))
from dmclient import DeviceModel, interop_args  # noqa: E402

MACHINE = "pc-i440fx-7.2"
RAM = "128"
TIMEOUT = 60.0
# Firmware views: reset vector page, the isa-bios alias, pc.rom.
# With a 128 KiB image 0xfffc0000 is unassigned, 0xfffe0000 its start.
FIRMWARE = [(0xfffff000, 0x1000), (0xfffe0000, 0x100), (0xfffc0000, 0x100),
            (0xffff0, 0x10), (0xe0000, 0x100), (0xc0000, 0x40)]
SMALL_BIOS = "/usr/share/seabios/bios.bin"


def pattern(seed):
    """(address, bytes) pairs: scattered, crossing pages, at RAM's ends."""
    rnd = random.Random(seed)
    top = int(RAM) << 20
    spots = [0x0, 0x7ff, 0x1ffd, 0x9fff0, 0x100000, 0x3fffff8,
             top - 0x1000, top - 7]
    spots += [rnd.randrange(0x100000, top - 0x2000) for _ in range(40)]
    out = []
    for i, a in enumerate(spots):
        n = min(rnd.choice((1, 7, 64, 4096, 5000)), top - a)
        out.append((a, bytes(rnd.randrange(256) for _ in range(n))))
    return out


def qtest_ok(dm, line):
    reply = dm.qtest_cmd(line)
    if not reply.startswith("OK"):
        raise RuntimeError("%s: %r -> %r" % (dm.argv[0], line, reply))
    return reply


def write_pattern(dm, pat):
    for addr, data in pat:
        qtest_ok(dm, "b64write 0x%x 0x%x %s" % (
            addr, len(data), base64.b64encode(data).decode()))


def read(dm, addr, n):
    reply = qtest_ok(dm, "b64read 0x%x 0x%x" % (addr, n))
    return base64.b64decode(reply.split()[1])


def start(binary, accel, machine, extra):
    dm = DeviceModel(binary, ["-m", RAM, "-S"] + extra, accel,
                     machine=machine)
    dm.connect_qmp()
    dm.connect_qtest()
    if dm.qmp_cmd("qmp_capabilities") != {"return": {}}:
        raise RuntimeError("%s: qmp_capabilities failed" % binary)
    return dm


def set_compress(dm):
    """The "compress" capability; QEMU also gets one compress thread."""
    caps = [{"capability": "compress", "state": True}]
    reply = dm.qmp_cmd("migrate-set-capabilities", capabilities=caps)
    if reply != {"return": {}}:
        raise RuntimeError("%s: compress: %r" % (dm.argv[0], reply))
    if "qemu" in os.path.basename(dm.argv[0]):
        for params in ({"compress-threads": 1},
                       {"decompress-threads": 1}):
            reply = dm.qmp_cmd("migrate-set-parameters", **params)
            if reply != {"return": {}}:
                raise RuntimeError("migrate-set-parameters %r: %r" % (
                    params, reply))


def migrate(dm, path, by_fd):
    """exec: as libvirt does; by_fd: getfd + fd:NAME, with the events
    capability on and the MIGRATION events checked. Returns the final
    query-migrate."""
    if by_fd:
        caps = [{"capability": "events", "state": True}]
        if dm.qmp_cmd("migrate-set-capabilities",
                      capabilities=caps) != {"return": {}}:
            raise RuntimeError("migrate-set-capabilities failed")
        fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
        try:
            reply = dm.qmp_cmd_with_fd(fd, "getfd", fdname="mig")
        finally:
            os.close(fd)
        if reply != {"return": {}}:
            raise RuntimeError("getfd: %r" % reply)
        reply = dm.qmp_cmd("migrate", uri="fd:mig")
    else:
        reply = dm.qmp_cmd("migrate", uri="exec:cat > %s" % path)
    if "return" not in reply:
        raise RuntimeError("%s: migrate: %r" % (dm.argv[0], reply))
    deadline = time.monotonic() + TIMEOUT
    while True:
        st = dm.qmp_cmd("query-migrate")["return"]
        if st.get("status") == "completed":
            seen = [e["data"]["status"] for e in dm.events
                    if e["event"] == "MIGRATION"]
            if by_fd and seen != ["setup", "active", "completed"]:
                raise RuntimeError("MIGRATION events: %r" % seen)
            return st
        if st.get("status") == "failed" or time.monotonic() > deadline:
            raise RuntimeError("%s: migrate: %r" % (dm.argv[0], st))
        time.sleep(0.05)


def wait_loaded(dm):
    deadline = time.monotonic() + TIMEOUT
    while True:
        st = dm.qmp_cmd("query-status")["return"]["status"]
        if st != "inmigrate":
            return st
        if time.monotonic() > deadline:
            raise RuntimeError("%s: still inmigrate" % dm.argv[0])
        time.sleep(0.05)


def compare(what, src, dst, pat):
    """Against the source's bytes read back after its migrate, since some
    writes overlap (the last one wins in both)."""
    bad = 0
    for addr, data in pat:
        want = read(src, addr, len(data))
        got = read(dst, addr, len(data))
        if got != want:
            bad += 1
            print("FAIL %s: 0x%x (%d bytes) differs" % (what, addr,
                                                        len(data)))
    for addr, n in FIRMWARE:
        a, b = read(src, addr, n), read(dst, addr, n)
        if a != b:
            bad += 1
            print("FAIL %s: firmware at 0x%x differs" % (what, addr))
    return bad


def one_way(args, tmp, qemu_first, qemu_extra=(), compress=False):
    """qemu_extra: QEMU's own options (-bios bios.bin: a 128 KiB pc.bios
    that stubdm, started with bios-256k.bin, must take with its aliases).
    compress: both sides get the "compress" capability."""
    path = os.path.join(tmp, "qemu.bin" if qemu_first else "stubdm.bin")
    what = "QEMU -> stubdm" if qemu_first else "stubdm -> QEMU"
    if compress:
        what += " (compress)"
    pat = pattern(1 if qemu_first else 2)
    stub_machine = MACHINE + ",unemulated=skip"
    if qemu_first:
        src = start(args.qemu, "tcg", MACHINE, list(qemu_extra))
    else:
        src = start(args.stubdm, "qtest", stub_machine, [])
    dst = None
    try:
        if compress:
            set_compress(src)
        write_pattern(src, pat)
        kept = sum(read(src, a, len(d)) == d for a, d in pat)
        if kept < len(pat) * 3 // 4:
            print("FAIL the source kept only %d of %d writes" % (kept,
                                                                len(pat)))
            return 1
        done = migrate(src, path, not qemu_first and not compress)
        if compress and qemu_first and \
                done.get("compression", {}).get("pages", 0) == 0:
            print("FAIL %s: QEMU sent no compressed page: %r" % (what, done))
            return 1
        st = src.qmp_cmd("query-status")["return"]["status"]
        if st != "postmigrate":
            print("FAIL source run state after migrate: %s" % st)
            return 1
        if qemu_first:
            dst = start(args.stubdm, "qtest", stub_machine,
                        ["-incoming", "file:" + path])
        elif compress:
            dst = start(args.qemu, "tcg", MACHINE, ["-incoming", "defer"])
            set_compress(dst)
            reply = dst.qmp_cmd("migrate-incoming", uri="exec:cat " + path)
            if reply != {"return": {}}:
                raise RuntimeError("migrate-incoming: %r" % reply)
        else:
            dst = start(args.qemu, "tcg", MACHINE,
                        ["-incoming", "exec:cat " + path])
        wait_loaded(dst)
        bad = compare(what, src, dst, pat)
        print("%s%s: %d ranges, %d bytes of stream, %s" % (
            what,
            " (QEMU %s)" % " ".join(qemu_extra) if qemu_extra else "",
            len(pat),
            os.path.getsize(path), "FAIL" if bad else "ok"))
        return bad
    finally:
        src.close()
        if dst:
            dst.close()


def main():
    args = interop_args(__doc__)
    with tempfile.TemporaryDirectory(prefix="stubdm-migrate-") as tmp:
        bad = one_way(args, tmp, True) + one_way(args, tmp, False)
        bad += one_way(args, tmp, True, ["-bios", SMALL_BIOS])
        bad += one_way(args, tmp, True, compress=True)
        bad += one_way(args, tmp, False, compress=True)
    sys.exit(1 if bad else 0)


if __name__ == "__main__":
    main()
