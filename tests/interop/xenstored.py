#!/usr/bin/env python3
# SPDX-License-Identifier: GPL-2.0-or-later
"""A xenstore test double on a unix socket (xen-toolstack.md §2.2-2.4).

Speaks xenstored's wire protocol (xs_wire.h): 16-byte headers of four
little-endian u32 (type, req_id, tx_id, len), payloads up to 4096 bytes,
errors as type 16 with the errno name. Relative paths resolve under
/local/domain/0 (socket clients are dom0); watches fire on the node and
its descendants, once at registration, and on removal of a subtree that
holds them. Transactions apply at once (single-writer tests); ending one
with "T" answers OK.

  xenstored.py --socket PATH [--domid N]... [--ready FILE]

Point libxenstore clients at it with XENSTORED_PATH=PATH. --ready is
created once the socket listens.
"""
import argparse
import os
import socket
import socketserver
import struct
import subprocess
import sys
import threading
import time

XS_CONTROL, XS_DIRECTORY, XS_READ, XS_GET_PERMS, XS_WATCH, XS_UNWATCH = \
    0, 1, 2, 3, 4, 5
XS_TRANSACTION_START, XS_TRANSACTION_END, XS_INTRODUCE, XS_RELEASE = \
    6, 7, 8, 9
XS_GET_DOMAIN_PATH, XS_WRITE, XS_MKDIR, XS_RM, XS_SET_PERMS = \
    10, 11, 12, 13, 14
XS_WATCH_EVENT, XS_ERROR, XS_IS_DOMAIN_INTRODUCED, XS_RESUME = 15, 16, 17, 18
XS_SET_TARGET, XS_RESET_WATCHES, XS_DIRECTORY_PART = 19, 21, 22
PAYLOAD_MAX = 4096
HOME = "/local/domain/0"


class XsError(Exception):
    pass


class Store:
    """Nodes by absolute path: value bytes and permission strings."""

    def __init__(self):
        self.lock = threading.RLock()
        self.nodes = {}
        self.watches = []       # (conn, path, token)
        self.next_tx = 1
        for p in ("/", "/local", "/local/domain", HOME):
            self.nodes[p] = (b"", ["n0"])

    @staticmethod
    def parent(path):
        return path.rsplit("/", 1)[0] or "/"

    def children(self, path):
        pre = path.rstrip("/") + "/"
        return sorted({p[len(pre):].split("/")[0] for p in self.nodes
                       if p.startswith(pre) and p != path})

    def create(self, path, value=None):
        """Creates path and missing parents; returns the created paths."""
        made = []
        p = path
        while p not in self.nodes:
            made.append(p)
            p = self.parent(p)
        perms = self.nodes[p][1]
        for q in reversed(made):
            self.nodes[q] = (b"", list(perms))
        if value is not None:
            self.nodes[path] = (value, self.nodes[path][1])
        return made

    def fire(self, path, removed=False):
        for conn, wpath, token in list(self.watches):
            if wpath.startswith("@"):
                continue
            # Events name the node changed, relative when the watch was.
            rel = not wpath.startswith("/")
            absw = resolve(wpath)
            inside = absw.startswith(path.rstrip("/") + "/")
            hit = path == absw or \
                path.startswith(absw.rstrip("/") + "/") or \
                (removed and inside)
            if hit:
                shown = path
                if rel and path.startswith(HOME + "/"):
                    shown = path[len(HOME) + 1:]
                # A removed subtree reports the watched node inside it.
                if removed and inside:
                    shown = wpath
                conn.event(shown, token)


def resolve(path):
    if path.startswith("/") or path.startswith("@"):
        return path
    return HOME + "/" + path


def check_path(path):
    if not path or len(path) > 3072 or "//" in path or \
            (len(path) > 1 and path.endswith("/")):
        raise XsError("EINVAL")
    return path


