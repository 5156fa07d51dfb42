"""Grades back into the LMS: ``python -m course export --lms canvas|moodle|moodle-worksheet|csv [ASSIGNMENT ...]``.

nbgrader exports only its own long CSV.  This reads the gradebook (every assignment in it, in teaching
order, or the ones named) and writes one row per student of the gradebook, one column per assignment,
each grade being nbgrader's score (autograded plus manual) less its late penalty (never below 0).  A
student without a submission gets an empty cell, which LMSs read as "not graded", not 0 (``--missing zero``
for 0).  Written answers that nobody has graded yet in formgrader count 0; the command says how many.

The columns, as each LMS's grade import reads them:

* **canvas** (Gradebook → Import): ``Student, ID, SIS User ID, SIS Login ID, Section``, then one column
  per assignment, and a second row ``Points Possible``.  ``Student`` is "Last, First" when the gradebook
  has names, else the id.  Canvas matches a row by ``ID`` (its user id), else by the SIS ids.  The student
  id goes into ``ID`` when it is a number (what ``course grade --zip`` reads from a Canvas export is the
  Canvas user id), else into ``SIS Login ID``; ``--canvas-id-column`` says which column it is when that
  guess is wrong (e.g. numeric matriculation numbers: ``SIS User ID``); nbgrader's ``lms_user_id``, where
  the gradebook has one, is always the ``ID``.  Canvas matches a grade column to an existing assignment by
  its name (or "Name (assignment id)"); an unknown name creates a new assignment.
* **moodle** (Grades → Import → CSV file): ``First name, Last name, ID number, Email address``, then one
  column ``Assignment: <id> (Real)`` per assignment, as Moodle's own CSV export names them.  In the import's
  mapping choose "ID number" → useridnumber (or "Email address" → useremail) and each column's grade item.
  This needs students whose nbgrader id is their Moodle ID number (or whose email the gradebook has).
* **moodle-worksheet** (the assignment's "Upload grading worksheet"), for a class graded from a Moodle zip,
  whose student ids are Moodle's participant ids: one assignment, ``Identifier`` ("Participant <id>"),
  ``Full name, Email address, Grade, Maximum Grade``; Moodle matches rows by ``Identifier``.
* **csv**: ``student_id, last_name, first_name, email``, one column per assignment, ``total`` and
  ``max_total``.

Text cells that a spreadsheet would read as a formula (starting with ``=``, ``+``, ``-`` or ``@``) get a
leading ``'``.
"""
from __future__ import annotations

import csv
from dataclasses import dataclass, field
from pathlib import Path

from ..coursedir import assignments, course_dir
from .scoring import open_gradebook


@dataclass
class Grades:
    """What the gradebook says: the students, the assignments and each final grade (``None``: no submission)."""
    assignments: list
    max_scores: dict                        # assignment -> points possible
    students: list                          # nbgrader Student rows, as dicts
    grades: dict = field(default_factory=dict)  # (student, assignment) -> final grade or None
    ungraded: int = 0                       # submissions with written answers not yet graded by hand


def read_grades(db_path, order=(), only=None):
    """The final grades of the gradebook at ``db_path``: score less late penalty, clipped at 0."""
    from nbgrader.api import Gradebook, MissingEntry

    open_gradebook(db_path)  # a file that is not a gradebook stops here, with a clear error
    with Gradebook(f"sqlite:///{db_path}") as gb:
        names = [a.name for a in gb.assignments]
        rank = {a: i for i, a in enumerate(order)}
        names.sort(key=lambda a: (rank.get(a, len(rank)), a))
        if only:
            unknown = [a for a in only if a not in names]
            if unknown:
                raise SystemExit(f"not in the gradebook: {', '.join(unknown)} (graded so far: {', '.join(names) or 'none'})")
            names = [a for a in names if a in only]
        out = Grades(names, {a: gb.find_assignment(a).max_score for a in names},
                     [{"id": s.id, "first_name": s.first_name or "", "last_name": s.last_name or "",
                       "email": s.email or "", "lms_user_id": s.lms_user_id or ""}
                      for s in sorted(gb.students, key=lambda s: s.id)])
        for s in out.students:
            for a in names:
                try:
                    sub = gb.find_submission(a, s["id"])
                except MissingEntry:
                    out.grades[s["id"], a] = None
                    continue
                out.grades[s["id"], a] = max(0.0, sub.score - (sub.late_submission_penalty or 0.0))
                out.ungraded += bool(sub.needs_manual_grade)
    return out


def _text(value):
    """A text cell that a spreadsheet will not run as a formula (=, +, -, @ at the start)."""
    value = str(value)
    return "'" + value if value[:1] in ("=", "+", "-", "@", "\t", "\r") else value


def _name(s, last_first=True):
    first, last = s["first_name"], s["last_name"]
    if first and last:
        return f"{last}, {first}" if last_first else f"{first} {last}"
    return first or last or s["id"]


