#!/usr/bin/env python3
# SPDX-License-Identifier: GPL-2.0-or-later
"""Live migrations between QEMU 7.2 and stubdm: the source runs.

stubdm (-m 128, started with -S, a 24 MiB pattern written, then "cont")
migrates with "exec:cat > FILE" under a 32 MiB/s max-bandwidth, so the
RAM passes take about a second; meanwhile qtest keeps writing (behind
and ahead of the pass, and the same spots again). query-migrate must
show "active" with QEMU 7.2's "ram" figures, then "completed" with more
than one dirty sync, and the source ends in "postmigrate". QEMU 7.2
-incoming "exec:cat FILE" must then hold the source's final bytes, byte
for byte: every spot written, a page every 256 KiB of the first 32 MiB
and the top page (qtest reads are too slow for all of RAM; the last
write may land after the source stopped, so its bytes are not judged).
Then the other way:
QEMU 7.2, running after "cont" (its firmware executes), migrates live
with the same writes going on, and stubdm -incoming (unemulated=skip)
must hold what QEMU held when it stopped. Exits non-zero on any
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
RAM_MIB = 128
TIMEOUT = 60.0
PATTERN_TOP = 25 << 20        # pattern from 1 MiB to here
# Compared: every spot written, a page every 256 KiB up to 32 MiB, the
# top of RAM (qtest reads are slow: all of it would take minutes).
SAMPLE_STEP = 256 << 10
SAMPLE_TOP = 32 << 20
BANDWIDTH = 32 << 20
# QEMU 7.2's MigrationStats members (qapi/migration.json).
RAM_KEYS = {"transferred", "remaining", "total", "duplicate", "skipped",
            "normal", "normal-bytes", "dirty-pages-rate", "mbps",
            "dirty-sync-count", "postcopy-requests", "page-size",
            "multifd-bytes", "pages-per-second", "precopy-bytes",
            "downtime-bytes", "postcopy-bytes",
            "dirty-sync-missed-zero-copy"}


def qtest_ok(dm, line):
    reply = dm.qtest_cmd(line)
    if not reply.startswith("OK"):
        raise RuntimeError("%s: %r -> %r" % (dm.argv[0], line, reply))
    return reply


def read(dm, addr, n):
    out = bytearray()
    while n:
        k = min(n, 1 << 20)
        reply = qtest_ok(dm, "b64read 0x%x 0x%x" % (addr, k))
        out += base64.b64decode(reply.split()[1])
        addr += k
        n -= k
    return bytes(out)


def start(binary, accel, machine, extra):
    dm = DeviceModel(binary, ["-m", str(RAM_MIB), "-S"] + extra, accel,
                     machine=machine)
    dm.connect_qmp()
    dm.connect_qtest()
    if dm.qmp_cmd("qmp_capabilities") != {"return": {}}:
        raise RuntimeError("%s: qmp_capabilities failed" % binary)
    return dm


def fill(dm):
    """Non-zero data the RAM passes must carry: 1 MiB chunks."""
    for addr in range(1 << 20, PATTERN_TOP, 1 << 20):
        qtest_ok(dm, "memset 0x%x 0x100000 0x%02x" % (addr,
                                                       0x20 + (addr >> 20)))


def cont(dm):
    if dm.qmp_cmd("cont") != {"return": {}}:
        raise RuntimeError("%s: cont failed" % dm.argv[0])
    st = dm.qmp_cmd("query-status")["return"]
    if st["status"] != "running":
        raise RuntimeError("%s: not running after cont: %r" % (dm.argv[0],
                                                                st))


def migrate_live(dm, path, rnd):
    """Migrates while writing; returns (active snapshots, final info,
    the writes made while it was active, as (addr, len))."""
    reply = dm.qmp_cmd("migrate-set-parameters",
                       **{"max-bandwidth": BANDWIDTH})
    if reply != {"return": {}}:
        raise RuntimeError("%s: max-bandwidth: %r" % (dm.argv[0], reply))
    reply = dm.qmp_cmd("migrate", uri="exec:cat > %s" % path)
    if reply != {"return": {}}:
        raise RuntimeError("%s: migrate: %r" % (dm.argv[0], reply))
    deadline = time.monotonic() + TIMEOUT
    active, writes = [], []
    while True:
        st = dm.qmp_cmd("query-migrate")["return"]
        status = st.get("status")
        if status == "completed":
            return active, st, writes
        if status not in ("setup", "active") or \
                time.monotonic() > deadline:
            raise RuntimeError("%s: migrate: %r" % (dm.argv[0], st))
        if status == "active":
            active.append(st)
            # Some spots again and again, some anywhere in the pattern.
            addr = rnd.choice((0x100000, 0x7ff000, 0x1000000,
                               rnd.randrange(0x100000, PATTERN_TOP - 64)))
            data = bytes(rnd.randrange(256) for _ in range(64))
            reply = dm.qtest_cmd("b64write 0x%x 0x40 %s" % (
                addr, base64.b64encode(data).decode()))
            if reply.startswith("OK"):
                writes.append((addr, len(data)))
        time.sleep(0.01)


def check_info(what, active, done, writes):
    bad = 0
    if not active or len(writes) < 10:
        print("FAIL %s: migrate was active for %d polls, %d writes" % (
            what, len(active), len(writes)))
        return 1
    first = active[len(active) // 2]
    if "ram" in first and not RAM_KEYS <= set(first["ram"]):
        print("FAIL %s: active ram lacks %s" % (
            what, sorted(RAM_KEYS - set(first["ram"]))))
        bad += 1
    if not any(a.get("ram", {}).get("remaining", 0) > 0 for a in active):
        print("FAIL %s: nothing ever remaining while active" % what)
        bad += 1
    ram = done.get("ram", {})
    if not (RAM_KEYS - {"dirty-pages-rate"}) <= set(ram):
        print("FAIL %s: completed ram lacks %s" % (
            what, sorted(RAM_KEYS - {"dirty-pages-rate"} - set(ram))))
        bad += 1
    if ram.get("remaining") != 0 or ram.get("dirty-sync-count", 0) < 2 \
            or "downtime" not in done:
        print("FAIL %s: completed info: %r" % (what, done))
        bad += 1
    return bad


def compare(what, src, dst, writes):
    """The source's final bytes against the destination's. The last write
    may have landed after the source stopped (it was sent on the last
    "active" reply), so its range is left out."""
    last = writes[-1] if writes else (0, 0)
    spots = set(writes[:-1]) - {last}
    spots |= {(a + (a >> 18) * 0x1000 % SAMPLE_STEP & ~0xfff, 0x1000)
              for a in range(0, SAMPLE_TOP, SAMPLE_STEP)}
    spots |= {((RAM_MIB << 20) - 0x1000, 0x1000)}
    bad = 0
    for addr, n in sorted(spots):
        a, b = bytearray(read(src, addr, n)), bytearray(read(dst, addr, n))
        lo, hi = max(addr, last[0]), min(addr + n, last[0] + last[1])
        if lo < hi:
            a[lo - addr:hi - addr] = b[lo - addr:hi - addr]
        if a != b:
            diff = next(i for i in range(n) if a[i] != b[i])
            print("FAIL %s: RAM differs at 0x%x" % (what, addr + diff))
            bad += 1
    return bad


def one_way(args, tmp, qemu_first):
    path = os.path.join(tmp, "live.bin")
    what = "live QEMU -> stubdm" if qemu_first else "live stubdm -> QEMU"
    rnd = random.Random(3 if qemu_first else 4)
    stub_machine = MACHINE + ",unemulated=skip"
    if qemu_first:
        src = start(args.qemu, "tcg", MACHINE, [])
    else:
        src = start(args.stubdm, "qtest", stub_machine, [])
    dst = None
    try:
        fill(src)
        cont(src)
        active, done, writes = migrate_live(src, path, rnd)
        bad = 0 if qemu_first else check_info(what, active, done, writes)
        st = src.qmp_cmd("query-status")["return"]["status"]
        if st != "postmigrate":
            print("FAIL %s: source run state after migrate: %s" % (what, st))
            bad += 1
        if qemu_first:
            dst = start(args.stubdm, "qtest", stub_machine,
                        ["-incoming", "file:" + path])
        else:
            dst = start(args.qemu, "tcg", MACHINE,
                        ["-incoming", "exec:cat " + path])
        deadline = time.monotonic() + TIMEOUT
        while dst.qmp_cmd("query-status")["return"]["status"] == \
                "inmigrate":
            if time.monotonic() > deadline:
                raise RuntimeError("%s: still inmigrate" % what)
            time.sleep(0.05)
        bad += compare(what, src, dst, writes)
        print("%s: %d writes while active, %d dirty syncs, %d bytes of "
              "stream, %s" % (what, len(writes),
                              done["ram"]["dirty-sync-count"],
                              os.path.getsize(path),
                              "FAIL" if bad else "ok"))
        return bad
    finally:
        src.close()
        if dst:
            dst.close()


def main():
    args = interop_args(__doc__)
    with tempfile.TemporaryDirectory(prefix="stubdm-migrate-live-") as tmp:
        bad = one_way(args, tmp, False) + one_way(args, tmp, True)
    sys.exit(1 if bad else 0)


if __name__ == "__main__":
    main()
