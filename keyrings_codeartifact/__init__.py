"""A keyring backend that hands AWS CodeArtifact tokens to pip, uv, twine and poetry."""

__version__ = "0.1.0"
