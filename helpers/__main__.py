"""Command line: `python -m helpers <command>`; `python -m helpers --help` lists the commands."""

from __future__ import annotations

import argparse
import sys


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m helpers", description=__doc__)
    commands = parser.add_subparsers(dest="command", required=True)
    p = commands.add_parser("regenerate", help="re-run notebooks on recordings and store their outputs")
    p.add_argument("notebooks", nargs="*", help="only notebooks whose name contains one of these")
    p = commands.add_parser("record", help="run notebooks live with a key and write new recordings")
    p.add_argument("notebooks", nargs="*", help="only notebooks whose name contains one of these")
    p = commands.add_parser("synth", help="rebuild synthesized recordings from data/exchanges/*.json")
    p.add_argument("names", nargs="*", help="only these description files (stem, e.g. 01_quick_start)")
    p = commands.add_parser(
        "serve",
        help="serve the recordings on 127.0.0.1 as a MiniMax-like endpoint (ANTHROPIC_BASE_URL=http://127.0.0.1:PORT)",
        description="Serve the recordings over HTTP on 127.0.0.1 only, so that any Anthropic client (Python, Node.js, "
        "curl) runs keyless with ANTHROPIC_BASE_URL=http://127.0.0.1:PORT. Ctrl-C stops it.",
    )
    p.add_argument("--port", type=int, default=8765, help="port on 127.0.0.1 (0 picks a free one; default 8765)")
    p.add_argument("--speed", type=float, default=0.0, help="stream pace: 1 = recorded pace, 0 = instant (default)")
    p.add_argument(
        "--fault",
        action="append",
        default=[],
        metavar="SPEC",
        help="fail the next request(s): overloaded[:times], cut[:after_events], slow[:seconds], malformed[:after]; "
        "repeatable, applied in order (a request header x-replay-fault: SPEC does the same per request)",
    )
    p.add_argument("--key", action="append", default=None, help="accept only this API key (repeatable; default: any)")
    p = commands.add_parser("badges", help="rewrite every notebook's Colab badge and setup cell from project.py")
    p.add_argument("notebooks", nargs="*", help="only notebooks whose name contains one of these")
    p.add_argument("--check", action="store_true", help="only list what disagrees (exit 1 if anything does)")
    commands.add_parser("cost", help="estimate the cost of running every notebook live once, from its recordings")
    args = parser.parse_args(argv)

    if args.command == "regenerate":
        from .notebooks import regenerate

        return regenerate(args.notebooks)
    if args.command == "record":
        from .notebooks import record

        return record(args.notebooks)
    if args.command == "synth":
        from .synth import main as synth_main

        return synth_main(args.names)
    if args.command == "serve":
        from .server import parse_fault, serve

        try:
            for spec in args.fault:
                parse_fault(spec)
        except ValueError as error:
            parser.error(str(error))
        return serve(port=args.port, speed=args.speed, faults=args.fault, api_keys=set(args.key) if args.key else None)
    if args.command == "badges":
        from .badges import main as badges_main

        return badges_main(args.notebooks, check=args.check)
    if args.command == "cost":
        from .costs import main as cost_main

        return cost_main()
    return 2


if __name__ == "__main__":
    sys.exit(main())
