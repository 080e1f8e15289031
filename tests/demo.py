"""See it work: publish a private package with twine and install it with pip, through
the backend, against a local CodeArtifact stand-in. No AWS account needed.

Run with `make demo`. Starts the API stand-in, a package index and an HTTPS proxy
on 127.0.0.1, prints each step, stops everything, and exits non-zero if a step fails.
"""

import os
import subprocess
import sys
import tempfile
import textwrap
from pathlib import Path

import trustme

sys.path.insert(0, str(Path(__file__).parent))

from keyrings_codeartifact.endpoint import parse  # noqa: E402
from standin.codeartifact import CodeArtifactStandIn  # noqa: E402
from standin.environment import client_environment  # noqa: E402
from standin.index import PackageIndex  # noqa: E402
from standin.proxy import ConnectProxy  # noqa: E402
from standin.tls import CertificatesByName  # noqa: E402
from standin.wheels import make_wheel  # noqa: E402

DOMAIN, OWNER, REGION, REPOSITORY = "demo-team", "111122223333", "us-east-1", "shared"
HOST = f"{DOMAIN}-{OWNER}.d.codeartifact.{REGION}.amazonaws.com"
INDEX_URL = f"https://{HOST}/pypi/{REPOSITORY}/simple/"
UPLOAD_URL = f"https://{HOST}/pypi/{REPOSITORY}/"
KEYS = ("demo", "AKIADEMOEXAMPLE00001", "demo-secret-key-EXAMPLE")
BIN = Path(sys.executable).parent


class StepFailed(Exception):
    pass


def main() -> int:
    print("codeartifact-keyring demo: no AWS account needed; everything runs on 127.0.0.1.\n")
    with tempfile.TemporaryDirectory(prefix="codeartifact-keyring-demo-") as scratch:
        try:
            run_demo(Path(scratch))
        except StepFailed as failure:
            print(f"\nDEMO FAILED: {failure}")
            return 1
    return 0


def run_demo(scratch: Path) -> None:
    ca = trustme.CA()
    ca_bundle = scratch / "test-ca.pem"
    ca.cert_pem.write_to_path(str(ca_bundle))
    context = CertificatesByName(ca).context
    home = scratch / "home"
    (home / ".aws").mkdir(parents=True)
    (home / ".aws" / "credentials").write_text(
        f"[default]\naws_access_key_id = {KEYS[1]}\naws_secret_access_key = {KEYS[2]}\n"
    )

    step(1, "Starting a local CodeArtifact: API stand-in, package index, HTTPS proxy")
    with CodeArtifactStandIn(context, scratch / "api.jsonl") as api, PackageIndex(
        api, context, scratch / "index"
    ) as index, ConnectProxy(("127.0.0.1", int(api.url.rsplit(":", 1)[1])), index.address) as proxy:
        api.add_identity(*KEYS)
        api.add_domain(DOMAIN, OWNER)
        env = dict(os.environ)
        for name, value in client_environment(os.environ, home, proxy.url, ca_bundle, None).items():
            if value is None:
                env.pop(name, None)
            else:
                env[name] = value
        detail(f"repository URL: {INDEX_URL}")
        detail(f"the backend reads it as {parse(INDEX_URL).describe()}")
        detail("AWS credentials: an ordinary profile in ~/.aws/credentials; no token is written anywhere")

        step(2, "Building a private package, acme-greetings 1.0")
        wheel = make_wheel(scratch / "dist", "acme-greetings", "1.0", "Hello from a private CodeArtifact package")
        detail(wheel.name)

        step(3, f"twine upload --repository-url {UPLOAD_URL} {wheel.name}")
        command(env, BIN / "twine", "upload", "--non-interactive", "--repository-url", UPLOAD_URL, wheel)
        report(api, index, calls_before=0, expected_calls=1)
        if wheel.name not in index.packages(REPOSITORY):
            raise StepFailed("the index did not receive the upload")

        step(4, f"pip install --index-url {INDEX_URL} acme-greetings")
        target = scratch / "site"
        index.requests.clear()
        command(
            env, BIN / "pip", "install", "--keyring-provider", "import", "--no-input",
            "--index-url", INDEX_URL, "--target", target, "acme-greetings",
        )
        report(api, index, calls_before=1, expected_calls=0)

        step(5, "python -c 'import acme_greetings; print(acme_greetings.MESSAGE)'")
        result = subprocess.run(
            [sys.executable, "-c", "import acme_greetings; print(acme_greetings.MESSAGE)"],
            capture_output=True, text=True, env=dict(env, PYTHONPATH=str(target)),
        )
        if result.returncode != 0:
            raise StepFailed(f"the installed package does not import: {result.stderr.strip()}")
        detail(result.stdout.strip())

    calls = len(api.token_requests())
    print(f"\nDone: published with twine and installed with pip; {calls} token request, 0 tokens typed.")
    print("Stopped the stand-in, the index and the proxy.")


def step(number: int, text: str) -> None:
    print(f"[{number}/5] {text}")


def detail(text: str) -> None:
    print(textwrap.indent(text, "      "))


def command(env: dict, *args) -> None:
    result = subprocess.run([str(a) for a in args], capture_output=True, text=True, env=env, timeout=300)
    if result.returncode != 0:
        raise StepFailed(f"{Path(str(args[0])).name} exited {result.returncode}:\n{result.stdout}{result.stderr}")


def report(api: CodeArtifactStandIn, index: PackageIndex, calls_before: int, expected_calls: int) -> None:
    for request in index.requests:
        outcome = "401, asks for credentials" if request["status"] == 401 else "accepted as user aws"
        detail(f"index: {request['method']} {request['path']} -> {outcome}")
    for call in api.token_requests()[calls_before:]:
        detail(
            f"CodeArtifact API: GetAuthorizationToken domain={call['domain']} owner={call['owner']} "
            f"region={call['region']} duration={call['duration']}s -> HTTP {call['status']}"
        )
    new_calls = len(api.token_requests()) - calls_before
    if new_calls != expected_calls:
        raise StepFailed(f"expected {expected_calls} token request(s) in this step, saw {new_calls}")
    if new_calls == 0:
        detail("no API call: the backend reused the token from its disk cache")
    else:
        detail("token requested once, and kept in the disk cache for the next process")

if __name__ == "__main__":
    sys.exit(main())
