"""Grading, stage 3: scoring and the gradebook.

nbgrader's own ``determine_grade`` scores every graded cell of the executed
notebook; the canary must fail.  Only the parent process writes the gradebook,
one student at a time: the scores, the submission's timestamp, and the late
penalty, which nbgrader's ``AssignLatePenalties`` computes with the plugin the
course configures (``c.AssignLatePenalties.plugin_class``,
``c.LateSubmissionPlugin.penalty_method``) against the assignment's due date
(``nbgrader db assignment add ASSIGNMENT --duedate=...``).  A submission that
could not be read or run scores 0 in every autograded cell, so the gradebook
and the report always agree.  Before any work starts the gradebook is opened
(a file that is not a database stops grading) and backed up with SQLite's
online backup API.
"""
from __future__ import annotations

import datetime as dt
import re
import sqlite3
from dataclasses import dataclass, field
from pathlib import Path

import nbformat

from ..cells import CHECKS_MIME, is_test, nbgrader_meta
from . import CannotGrade

CANARY = "canary-tests"


class GradebookError(CannotGrade):
    """The gradebook cannot be opened or backed up: nothing was graded."""


@dataclass
class Outcome:
    student: str
    score: float = 0.0
    max_score: float = 0.0
    status: str = "graded"           # graded | flagged | failed | not-graded | superseded
    flags: list = field(default_factory=list)
    cells: dict = field(default_factory=dict)  # grade_id -> (score or None, max)
    checks: dict = field(default_factory=dict)  # grade_id -> [{description, points, passed, hidden}] as recorded
    seconds: float = 0.0
    feedback: str = ""
    file: str = ""                   # where the notebook came from (the zip entry or the file)
    submitted_at: dt.datetime | None = None
    late_penalty: float = 0.0
    sandbox: str = ""

    def flag(self, name):
        if name not in self.flags:
            self.flags.append(name)


def score(asg, executed, master, out, ignore_pattern):
    """Score every graded cell with nbgrader's ``determine_grade``; check the canary."""
    from nbgrader.utils import determine_grade

    by_id = {}
    for cell in executed.cells if executed is not None else []:
        gid = cell.get("metadata", {}).get("nbgrader", {}).get("grade_id")
        if gid and gid not in by_id:
            if cell.cell_type == "code" and ignore_pattern:
                cell.outputs = [o for o in cell.outputs if not (o.get("output_type") == "stream" and o.get("name") == "stderr"
                                                              and re.search(ignore_pattern, o.get("text", "")))]
            by_id[gid] = cell
    for gid, trusted in master.items():
        meta = nbgrader_meta(trusted)
        if not (meta.get("grade") or meta.get("task")):
            continue
        cell = by_id.get(gid)
        points = float(meta.get("points", 0))
        if cell is None:
            got = 0.0 if trusted.cell_type == "code" else None
        else:
            executed_cell = trusted.cell_type != "code" or cell.get("execution_count") is not None or cell.outputs
            got, _ = determine_grade(cell) if executed_cell else (0.0, points)
            if trusted.cell_type == "code" and not executed_cell:
                got = 0.0
        out.cells[gid] = (got, points)
        if cell is not None and trusted.cell_type == "code" and got is not None:
            recorded = check_record(cell, got)
            if recorded is not None:
                out.checks[gid] = recorded
            elif any(CHECKS_MIME in o.get("data", {}) for o in cell.outputs):
                out.flag("check-record-mismatch")
        if gid.endswith(CANARY) and cell is not None and trusted.cell_type == "code":
            ran = cell.get("execution_count") is not None
            failed = any(o.get("output_type") == "error" for o in cell.outputs)
            if ran and not failed:
                out.flag("canary-passed")
    out.score = sum(s for s, _ in out.cells.values() if s is not None)
    out.max_score = sum(m for g, (_, m) in out.cells.items() if master[g].cell_type == "code")


def check_record(cell, got):
    """The per-check results a graded test cell recorded (``Checks`` under autograding), or None.

    The last record of the cell is the one ``Checks.run`` wrote after every check ran; it counts only when the
    points of its passed checks add up to the score nbgrader gave the cell, so student code that prints a
    record of its own cannot change the class report (the score itself never depends on it)."""
    records = [o["data"][CHECKS_MIME] for o in cell.outputs
               if o.get("output_type") == "display_data" and CHECKS_MIME in o.get("data", {})]
    if not records:
        return None
    try:
        checks = [{"description": str(c["description"]), "points": float(c["points"]), "passed": bool(c["passed"]),
                   "hidden": bool(c["hidden"])} for c in records[-1]["checks"]]
    except (KeyError, TypeError, ValueError):
        return None
    if abs(sum(c["points"] for c in checks if c["passed"]) - float(got)) > 1e-6:
        return None
    return checks


