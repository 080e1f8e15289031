"""Benchmark codeartifact-keyring against keyrings.codeartifact 2.1.2, side by side.

Run with `make bench`. Builds three environments in .venv-bench (keyring alone,
keyring + this project, keyring + keyrings.codeartifact 2.1.2, same keyring and
botocore versions), starts the local CodeArtifact stand-in, index and proxy from
the test suite, and prints a table of ratios of median wall times, and API calls
counted in the stand-in's log. The fast ``keyring`` command that ``setup keyring``
writes (in this project's environment) is timed beside keyring's CLI there, and so is
the warm answer of ``codeartifact-credential-helper`` (Bazel's credential helper).
A benchmark, not a test: these machines are shared and noisy, so read the ratios, and rerun when in doubt.
"""

import argparse
import json
import os
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path
from typing import Callable, Optional

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT / "tests"))

import trustme  # noqa: E402

from standin.codeartifact import CodeArtifactStandIn  # noqa: E402
from standin.environment import client_environment  # noqa: E402
from standin.index import PackageIndex  # noqa: E402
from standin.proxy import ConnectProxy  # noqa: E402
from standin.tls import CertificatesByName  # noqa: E402
from standin.wheels import make_wheel  # noqa: E402

KEYRING = "keyring==25.7.0"
OTHER = "keyrings.codeartifact==2.1.2"
BENCH = ROOT / ".venv-bench"
DOMAIN, OWNER, REGION = "bench", "111122223333", "us-east-1"
HOST = f"{DOMAIN}-{OWNER}.d.codeartifact.{REGION}.amazonaws.com"
URL = f"https://{HOST}/pypi/python/simple/"
UPLOAD_URL = f"https://{HOST}/pypi/python/"
UNRELATED = "https://pypi.org/simple/"
KEYS = ("bench", "AKIABENCHEXAMPLE0001", "bench-secret-key-EXAMPLE")


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--runs", type=int, default=21, help="timed runs per measurement (median taken)")
    args = parser.parse_args()
    environments = build_environments()
    with tempfile.TemporaryDirectory(prefix="codeartifact-keyring-bench-") as scratch:
        Bench(Path(scratch), environments, args.runs).run()
    return 0


def build_environments() -> dict[str, Path]:
    """keyring alone, with this project, with keyrings.codeartifact; each reused while
    current (this project's, while no source is newer than it)."""
    # Each has a storing keyring (keyrings.alt), as a desktop has, and twine.
    common = [KEYRING, "keyrings.alt", "twine"]
    wanted = {"alone": common, "ours": common + [str(ROOT)], "other": common + [OTHER]}
    sources = [ROOT / "setup.cfg", *sorted((ROOT / "keyrings_codeartifact").rglob("*.py"))]
    for name, packages in wanted.items():
        stamp = BENCH / name / ".installed"
        fresh = stamp.exists() and stamp.read_text() == " ".join(packages)
        if fresh and name == "ours":
            fresh = all(p.stat().st_mtime < stamp.stat().st_mtime for p in sources)
        if fresh:
            continue
        print(f"setting up {BENCH / name} ({', '.join(packages)})", flush=True)
        shutil.rmtree(BENCH / name, ignore_errors=True)
        subprocess.run([sys.executable, "-m", "venv", str(BENCH / name)], check=True)
        python = str(BENCH / name / "bin" / "python")
        pip = [python, "-m", "pip", "install", "--quiet", "--disable-pip-version-check"]
        leftovers = [ROOT / "build", ROOT / "codeartifact_keyring.egg-info"]
        before = [path for path in leftovers if path.exists()]
        subprocess.run(pip + packages, check=True)
        for path in leftovers:  # what building this project left in its tree: a test run with
            if path not in before:  # PYTHONPATH on the tree would take the egg-info for an install
                shutil.rmtree(path, ignore_errors=True)
        stamp.write_text(" ".join(packages))
    return {name: BENCH / name / "bin" for name in wanted}


