"""Grade a class safely and in parallel: ``python -m course grade ASSIGNMENT``.

nbgrader does the grading: its own preprocessors sanitize each submission
(restore locked and deleted test cells, the kernelspec, clear outputs) and its
own ``determine_grade`` scores every cell, and results land in its gradebook
and ``autograded/`` so formgrader works for the written answers.  What this
module adds is what nbgrader 0.9 lacks for a real class:

* **isolation**: only the student's code runs in a sandbox (bubblewrap: no
  network, a private /tmp, the course folder hidden except the ``course``
  package, no other submission, no gradebook), under a memory limit (prlimit)
  and per-cell and per-notebook wall-clock limits;
* **crash tolerance**: the notebook is saved after every cell, so a kernel
  killed by ``os._exit`` or a timeout keeps the tests that passed before;
* **one student, one fate**: invalid JSON, a renamed notebook, duplicated or
  forged cell ids are handled per student and flagged, never abort the batch;
* **integrity**: a 0-point canary cell must fail, and a static scan flags
  suspicious code; flags go into the report and never change a score;
* **parallelism**: ``--jobs N`` runs N sandboxes; only this (parent) process
  writes the gradebook, which is backed up before every run;
* **feedback** HTML per student with hidden tests and tracebacks removed, and
  ``autograded/ASSIGNMENT-report.csv``.

The stages live in their own modules: ``intake`` (find, read, repair and
sanitize each notebook), ``sandbox`` (run it isolated, with the course's
notebook runner), ``scoring`` (scores and the gradebook) and ``feedback``
(the student's page, the class report); this module runs them in order.
"""
from __future__ import annotations

import shutil
import tempfile
import time
from concurrent.futures import ThreadPoolExecutor, as_completed
from pathlib import Path

from ..coursedir import assignments, course_dir, source_path
from . import CheckFailed
from .feedback import feedback_html, table, write_checks, write_report
from .intake import collect, master_cells, prepare, released_cells
from .nbgrader_tools import nbgrader, scratch_course
from .sandbox import make_sandbox
from .scoring import Outcome, course_config, ignore_pattern_from_config, merge, open_gradebook, score, zero_scores

INFO_FLAGS = {"late", "unsandboxed"}  # said in the report, but no reason by themselves for a human to look


def grade_one(asg, sub, master, clean_db, base, sandbox, cell_timeout, notebook_timeout, ignore_pattern,
              released=None):
    """Everything for one submission except the gradebook merge (done by the parent, one at a time)."""
    out = Outcome(sub.student, file=sub.file, submitted_at=sub.submitted_at, sandbox=sandbox.label)
    if sub.late:
        out.flag("late")
    if not sandbox.bwrap:
        out.flag("unsandboxed")
    start = time.perf_counter()
    job = Path(tempfile.mkdtemp(prefix=f"{sub.student}-", dir=base))
    try:
        nb = prepare(asg, sub.student, sub.folder, master, clean_db, out, released)
        executed = None
        if nb is not None:
            executed, status, _ = sandbox.run(job, nb, cell_timeout, notebook_timeout)
            if status != "ok":
                out.flag(status.split(":")[0])
            score(asg, executed, master, out, ignore_pattern)
        if executed is None:
            out.status = "failed"
            zero_scores(master, out)
    finally:
        shutil.rmtree(job, ignore_errors=True)
    out.seconds = time.perf_counter() - start
    return out, executed


def not_graded_rows(skipped):
    """Report rows for the files that were not graded (or superseded by a newer attempt), with their reasons."""
    return [Outcome(s.student or "", status=s.status, file=s.file, submitted_at=s.submitted_at,
                    flags=[s.reason.replace(";", ",")]) for s in skipped]


