"""What a learner runs: `python -m helpers serve` (the recordings as a local MiniMax-like endpoint).

Maintainer commands (regenerate, record, synth, badges, cost, doctor, drift) live in `python -m devtools`."""

from __future__ import annotations

import argparse
import errno
import sys


def _port(text: str) -> int:
    """An argparse type: a TCP port number, 0 to 65535 (0 lets the system pick a free one)."""
    try:
        port = int(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"{text!r} is not a port number: give a whole number such as 8765") from None
    if not 0 <= port <= 65535:
        raise argparse.ArgumentTypeError(f"{port} is not a port: use 1 to 65535, or 0 to pick a free one")
    return port


def _speed(text: str) -> float:
    """An argparse type: a replay pace, 0 (instant) or more."""
    try:
        speed = float(text)
    except ValueError:
        raise argparse.ArgumentTypeError(
            f"{text!r} is not a number: use 1 for the recorded pace, 0 for instant"
        ) from None
    if not speed >= 0:
        raise argparse.ArgumentTypeError(f"{text} is not a pace: use 1 for the recorded pace, 0 for instant")
    return speed


MOVED = {"doctor": "`doctor` moved to the maintainer tools: run `python -m devtools doctor` (same options)."}
"""Commands that left `python -m helpers`, with the one line that says where they went."""


def main(argv: list[str] | None = None) -> int:
    """Parse the command line and run one command; returns the exit status."""
    args_given = sys.argv[1:] if argv is None else argv
    if args_given and args_given[0] in MOVED:
        print(MOVED[args_given[0]], file=sys.stderr)
        return 2
    parser = argparse.ArgumentParser(prog="python -m helpers", description=__doc__)
    commands = parser.add_subparsers(dest="command", required=True)
    p = commands.add_parser(
        "serve",
        help="serve the recordings on 127.0.0.1 as a MiniMax-like endpoint (ANTHROPIC_BASE_URL=http://127.0.0.1:PORT)",
        description="Serve the recordings over HTTP on 127.0.0.1 only, so that any Anthropic client (Python, Node.js, "
        "curl) runs keyless with ANTHROPIC_BASE_URL=http://127.0.0.1:PORT. Ctrl-C stops it.",
    )
    p.add_argument("--port", type=_port, default=8765, help="port on 127.0.0.1 (0 picks a free one; default 8765)")
    p.add_argument("--speed", type=_speed, default=0.0, help="stream pace: 1 = recorded pace, 0 = instant (default)")
    p.add_argument(
        "--fault",
        action="append",
        default=[],
        metavar="SPEC",
        help="fail the next request(s): overloaded[:times], cut[:after_events], slow[:seconds], malformed[:after]; "
        "repeatable, applied in order (a request header x-replay-fault: SPEC does the same per request)",
    )
    p.add_argument("--key", action="append", default=None, help="accept only this API key (repeatable; default: any)")
    args = parser.parse_args(argv)

    if args.command == "serve":
        from .server import parse_fault, serve

        try:
            for spec in args.fault:
                parse_fault(spec)
        except ValueError as error:
            parser.error(str(error))
        try:
            return serve(
                port=args.port, speed=args.speed, faults=args.fault, api_keys=set(args.key) if args.key else None
            )
        except OSError as error:
            if error.errno not in (errno.EADDRINUSE, errno.EACCES):
                raise
            print(
                f"Cannot listen on 127.0.0.1:{args.port}: {error.strerror or error}. "
                "Stop what uses that port, or pick another with --port (0 picks a free one).",
                file=sys.stderr,
            )
            return 1
    return 2


if __name__ == "__main__":
    sys.exit(main())
