"""A TCP forwarder on loopback that a test can cut: the service behind it goes away
for the clients, mid-transfer, and comes back, while the real server stays up."""

from __future__ import annotations

import contextlib
import socket
import struct
import threading
import time


class CuttableProxy:
    """Forwards 127.0.0.1:`port` to 127.0.0.1:`target_port`.

    `cut_after(n)`: once `n` more bytes have gone from clients to the server, every
    open connection is reset and new ones are reset at once, until `restore()`.
    """

    def __init__(self, target_port: int) -> None:
        self.target_port = target_port
        self.listener = socket.create_server(("127.0.0.1", 0))
        self.port = self.listener.getsockname()[1]
        self.endpoint = f"http://127.0.0.1:{self.port}"
        self.lock = threading.Lock()
        self.down = False
        self.budget: int | None = None  # bytes upstream left before the cut
        self.sent_upstream = 0
        self.cut_at: float | None = None  # time.monotonic() of the last cut
        self.open: list[socket.socket] = []
        self.closed = False
        threading.Thread(target=self._accept, daemon=True).start()

    # control

    def cut_after(self, upstream_bytes: int) -> None:
        with self.lock:
            self.budget = upstream_bytes
            self.sent_upstream = 0
            self.cut_at = None

    def cut(self) -> None:
        with self.lock:
            self.down = True
            self.budget = None
            self.cut_at = time.monotonic()
            sockets, self.open = self.open, []
        for sock in sockets:
            _reset(sock)

    def restore(self) -> None:
        with self.lock:
            self.down = False
            self.budget = None

    @property
    def is_down(self) -> bool:
        return self.down

    def close(self) -> None:
        self.closed = True
        self.cut()
        self.listener.close()

    # forwarding

    def _accept(self) -> None:
        while not self.closed:
            try:
                client, _ = self.listener.accept()
            except OSError:
                return
            if self.down:
                _reset(client)
                continue
            try:
                server = socket.create_connection(("127.0.0.1", self.target_port), timeout=5)
                server.settimeout(None)
            except OSError:
                _reset(client)
                continue
            with self.lock:
                self.open += [client, server]
            threading.Thread(target=self._pump, args=(client, server, True), daemon=True).start()
            threading.Thread(target=self._pump, args=(server, client, False), daemon=True).start()

    def _pump(self, source: socket.socket, target: socket.socket, upstream: bool) -> None:
        while True:
            try:
                data = source.recv(65536)
            except OSError:
                data = b""
            if not data:
                with contextlib.suppress(OSError):
                    target.shutdown(socket.SHUT_WR)
                return
            if upstream:
                with self.lock:
                    self.sent_upstream += len(data)
                    if self.budget is not None:
                        self.budget -= len(data)
                        cut_now = self.budget <= 0
                    else:
                        cut_now = False
                if cut_now:
                    self.cut()
                    return
            try:
                target.sendall(data)
            except OSError:
                return


def _reset(sock: socket.socket) -> None:
    """Close with RST, as a crashed peer does."""
    with contextlib.suppress(OSError):
        sock.setsockopt(socket.SOL_SOCKET, socket.SO_LINGER, struct.pack("ii", 1, 0))
    with contextlib.suppress(OSError):
        sock.shutdown(socket.SHUT_RDWR)  # wakes the thread blocked reading it
    with contextlib.suppress(OSError):
        sock.close()
