"""Everything this package asks AWS, and the only place that imports botocore.

botocore costs about 100 ms to import, so this package is imported only where
a call to AWS is about to be made (``lookup`` when a token must be fetched, and
the CLI's ``setup`` and ``explain --check``), never when keyring loads its
plugins or a cached token answers. Inside it, botocore is imported at the top.

- ``client``: the botocore session and clients, and GetAuthorizationToken (the
  one call a lookup makes);
- ``translation``: botocore's failures as our one-line errors, which never quote
  a secret, a URL's password, or what a credential source printed;
- ``queries``: the calls only the CLI makes.
"""

from .client import fetch_token, fetch_token_and_offset
from .queries import caller_identity, default_region, repository_endpoint
from .translation import translate

__all__ = [
    "caller_identity",
    "default_region",
    "fetch_token",
    "fetch_token_and_offset",
    "repository_endpoint",
    "translate",
]