class Handler(socketserver.BaseRequestHandler):
    def setup(self):
        self.send_lock = threading.Lock()
        self.store = self.server.store

    def send(self, mtype, req_id, tx_id, payload):
        hdr = struct.pack("<IIII", mtype, req_id, tx_id, len(payload))
        with self.send_lock:
            try:
                self.request.sendall(hdr + payload)
            except OSError:
                pass

    def event(self, path, token):
        self.send(XS_WATCH_EVENT, 0, 0,
                  path.encode() + b"\0" + token.encode() + b"\0")

    def recv_exact(self, n):
        buf = b""
        while len(buf) < n:
            try:
                chunk = self.request.recv(n - len(buf))
            except ConnectionResetError:
                chunk = b""         # a client killed mid-session: gone
            if not chunk:
                return None
            buf += chunk
        return buf

    def handle(self):
        try:
            while True:
                hdr = self.recv_exact(16)
                if hdr is None:
                    return
                mtype, req_id, tx_id, length = struct.unpack("<IIII", hdr)
                if length > PAYLOAD_MAX:
                    return      # the real xenstored drops the connection
                payload = self.recv_exact(length) if length else b""
                if payload is None:
                    return
                with self.store.lock:
                    try:
                        reply, after = self.op(mtype, tx_id, payload)
                        self.send(mtype, req_id, tx_id, reply)
                    except XsError as e:
                        after = None
                        self.send(XS_ERROR, req_id, tx_id,
                                  str(e).encode() + b"\0")
                    if after:
                        after()
        finally:
            with self.store.lock:
                self.store.watches = [w for w in self.store.watches
                                      if w[0] is not self]

    def op(self, mtype, tx_id, payload):
        s = self.store
        args = payload.split(b"\0")
        arg0 = args[0].decode(errors="replace") if args else ""
        if mtype == XS_READ:
            p = resolve(check_path(arg0))
            if p not in s.nodes:
                raise XsError("ENOENT")
            return s.nodes[p][0], None
        if mtype == XS_WRITE:
            p = resolve(check_path(arg0))
            value = payload[len(args[0]) + 1:]
            s.create(p, value)
            return b"OK\0", lambda: s.fire(p)
        if mtype == XS_MKDIR:
            p = resolve(check_path(arg0))
            made = s.create(p)
            return b"OK\0", (lambda: s.fire(p)) if made else None
        if mtype == XS_RM:
            p = resolve(check_path(arg0))
            if p not in s.nodes:
                if s.parent(p) not in s.nodes:
                    raise XsError("ENOENT")
                return b"OK\0", None
            if p == "/":
                raise XsError("EINVAL")
            for q in [q for q in s.nodes
                      if q == p or q.startswith(p + "/")]:
                del s.nodes[q]
            return b"OK\0", lambda: s.fire(p, removed=True)
        if mtype == XS_DIRECTORY:
            p = resolve(check_path(arg0))
            if p not in s.nodes:
                raise XsError("ENOENT")
            return b"".join(c.encode() + b"\0" for c in s.children(p)), None
        if mtype == XS_GET_PERMS:
            p = resolve(check_path(arg0))
            if p not in s.nodes:
                raise XsError("ENOENT")
            return b"".join(x.encode() + b"\0" for x in s.nodes[p][1]), None
        if mtype == XS_SET_PERMS:
            p = resolve(check_path(arg0))
            if p not in s.nodes:
                raise XsError("ENOENT")
            perms = [a.decode() for a in args[1:] if a]
            s.nodes[p] = (s.nodes[p][0], perms)
            return b"OK\0", lambda: s.fire(p)
        if mtype == XS_WATCH:
            if len(args) < 2:
                raise XsError("EINVAL")
            token = args[1].decode(errors="replace")
            if any(w[0] is self and w[1] == arg0 and w[2] == token
                   for w in s.watches):
                raise XsError("EEXIST")
            s.watches.append((self, arg0, token))
            return b"OK\0", lambda: self.event(arg0, token)
        if mtype == XS_UNWATCH:
            token = args[1].decode(errors="replace") if len(args) > 1 else ""
            before = len(s.watches)
            s.watches = [w for w in s.watches
                         if not (w[0] is self and w[1] == arg0 and
                                 w[2] == token)]
            if len(s.watches) == before:
                raise XsError("ENOENT")
            return b"OK\0", None
        if mtype == XS_RESET_WATCHES:
            s.watches = [w for w in s.watches if w[0] is not self]
            return b"OK\0", None
        if mtype == XS_TRANSACTION_START:
            if tx_id:
                raise XsError("ENOENT")
            t = s.next_tx
            s.next_tx += 1
            return str(t).encode() + b"\0", None
        if mtype == XS_TRANSACTION_END:
            return b"OK\0", None
        if mtype == XS_GET_DOMAIN_PATH:
            return ("/local/domain/%s" % arg0).encode() + b"\0", None
        if mtype == XS_IS_DOMAIN_INTRODUCED:
            return b"T\0", None
        if mtype in (XS_INTRODUCE, XS_RELEASE, XS_RESUME, XS_SET_TARGET):
            return b"OK\0", None
        raise XsError("ENOSYS")


def spawn(directory, domid, quiet=False):
    """Runs the double as a process of its own, serving domid's keys on
    directory/xenstored.sock; returns (process, socket path) once it
    listens."""
    sock = os.path.join(directory, "xenstored.sock")
    ready = os.path.join(directory, "xenstored.ready")
    proc = subprocess.Popen([sys.executable, os.path.abspath(__file__),
                             "--socket", sock, "--domid", str(domid),
                             "--ready", ready],
                            stderr=subprocess.DEVNULL if quiet else None)
    for _ in range(500):
        if os.path.exists(ready):
            return proc, sock
        if proc.poll() is not None:
            break
        time.sleep(0.01)
    proc.kill()
    proc.wait()
    sys.exit("FAIL: the xenstore double did not start")


class Server(socketserver.ThreadingMixIn, socketserver.UnixStreamServer):
    daemon_threads = True


def main():
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--socket", required=True)
    ap.add_argument("--domid", type=int, action="append", default=[])
    ap.add_argument("--ready")
    args = ap.parse_args()
    try:
        os.unlink(args.socket)
    except FileNotFoundError:
        pass
    srv = Server(args.socket, Handler)
    srv.store = Store()
    for d in args.domid:
        srv.store.create("%s/device-model/%d" % (HOME, d))
        srv.store.create("/libxl/%d/dm-version" % d, b"qemu_xen")
    if args.ready:
        open(args.ready, "w").close()
    try:
        srv.serve_forever()
    except KeyboardInterrupt:
        pass
    finally:
        srv.server_close()
        try:
            os.unlink(args.socket)
        except OSError:
            pass


if __name__ == "__main__":
    main()
