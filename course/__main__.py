"""The course's command line: ``python -m course <command>``.

The student's commands:

  validate  run a notebook as the grader will; exit 1 if a visible test fails (the self-check)
  env       print what this machine gives the course (PyTorch, device, Fashion-MNIST, quick mode)

The instructor's commands (``course.instructor``, which the student bundle leaves out):

  build     regenerate release/ and solutions/ from source/
  check     fail (exit 1, saying why) if the repository is not fit to ship
  bundle    write the student bundle (release/, the student runtime, requirements, README), optionally zipped
  grade     autograde a class, isolated and in parallel, into the gradebook and a report
  similarity  compare every pair of students' answer code (a flag for a human; no score changes)
  report    the class report pages: score histogram, per-check pass rates, grading times, flags
  export    grades for Canvas's or Moodle's grade import (or a plain CSV), late penalties applied
  demo      build the course and grade a synthetic class (the README's main job)

Every command works on the course directory: ``--course-dir DIR``, else the
working directory or the nearest folder above it with ``nbgrader_config.py``.
The student runtime never imports the instructor's package: this entry point
hands an instructor's command over to ``course.instructor.cli`` only when that
package is installed.
"""
from __future__ import annotations

import argparse
import importlib
import importlib.util
import sys
from pathlib import Path

INSTRUCTOR_COMMANDS = ("build", "check", "bundle", "grade", "similarity", "report", "export", "demo")


def _instructor_cli():
    """The instructor's command-line module, or ``None`` in the student bundle.

    Only a ``course/instructor/`` beside this file counts (an editable install's
    import hook could otherwise map the name to another copy of the course).
    """
    here = Path(__file__).resolve().parent
    spec = importlib.util.find_spec("course.instructor")
    if spec is None or spec.origin is None or Path(spec.origin).resolve().parent.parent != here:
        return None
    return importlib.import_module("course.instructor.cli")


def add_course_dir(parser):
    parser.add_argument("--course-dir", "--root", dest="course_dir", default=None,
                        help="the course directory (default: the one holding the working directory)")


def main(argv=None):
    argv = list(sys.argv[1:] if argv is None else argv)
    parser = argparse.ArgumentParser(prog="python -m course", description=__doc__.split("\n\n")[0])
    sub = parser.add_subparsers(dest="command", required=True)
    p = sub.add_parser("validate", help="self-check: run a notebook as the grader will, exit 1 if a visible test fails")
    p.add_argument("notebooks", nargs="+", help="the notebook(s) to check, e.g. release/01_convolution/01_convolution.ipynb")
    p.add_argument("--cell-timeout", type=int, default=120, help="seconds per cell (default 120, as in grading)")
    add_course_dir(p)
    sub.add_parser("env", help="print the PyTorch version, the device, where Fashion-MNIST is, quick mode")
    instructor = _instructor_cli()
    if instructor is not None:
        instructor.add_commands(sub, add_course_dir)
    elif argv and argv[0] in INSTRUCTOR_COMMANDS:
        print(f"python -m course {argv[0]}: an instructor's command; the student bundle has only "
              "`validate` and `env`", file=sys.stderr)
        return 2
    args = parser.parse_args(argv)

    if args.command == "validate":
        from .validate import ValidateError, validate
        try:
            ok = [validate(path, root=args.course_dir, cell_timeout=args.cell_timeout) for path in args.notebooks]
        except ValidateError as err:
            print(f"validate: {err}", file=sys.stderr)
            return 2
        return 0 if all(ok) else 1
    if args.command == "env":
        from .env import check_environment
        check_environment()
        return 0
    return instructor.run(args)


if __name__ == "__main__":
    sys.exit(main())
