"""Test support: local stand-ins for AWS CodeArtifact, reached by real clients."""
