"""Build a tiny pure-Python wheel, for publishing to and installing from the index."""

import base64
import hashlib
import zipfile
from pathlib import Path


def make_wheel(folder: Path, name: str, version: str, message: str = "hello", script: str = "") -> Path:
    """Write ``name``-``version`` as a wheel into ``folder``; return its path. With
    ``script``, the wheel has a console script of that name that prints ``message``."""
    module = name.replace("-", "_")
    dist_info = f"{module}-{version}.dist-info"
    files = {
        f"{module}/__init__.py": f"MESSAGE = {message!r}\n\n\ndef main():\n    print(MESSAGE)\n",
        f"{dist_info}/METADATA": (
            f"Metadata-Version: 2.1\nName: {name}\nVersion: {version}\n"
            f"Summary: A private test package\n"
        ),
        f"{dist_info}/WHEEL": "Wheel-Version: 1.0\nGenerator: codeartifact-keyring-tests\nRoot-Is-Purelib: true\nTag: py3-none-any\n",
    }
    if script:
        files[f"{dist_info}/entry_points.txt"] = f"[console_scripts]\n{script} = {module}:main\n"
    record = [
        f"{path},sha256={_digest(content)},{len(content.encode())}" for path, content in files.items()
    ]
    files[f"{dist_info}/RECORD"] = "\n".join(record + [f"{dist_info}/RECORD,,"]) + "\n"
    folder.mkdir(parents=True, exist_ok=True)
    wheel = folder / f"{module}-{version}-py3-none-any.whl"
    with zipfile.ZipFile(wheel, "w") as archive:
        for path, content in files.items():
            archive.writestr(path, content)
    return wheel


def _digest(content: str) -> str:
    raw = hashlib.sha256(content.encode()).digest()
    return base64.urlsafe_b64encode(raw).rstrip(b"=").decode()