def _number(x, missing):
    if x is None:
        return "0" if missing == "zero" else ""
    return f"{x:g}"


CANVAS_COLUMNS = {"ID": 1, "SIS User ID": 2, "SIS Login ID": 3}


def canvas_rows(g, missing, canvas_id=None):
    """``canvas_id``: which Canvas column the student ids are (``ID``, ``SIS User ID`` or ``SIS Login ID``);
    by default ``ID`` for a numeric id (a Canvas user id, as a Canvas zip gives), else ``SIS Login ID``;
    nbgrader's ``lms_user_id``, where set, is always the ``ID``."""
    head = ["Student", "ID", "SIS User ID", "SIS Login ID", "Section"] + g.assignments
    rows = [head, ["Points Possible", "", "", "", ""] + [f"{g.max_scores[a]:g}" for a in g.assignments]]
    for s in g.students:
        row = [_text(_name(s)), "", "", "", ""]
        column = canvas_id or ("ID" if s["id"].isdigit() else "SIS Login ID")
        row[CANVAS_COLUMNS[column]] = _text(s["id"])
        if s["lms_user_id"]:
            row[1] = _text(s["lms_user_id"])
        rows.append(row + [_number(g.grades[s["id"], a], missing) for a in g.assignments])
    return rows


def moodle_rows(g, missing, canvas_id=None):
    rows = [["First name", "Last name", "ID number", "Email address"]
            + [f"Assignment: {a} (Real)" for a in g.assignments]]
    for s in g.students:
        rows.append([_text(s["first_name"]), _text(s["last_name"]), _text(s["id"]), _text(s["email"])]
                    + [_number(g.grades[s["id"], a], missing) for a in g.assignments])
    return rows


def moodle_worksheet_rows(g, missing, canvas_id=None):
    """One assignment's grading worksheet, matched by Moodle's participant id (the number in a Moodle zip's
    ``<Full Name>_<id>_assignsubmission_file_`` folders, which ``course grade --zip`` takes as the student id)."""
    if len(g.assignments) != 1:
        raise SystemExit("--lms moodle-worksheet writes one assignment's worksheet: name exactly one assignment")
    not_ids = [s["id"] for s in g.students if not s["id"].isdigit()]
    if not_ids:
        raise SystemExit(f"--lms moodle-worksheet needs Moodle participant ids (numbers, as a Moodle zip gives); "
                         f"not: {', '.join(not_ids[:5])}{' ...' if len(not_ids) > 5 else ''}. Use --lms moodle")
    asg = g.assignments[0]
    rows = [["Identifier", "Full name", "Email address", "Grade", "Maximum Grade"]]
    for s in g.students:
        rows.append([f"Participant {s['id']}", _text(_name(s, last_first=False)), _text(s["email"]),
                     _number(g.grades[s["id"], asg], missing), f"{g.max_scores[asg]:g}"])
    return rows


def csv_rows(g, missing, canvas_id=None):
    rows = [["student_id", "last_name", "first_name", "email"] + g.assignments + ["total", "max_total"]]
    total_max = sum(g.max_scores.values())
    for s in g.students:
        got = [g.grades[s["id"], a] for a in g.assignments]
        rows.append([_text(s["id"]), _text(s["last_name"]), _text(s["first_name"]), _text(s["email"])]
                    + [_number(x, missing) for x in got]
                    + [f"{sum(x for x in got if x is not None):g}", f"{total_max:g}"])
    return rows


WRITERS = {"canvas": canvas_rows, "moodle": moodle_rows, "moodle-worksheet": moodle_worksheet_rows, "csv": csv_rows}


def export(root=None, lms="csv", only=None, out=None, missing="empty", gradebook=None, canvas_id=None, log=print):
    """Write the grades for ``lms``; return the file's path."""
    root = course_dir(root)
    db_path = Path(gradebook) if gradebook else root / "gradebook.db"
    if not db_path.exists():
        raise SystemExit(f"no gradebook {db_path}: grade an assignment first (python -m course grade ASSIGNMENT)")
    g = read_grades(db_path, assignments(root), only)
    rows = WRITERS[lms](g, missing, canvas_id)
    path = Path(out) if out else root / "autograded" / f"grades-{lms}.csv"
    path.parent.mkdir(parents=True, exist_ok=True)
    tmp = path.with_suffix(path.suffix + ".tmp")
    with open(tmp, "w", newline="", encoding="utf-8") as f:
        csv.writer(f).writerows(rows)
    tmp.replace(path)
    log(f"{len(g.students)} students, {len(g.assignments)} assignments ({', '.join(g.assignments)}) -> {path}")
    if g.ungraded:
        log(f"{g.ungraded} submissions have written answers not yet graded by hand (formgrader); they count 0 so far")
    return path