def grade(asg, submissions=None, zip_path=None, jobs=1, root=None, cell_timeout=120, notebook_timeout=600,
          memory_gb=6, gradebook=None, students=None, sandboxed=True, named_regexp=None, log=print):
    """Grade every submission of ``asg`` (or only those of ``students``); return the outcomes, also written to
    ``autograded/<asg>-report.csv``.

    ``gradebook``: the SQLite file to merge into (default: the course's ``gradebook.db``).  ``students``: a
    regrade of these students only; the report keeps everyone else's rows.  ``sandboxed=False`` grades without
    bubblewrap (every row says so).  Raises :class:`SandboxUnavailable` or :class:`GradebookError` before
    anything is written when grading cannot be trusted or recorded.
    """
    from tqdm.auto import tqdm

    root = course_dir(root)
    if not source_path(asg, root).exists():
        raise SystemExit(f"no assignment {asg}: expected {source_path(asg, root)}")
    sandbox = make_sandbox(memory_gb, sandboxed)   # refuses before anything is written
    db_path = Path(gradebook) if gradebook else root / "gradebook.db"
    open_gradebook(db_path, root / "autograded" / "backups", log=log)  # stops on a gradebook that cannot be opened
    master = master_cells(asg, root)
    released = released_cells(asg, root)
    config = course_config(root)
    db_url = f"sqlite:///{db_path}"
    ignore = ignore_pattern_from_config(root)
    with tempfile.TemporaryDirectory(prefix="course-grade-") as tmp:
        tmp = Path(tmp)
        # The assignment as nbgrader knows it: in the course gradebook, and in a clean private one.
        course = scratch_course(tmp / "course", root, [asg])
        try:
            nbgrader("generate_assignment", asg, "--force", "--log-level=ERROR", root=course, db=db_path)
        except CheckFailed as err:
            if "there are submissions associated" in str(err):
                raise SystemExit(
                    f"{asg}'s graded cells changed in source/ after submissions were recorded in {db_path.name}; "
                    "nbgrader will not rewrite them. Grade with the source the students received, or remove the "
                    f"old submissions first (nbgrader db submission remove {asg} STUDENT).") from None
            raise
        clean_db = tmp / "clean.db"
        nbgrader("generate_assignment", asg, "--force", "--log-level=ERROR", root=course, db=clean_db)
        submissions = submissions if submissions or zip_path else root / "submitted"  # the course's, not the cwd's
        collected = collect(asg, submissions, zip_path, tmp, named_regexp=named_regexp,
                            other_assignments=[a for a in assignments(root) if a != asg])
        todo, skipped = collected.submissions, collected.skipped
        if students:
            wanted = set(students)
            for s in sorted(wanted - set(todo)):
                log(f"no submission of {asg} by {s}: nothing to regrade")
            todo = {s: sub for s, sub in todo.items() if s in wanted}
            skipped = [k for k in skipped if k.student in wanted]
        if not todo:
            log("no submissions found")
        base = tmp / "jobs"
        base.mkdir()
        log(f"grading {len(todo)} submissions of {asg} with {jobs} job(s); sandbox: {sandbox.description}")
        outcomes = []
        with ThreadPoolExecutor(max_workers=max(1, jobs)) as pool:
            futures = {pool.submit(grade_one, asg, sub, master, clean_db, base, sandbox, cell_timeout,
                                   notebook_timeout, ignore, released): s for s, sub in todo.items()}
            for fut in tqdm(as_completed(futures), total=len(futures), desc=f"grading {asg}", unit="student"):
                sub = todo[futures[fut]]
                try:
                    out, executed = fut.result()
                except Exception as err:  # noqa: BLE001 - one student's failure never stops the batch
                    out, executed = Outcome(sub.student, status="failed", file=sub.file,
                                            submitted_at=sub.submitted_at, sandbox=sandbox.label), None
                    out.flag(f"grader-error:{type(err).__name__}")
                    zero_scores(master, out)
                try:
                    merge(asg, out, executed, root, db_url, config)
                except Exception as err:  # noqa: BLE001
                    out.flag(f"gradebook-error:{type(err).__name__}")
                    out.status = "failed"
                if out.status == "graded" and set(out.flags) - INFO_FLAGS:
                    out.status = "flagged"
                fb = root / "feedback" / out.student / asg / f"{asg}.html"
                try:
                    feedback_html(asg, executed, out, fb)
                    out.feedback = str(fb.relative_to(root))
                except Exception as err:  # noqa: BLE001
                    out.flag(f"feedback-error:{type(err).__name__}")
                outcomes.append(out)
    outcomes.sort(key=lambda o: o.student)
    report = write_report(root / "autograded" / f"{asg}-report.csv", outcomes + not_graded_rows(skipped),
                          keep_others=bool(students))
    write_checks(root / "autograded" / f"{asg}-checks.csv", outcomes, keep_others=bool(students))
    log(table(outcomes + not_graded_rows(skipped)))
    log(f"report: {report.relative_to(root)}; feedback: feedback/<student>/{asg}/{asg}.html")
    return outcomes
