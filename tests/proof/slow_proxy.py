"""A loopback TCP proxy that holds every upstream answer back for `delay` seconds.

Used to prove that the SDK's timeouts are honoured against a server that accepts connections
but answers slowly (the failure a firewall or an overloaded Keycloak produces).
"""

from __future__ import annotations

import contextlib
import socket
import threading
import time
from collections.abc import Iterator
from contextlib import contextmanager


class SlowProxy:
    def __init__(self, upstream_port: int, delay: float) -> None:
        self.upstream_port = upstream_port
        self.delay = delay
        self.connections = 0
        self._listener = socket.create_server(("127.0.0.1", 0))
        self.port = int(self._listener.getsockname()[1])
        self._closing = threading.Event()
        self._threads: list[threading.Thread] = []

    @property
    def base_url(self) -> str:
        return f"http://127.0.0.1:{self.port}"

    def _accept(self) -> None:
        self._listener.settimeout(0.2)
        while not self._closing.is_set():
            try:
                downstream, _ = self._listener.accept()
            except TimeoutError:
                continue
            except OSError:
                return
            self.connections += 1
            thread = threading.Thread(target=self._relay, args=(downstream,), daemon=True)
            thread.start()
            self._threads.append(thread)

    def _relay(self, downstream: socket.socket) -> None:
        try:
            upstream = socket.create_connection(("127.0.0.1", self.upstream_port), timeout=5)
        except OSError:
            downstream.close()
            return
        forward = threading.Thread(target=self._pipe, args=(downstream, upstream, 0.0), daemon=True)
        forward.start()
        self._pipe(upstream, downstream, self.delay)
        forward.join(1)

    def _pipe(self, source: socket.socket, sink: socket.socket, delay: float) -> None:
        source.settimeout(0.2)
        delayed = False
        try:
            while not self._closing.is_set():
                try:
                    data = source.recv(65536)
                except TimeoutError:
                    continue
                if not data:
                    break
                if delay and not delayed:
                    # Hold the first bytes of each answer back; wake early when closing.
                    self._closing.wait(delay)
                    delayed = True
                sink.sendall(data)
        except OSError:
            pass
        finally:
            for sock in (source, sink):
                with contextlib.suppress(OSError):
                    sock.close()

    @classmethod
    @contextmanager
    def running(cls, upstream_port: int, delay: float) -> Iterator[SlowProxy]:
        proxy = cls(upstream_port, delay)
        acceptor = threading.Thread(target=proxy._accept, name="slow-proxy", daemon=True)
        acceptor.start()
        try:
            yield proxy
        finally:
            proxy._closing.set()
            proxy._listener.close()
            acceptor.join(2)
            deadline = time.monotonic() + 3
            for thread in proxy._threads:
                thread.join(max(0.0, deadline - time.monotonic()))
