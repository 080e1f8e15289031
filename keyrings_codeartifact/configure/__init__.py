"""`codeartifact-keyring setup TOOL`: write, once, the configuration that makes pip,
uv, poetry, twine, pdm or pipenv ask keyring for a CodeArtifact repository. Never a
token: the backend supplies one at every use.

Every tool's set-up (one module per tool: ``pip``, ``uv``, ``poetry``, ``twine``,
``pdm``, ``pipenv``, and ``names`` for keyringrc.cfg's repository names) is a list of
``files.Change``, each made through the tool's own writer or a format-preserving
library (``ini``: configupdater; ``toml`` and ``toml_edit``: tomlkit), then read back
with the reader the tool itself uses and compared with what was meant: the file must
say exactly that, and everything else it said before. If it does not, nothing is
written and the error says why. ``plan`` works out every change before any is
written, then shows them as a diff that masks every secret (``masking``) or writes
them; running it twice changes nothing.
``launcher`` is `setup keyring`'s: the fast ``keyring`` command, which the set-ups
of uv, pip (subprocess provider), pdm and pipenv add as one more change when no
``keyring`` on PATH reaches this backend.

Imports: this package is setup's alone, but for ``poetry_keyring`` (standard library
only), which ``explain`` also asks whether poetry's keyring.enabled is off. tomlkit
and configupdater are imported here only, each at the top of the module that uses
it; every other module of this package imports at its top too. A keyring lookup
never imports this package (the ways in are ``cli/setup.py``, whose handlers import
it when setup runs, and explain's poetry row), and
``tests/test_import_cost.py`` checks that. The rest of the project keeps the same
rule: botocore only in the AWS module, everything else at the top of its module.
"""
