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

import datetime as dt
import shutil
import tempfile
import time
from concurrent.futures import ThreadPoolExecutor, as_completed
from pathlib import Path

from ..cells import is_test, nbgrader_meta
from ..coursedir import course_dir, source_path
from . import CheckFailed
from .feedback import feedback_html, table, write_report
from .intake import collect, master_cells, prepare, released_cells
from .nbgrader_tools import nbgrader, scratch_course
from .sandbox import run_sandboxed, sandbox_prefix
from .scoring import Outcome, ignore_pattern_from_config, merge, score


def grade_one(asg, student, folder, master, clean_db, base, hide, cell_timeout, notebook_timeout, memory_gb,
              ignore_pattern, released=None):
    """Everything for one student except the gradebook merge (done by the parent, one at a time)."""
    out = Outcome(student)
    start = time.perf_counter()
    job = Path(tempfile.mkdtemp(prefix=f"{student}-", dir=base))
    nb = prepare(asg, student, folder, master, clean_db, out, released)
    executed = None
    if nb is None:
        out.status = "failed"
    else:
        executed, status, _ = run_sandboxed(job, nb, cell_timeout, notebook_timeout, hide, memory_gb)
        if status != "ok":
            out.flag(status.split(":")[0])
        score(asg, executed, master, out, ignore_pattern)
        if executed is None:
            out.status = "failed"
    if out.status != "failed" and out.flags:
        out.status = "flagged"
    if out.status == "failed" and not out.cells:
        out.max_score = sum(float(nbgrader_meta(c).get("points", 0)) for c in master.values() if is_test(c))
    out.seconds = time.perf_counter() - start
    shutil.rmtree(job, ignore_errors=True)
    return out, executed


def grade(asg, submissions=None, zip_path=None, jobs=1, root=None, cell_timeout=120, notebook_timeout=600,
          memory_gb=6, gradebook=None, log=print):
    """Grade every submission of ``asg``; return the outcomes (also written to the report CSV).

    ``gradebook`` is the SQLite file to merge into (default: the course's ``gradebook.db``).
    """
    from tqdm.auto import tqdm

    root = course_dir(root)
    if not source_path(asg, root).exists():
        raise SystemExit(f"no assignment {asg}: expected {source_path(asg, root)}")
    master = master_cells(asg, root)
    released = released_cells(asg, root)
    (root / "autograded").mkdir(exist_ok=True)
    db_path = Path(gradebook) if gradebook else root / "gradebook.db"
    if db_path.exists():
        backups = root / "autograded" / "backups"
        backups.mkdir(exist_ok=True)
        backup = backups / f"gradebook-{dt.datetime.now():%Y%m%d-%H%M%S}.db"
        shutil.copy2(db_path, backup)
        log(f"gradebook backed up to {backup}")
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
        students = collect(asg, submissions, zip_path, tmp)
        if not students:
            log("no submissions found")
        base = tmp / "jobs"
        base.mkdir()
        hide = [root, tmp / "unzipped", Path(submissions) if submissions else root / "submitted", tmp]
        hide = [h for h in dict.fromkeys(Path(h).resolve() for h in hide)]
        _, isolation = sandbox_prefix(base, [], memory_gb)
        log(f"grading {len(students)} submissions of {asg} with {jobs} job(s); isolation: {isolation}")
        outcomes = []
        with ThreadPoolExecutor(max_workers=max(1, jobs)) as pool:
            futures = {pool.submit(grade_one, asg, s, folder, master, clean_db, base, hide, cell_timeout,
                                   notebook_timeout, memory_gb, ignore, released): s
                       for s, folder in students.items()}
            for fut in tqdm(as_completed(futures), total=len(futures), desc=f"grading {asg}", unit="student"):
                student = futures[fut]
                try:
                    out, executed = fut.result()
                except Exception as err:  # noqa: BLE001 - one student's failure never stops the batch
                    out, executed = Outcome(student, status="failed", flags=[f"grader-error:{type(err).__name__}"]), None
                try:
                    merge(asg, out, executed, root, db_url)
                except Exception as err:  # noqa: BLE001
                    out.flag(f"gradebook-error:{type(err).__name__}")
                    out.status = "failed"
                fb = root / "feedback" / out.student / asg / f"{asg}.html"
                try:
                    feedback_html(asg, executed, out, fb)
                    out.feedback = str(fb.relative_to(root))
                except Exception as err:  # noqa: BLE001
                    out.flag(f"feedback-error:{type(err).__name__}")
                outcomes.append(out)
    outcomes.sort(key=lambda o: o.student)
    report = write_report(root / "autograded" / f"{asg}-report.csv", outcomes)
    log(table(outcomes))
    log(f"report: {report.relative_to(root)}; feedback: feedback/<student>/{asg}/{asg}.html")
    return outcomes


