"""The course's command line: ``python -m course <command>``.

  build     regenerate release/ and solutions/ from source/
  check     fail (exit 1, saying why) if the repository is not fit to ship
  bundle    write the student bundle (release/, the course package, requirements, README), optionally zipped
  grade     autograde a class, isolated and in parallel, into the gradebook and a report
  validate  run a notebook as the grader will; exit 1 if a visible test fails (the student's self-check)
  demo      build the course and grade a synthetic class (the README's main job)
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
    p.add_argument("--no-execute", action="store_true",
                   help="skip running the solutions (their sources are still compared); nbval over solutions/ runs them")
    p.add_argument("--root", default=None, help=argparse.SUPPRESS)  # another copy of the course (tests)
    p = sub.add_parser("bundle", help="write the student bundle: release/, the course package, requirements, README")
    p.add_argument("assignments", nargs="*", help="only these assignment ids (default: all), e.g. as deadlines pass")
    p.add_argument("--out", default=None, help="folder to write (default: student-bundle/, replaced)")
    p.add_argument("--zip", action="store_true", help="also write <out>.zip, ready to publish")
    p.add_argument("--root", default=None, help=argparse.SUPPRESS)
    p = sub.add_parser("grade", help="autograde every submission of one assignment")
    p.add_argument("assignment", help="assignment id, e.g. 01_convolution")
    p.add_argument("--submissions", default=None, help="folder DIR/<student_id>/<assignment>/*.ipynb (default: submitted/)")
    p.add_argument("--zip", default=None, help="an LMS export zip instead of a folder")
    p.add_argument("--jobs", type=int, default=1, help="submissions graded at once (default 1)")
    p.add_argument("--cell-timeout", type=int, default=120, help="seconds per cell (default 120)")
    p.add_argument("--timeout", type=int, default=600, help="seconds per notebook (default 600)")
    p.add_argument("--memory-gb", type=float, default=6, help="address-space limit per submission (default 6)")
    p.add_argument("--root", default=None, help=argparse.SUPPRESS)
    p = sub.add_parser("validate", help="self-check: run a notebook as the grader will, exit 1 if a visible test fails")
    p.add_argument("notebooks", nargs="+", help="the notebook(s) to check, e.g. release/01_convolution/01_convolution.ipynb")
    p.add_argument("--cell-timeout", type=int, default=120, help="seconds per cell (default 120, as in grading)")
    p.add_argument("--root", default=None, help=argparse.SUPPRESS)
    p = sub.add_parser("demo", help="build the course, grade a synthetic class, print the table")
    p.add_argument("--assignments", type=int, default=2, help="how many of the first assignments (default 2)")
    p.add_argument("--jobs", type=int, default=2)
    p.add_argument("--root", default=None, help=argparse.SUPPRESS)
    args = parser.parse_args(argv)

    from .build import ROOT, CheckFailed, build, check
    root = args.root or ROOT
    if args.command == "validate":
        from .validate import ValidateError, validate
        try:
            ok = [validate(path, root=root, cell_timeout=args.cell_timeout) for path in args.notebooks]
        except ValidateError as err:
            print(f"validate: {err}", file=sys.stderr)
            return 2
        return 0 if all(ok) else 1
    start = time.perf_counter()
    try:
        if args.command == "build":
            build(root, only=args.assignments or None, jobs=args.jobs)
        elif args.command == "check":
            check(root, jobs=args.jobs, execute=not args.no_execute)
        elif args.command == "bundle":
            from .build import bundle
            bundle(root, out=args.out, make_zip=args.zip, only=args.assignments or None)
        elif args.command == "grade":
            from .grade import grade
            grade(args.assignment, submissions=args.submissions, zip_path=args.zip, jobs=args.jobs, root=root,
                  cell_timeout=args.cell_timeout, notebook_timeout=args.timeout, memory_gb=args.memory_gb)
        elif args.command == "demo":
            from .demo import demo
            demo(root, count=args.assignments, jobs=args.jobs)
    except CheckFailed as err:
        print(f"{args.command} failed:\n{err}", file=sys.stderr)
        return 1
    print(f"{args.command}: ok ({time.perf_counter() - start:.0f} s)")
    return 0


if __name__ == "__main__":
    sys.exit(main())
