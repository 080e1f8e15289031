"""What the commands share: exit codes, the usage error, reading a URL, and how
rows, times and durations are shown."""

import argparse
import datetime
import sys
import time
from typing import TYPE_CHECKING, Callable

from .. import redact
from ..endpoint import Endpoint, is_bare, parse, plain_http_host
from ..token_record import Token, is_fresh

if TYPE_CHECKING:
    Commands = argparse._SubParsersAction[argparse.ArgumentParser]  # what add_subparsers gives

OK, FAILED, USAGE = 0, 1, 2

Handler = Callable[[argparse.Namespace], int]  # one per subcommand, set as its ``run`` default


class UsageError(Exception):
    """The command line asks for something that cannot be done (exit 2)."""


def help_handler(parser: argparse.ArgumentParser) -> Handler:
    """The handler of a command given without its subcommand: its help on stderr, exit 2."""

    def run(args: argparse.Namespace) -> int:
        parser.print_help(sys.stderr)
        return USAGE

    return run


def endpoint(url: str) -> Endpoint:
    """The repository endpoint ``url`` names; UsageError, with a hint, if it names none."""
    found = parse(url)
    if found is None:
        hint = ("plain http:// never gets a token; use https://" if url.lower().startswith("http://")
                else "a bare host gets a token only without a port or on 443 (it may stand for http://)"
                if is_bare(url) and plain_http_host("http://" + url)
                else "expected https://DOMAIN-OWNER.d.codeartifact.REGION.amazonaws.com/pypi/REPO/...")
        raise UsageError(f"not a CodeArtifact repository endpoint: {redact.url(url)}; {hint}")
    return found


def heading(text: str, first: bool = False) -> None:
    print(text if first else f"\n{text}")


def row(name: str, value: str, *, as_is: bool = False) -> None:
    """One ``name: value`` line under a heading; ``value`` made safe to show: redacted,
    or, ``as_is`` (a path, a remedy to paste), whole with control characters escaped."""
    print(f"  {name + ':':<22} {redact.name(value) if as_is else redact.text(value, redact.LINE_LIMIT)}")


def iso(epoch: float) -> str:
    moment = datetime.datetime.fromtimestamp(epoch, tz=datetime.timezone.utc)
    return moment.strftime("%Y-%m-%dT%H:%M:%SZ")


def state(token: Token, margin: float) -> str:
    """A cached token's state by the later of AWS's clock and this one's (``Token.left``):
    expired, or fresh / refresh due, and how long it has left."""
    now = time.time()
    left = token.left(now)
    if left <= 0:
        return "expired"
    fresh = is_fresh(token, now, margin)
    return f"{'fresh' if fresh else 'refresh due'}, {_duration(left)} left"


def span(seconds: float) -> str:
    """``seconds`` (not negative) in words: "42 s", "10 min 3 s", "2 h 0 min"."""
    whole = round(seconds)
    if whole < 60:
        return f"{whole} s"
    if whole < 3600:
        return f"{whole // 60} min {whole % 60} s"
    return _duration(whole)


def _duration(seconds: float) -> str:
    minutes = int(seconds // 60)
    return f"{minutes // 60} h {minutes % 60} min" if minutes >= 60 else f"{minutes} min"
