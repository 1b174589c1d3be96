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
    return 2


if __name__ == "__main__":
    sys.exit(main())
