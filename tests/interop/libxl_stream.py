#!/usr/bin/env python3
# SPDX-License-Identifier: GPL-2.0-or-later
"""stubdm's state inside an xl save image, checked by Xen's own validator.

stubdm runs under qtest; a device is programmed, then libxl's save steps
run over QMP (stop, add-fd with the fd sent by SCM_RIGHTS,
xen-save-devices-state to /dev/fdset/N). stubdm-stream wraps the state
into an xl image, Debian's verify-stream-v2 (xen-utils-4.17) must accept
it, stubdm-stream extracts the state again (byte-identical), checks it
against a fresh machine and shows it. Fails when the validator is missing.
"""
import argparse
import json
import os
import subprocess
import sys
import tempfile

sys.path.insert(0, os.path.join(os.path.dirname(__file__), "..", "..",
                                "scripts"))
from dmclient import DeviceModel  # noqa: E402

XEN_PY = "/usr/lib/xen-4.17/lib/python"
VERIFY = "/usr/lib/xen-4.17/bin/verify-stream-v2"


def verify(path, fmt):
    env = dict(os.environ, PYTHONPATH=XEN_PY)
    r = subprocess.run([sys.executable, VERIFY, "-f", fmt, "-v", "-i", path],
                       env=env, capture_output=True, text=True)
    return r.returncode, r.stdout + r.stderr


def save_state(stubdm, path):
    dm = DeviceModel(stubdm, ["-S", "-m", "16"], "qtest")
    try:
        dm.connect_qtest()
        dm.connect_qmp()
        assert "return" in dm.qmp_cmd("qmp_capabilities")
        # Something to find again: port 92's A20 bit and an RTC byte.
        assert dm.qtest_cmd("outb 0x92 0x02") == "OK"
        assert dm.qtest_cmd("outb 0x70 0x0e") == "OK"
        assert dm.qtest_cmd("outb 0x71 0x5a") == "OK"
        assert "return" in dm.qmp_cmd("stop")
        fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o644)
        try:
            r = dm.qmp_cmd_with_fd(fd, "add-fd")
        finally:
            os.close(fd)
        fdset = r["return"]["fdset-id"]
        r = dm.qmp_cmd("xen-save-devices-state",
                       filename="/dev/fdset/%d" % fdset, live=False)
        assert r == {"return": {}}, r
    finally:
        dm.close()


def main():
    ap = argparse.ArgumentParser(description=__doc__)
    ap.add_argument("--stubdm", required=True)
    ap.add_argument("--tool", required=True)
    args = ap.parse_args()
    if not os.path.exists(VERIFY):
        sys.exit("FAIL: this test needs %s (Debian package xen-utils-4.17)"
                 % VERIFY)
    with tempfile.TemporaryDirectory(prefix="libxl-stream-") as d:
        state = os.path.join(d, "state")
        image = os.path.join(d, "image.xl")
        back = os.path.join(d, "back")
        save_state(args.stubdm, state)
        with open(state, "rb") as f:
            blob = f.read()
        assert blob[:4] == b"QEVM", blob[:8]
        subprocess.run([args.tool, "wrap", state, "-o", image], check=True)
        rc, out = verify(image, "xl")
        print(out)
        if rc != 0 or "Emulator context" not in out or \
                "Qemu Upstream" not in out:
            sys.exit("FAIL: verify-stream-v2 refused the image (%d)" % rc)
        # The validator must really look: a bad padding byte is refused.
        with open(image, "rb") as f:
            img = bytearray(f.read())
        if len(blob) % 8:
            # The state starts at 0x94 without a config (spec §4.4).
            img[0x94 + len(blob)] = 1
            bad = os.path.join(d, "bad.xl")
            with open(bad, "wb") as f:
                f.write(img)
            if verify(bad, "xl")[0] == 0:
                sys.exit("FAIL: verify-stream-v2 accepted non-zero padding")
        subprocess.run([args.tool, "extract", image, "-o", back],
                       check=True)
        with open(back, "rb") as f:
            if f.read() != blob:
                sys.exit("FAIL: extracted state differs from the saved one")
        subprocess.run([args.tool, "check", image], check=True)
        r = subprocess.run([args.tool, "show", "--json", image],
                           check=True, capture_output=True, text=True)
        doc = json.loads(r.stdout)
        sections = {rec.get("idstr"): rec for rec in
                    doc["state"]["records"] if rec["record"] == "section"}
        for want in ("timer", "port92", "mc146818rtc"):
            if want not in sections:
                sys.exit("FAIL: show lists no section %r: %s"
                         % (want, sorted(k for k in sections if k)))
        if sections["port92"]["fields"].get("outport") != 2:
            sys.exit("FAIL: port92 outport shown as %r" %
                     sections["port92"]["fields"])
        print("PASS: %d-byte state, %d-byte xl image accepted by "
              "verify-stream-v2, extracted unchanged" % (len(blob),
                                                         len(img)))


if __name__ == "__main__":
    main()
