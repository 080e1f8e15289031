"""TLS for the stand-ins: a server context that presents, for whatever hostname a
client asks for (SNI), a certificate for that name signed by the test CA.

So clients reach the stand-ins under the real CodeArtifact hostnames and verify
them as usual, trusting only the test CA.
"""

import ssl
import threading

import trustme


class CertificatesByName:
    """Makes and keeps one server context per hostname, all signed by ``ca``."""

    def __init__(self, ca: trustme.CA, default_name: str = "127.0.0.1"):
        self._ca = ca
        self._contexts: dict[str, ssl.SSLContext] = {}
        self._lock = threading.Lock()
        self.context = self._context_for(default_name)
        self.context.sni_callback = self._choose

    def _context_for(self, name: str) -> ssl.SSLContext:
        with self._lock:
            if name not in self._contexts:
                context = ssl.create_default_context(ssl.Purpose.CLIENT_AUTH)
                self._ca.issue_cert(name).configure_cert(context)
                self._contexts[name] = context
            return self._contexts[name]

    def _choose(self, connection: ssl.SSLObject, name: str, _context) -> None:
        if name:
            connection.context = self._context_for(name.lower())
