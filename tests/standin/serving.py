"""What every stand-in server shares: it answers from a thread of its own."""

import socketserver
import threading
from typing import TypeVar

_S = TypeVar("_S", bound="Serving")


class Serving:
    """Serves a socketserver in a daemon thread between start() and stop(), or while
    used as a context manager. A subclass hands its server to ``_serve`` in __init__."""

    def _serve(self, server: socketserver.BaseServer) -> None:
        self._server = server
        self._thread = threading.Thread(target=server.serve_forever, daemon=True)

    def start(self: _S) -> _S:
        self._thread.start()
        return self

    def stop(self) -> None:
        self._server.shutdown()
        self._server.server_close()

    def __enter__(self: _S) -> _S:
        return self.start()

    def __exit__(self, *exc) -> None:
        self.stop()