class Bench:
    def __init__(self, scratch: Path, bins: dict[str, Path], runs: int):
        self.scratch = scratch
        self.bins = bins
        self.runs = runs
        self.home = scratch / "home"
        self.cache = self.home / ".cache" / "codeartifact-keyring"
        self.spread: dict[str, tuple[float, float]] = {}  # measure -> its runs' quartiles, ms

    def run(self) -> None:
        ca = trustme.CA()
        ca_bundle = self.scratch / "ca.pem"
        ca.cert_pem.write_to_path(str(ca_bundle))
        context = CertificatesByName(ca).context
        (self.home / ".aws").mkdir(parents=True)
        (self.home / ".aws" / "credentials").write_text(
            f"[default]\naws_access_key_id = {KEYS[1]}\naws_secret_access_key = {KEYS[2]}\n"
        )
        with CodeArtifactStandIn(context, self.scratch / "api.jsonl") as api, PackageIndex(
            api, context, self.scratch / "index"
        ) as index, ConnectProxy(("127.0.0.1", int(api.url.rsplit(":", 1)[1])), index.address) as proxy:
            api.add_identity(*KEYS)
            api.add_domain(DOMAIN, OWNER)
            self.api, self.index = api, index
            self.env = dict(os.environ)
            for name, value in client_environment(os.environ, self.home, proxy.url, ca_bundle, None).items():
                if value is None:
                    self.env.pop(name, None)
                else:
                    self.env[name] = value
            self.report()

    # -- measuring -------------------------------------------------------------------

    def keyring(self, which: str, service: str, user: str) -> list[str]:
        return [str(self.bins[which] / "keyring"), "get", service, user]

    def fast_keyring(self) -> Path:
        """The fast ``keyring`` command, as `codeartifact-keyring setup keyring` writes it."""
        folder = self.scratch / "fast-bin"
        folder.mkdir(exist_ok=True)
        subprocess.run([str(self.bins["ours"] / "codeartifact-keyring"), "setup", "keyring", "--bin", str(folder)],
                       env=self.env, check=True, capture_output=True)
        return folder / "keyring"

    def median_ms(
        self, commands: dict[str, list[str]], before: Callable[[str], None] = lambda name: None,
        inputs: Optional[dict[str, str]] = None, group: str = "",
    ) -> dict[str, float]:
        """Median wall time of each command (fed ``inputs[name]`` on stdin, if given), runs
        interleaved so that noise hits all alike."""
        times: dict[str, list[float]] = {name: [] for name in commands}
        inputs = inputs or {}
        for name, command in commands.items():  # one warm-up run each: page cache, pyc files
            before(name)
            subprocess.run(command, input=inputs.get(name), env=self.env, capture_output=True, text=True,
                           cwd=self.scratch)
        for _ in range(self.runs):
            for name, command in commands.items():
                before(name)
                started = time.perf_counter()
                result = subprocess.run(command, input=inputs.get(name), env=self.env, capture_output=True, text=True,
                                        cwd=self.scratch)
                times[name].append((time.perf_counter() - started) * 1000)
                expect_token = command[-2] == URL or name in inputs
                if expect_token and result.returncode != 0:
                    raise SystemExit(f"{' '.join(command)} failed:\n{result.stderr}")
        for name, values in times.items():
            quartiles = statistics.quantiles(values, n=4) if len(values) > 1 else values * 3
            self.spread[f"{group}: {name}"] = (quartiles[0], quartiles[-1])
        return {name: statistics.median(values) for name, values in times.items()}

    def api_calls(self, action: Callable[[], None]) -> int:
        self.api.reset()
        shutil.rmtree(self.cache, ignore_errors=True)
        action()
        return len(self.api.token_requests())

    def concurrent_lookups(self, which: str, count: int = 16) -> None:
        processes = [
            subprocess.Popen(
                self.keyring(which, URL, "aws"),
                env=self.env, stdout=subprocess.PIPE, stderr=subprocess.PIPE, cwd=self.scratch,
            )
            for _ in range(count)
        ]
        failures = [p for p in processes if p.wait() != 0]
        if failures:
            raise SystemExit(f"{len(failures)} of {count} concurrent lookups failed ({which})")

    def twine_upload(self, which: str) -> None:
        wheel = make_wheel(self.scratch / f"dist-{which}", f"bench-{which}", "1.0")
        result = subprocess.run(
            [str(self.bins[which] / "twine"), "upload", "--non-interactive",
             "--repository-url", UPLOAD_URL, str(wheel)],
            env=self.env, capture_output=True, text=True, cwd=self.scratch,
        )
        if result.returncode != 0:
            raise SystemExit(f"twine upload failed ({which}):\n{result.stdout}{result.stderr}")

    def pip_installs(self, which: str, count: int = 5) -> None:
        for run in range(count):
            result = subprocess.run(
                [str(self.bins[which] / "python"), "-m", "pip", "install", "--quiet", "--no-input",
                 "--disable-pip-version-check", "--keyring-provider", "import", "--index-url", URL,
                 "--target", str(self.scratch / f"target-{which}-{run}"), "bench-ours"],
                env=self.env, capture_output=True, text=True, cwd=self.scratch,
            )
            if result.returncode != 0:
                raise SystemExit(f"pip install failed ({which}):\n{result.stdout}{result.stderr}")

    # -- the report ---------------------------------------------------------------------

    def report(self) -> None:
        print(f"\nmedians of {self.runs} runs each; API calls counted in the stand-in's log\n", flush=True)

        fast = str(self.fast_keyring())
        unrelated = self.median_ms({
            "alone": self.keyring("alone", UNRELATED, "someone"),
            "ours": self.keyring("ours", UNRELATED, "someone"),
            "other": self.keyring("other", UNRELATED, "someone"),
            "fast": [fast, "get", UNRELATED, "someone"],
        }, group="unrelated")
        subprocess.run(self.keyring("ours", URL, "aws"), env=self.env, capture_output=True)  # warm the cache
        lookups = self.median_ms({
            "ours warm": self.keyring("ours", URL, "aws"),
            "other": self.keyring("other", URL, "aws"),
            "fast warm": [fast, "get", URL, "aws"],
            "helper warm": [str(self.bins["ours"] / "codeartifact-credential-helper"), "get"],
        }, inputs={"helper warm": json.dumps({"uri": URL + "bench-ours/"})}, group="warm")
        cold = self.median_ms(
            {"ours cold": self.keyring("ours", URL, "aws"), "other": self.keyring("other", URL, "aws"),
             "fast cold": [fast, "get", URL, "aws"]},
            before=lambda name: shutil.rmtree(self.cache, ignore_errors=True), group="cold",
        )
        self.twine_upload("ours")  # something for pip to install
        calls = {
            "concurrent": {w: self.api_calls(lambda w=w: self.concurrent_lookups(w)) for w in ("ours", "other")},
            "twine": {w: self.api_calls(lambda w=w: self.twine_upload(w)) for w in ("ours", "other")},
            "pip": {w: self.api_calls(lambda w=w: self.pip_installs(w)) for w in ("ours", "other")},
        }

        rows = [
            ("1. start-up tax: unrelated lookup / keyring alone",
             unrelated["ours"] / unrelated["alone"], unrelated["other"] / unrelated["alone"], "<= 1.03"),
            ("2. warm lookup / keyring alone (miss)", lookups["ours warm"] / unrelated["alone"], None, "<= 1.10"),
            ("   warm lookup / other plugin's lookup", lookups["ours warm"] / lookups["other"], None, "<= 0.5"),
            ("3. API calls: 16 concurrent cold lookups",
             calls["concurrent"]["ours"], calls["concurrent"]["other"], "1"),
            ("   API calls: one twine upload", calls["twine"]["ours"], calls["twine"]["other"], "1"),
            ("   API calls: five pip installs in a row", calls["pip"]["ours"], calls["pip"]["other"], "1"),
            ("4. cold lookup / other plugin's lookup", cold["ours cold"] / cold["other"], None, "<= 0.9"),
            ("5. fast keyring: warm lookup / keyring CLI's",
             lookups["fast warm"] / lookups["ours warm"], None, "<= 0.2"),
            ("   fast keyring: cold lookup / keyring CLI's", cold["fast cold"] / cold["ours cold"], None, "-"),
            ("   fast keyring: cold lookup / other plugin's", cold["fast cold"] / cold["other"], None, "<= 0.6"),
            ("   fast keyring: unrelated / keyring CLI's", unrelated["fast"] / unrelated["ours"], None, "<= 1.0"),
            ("6. Bazel credential helper: warm answer / keyring CLI's",
             lookups["helper warm"] / lookups["ours warm"], None, "<= 0.2"),
            ("   Bazel credential helper: warm answer / fast keyring's",
             lookups["helper warm"] / lookups["fast warm"], None, "<= 1.05"),
        ]
        print(f"{'measure':<52} {'ours':>7} {'other':>7}  goal")
        for name, ours, other, goal in rows:
            print(f"{name:<52} {_cell(ours):>7} {_cell(other):>7}  {goal}")
        print(
            f"\nmedian ms: keyring alone {unrelated['alone']:.0f}; unrelated lookup ours {unrelated['ours']:.0f}, "
            f"other {unrelated['other']:.0f}; CodeArtifact lookup ours warm {lookups['ours warm']:.0f}, "
            f"ours cold {cold['ours cold']:.0f}, other {lookups['other']:.0f}; fast keyring: warm "
            f"{lookups['fast warm']:.0f}, cold {cold['fast cold']:.0f}, unrelated {unrelated['fast']:.0f}; "
            f"credential helper warm {lookups['helper warm']:.0f}"
        )
        print("noise, the middle half of the runs (ms): " + "; ".join(
            f"{name} {low:.0f}-{high:.0f}" for name, (low, high) in self.spread.items()
            if name in ("unrelated: ours", "unrelated: fast", "warm: ours warm", "warm: fast warm",
                        "cold: other", "cold: fast cold")))


def _cell(value) -> str:
    if value is None:
        return "-"
    return str(value) if isinstance(value, int) else f"{value:.2f}"


if __name__ == "__main__":
    sys.exit(main())