def zero_scores(master, out):
    """A submission that could not be read or run: 0 in every autograded cell (manual grades are kept)."""
    for gid, cell in master.items():
        if is_test(cell):
            out.cells[gid] = (0.0, float(nbgrader_meta(cell).get("points", 0)))
    out.score = 0.0
    out.max_score = sum(m for _, m in out.cells.values())


def open_gradebook(db_path, backups=None, log=print):
    """Check that ``db_path`` (if it exists) is a readable SQLite gradebook and back it up into ``backups``
    with SQLite's online backup API; raise :class:`GradebookError` otherwise.  Return the backup's path."""
    db_path = Path(db_path)
    if not db_path.exists():
        return None
    try:
        src = sqlite3.connect(f"file:{db_path}?mode=ro", uri=True)
        try:
            src.execute("select count(*) from sqlite_master").fetchone()
            if backups is None:
                return None
            Path(backups).mkdir(parents=True, exist_ok=True)
            backup = Path(backups) / f"{db_path.stem}-{dt.datetime.now():%Y%m%d-%H%M%S-%f}.db"
            dst = sqlite3.connect(backup)
            with dst:
                src.backup(dst)
            dst.close()
        finally:
            src.close()
    except sqlite3.Error as err:
        raise GradebookError(f"the gradebook {db_path} cannot be opened ({err}): nothing was graded. Restore it "
                             f"from a backup (autograded/backups/) or move it aside to start a new one") from None
    log(f"gradebook backed up to {backup}")
    return backup


def course_config(root):
    """The course's nbgrader configuration (``nbgrader_config.py``), as nbgrader itself loads it."""
    from traitlets.config.loader import PyFileConfigLoader
    return PyFileConfigLoader("nbgrader_config.py", path=str(root)).load_config()


def merge(asg, out, executed, root, db_url, config=None):
    """Write one student's scores, timestamp and late penalty into the course gradebook (manual grades are kept),
    and the executed notebook into ``autograded/``."""
    import warnings

    from nbgrader.api import Gradebook, MissingEntry
    from nbgrader.preprocessors import AssignLatePenalties

    warnings.filterwarnings("ignore", message=".*not in session.*")  # nbgrader's own SQLAlchemy noise
    dest = Path(root) / "autograded" / out.student / asg / f"{asg}.ipynb"
    dest.parent.mkdir(parents=True, exist_ok=True)
    if executed is not None:
        nbformat.write(executed, dest)
    timestamp = out.submitted_at
    if timestamp is not None and timestamp.tzinfo is not None:  # nbgrader stores naive UTC
        timestamp = timestamp.astimezone(dt.timezone.utc).replace(tzinfo=None)
    with Gradebook(db_url) as gb:
        gb.update_or_create_student(out.student)
        try:
            submission = gb.find_submission(asg, out.student)
        except MissingEntry:
            submission = gb.add_submission(asg, out.student)
        submission.timestamp = timestamp
        for gid, (got, _) in out.cells.items():
            try:
                grade = gb.find_grade(gid, asg, asg, out.student)
            except MissingEntry:
                continue
            grade.auto_score = got
            grade.needs_manual_grade = got is None and grade.manual_score is None
        gb.db.commit()
        late = submission.total_seconds_late
    resources = {"nbgrader": {"notebook": asg, "assignment": asg, "student": out.student, "db_url": db_url}}
    AssignLatePenalties(config=config or course_config(root)).preprocess(
        executed if executed is not None else nbformat.v4.new_notebook(), resources)
    with Gradebook(db_url) as gb:
        out.late_penalty = gb.find_submission_notebook(asg, asg, out.student).late_submission_penalty or 0.0
    if late > 0:
        out.flag("late")


def ignore_pattern_from_config(root):
    text = (Path(root) / "nbgrader_config.py").read_text()
    m = re.search(r"IgnorePattern\.pattern\s*=\s*r?[\"'](.+?)[\"']", text)
    return m.group(1) if m else None


