"""``python -m keyrings_codeartifact``: the ``codeartifact-keyring`` command."""

import sys

from .cli import main

sys.exit(main())
