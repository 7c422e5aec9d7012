# SPDX-License-Identifier: GPL-2.0-or-later
"""A small qtest + QMP client for a device model process (stubdm or QEMU).

Used by the demonstration and the benchmarks; it drives both peers with the
same code so figures compare like with like.
"""
import argparse
import json
import os
import shutil
import sys
import socket
import subprocess
import tempfile
import time


def interop_args(description):
    """Arguments of an interop test (--stubdm, --qemu); exits with FAIL
    unless the reference QEMU 7.2 is there: such a test never skips."""
    ap = argparse.ArgumentParser(description=description)
    ap.add_argument("--stubdm", default=os.environ.get("STUBDM",
                                                       "build/dm/stubdm"))
    ap.add_argument("--qemu", default="qemu-system-x86_64")
    args = ap.parse_args()
    if not shutil.which(args.qemu):
        sys.exit("FAIL: this test needs %s 7.2 (Debian package "
                 "qemu-system-x86)" % args.qemu)
    version = subprocess.run([args.qemu, "--version"], capture_output=True,
                             text=True, check=True).stdout
    if "version 7.2" not in version:
        sys.exit("FAIL: the reference is QEMU 7.2, found: %s"
                 % version.splitlines()[0])
    return args


class DeviceModel:
    """Spawns a device model that connects to our qtest socket and serves
    QMP on a socket it creates, as QEMU's qtest harness does."""

    def __init__(self, binary, extra_args, accel, machine="pc-i440fx-7.2",
                 pass_fds=()):
        self.dir = tempfile.mkdtemp(prefix="stubdm-client-")
        self.qtest_path = os.path.join(self.dir, "qtest.sock")
        self.qmp_path = os.path.join(self.dir, "qmp.sock")
        self.listener = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
        self.listener.bind(self.qtest_path)
        self.listener.listen(1)
        self.argv = [binary]
        if machine:
            self.argv += ["-machine", machine]
        if accel:
            self.argv += ["-accel", accel]
        self.argv += ["-nodefaults", "-display", "none",
                      "-qtest", "unix:" + self.qtest_path,
                      "-qtest-log", "/dev/null",
                      "-qmp", "unix:%s,server=on,wait=off" % self.qmp_path]
        self.argv += list(extra_args)
        self.stderr = tempfile.TemporaryFile()
        self.t_exec = time.perf_counter()
        self.proc = subprocess.Popen(self.argv, stdin=subprocess.DEVNULL,
                                     stdout=subprocess.DEVNULL,
                                     stderr=self.stderr, pass_fds=pass_fds)
        self.qmp = None
        self.qtest = None
        self.events = []

    def _died(self):
        self.stderr.seek(0)
        return RuntimeError("%s exited with %s: %s" % (
            self.argv[0], self.proc.poll(),
            self.stderr.read().decode(errors="replace").strip()))

    def connect_qmp(self, timeout=30.0):
        """Connects as soon as the socket exists; returns the greeting and
        the seconds from exec to its arrival."""
        deadline = time.perf_counter() + timeout
        while True:
            if self.proc.poll() is not None:
                raise self._died()
            s = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
            try:
                s.connect(self.qmp_path)
                break
            except OSError:
                s.close()
                if time.perf_counter() > deadline:
                    raise TimeoutError("no QMP socket at " + self.qmp_path)
                time.sleep(0.0002)
        self.qmp_sock = s
        self.qmp = s.makefile("rwb", buffering=0)
        greeting = self._qmp_line()
        elapsed = time.perf_counter() - self.t_exec
        return greeting, elapsed

    def connect_qtest(self, timeout=30.0):
        self.listener.settimeout(timeout)
        conn, _ = self.listener.accept()
        self.qtest = conn.makefile("rwb", buffering=0)

    def _qmp_line(self):
        line = self.qmp.readline()
        if not line:
            raise self._died()
        if not line.endswith(b"\r\n"):
            raise RuntimeError("QMP message not ended by CRLF: %r" % line)
        return json.loads(line)

    def qmp_cmd(self, name, **args):
        msg = {"execute": name}
        if args:
            msg["arguments"] = args
        self.qmp.write(json.dumps(msg).encode() + b"\r\n")
        while True:
            reply = self._qmp_line()
            if "event" in reply:
                self.events.append(reply)
                continue
            return reply

    def qmp_cmd_with_fd(self, fd, name, **args):
        """As libxl's add-fd: the descriptor rides on the first byte."""
        msg = {"execute": name}
        if args:
            msg["arguments"] = args
        data = json.dumps(msg).encode() + b"\r\n"
        socket.send_fds(self.qmp_sock, [data[:1]], [fd])
        self.qmp.write(data[1:])
        while True:
            reply = self._qmp_line()
            if "event" in reply:
                self.events.append(reply)
                continue
            return reply

    def qtest_cmd(self, line):
        self.qtest.write(line.encode() + b"\n")
        while True:
            reply = self.qtest.readline()
            if not reply:
                raise self._died()
            reply = reply.decode().rstrip("\n")
            if not reply.startswith("IRQ "):
                return reply

    def rss_kib(self):
        with open("/proc/%d/status" % self.proc.pid) as f:
            for line in f:
                if line.startswith("VmRSS:"):
                    return int(line.split()[1])
        raise RuntimeError("no VmRSS for pid %d" % self.proc.pid)

    def close(self):
        if self.proc.poll() is None:
            self.proc.terminate()
            try:
                self.proc.wait(10)
            except subprocess.TimeoutExpired:
                self.proc.kill()
                self.proc.wait()
        for path in (self.qtest_path, self.qmp_path):
            try:
                os.unlink(path)
            except OSError:
                pass
        self.listener.close()
        os.rmdir(self.dir)
        return self.proc.returncode
