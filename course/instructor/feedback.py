"""Grading, stage 4: feedback and the report.

Each student gets an HTML page of their notebook with scores, without hidden
tests or tracebacks; the instructor gets ``autograded/ASSIGNMENT-report.csv``
and a table on the terminal.
"""
from __future__ import annotations

import csv
import re

import nbformat


def feedback_html(asg, executed, out, path):
    """A student's feedback page: their notebook with scores, without hidden tests or tracebacks."""
    from nbconvert import HTMLExporter

    nb = executed if executed is not None else nbformat.v4.new_notebook()
    hidden = re.compile(r"### BEGIN HIDDEN TESTS.*?### END HIDDEN TESTS\n?", re.S)
    for cell in nb.cells:
        cell.source = hidden.sub("# (hidden tests ran here)\n", cell.source)
        gid = cell.get("metadata", {}).get("nbgrader", {}).get("grade_id")
        if cell.cell_type == "code":
            for o in cell.get("outputs", []):
                if o.get("output_type") == "error":
                    o["traceback"] = [f"{o.get('ename', 'Error')}: {o.get('evalue', '')}"]
            if gid in out.cells and out.cells[gid][0] is not None:
                got, pts = out.cells[gid]
                cell.source = f"# score: {got:g} / {pts:g}\n" + cell.source
    summary = nbformat.v4.new_markdown_cell(
        f"# Feedback: {asg}, {out.student}\n\n**Autograded score: {out.score:g} / {out.max_score:g}**"
        + (f"  \nNotes for the instructor: {', '.join(out.flags)}" if out.flags else "")
        + "\n\nWritten answers are graded by hand; hidden tests are not shown.")
    nb.cells.insert(0, summary)
    body, _ = HTMLExporter(template_name="classic").from_notebook_node(nb)
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(body, encoding="utf-8")


def write_report(path, outcomes):
    """Write the class report CSV, one row per student; return its path."""
    path.parent.mkdir(parents=True, exist_ok=True)
    with open(path, "w", newline="") as f:
        w = csv.writer(f)
        w.writerow(["student_id", "score", "max_score", "status", "flags"])
        for o in outcomes:
            w.writerow([o.student, f"{o.score:g}", f"{o.max_score:g}", o.status, ";".join(o.flags)])
    return path


def table(outcomes):
    """A plain-text summary table of a graded batch."""
    rows = [("student", "score", "status", "seconds", "flags")]
    rows += [(o.student, f"{o.score:g}/{o.max_score:g}", o.status, f"{o.seconds:.1f}", ", ".join(o.flags))
             for o in outcomes]
    widths = [max(len(r[i]) for r in rows) for i in range(5)]
    lines = ["  ".join(c.ljust(w) for c, w in zip(r, widths)).rstrip() for r in rows]
    lines.insert(1, "  ".join("-" * w for w in widths))
    return "\n".join(lines)


