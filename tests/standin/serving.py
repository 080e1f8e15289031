"""What every stand-in server shares: it answers from a thread of its own, and the
HTTP ones answer in HTTP/1.1 and log nothing of their own."""

import http.server
import socketserver
import threading
from typing import Optional, TypeVar, Union

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


class Handler(http.server.BaseHTTPRequestHandler):
    """An HTTP/1.1 handler that keeps quiet (each stand-in logs requests its own way)."""

    protocol_version = "HTTP/1.1"
    # TCP_NODELAY, as real servers set: otherwise a reply written in two parts (headers, body)
    # waits for the client's delayed ACK, 40 ms a request on Linux.
    disable_nagle_algorithm = True

    def log_message(self, format, *args) -> None:
        pass

    def respond(self, status: int, body: Union[str, bytes], content_type: str, headers: Optional[dict] = None) -> None:
        """Answer with ``body`` (text is sent as UTF-8) and ``headers``."""
        data = body.encode() if isinstance(body, str) else body
        self.send_response(status)
        self.send_header("Content-Type", content_type)
        self.send_header("Content-Length", str(len(data)))
        for name, value in (headers or {}).items():
            self.send_header(name, value)
        self.end_headers()
        self.wfile.write(data)
