"""``python -m course demo``: build the course, grade a synthetic class, print the table, then the class view
(similarity, the report pages, a Canvas export).

The class covers what a real one throws at the grader: a blank notebook, a
partial one, a full one, one that kills its kernel, one stuck in a loop that
ignores interrupts, one that tampers with the checks, and a file that is not
a notebook.  It runs offline on a fresh machine, on these embedded defaults.
"""
from __future__ import annotations

import shutil
import time

import nbformat

from ..cells import answer_cells
from ..coursedir import course_dir, release_path
from .build import build, filled_release, graded_assignments

CRASH = "\nimport os\nos._exit(1)  # the kernel dies here\n"
LOOP = ("\nimport signal, time\nsignal.signal(signal.SIGINT, signal.SIG_IGN)  # ignore the grader's interrupt\n"
        "while True:\n    time.sleep(0.1)\n")
TAMPER = ("import torch\ntorch.testing.assert_close = lambda *args, **kwargs: None  # every comparison 'passes'\n"
          "get_ipython().ast_transformers.clear()\n")


def class_of(asg, root=None):
    """``{student_id: notebook text}`` for one assignment's synthetic class."""
    names = list(answer_cells(nbformat.read(release_path(asg, root), as_version=4), asg))
    release = nbformat.read(release_path(asg, root), as_version=4)
    full = filled_release(asg, root=root)
    last = answer_cells(full, asg)[names[-1]].source
    first = answer_cells(full, asg)[names[0]].source
    stub = answer_cells(release, asg)[names[0]].source
    students = {
        "ada-full": full,
        "ben-blank": release,
        "cy-partial": filled_release(asg, {n: answer_cells(release, asg)[n].source for n in names[1:]}, root),
        "dee-crash": filled_release(asg, {names[-1]: last + CRASH}, root),
        "eli-loop": filled_release(asg, {names[-1]: last + LOOP}, root),
        "fay-tamper": filled_release(asg, {names[0]: TAMPER + stub.replace(first, "")} |
                                     {n: answer_cells(release, asg)[n].source for n in names[1:]}, root),
    }
    out = {s: nbformat.writes(nb) for s, nb in students.items()}
    out["gus-invalid"] = '{"cells": [ this is not a notebook'
    return out


def demo(root=None, count=2, jobs=2, log=print):
    """Build, grade a synthetic class for the first ``count`` graded assignments, print each table, then the
    class view.  The class is graded in a copy of the course under ``autograded/demo/course/``, so the course's
    gradebook, feedback and report pages are never touched."""
    from .export import export
    from .grade import grade
    from .nbgrader_tools import scratch_course
    from .report import report
    from .similarity import similarity

    start = time.perf_counter()
    root = course_dir(root)
    log("building release/ and solutions/ from source/ ...")
    build(root, log=lambda *_: None)
    demo_dir = root / "autograded" / "demo"
    shutil.rmtree(demo_dir, ignore_errors=True)
    todo = graded_assignments(root)[:count]
    course = scratch_course(demo_dir / "course", root, todo, folders=("source", "release"))
    submitted = demo_dir / "submitted"
    outcomes = {}
    for asg in todo:
        for student, text in class_of(asg, root).items():
            dest = submitted / student / asg / f"{asg}.ipynb"
            dest.parent.mkdir(parents=True, exist_ok=True)
            dest.write_text(text, encoding="utf-8")
        log(f"\n== {asg} ==")
        outcomes[asg] = grade(asg, submissions=submitted, jobs=jobs, root=course, cell_timeout=15,
                              notebook_timeout=60, log=log)
        log(f"\n== {asg}: similarity ==")
        similarity(asg, submissions=submitted, root=course, log=log)
    log("\n== the class view ==")
    report(course, log=log)
    export(course, "canvas", log=log)
    log(f"\ndemo finished in {time.perf_counter() - start:.0f} s. Everything it wrote is under autograded/demo/: "
        "the class (submitted/) and a copy of the course it was graded in (course/), with its gradebook, "
        "feedback/<student>/<assignment>/ and autograded/ (the report CSVs and pages, course-report.html, the "
        "similarity pages, grades-canvas.csv). The course's own gradebook and pages are untouched.")
    return outcomes
