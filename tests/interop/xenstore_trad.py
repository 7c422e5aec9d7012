#!/usr/bin/env python3
# SPDX-License-Identifier: GPL-2.0-or-later
"""The qemu-trad command protocol (xen-toolstack.md §2.1) against stubdm.

Starts the xenstore double (xenstored.py) and stubdm for domain 5 with
XENSTORED_PATH pointing at it and STUBDM_QEMU_SAVE_DIR at a temporary
directory, then drives device-model/5/command with Debian's
xenstore-write as libxl does:

  * save: state becomes "paused", qemu-save.5 exists and starts with the
    QEVM magic, and QMP query-status is no longer running;
  * continue: state becomes "running" (written exactly once, counted with
    a watch of our own on the double) and query-status says running;
  * an unsupported command (pci-ins) changes nothing and stubdm lives on.

Fails without xenstore-utils.
"""
import os
import shutil
import socket
import struct
import subprocess
import sys
import tempfile
import threading
import time

HERE = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, HERE)
import xenstored  # noqa: E402
sys.path.insert(0, os.path.join(HERE, "..", "..", "scripts"))
from dmclient import DeviceModel  # noqa: E402

DM = "/local/domain/0/device-model/5"
LIBXL_ARGS = ["-xen-domid", "5", "-no-shutdown", "-S", "-nodefaults",
              "-no-user-config", "-vnc", "none", "-net", "none",
              "-machine", "xenfv,suppress-vmdesc=on", "-m", "64"]


def fail(msg):
    sys.exit("FAIL: " + msg)


def read_key(env, key):
    r = subprocess.run(["xenstore-read", DM + "/" + key], env=env,
                       capture_output=True, text=True, timeout=10)
    return r.stdout.strip() if r.returncode == 0 else None


def write_key(env, key, value):
    subprocess.run(["xenstore-write", DM + "/" + key, value], env=env,
                   check=True, timeout=10)


def wait_key(env, key, value, timeout=10.0):
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        v = read_key(env, key)
        if v == value:
            return v
        time.sleep(0.02)
    return read_key(env, key)


class StateWatch:
    """Counts the WATCH_EVENTs of DM/state on a raw connection."""

    def __init__(self, sock_path):
        self.s = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
        self.s.connect(sock_path)
        self.count = 0
        self.lock = threading.Lock()
        payload = (DM + "/state").encode() + b"\0tok\0"
        self.s.sendall(struct.pack("<IIII", 4, 1, 0, len(payload)) + payload)
        threading.Thread(target=self.run, daemon=True).start()

    def recv(self, n):
        b = b""
        while len(b) < n:
            c = self.s.recv(n - len(b))
            if not c:
                raise EOFError
            b += c
        return b

    def run(self):
        try:
            while True:
                mtype, _, _, ln = struct.unpack("<IIII", self.recv(16))
                self.recv(ln)
                if mtype == 15:
                    with self.lock:
                        self.count += 1
        except (EOFError, OSError):
            pass

    def take(self):
        time.sleep(0.3)             # let late events arrive
        with self.lock:
            n, self.count = self.count, 0
        return n


def status(dm):
    r = dm.qmp_cmd("query-status")
    if "return" not in r:
        fail("query-status: %r" % r)
    return r["return"]["status"]


def run(stubdm, sock, savedir, env):
    save = os.path.join(savedir, "qemu-save.5")
    dm = DeviceModel(stubdm, LIBXL_ARGS, accel=None, machine=None)
    try:
        dm.connect_qmp()
        dm.connect_qtest()
        dm.qmp_cmd("qmp_capabilities")
        dm.qmp_cmd("cont")
        if wait_key(env, "state", "running") != "running":
            fail("state after cont: %r" % read_key(env, "state"))
        watch = StateWatch(sock)
        watch.take()                # the event at registration

        write_key(env, "command", "continue")   # not paused: ignored
        time.sleep(0.3)
        if watch.take() != 0:
            fail("continue while running wrote state")

        write_key(env, "command", "save")
        if wait_key(env, "state", "paused") != "paused":
            fail("state after save: %r" % read_key(env, "state"))
        if not os.path.exists(save):
            fail("no save file %s" % save)
        with open(save, "rb") as f:
            magic = f.read(4)
        if magic != b"QEVM":
            fail("save file starts with %r, not QEVM" % magic)
        if os.path.getsize(save) < 64:
            fail("save file only %d bytes" % os.path.getsize(save))
        if status(dm) == "running":
            fail("query-status running after save")
        if watch.take() != 1:
            fail("state not written exactly once on save")

        write_key(env, "command", "pci-ins")    # unsupported: ignored
        time.sleep(0.3)
        if read_key(env, "state") != "paused" or status(dm) == "running":
            fail("pci-ins changed the state")
        watch.take()

        write_key(env, "command", "continue")
        if wait_key(env, "state", "running") != "running":
            fail("state after continue: %r" % read_key(env, "state"))
        if status(dm) != "running":
            fail("query-status after continue: %r" % status(dm))
        n = watch.take()
        if n != 1:
            fail("state written %d times on continue, not once" % n)
        if dm.proc.poll() is not None:
            fail("stubdm exited")
    except SystemExit:
        dm.stderr.seek(0)
        sys.stderr.write(dm.stderr.read().decode(errors="replace"))
        raise
    finally:
        dm.close()


def main():
    args = sys.argv[1:]
    stubdm = args[args.index("--stubdm") + 1] if "--stubdm" in args else \
        os.environ.get("STUBDM", "build/dm/stubdm")
    if not shutil.which("xenstore-read") or \
            not shutil.which("xenstore-write"):
        fail("this test needs xenstore-read/-write (Debian package "
             "xenstore-utils)")
    with tempfile.TemporaryDirectory(prefix="xs-trad-") as d:
        srv, sock = xenstored.spawn(d, 5)
        os.environ["XENSTORED_PATH"] = sock
        os.environ["STUBDM_QEMU_SAVE_DIR"] = d
        env = dict(os.environ)
        try:
            run(stubdm, sock, d, env)
        finally:
            srv.terminate()
            srv.wait(10)
    print("PASS")


if __name__ == "__main__":
    main()
