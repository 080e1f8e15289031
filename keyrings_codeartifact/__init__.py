"""A keyring backend that hands AWS CodeArtifact tokens to pip, uv, twine and poetry.

Two programs share this package: the lookup (``backend``, the fast ``keyring_command``
and the CLI's ``token``/``explain``/``cache``: endpoint -> settings -> token, through
``lookup``, ``token_source``, ``cache`` and ``aws``) and ``setup`` (``configure/``, which
writes other tools' config). They share only the endpoint parser and the settings.

The rule for imports, written once: every import sits at the top of its module,
except where it carries weight, and then it says why in a comment beside it:

- botocore only inside the ``aws`` package (at its modules' tops); ``aws`` itself is
  imported only where a call to AWS is about to be made (``lookup`` on a fetch, the
  CLI's ``setup --domain`` and ``explain --check``), never when a cached or
  ``CODEARTIFACT_AUTH_TOKEN`` token answers;
- tomlkit and configupdater only inside ``configure/``, which only ``setup``'s
  handlers import (see configure/__init__.py);
- what keyring loads on every keyring call on the machine (``backend``, ``services``)
  imports the lookup and keyringrc.cfg's reader only for a service of ours, and
  ``lookup`` makes the token source (with the disk cache) only when it needs one,
  and imports ``failures`` only for a record to write or clear, ``lookuplog`` only
  when the log is on (a warm lookup needs neither, nor ``identity``);
- the fast ``keyring`` command imports keyring, or the lookup, only for the calls
  that need them; ``explain`` imports keyring's backends only when it runs;
- a warm lookup (``services``, ``lookup``, ``token_source``, ``cache`` and what they
  import) loads no standard module whose work it does not do: it logs through
  ``loggers`` (``logging`` only once a record can be handled), hashes with
  ``fingerprint.sha256`` (Python's own SHA-256, not hashlib's OpenSSL), locks with
  ``_thread`` (threading's Lock itself), and imports ``configparser`` only for a
  keyringrc.cfg that exists (tests/cli/test_keyring_command.py lists them);
- platform modules (fcntl, msvcrt, pwd) only on their platform.

tests/test_import_cost.py and tests/cli/test_keyring_command.py hold the boundaries.
"""

__version__ = "0.1.0"
