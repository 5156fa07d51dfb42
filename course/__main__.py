"""The course's command line: ``python -m course <command>``.

  build   regenerate release/ and solutions/ from source/
  check   fail (exit 1, saying why) if the repository is not fit to ship
"""
from __future__ import annotations

import argparse
import sys
import time


def main(argv=None):
    parser = argparse.ArgumentParser(prog="python -m course", description=__doc__.split("\n\n")[0])
    sub = parser.add_subparsers(dest="command", required=True)
    p = sub.add_parser("build", help="regenerate release/ (nbgrader) and solutions/ (executed, quick mode)")
    p.add_argument("assignments", nargs="*", help="only these assignment ids (default: all)")
    p.add_argument("--jobs", type=int, default=2, help="notebooks executed at once (default 2)")
    p.add_argument("--root", default=None, help=argparse.SUPPRESS)
    p = sub.add_parser("check", help="fail if source/ is malformed, release/ leaks or drifted, or a solution fails")
    p.add_argument("--jobs", type=int, default=2, help="notebooks executed at once (default 2)")
    p.add_argument("--root", default=None, help=argparse.SUPPRESS)  # another copy of the course (tests)
    args = parser.parse_args(argv)

    from .build import ROOT, CheckFailed, build, check
    root = args.root or ROOT
    start = time.perf_counter()
    try:
        if args.command == "build":
            build(root, only=args.assignments or None, jobs=args.jobs)
        elif args.command == "check":
            check(root, jobs=args.jobs)
    except CheckFailed as err:
        print(f"{args.command} failed:\n{err}", file=sys.stderr)
        return 1
    print(f"{args.command}: ok ({time.perf_counter() - start:.0f} s)")
    return 0


if __name__ == "__main__":
    sys.exit(main())
