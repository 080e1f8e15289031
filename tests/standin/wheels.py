"""Build tiny pure-Python distributions, for publishing to and installing from the index."""

import base64
import hashlib
import inspect
import io
import tarfile
import zipfile
from pathlib import Path


def make_wheel(folder: Path, name: str, version: str, message: str = "hello", script: str = "", source: str = "") -> Path:
    """Write ``name``-``version`` as a wheel into ``folder``; return its path. With
    ``script``, the wheel has a console script of that name that prints ``message``;
    with ``source``, that is the module's code instead."""
    module = name.replace("-", "_")
    dist_info = f"{module}-{version}.dist-info"
    files = {
        f"{module}/__init__.py": source or f"MESSAGE = {message!r}\n\n\ndef main():\n    print(MESSAGE)\n",
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


def make_build_backend_wheel(folder: Path, name: str) -> Path:
    """A wheel of ``name``, a PEP 517 build backend: its ``build_wheel`` turns an sdist made
    by ``make_sdist`` into a wheel (this module's ``make_wheel``) whose MESSAGE is
    "built by NAME". For sdists whose build dependency is private."""
    source = "\n\n".join(
        [
            "import base64\nimport hashlib\nimport zipfile\nfrom pathlib import Path\n",
            inspect.getsource(make_wheel),
            inspect.getsource(_digest),
            _BUILD_WHEEL.format(message=f"built by {name}"),
        ]
    )
    return make_wheel(folder, name, "1.0", source=source)


_BUILD_WHEEL = """
def build_wheel(wheel_directory, config_settings=None, metadata_directory=None):
    lines = Path("PKG-INFO").read_text().splitlines()
    fields = dict(line.split(": ", 1) for line in lines if ": " in line)
    return make_wheel(Path(wheel_directory), fields["Name"], fields["Version"], message={message!r}).name
"""


def make_sdist(folder: Path, name: str, version: str, build_backend: str) -> Path:
    """An sdist of ``name`` whose only build dependency, and build backend, is ``build_backend``."""
    base = f"{name.replace('-', '_')}-{version}"
    module = build_backend.replace("-", "_")
    files = {
        "PKG-INFO": f"Metadata-Version: 2.1\nName: {name}\nVersion: {version}\n",
        "pyproject.toml": f'[build-system]\nrequires = ["{build_backend}"]\nbuild-backend = "{module}"\n',
    }
    folder.mkdir(parents=True, exist_ok=True)
    sdist = folder / f"{base}.tar.gz"
    with tarfile.open(sdist, "w:gz") as archive:
        for path, content in files.items():
            data = content.encode()
            info = tarfile.TarInfo(f"{base}/{path}")
            info.size = len(data)
            archive.addfile(info, io.BytesIO(data))
    return sdist
