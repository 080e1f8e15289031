"""`codeartifact-keyring setup TOOL`: write, once, the configuration that makes pip,
uv, poetry, twine, pdm or pipenv ask keyring for a CodeArtifact repository. Never a
token: the backend supplies one at every use.

One module per tool; each set-up is a list of ``files.Change``, made through the tool's
own writer or a format-preserving library (``ini``: configupdater; ``toml``, ``toml_edit``:
tomlkit), then read back as the tool reads it: the file must say exactly what was meant
and everything it said before, else nothing is written. ``plan`` works out every change
before any is written, then shows it as a diff with every secret masked (``masking``) or
writes it. ``launcher`` is `setup keyring`'s fast ``keyring`` command.

A lookup never imports this package (``tests/test_import_cost.py``): the ways in are
``cli/setup.py``'s handlers and explain's use of ``poetry_keyring`` (standard library only).
"""
