"""A loopback TCP endpoint that misbehaves below HTTP: it stays silent, resets the connection or
answers bytes that are not TLS. It counts the connections it accepted (one per attempt)."""

from __future__ import annotations

import socket
import struct
import threading
from typing import Literal

Mode = Literal["silent", "reset", "not_tls"]


class BadEndpoint:
    def __init__(self, mode: Mode) -> None:
        self.mode = mode
        self.connections = 0
        self._held: list[socket.socket] = []
        self._listener = socket.create_server(("127.0.0.1", 0), backlog=64)
        self._thread = threading.Thread(target=self._serve, name="bad-endpoint", daemon=True)

    @property
    def url(self) -> str:
        port = self._listener.getsockname()[1]
        return f"{'https' if self.mode == 'not_tls' else 'http'}://127.0.0.1:{port}"

    def __enter__(self) -> BadEndpoint:
        self._thread.start()
        return self

    def __exit__(self, *exc: object) -> None:
        self._listener.close()
        for connection in self._held:
            connection.close()

    def _serve(self) -> None:
        while True:
            try:
                connection, _ = self._listener.accept()
            except OSError:  # closed by __exit__
                return
            self.connections += 1
            if self.mode == "silent":
                self._held.append(connection)  # accepted, never answered, never closed
            elif self.mode == "reset":
                connection.recv(65536)
                connection.setsockopt(socket.SOL_SOCKET, socket.SO_LINGER, struct.pack("ii", 1, 0))
                connection.close()  # linger 0: the peer sees a reset
            else:
                connection.recv(65536)  # the TLS ClientHello
                connection.sendall(b"HTTP/1.1 400 Bad Request\r\nContent-Length: 0\r\n\r\n")
                connection.close()
