#!/usr/bin/env python3
# SPDX-License-Identifier: GPL-2.0-or-later
"""The xenstore double against Debian's libxenstore tools (xenstore-utils).

Starts tests/interop/xenstored.py on a socket and drives it with the real
xenstore-write, -read, -ls, -list, -exists, -rm and -watch through
XENSTORED_PATH: values, relative paths under /local/domain/0, subtree
removal, and watch delivery (the first event, a write below the watch,
a removal of the subtree holding it). Fails when a tool is missing.
"""
import os
import shutil
import subprocess
import sys
import tempfile
import time

HERE = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, HERE)
import xenstored  # noqa: E402
TOOLS = ("xenstore-write", "xenstore-read", "xenstore-ls", "xenstore-list",
         "xenstore-exists", "xenstore-rm", "xenstore-watch")


def main():
    for t in TOOLS:
        if not shutil.which(t):
            sys.exit("FAIL: this test needs %s (Debian package "
                     "xenstore-utils)" % t)
    with tempfile.TemporaryDirectory(prefix="xs-double-") as d:
        srv, sock = xenstored.spawn(d, 5)
        env = dict(os.environ, XENSTORED_PATH=sock)

        def xs(*argv, ok=True):
            r = subprocess.run(argv, env=env, capture_output=True,
                               text=True, timeout=10)
            if ok and r.returncode:
                sys.exit("FAIL: %s: %s" % (" ".join(argv), r.stderr))
            return r

        try:
            assert xs("xenstore-read", "/libxl/5/dm-version").stdout == \
                "qemu_xen\n"
            watch = subprocess.Popen(["xenstore-watch", "-n", "4",
                                      "device-model/5"], env=env,
                                     stdout=subprocess.PIPE, text=True)
            time.sleep(0.3)
            xs("xenstore-write", "device-model/5/state", "running")
            # Relative paths live under /local/domain/0 (§2.2).
            assert xs("xenstore-read",
                      "/local/domain/0/device-model/5/state").stdout == \
                "running\n"
            xs("xenstore-write", "/local/domain/0/device-model/5/command",
               "save")
            assert xs("xenstore-list", "device-model/5").stdout.split() == \
                ["command", "state"]
            assert "state = \"running\"" in xs("xenstore-ls",
                                               "/local/domain/0").stdout
            xs("xenstore-rm", "/local/domain/0/device-model")
            out, _ = watch.communicate(timeout=10)
            events = out.split()
            # First event, two writes, then the removal of its parent.
            want = ["device-model/5", "device-model/5/state",
                    "device-model/5/command", "device-model/5"]
            if events != want:
                sys.exit("FAIL: watch events %r, expected %r"
                         % (events, want))
            if xs("xenstore-exists", "device-model/5", ok=False).returncode \
                    == 0:
                sys.exit("FAIL: device-model/5 survived its parent's rm")
            r = xs("xenstore-read", "device-model/5/state", ok=False)
            if r.returncode == 0:
                sys.exit("FAIL: read of a removed key succeeded")
        finally:
            srv.terminate()
            srv.wait(10)
    print("PASS: xenstore double served Debian's xenstore tools")


if __name__ == "__main__":
    main()
