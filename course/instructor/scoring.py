"""Grading, stage 3: scoring and the gradebook.

nbgrader's own ``determine_grade`` scores every graded cell of the executed
notebook; the canary must fail.  Only the parent process writes the gradebook,
one student at a time.
"""
from __future__ import annotations

import re
from dataclasses import dataclass, field
from pathlib import Path

import nbformat

from ..cells import nbgrader_meta
CANARY = "canary-tests"


@dataclass
class Outcome:
    student: str
    score: float = 0.0
    max_score: float = 0.0
    status: str = "graded"           # graded | flagged | failed
    flags: list = field(default_factory=list)
    cells: dict = field(default_factory=dict)  # grade_id -> (score or None, max)
    seconds: float = 0.0
    feedback: str = ""

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
        if gid.endswith(CANARY) and cell is not None and trusted.cell_type == "code":
            ran = cell.get("execution_count") is not None
            failed = any(o.get("output_type") == "error" for o in cell.outputs)
            if ran and not failed:
                out.flag("canary-passed")
    out.score = sum(s for s, _ in out.cells.values() if s is not None)
    out.max_score = sum(m for g, (_, m) in out.cells.items() if master[g].cell_type == "code")


def merge(asg, out, executed, root, db_url):
    """Write one student's scores into the course gradebook (manual grades are kept) and ``autograded/``."""
    import warnings

    from nbgrader.api import Gradebook, MissingEntry

    warnings.filterwarnings("ignore", message=".*not in session.*")  # nbgrader's own SQLAlchemy noise
    dest = Path(root) / "autograded" / out.student / asg / f"{asg}.ipynb"
    dest.parent.mkdir(parents=True, exist_ok=True)
    if executed is not None:
        nbformat.write(executed, dest)
    with Gradebook(db_url) as gb:
        gb.update_or_create_student(out.student)
        try:
            gb.find_submission(asg, out.student)
        except MissingEntry:
            gb.add_submission(asg, out.student)
        for gid, (got, _) in out.cells.items():
            try:
                grade = gb.find_grade(gid, asg, asg, out.student)
            except MissingEntry:
                continue
            grade.auto_score = got
            grade.needs_manual_grade = got is None and grade.manual_score is None
        gb.db.commit()


def ignore_pattern_from_config(root):
    text = (Path(root) / "nbgrader_config.py").read_text()
    m = re.search(r"IgnorePattern\.pattern\s*=\s*r?[\"'](.+?)[\"']", text)
    return m.group(1) if m else None


