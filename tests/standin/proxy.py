"""An HTTPS CONNECT proxy that sends CodeArtifact hostnames to the local stand-ins.

Clients are given ``HTTPS_PROXY=http://127.0.0.1:PORT`` and keep using the exact
URLs a user would type, port 443 included. The proxy tunnels API hostnames
(CodeArtifact, STS, the API VPC endpoint) to the API stand-in, repository
hostnames to the package index, and refuses everything else, so no test
traffic can leave the machine. Every CONNECT is logged in ``tunnels``.
"""

import re
import select
import socket
import socketserver
from typing import Optional

from .serving import Serving

_REGION = r"[a-z]{2}(?:-[a-z]+)+-[0-9]{1,2}"
_PARTITION = r"amazonaws\.com(?:\.cn)?"
API_HOSTS = re.compile(
    rf"codeartifact\.{_REGION}\.{_PARTITION}"
    rf"|codeartifact\.{_REGION}\.api\.aws"
    rf"|sts(?:\.{_REGION})?\.{_PARTITION}"
    rf"|vpce-[a-z0-9-]+\.api\.codeartifact\.{_REGION}\.vpce\.{_PARTITION}"
)
REPOSITORY_HOSTS = re.compile(
    rf"[a-z0-9-]+-[0-9]{{12}}\.d\.codeartifact\.{_REGION}\.{_PARTITION}"
    rf"|[a-z0-9-]+-[0-9]{{12}}\.codeartifact\.{_REGION}\.on\.aws"
    rf"|vpce-[a-z0-9-]+\.d\.codeartifact\.{_REGION}\.vpce\.{_PARTITION}"
)


class ConnectProxy(Serving):
    """The proxy. ``api`` and ``index`` are (host, port) of the local servers."""

    def __init__(self, api: tuple[str, int], index: tuple[str, int]):
        self.api = api
        self.index = index
        self.tunnels: list[dict] = []
        self.api_reachable = True  # False: refuse API hosts, as a network without AWS access would
        self._serve(_Server(("127.0.0.1", 0), _Handler))
        self._server.proxy = self

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self._server.server_address[1]}"

    def route(self, host: str, port: int) -> Optional[tuple[str, int]]:
        """Where a CONNECT to host:port goes, or None if it is refused."""
        host = host.lower().rstrip(".")
        if port != 443:
            return None
        if API_HOSTS.fullmatch(host):
            return self.api if self.api_reachable else None
        if REPOSITORY_HOSTS.fullmatch(host):
            return self.index
        return None


class _Server(socketserver.ThreadingTCPServer):
    daemon_threads = True
    allow_reuse_address = True
    proxy: ConnectProxy


class _Handler(socketserver.StreamRequestHandler):
    server: _Server
    disable_nagle_algorithm = True  # a relay adds no wait of its own: see serving.Handler

    def handle(self) -> None:
        request_line = self.rfile.readline(65537).decode("latin-1").strip()
        while self.rfile.readline(65537) not in (b"\r\n", b"\n", b""):
            pass  # headers: not needed
        parts = request_line.split()
        target = None
        host, port = "", 0
        if len(parts) == 3 and parts[0] == "CONNECT":
            host, _, port_text = parts[1].rpartition(":")
            port = int(port_text) if port_text.isdigit() else 0
            target = self.server.proxy.route(host, port)
        self.server.proxy.tunnels.append({"host": host, "port": port, "allowed": target is not None})
        if target is None:
            self.wfile.write(b"HTTP/1.1 403 Forbidden\r\nContent-Length: 0\r\nConnection: close\r\n\r\n")
            return
        with socket.create_connection(target, timeout=10) as upstream:
            upstream.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)
            self.wfile.write(b"HTTP/1.1 200 Connection established\r\n\r\n")
            self.wfile.flush()
            _pipe(self.connection, upstream)


def _pipe(client: socket.socket, upstream: socket.socket) -> None:
    """Copy bytes both ways until either side closes."""
    sockets = [client, upstream]
    client.settimeout(None)
    upstream.settimeout(None)
    while True:
        readable, _, broken = select.select(sockets, [], sockets, 300)
        if broken or not readable:
            return
        for source in readable:
            data = source.recv(65536)
            if not data:
                return
            (upstream if source is client else client).sendall(data)
