"""nbgrader's cell metadata, read in one place: grade ids, answer cells, test cells; a code cell's syntax tree.

Grade ids look like ``<assignment>-<name>-<aspect>`` (spec section 3): an
answer cell is ``<asg>-<name>-answer``, its test cell ``<asg>-<name>-tests``.
"""
from __future__ import annotations

import ast
import re

ASSIGNMENT_PREFIX = re.compile(r"^(?P<asg>\d\d_[a-z0-9_]+)-")
CHECKS_MIME = "application/vnd.modern-cnns.checks+json"  # a test cell's check results, as autograding records them


def nbgrader_meta(cell):
    """The cell's nbgrader metadata (an empty dict when it has none, or something that is not a dict)."""
    meta = cell.get("metadata", {}).get("nbgrader")
    return meta if isinstance(meta, dict) else {}


def grade_id(cell):
    """The cell's grade id, or ``None``."""
    return nbgrader_meta(cell).get("grade_id") or None


def is_test(cell):
    """An autograded test cell: a graded code cell that is not an answer."""
    meta = nbgrader_meta(cell)
    return cell.get("cell_type") == "code" and bool(meta.get("grade")) and not meta.get("solution")


def is_written_answer(cell):
    """A manually graded written answer (a Markdown answer cell)."""
    return cell.get("cell_type") == "markdown" and bool(nbgrader_meta(cell).get("solution"))


def by_grade_id(nb):
    """``{grade_id: cell}`` for the cells that carry one (the first of duplicates)."""
    out = {}
    for cell in nb.cells:
        gid = grade_id(cell)
        if gid is not None and gid not in out:
            out[gid] = cell
    return out


def answer_cells(nb, asg):
    """``{name: cell}`` for the answer code cells (grade_id ``<asg>-<name>-answer``) of a notebook."""
    out = {}
    for cell in nb.cells:
        gid = grade_id(cell) or ""
        if cell.cell_type == "code" and gid.startswith(asg + "-") and gid.endswith("-answer"):
            out[gid[len(asg) + 1:-len("-answer")]] = cell
    return out


def assignment_of(nb):
    """The assignment id, read from the notebook's grade ids; ``None`` for a notebook of no assignment."""
    for cell in nb.cells:
        m = ASSIGNMENT_PREFIX.match(grade_id(cell) or "")
        if m:
            return m.group("asg")
    return None


def parse_cell(source):
    """The syntax tree of a code cell (IPython magics and shell lines blanked), or None if it is not Python."""
    text = "\n".join("" if line.lstrip().startswith(("%", "!")) else line for line in source.split("\n"))
    try:
        return ast.parse(text)
    except SyntaxError:
        return None
