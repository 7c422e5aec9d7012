#!/usr/bin/env python3
# SPDX-License-Identifier: GPL-2.0-or-later
"""stubdm's device-model/<domid>/state key, as libxl waits for it.

Starts the xenstore double (xenstored.py), then stubdm with libxl's
argv for domain 5 plus -S and -qtest, with XENSTORED_PATH pointing at the
double. Checks with Debian's xenstore-read (the real libxenstore) that
the key is absent before cont, "running" after, written again after a
stop/cont cycle, and that -xenstore off leaves xenstore alone. Fails
without xenstore-utils.
"""
import os
import shutil
import subprocess
import sys
import tempfile

HERE = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, HERE)
import xenstored  # noqa: E402
sys.path.insert(0, os.path.join(HERE, "..", "..", "scripts"))
from dmclient import DeviceModel  # noqa: E402

KEY = "/local/domain/0/device-model/5/state"
LIBXL_ARGS = ["-xen-domid", "5", "-no-shutdown", "-S", "-nodefaults",
              "-no-user-config", "-vnc", "none", "-net", "none",
              "-machine", "xenfv,suppress-vmdesc=on", "-m", "64"]


def read_key(env):
    r = subprocess.run(["xenstore-read", KEY], env=env,
                       capture_output=True, text=True, timeout=10)
    return r.stdout.strip() if r.returncode == 0 else None


def write_key(env, value):
    subprocess.run(["xenstore-write", KEY, value], env=env, check=True,
                   timeout=10)


def main():
    args = sys.argv[1:]
    stubdm = args[args.index("--stubdm") + 1] if "--stubdm" in args else \
        os.environ.get("STUBDM", "build/dm/stubdm")
    if not shutil.which("xenstore-read"):
        sys.exit("FAIL: this test needs xenstore-read (Debian package "
                 "xenstore-utils)")
    with tempfile.TemporaryDirectory(prefix="xs-state-") as d:
        srv, sock = xenstored.spawn(d, 5)
        old = os.environ.get("XENSTORED_PATH")
        os.environ["XENSTORED_PATH"] = sock
        env = dict(os.environ)
        try:
            dm = DeviceModel(stubdm, LIBXL_ARGS, accel=None, machine=None)
            try:
                dm.connect_qmp()
                dm.connect_qtest()
                dm.qmp_cmd("qmp_capabilities")
                if read_key(env) is not None:
                    sys.exit("FAIL: state written before cont")
                dm.qmp_cmd("cont")
                if read_key(env) != "running":
                    sys.exit("FAIL: state after cont: %r" % read_key(env))
                write_key(env, "other")
                dm.qmp_cmd("stop")
                dm.qmp_cmd("cont")
                if read_key(env) != "running":
                    sys.exit("FAIL: state after stop/cont: %r"
                             % read_key(env))
            finally:
                dm.close()
            write_key(env, "untouched")
            dm = DeviceModel(stubdm, LIBXL_ARGS + ["-xenstore", "off"],
                             accel=None, machine=None)
            try:
                dm.connect_qmp()
                dm.connect_qtest()
                dm.qmp_cmd("qmp_capabilities")
                dm.qmp_cmd("cont")
                if read_key(env) != "untouched":
                    sys.exit("FAIL: -xenstore off wrote the state")
            finally:
                dm.close()
        finally:
            if old is None:
                del os.environ["XENSTORED_PATH"]
            else:
                os.environ["XENSTORED_PATH"] = old
            srv.terminate()
            srv.wait(10)
    print("PASS")


if __name__ == "__main__":
    main()
