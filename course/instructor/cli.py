"""The instructor's commands of ``python -m course``: build, check, bundle, grade, similarity, report, export, demo."""
from __future__ import annotations

import sys
import time

from ..coursedir import CourseDirError, find_course_dir
from . import CannotGrade, CheckFailed


def add_commands(sub, add_course_dir):
    """Add the instructor's subcommands to the ``python -m course`` parser."""
    p = sub.add_parser("build", help="regenerate release/ (nbgrader) and solutions/ (executed, quick mode)")
    p.add_argument("assignments", nargs="*", help="only these assignment ids (default: all)")
    p.add_argument("--jobs", type=int, default=2, help="notebooks executed at once (default 2)")
    p.add_argument("--train", action="store_true",
                   help="record real runs of the training cells (tag recorded-run) in solutions/, at this device's "
                        "budget (the CPU one on a CPU, d2l's on a GPU); a plain build keeps the recorded runs")
    add_course_dir(p)
    p = sub.add_parser("check", help="fail if source/ is malformed, release/ leaks or drifted, or a solution fails")
    p.add_argument("--jobs", type=int, default=2, help="notebooks executed at once (default 2)")
    p.add_argument("--no-execute", action="store_true",
                   help="skip running the solutions (their sources are still compared); nbval over solutions/ runs them")
    add_course_dir(p)
    p = sub.add_parser("bundle", help="write the student bundle: release/, the student runtime, requirements, README")
    p.add_argument("assignments", nargs="*", help="only these assignment ids (default: all), e.g. as deadlines pass")
    p.add_argument("--out", default=None, help="folder to write (default: student-bundle/, replaced)")
    p.add_argument("--zip", action="store_true", help="also write <out>.zip, ready to publish")
    add_course_dir(p)
    p = sub.add_parser("grade", help="autograde every submission of one assignment")
    p.add_argument("assignment", help="assignment id, e.g. 01_convolution")
    p.add_argument("--submissions", default=None, help="folder DIR/<student_id>/<assignment>/*.ipynb (default: submitted/)")
    p.add_argument("--zip", default=None, help="an LMS export zip instead of a folder")
    p.add_argument("--jobs", type=int, default=1, help="submissions graded at once (default 1)")
    p.add_argument("--cell-timeout", type=int, default=120, help="seconds per cell (default 120)")
    p.add_argument("--timeout", type=int, default=600, help="seconds per notebook (default 600)")
    p.add_argument("--memory-gb", type=float, default=6, help="memory limit per submission in GB (default 6)")
    p.add_argument("--student", action="append", default=None, metavar="ID",
                   help="regrade only this student (repeatable); the report keeps everyone else's rows")
    p.add_argument("--named-regexp", default=None, metavar="REGEXP",
                   help="file names of another LMS: a regular expression with the groups student_id "
                        "(and optionally timestamp, file), like nbgrader's FileNameCollectorPlugin.named_regexp")
    p.add_argument("--no-sandbox", action="store_true",
                   help="grade without bubblewrap, where isolation is impossible: every report row says unsandboxed")
    add_course_dir(p)
    p = sub.add_parser("similarity", help="compare every pair of students' answer code (copydetect); changes no score")
    p.add_argument("assignment", help="assignment id, e.g. 01_convolution")
    p.add_argument("--submissions", default=None, help="folder as for grade (default: submitted/)")
    p.add_argument("--zip", default=None, help="an LMS export zip instead of a folder")
    p.add_argument("--named-regexp", default=None, metavar="REGEXP", help="file names of another LMS, as for grade")
    p.add_argument("--threshold", type=float, default=None,
                   help="flag a pair when one side has this share of its own code in the other (default 0.5)")
    add_course_dir(p)
    p = sub.add_parser("report", help="the class report pages (HTML with pictures) of graded assignments")
    p.add_argument("assignments", nargs="*", help="only these (default: every assignment graded so far); "
                                                  "the course-wide page always covers all of them")
    p.add_argument("--gradebook", default=None, help="the gradebook (default: gradebook.db)")
    add_course_dir(p)
    p = sub.add_parser("export", help="grades from the gradebook, late penalties applied, for an LMS's grade import")
    p.add_argument("--lms", choices=["canvas", "moodle", "moodle-worksheet", "csv"], required=True,
                   help="whose grade import to write for (the columns: course/instructor/export.py)")
    p.add_argument("--canvas-id-column", choices=["ID", "SIS User ID", "SIS Login ID"], default=None,
                   help="canvas: the column the student ids belong in (default: ID for numeric ids, else SIS Login ID)")
    p.add_argument("assignments", nargs="*", help="only these (default: every assignment in the gradebook)")
    p.add_argument("--out", default=None, help="file to write (default: autograded/grades-<lms>.csv)")
    p.add_argument("--missing", choices=["empty", "zero"], default="empty",
                   help="a student without a submission: an empty cell (default) or 0")
    p.add_argument("--gradebook", default=None, help="the gradebook (default: gradebook.db)")
    add_course_dir(p)
    p = sub.add_parser("demo", help="build the course, grade a synthetic class, print the table")
    p.add_argument("--assignments", type=int, default=2, help="how many of the first assignments (default 2)")
    p.add_argument("--jobs", type=int, default=2)
    add_course_dir(p)


def run(args):
    """Run one parsed instructor command; return the exit status."""
    start = time.perf_counter()
    try:
        root = find_course_dir(args.course_dir)
        if args.command == "build":
            from .build import build
            build(root, only=args.assignments or None, jobs=args.jobs, train=args.train)
        elif args.command == "check":
            from .check import check
            check(root, jobs=args.jobs, execute=not args.no_execute)
        elif args.command == "bundle":
            from .bundle import bundle
            bundle(root, out=args.out, make_zip=args.zip, only=args.assignments or None)
        elif args.command == "grade":
            from .grade import grade
            grade(args.assignment, submissions=args.submissions, zip_path=args.zip, jobs=args.jobs, root=root,
                  cell_timeout=args.cell_timeout, notebook_timeout=args.timeout, memory_gb=args.memory_gb,
                  students=args.student, sandboxed=not args.no_sandbox, named_regexp=args.named_regexp)
        elif args.command == "similarity":
            from .similarity import THRESHOLD, similarity
            similarity(args.assignment, submissions=args.submissions, zip_path=args.zip, root=root,
                       named_regexp=args.named_regexp,
                       threshold=THRESHOLD if args.threshold is None else args.threshold)
        elif args.command == "report":
            from .report import report
            report(root, only=args.assignments or None, gradebook=args.gradebook)
        elif args.command == "export":
            from .export import export
            export(root, args.lms, only=args.assignments or None, out=args.out, missing=args.missing,
                   gradebook=args.gradebook, canvas_id=args.canvas_id_column)
        elif args.command == "demo":
            from .demo import demo
            demo(root, count=args.assignments, jobs=args.jobs)
    except CourseDirError as err:
        print(f"{args.command}: {err}", file=sys.stderr)
        return 2
    except CannotGrade as err:  # the sandbox or the gradebook is not usable: nothing was written
        print(f"{args.command}: {err}", file=sys.stderr)
        return 2
    except CheckFailed as err:
        print(f"{args.command} failed:\n{err}", file=sys.stderr)
        return 1
    print(f"{args.command}: ok ({time.perf_counter() - start:.0f} s)")
    return 0
