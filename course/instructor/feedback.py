"""Grading, stage 4: feedback and the report.

Each student gets an HTML page of their notebook with scores, without hidden
tests or tracebacks; the instructor gets ``autograded/ASSIGNMENT-report.csv``
and a table on the terminal.
"""
from __future__ import annotations

import csv
import re
from pathlib import Path

import nbformat

from ..cells import grade_id


def feedback_html(asg, executed, out, path):
    """A student's feedback page: their notebook with scores, without hidden tests or tracebacks."""
    from nbconvert import HTMLExporter

    nb = executed if executed is not None else nbformat.v4.new_notebook()
    hidden = re.compile(r"### BEGIN HIDDEN TESTS.*?### END HIDDEN TESTS\n?", re.S)
    for cell in nb.cells:
        cell.source = hidden.sub("# (hidden tests ran here)\n", cell.source)
        gid = grade_id(cell)
        if cell.cell_type == "code":
            for o in cell.get("outputs", []):
                if o.get("output_type") == "error":
                    o["traceback"] = [f"{o.get('ename', 'Error')}: {o.get('evalue', '')}"]
            if gid in out.cells and out.cells[gid][0] is not None:
                got, pts = out.cells[gid]
                cell.source = f"# score: {got:g} / {pts:g}\n" + cell.source
    summary = nbformat.v4.new_markdown_cell(
        f"# Feedback: {asg}, {out.student}\n\n**Autograded score: {out.score:g} / {out.max_score:g}**"
        + (f"  \nLate-submission penalty: {out.late_penalty:g}" if out.late_penalty else "")
        + "\n\nWritten answers are graded by hand; hidden tests are not shown.")  # flags go to the report only
    nb.cells.insert(0, summary)
    body, _ = HTMLExporter(template_name="classic").from_notebook_node(nb)
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(body, encoding="utf-8")


REPORT_COLUMNS = ["student_id", "score", "max_score", "status", "flags", "file", "submitted_at", "late_penalty",
                  "seconds", "sandbox"]


def report_row(o):
    """One report row (a dict of strings) for an outcome."""
    return {"student_id": o.student, "score": f"{o.score:g}", "max_score": f"{o.max_score:g}", "status": o.status,
            "flags": ";".join(o.flags), "file": o.file,
            "submitted_at": o.submitted_at.isoformat() if o.submitted_at else "",
            "late_penalty": f"{o.late_penalty:g}", "seconds": f"{o.seconds:.1f}", "sandbox": o.sandbox}


def write_report(path, outcomes, keep_others=False):
    """Write the class report CSV: one row per student graded and one per file not graded; return its path.

    ``keep_others`` (a regrade of some students): the existing report's rows of
    every other student are kept, and these students' rows replaced.
    """
    path = Path(path)
    rows = [report_row(o) for o in outcomes]
    if keep_others and path.exists():
        mine = {o.student for o in outcomes}
        rows = [r for r in read_csv(path) if r.get("student_id") not in mine] + rows
    rows.sort(key=lambda r: (r["student_id"] == "", r["student_id"], r["status"] != "graded", r["file"]))
    write_csv(path, REPORT_COLUMNS, rows)
    return path


CHECK_COLUMNS = ["student_id", "grade_id", "check", "description", "points", "passed", "hidden"]


def write_checks(path, outcomes, keep_others=False):
    """Write every recorded check result, one row per student, test cell and check (``check`` counts from 1
    in the cell's order); ``keep_others`` as in :func:`write_report`.  Return its path."""
    path = Path(path)
    rows = [{"student_id": o.student, "grade_id": gid, "check": str(i), "description": c["description"],
             "points": f"{c['points']:g}", "passed": "1" if c["passed"] else "0", "hidden": "1" if c["hidden"] else "0"}
            for o in outcomes for gid, checks in sorted(o.checks.items()) for i, c in enumerate(checks, 1)]
    if keep_others:
        mine = {o.student for o in outcomes}
        rows = [r for r in read_csv(path) if r.get("student_id") not in mine] + rows
    rows.sort(key=lambda r: (r["student_id"], r["grade_id"], int(r["check"])))
    write_csv(path, CHECK_COLUMNS, rows)
    return path


def read_csv(path):
    """The rows of a CSV file the grader wrote, as dicts (an empty list when it does not exist)."""
    path = Path(path)
    if not path.exists():
        return []
    with open(path, newline="", encoding="utf-8") as f:
        return list(csv.DictReader(f))


def write_csv(path, columns, rows):
    """Write ``rows`` atomically: a reader never sees half a file."""
    path.parent.mkdir(parents=True, exist_ok=True)
    tmp = path.with_suffix(".tmp")
    with open(tmp, "w", newline="", encoding="utf-8") as f:
        w = csv.DictWriter(f, fieldnames=columns, extrasaction="ignore", restval="")
        w.writeheader()
        w.writerows(rows)
    tmp.replace(path)


def table(outcomes):
    """A plain-text summary table of a graded batch."""
    rows = [("student", "score", "status", "seconds", "flags")]
    rows += [(o.student, f"{o.score:g}/{o.max_score:g}", o.status, f"{o.seconds:.1f}", ", ".join(o.flags))
             for o in outcomes]
    widths = [max(len(r[i]) for r in rows) for i in range(5)]
    lines = ["  ".join(c.ljust(w) for c, w in zip(r, widths)).rstrip() for r in rows]
    lines.insert(1, "  ".join("-" * w for w in widths))
    return "\n".join(lines)


