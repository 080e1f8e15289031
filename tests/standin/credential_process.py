"""A ``credential_process`` for the tests: prints what the stand-in at URL hands out.

Usage: ``python credential_process.py URL``. Prints the JSON botocore's
ProcessProvider reads (``Version`` 1, keys, session token, ``Expiration``); exits 1
with a message on stderr when the stand-in cannot be reached. Standard library only.
"""

import sys
import urllib.request


def main(url: str) -> int:
    try:
        direct = urllib.request.build_opener(urllib.request.ProxyHandler({}))  # 127.0.0.1: no proxy
        with direct.open(url, timeout=30) as response:
            sys.stdout.write(response.read().decode())
    except OSError as error:
        print(f"credential_process stand-in: {error}", file=sys.stderr)
        return 1
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1]))
