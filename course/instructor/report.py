"""The class report pages: ``python -m course report [ASSIGNMENT ...]``.

``autograded/<asg>-report.html`` is one self-contained page (pictures embedded as PNG) per graded
assignment: the score distribution, what the class failed most (pass rates of every check of every test
cell, with the checks' own descriptions), the grading time per submission, the flags, the files not
graded and the gradebook's students without a submission.  ``autograded/course-report.html`` covers every assignment graded so far.

Scores come from the gradebook; status, flags, times and the files not graded from
``autograded/<asg>-report.csv``; check results from ``autograded/<asg>-checks.csv`` (both written by
``course grade``).  A check's pass rate counts every student graded: one whose test cell recorded no
results (the notebook could not run, or the kernel died first) and scored 0 there failed every check of
it; the others (no record although they scored, or a record that does not list the checks the source
notebook declares or does not add up to their score in the gradebook) are counted apart and named on the
page (:func:`check_rates`).  For each cell the page verifies that the points of the passed checks add up to
the gradebook's scores.  The numbers behind the page are also embedded in it as JSON
(``<script type="application/json" id="report-data">``, readable with ``JSON.parse``).
"""
from __future__ import annotations

import ast
import base64
import html
import io
import json
import statistics
from collections import Counter
from pathlib import Path

from ..coursedir import assignments, course_dir
from .feedback import read_csv
from .scoring import CANARY, open_gradebook


def gradebook_scores(db_path, asg):
    """``({student: {"score", "max_score", "penalty", "cells": {grade_id: (auto_score, max_score)}}}, [students of
    the gradebook without a submission])`` for one assignment."""
    from nbgrader.api import Gradebook, MissingEntry

    out = {}
    with Gradebook(f"sqlite:///{db_path}") as gb:
        try:
            asg_row = gb.find_assignment(asg)
        except MissingEntry:
            return out, sorted(s.id for s in gb.students)
        for sub in asg_row.submissions:
            cells = {}
            for nb in sub.notebooks:
                for g in nb.grades:
                    if g.cell.cell_type == "code":
                        cells[g.name] = (float(g.auto_score or 0.0), float(g.max_score))
            out[sub.student.id] = {"score": float(sub.score), "max_score": float(sub.max_score),
                                   "penalty": float(sub.late_submission_penalty or 0.0), "cells": cells}
        absent = sorted(s.id for s in gb.students if s.id not in out)
    return out, absent


def declared_checks(source):
    """The checks a test cell's source declares, in the order they run: ``[(check, description, points, hidden)]``
    from its top-level ``@checks.visible(...)`` / ``@checks.hidden(...)`` decorators, or ``None`` when the cell
    declares them some other way (in a loop, with a computed description), and the report falls back to the
    list most students recorded."""
    try:
        tree = ast.parse(source)
    except SyntaxError:
        return None
    declared, calls = [], 0
    for node in ast.walk(tree):
        if isinstance(node, ast.Call) and isinstance(node.func, ast.Attribute) and node.func.attr in ("visible", "hidden") \
                and isinstance(node.func.value, ast.Name) and node.func.value.id == "checks":
            calls += 1
    for node in tree.body:
        for dec in getattr(node, "decorator_list", []) if isinstance(node, ast.FunctionDef) else []:
            if not (isinstance(dec, ast.Call) and isinstance(dec.func, ast.Attribute)
                    and dec.func.attr in ("visible", "hidden") and isinstance(dec.func.value, ast.Name)
                    and dec.func.value.id == "checks"):
                continue
            args = dict(zip(("description", "points", "hint"), dec.args)) | {k.arg: k.value for k in dec.keywords}
            try:
                description = ast.literal_eval(args["description"])
                points = float(ast.literal_eval(args["points"])) if "points" in args else 1.0
            except (KeyError, ValueError, TypeError, SyntaxError):
                return None
            declared.append((len(declared) + 1, str(description), points, dec.func.attr == "hidden"))
    return declared if declared and len(declared) == calls else None


def check_rates(scores, check_rows, declared=None):
    """Per test cell: its points, the class mean, and each check's passes among the students counted.

    ``declared``: ``{grade_id: [(check, description, points, hidden)]}`` from the source notebook
    (:func:`declared_checks`); a cell without one takes the list most students recorded.  A student's record
    counts when it lists exactly these checks and its passed points add up to the student's score in the
    gradebook; a student without a record who scored 0 there failed every check (nothing ran, or nothing
    passed).  The others are set aside and named: ``no_record`` (scored, but recorded nothing, e.g. graded
    before the course recorded checks) and ``set_aside`` (a record that does not match).

    Returns ``{grade_id: {"points", "mean", "counted", "no_record", "set_aside", "consistent",
    "checks": [{"check", "description", "points", "hidden", "passed", "counted"}]}}``."""
    recorded = {}
    for r in check_rows:
        recorded.setdefault(r["grade_id"], {}).setdefault(r["student_id"], []).append(r)

    def as_list(rows):
        return [(int(r["check"]), r["description"], float(r["points"]), r["hidden"] == "1")
                for r in sorted(rows, key=lambda r: int(r["check"]))]

    cells = {}
    gids = sorted({g for s in scores.values() for g in s["cells"] if not g.endswith(CANARY)})  # the canary must fail
    for gid in gids:
        by_student = recorded.get(gid, {})
        canon = (declared or {}).get(gid)
        if canon is None:
            lists = Counter(tuple(as_list(rows)) for rows in by_student.values())
            canon = list(lists.most_common(1)[0][0]) if lists else []
        passed = [0] * len(canon)
        counted, no_record, set_aside, earned = 0, [], [], 0.0
        for student, s in sorted(scores.items()):
            got = s["cells"].get(gid, (0.0, 0.0))[0]
            rows = by_student.get(student)
            if rows:
                results = {int(r["check"]): r["passed"] == "1" for r in rows}
                adds_up = abs(sum(c[2] for c in canon if results.get(c[0])) - got) < 1e-6
                if as_list(rows) != list(canon) or not adds_up:
                    set_aside.append(student)
                    continue
            elif got == 0.0:
                results = {}
            else:
                no_record.append(student)
                continue
            counted += 1
            earned += got
            for i, (check, *_rest) in enumerate(canon):
                passed[i] += results.get(check, False)
        points = max((s["cells"][gid][1] for s in scores.values() if gid in s["cells"]), default=0.0)
        from_checks = sum(c[2] * p for c, p in zip(canon, passed))
        cells[gid] = {
            "points": points, "counted": counted, "no_record": no_record, "set_aside": set_aside,
            "mean": statistics.fmean([s["cells"].get(gid, (0.0, 0.0))[0] for s in scores.values()]) if scores else 0.0,
            "consistent": (abs(from_checks - earned) < 1e-6) if canon else None,
            "checks": [{"check": c[0], "description": c[1], "points": c[2], "hidden": c[3], "passed": p,
                        "counted": counted} for c, p in zip(canon, passed)],
        }
    return cells


def _png(fig):
    buf = io.BytesIO()
    fig.savefig(buf, format="png", dpi=100, bbox_inches="tight")
    import matplotlib.pyplot as plt
    plt.close(fig)
    return f'<img alt="" src="data:image/png;base64,{base64.b64encode(buf.getvalue()).decode()}">'


def _figure(w=6, h=3):
    import matplotlib
    matplotlib.use("Agg", force=True)
    import matplotlib.pyplot as plt
    return plt.subplots(figsize=(w, h))


def histogram(values, xlabel, bins=20, xmax=None):
    fig, ax = _figure()
    ax.hist(values, bins=bins, range=(0, xmax) if xmax else None, color="#4878a8", edgecolor="white")
    ax.set_xlabel(xlabel)
    ax.set_ylabel("students")
    return _png(fig)


def failed_most(checks, top=15):
    """A bar chart of the checks with the lowest pass rates."""
    worst = sorted(checks, key=lambda c: c["rate"])[:top]
    fig, ax = _figure(7, 0.35 * len(worst) + 0.8)
    labels = [f"{c['cell']}: {c['description'][:60]}".replace("$", r"\$") for c in worst][::-1]  # not mathtext
    ax.barh(labels, [c["rate"] for c in worst][::-1], color="#c44e52")
    ax.set_xlim(0, 1)
    ax.set_xlabel("share of the class passing")
    ax.tick_params(axis="y", labelsize=7)
    return _png(fig)


def _table(head, rows):
    th = "".join(f"<th>{html.escape(h)}</th>" for h in head)
    body = "".join("<tr>" + "".join(f"<td>{c}</td>" for c in row) + "</tr>" for row in rows)
    return f"<table><tr>{th}</tr>{body}</table>"


STYLE = """body { font-family: sans-serif; margin: 2em; max-width: 70em; } table { border-collapse: collapse; }
td, th { border: 1px solid #ccc; padding: 2px 8px; text-align: left; } .bad { color: #b00; }"""


def _page(title, body, data):
    embedded = json.dumps(data).replace("</", "<\\/")  # JSON.parse reads it as is; "</script>" cannot end it
    return (f'<!DOCTYPE html>\n<html><head><meta charset="utf-8"><title>{html.escape(title)}</title>'
            f"<style>{STYLE}</style></head><body>\n<h1>{html.escape(title)}</h1>\n{body}\n"
            f'<script type="application/json" id="report-data">{embedded}</script>'
            "\n</body></html>\n")


def source_checks(asg, root):
    """``{grade_id: declared checks}`` for the test cells of the source notebook (the instructor's, trusted)."""
    import nbformat

    from ..cells import grade_id, is_test
    from ..coursedir import source_path

    path = source_path(asg, root)
    if not path.exists():
        return {}
    nb = nbformat.read(path, as_version=4)
    found = {grade_id(c): declared_checks(c.source) for c in nb.cells if is_test(c)}
    return {g: d for g, d in found.items() if d is not None}


def assignment_summary(asg, root, db_path):
    """Everything the assignment's page shows, as data."""
    scores, absent = gradebook_scores(db_path, asg)
    rows = read_csv(root / "autograded" / f"{asg}-report.csv")
    cells = check_rates(scores, read_csv(root / "autograded" / f"{asg}-checks.csv"), source_checks(asg, root))
    graded = [r for r in rows if r["status"] in ("graded", "flagged", "failed")]
    max_score = max((s["max_score"] for s in scores.values()), default=0.0)
    totals = [s["score"] for s in scores.values()]
    return {
        "assignment": asg, "students": len(scores), "max_score": max_score,
        "scores": {st: s["score"] for st, s in sorted(scores.items())},
        "mean": statistics.fmean(totals) if totals else None,
        "median": statistics.median(totals) if totals else None,
        "full_marks": sum(1 for t in totals if max_score and abs(t - max_score) < 1e-9),
        "seconds": {r["student_id"]: float(r["seconds"]) for r in graded if r.get("seconds")},
        "flagged": {r["student_id"]: r["flags"] for r in rows if r["status"] in ("flagged", "failed")},
        "not_graded": [{"file": r["file"], "status": r["status"], "reason": r["flags"], "student": r["student_id"]}
                       for r in rows if r["status"] in ("not-graded", "superseded")],
        "no_submission": absent,
        "cells": cells,
    }


def assignment_page(d):
    asg = d["assignment"]
    parts = [f"<p>{d['students']} students in the gradebook; scores out of {d['max_score']:g} (autograded plus "
             "manual grades, before late penalties).</p>"]
    if not d["students"]:
        parts.append("<p>Nobody has been graded yet.</p>")
    else:
        parts.append(f"<p>Mean {d['mean']:.2f}, median {d['median']:.2f}, full marks: {d['full_marks']}.</p>")
        parts.append("<h2>Score distribution</h2>" + histogram(list(d["scores"].values()), "score", xmax=d["max_score"] or None))
    checks = [dict(c, cell=gid.removeprefix(asg + "-"), rate=c["passed"] / c["counted"] if c["counted"] else 0.0)
              for gid, cell in d["cells"].items() for c in cell["checks"]]
    if checks:
        parts.append("<h2>What the class failed most</h2>" + failed_most(checks))
        rows = [[html.escape(c["cell"]), str(c["check"]), html.escape(c["description"]) + (" (hidden)" if c["hidden"] else ""),
                 f"{c['points']:g}", f"{c['passed']} / {c['counted']}", f"{c['rate']:.0%}"]
                for c in sorted(checks, key=lambda c: (c["rate"], c["cell"], c["check"]))]
        parts.append(_table(["test cell", "check", "what it checks", "points", "passed", "rate"], rows))
    cell_rows = []
    for gid, c in d["cells"].items():
        note = "" if c["consistent"] in (True, None) else '<span class="bad">checks do not add up to the gradebook</span>'
        if c["no_record"]:
            note += f" not counted (scored, but no check results recorded): {html.escape(', '.join(c['no_record']))}"
        if c["set_aside"]:
            note += (" not counted (recorded checks that do not match the notebook's or the gradebook's score): "
                     f"{html.escape(', '.join(c['set_aside']))}")
        cell_rows.append([html.escape(gid), f"{c['points']:g}", f"{c['mean']:.2f}",
                          f"{c['mean'] / c['points']:.0%}" if c["points"] else "", note])
    if cell_rows:
        parts.append("<h2>Per test cell</h2>" + _table(["test cell", "points", "class mean", "share", ""], cell_rows))
    if d["seconds"]:
        secs = d["seconds"]
        parts.append(f"<h2>Grading time per submission</h2><p>Total {sum(secs.values()):.0f} s, median "
                     f"{statistics.median(secs.values()):.1f} s, slowest {max(secs.values()):.1f} s.</p>"
                     + histogram(list(secs.values()), "seconds"))
        slow = sorted(secs.items(), key=lambda kv: -kv[1])[:10]
        parts.append(_table(["student", "seconds"], [[html.escape(s), f"{t:.1f}"] for s, t in slow]))
    parts.append("<h2>Flags</h2>" + (_table(["student", "flags"], [[html.escape(s), html.escape(f.replace(";", ", "))]
                                                                 for s, f in d["flagged"].items()])
                                    if d["flagged"] else "<p>None.</p>")
                 + "<p>A flag is a reason for a human to look; it never changes a score.</p>")
    parts.append("<h2>Not graded</h2>" + (_table(["file", "student", "status", "why"],
                                                 [[html.escape(n["file"]), html.escape(n["student"]), n["status"],
                                                   html.escape(n["reason"])] for n in d["not_graded"]])
                                          if d["not_graded"] else "<p>No file was left ungraded.</p>")
                 + (f"<p>In the gradebook without a submission of {html.escape(asg)}: "
                    f"{html.escape(', '.join(d['no_submission']))}.</p>" if d["no_submission"] else ""))
    return _page(f"{asg}: class report", "\n".join(parts), d)


def course_page(summaries):
    parts = ["<p>Every assignment graded so far; each name links to its own page.</p>"]
    rows = []
    for d in summaries:
        worst = min(((c["passed"] / c["counted"], c["description"]) for cell in d["cells"].values()
                     for c in cell["checks"] if c["counted"]), default=None)
        share = d["mean"] / d["max_score"] if d["students"] and d["max_score"] else None
        rows.append([f'<a href="{html.escape(d["assignment"])}-report.html">{html.escape(d["assignment"])}</a>',
                     str(d["students"]), f"{share:.0%}" if share is not None else "", str(d["full_marks"]),
                     str(len(d["flagged"])), str(len(d["not_graded"])), str(len(d["no_submission"])),
                     f"{html.escape(worst[1])} ({worst[0]:.0%})" if worst else ""])
    parts.append(_table(["assignment", "students", "mean", "full marks", "flagged", "files not graded",
                         "no submission", "check failed most"], rows))
    graded = [d for d in summaries if d["students"] and d["max_score"]]
    if graded:
        fig, ax = _figure(max(4, 0.6 * len(graded) + 2), 3)
        ax.boxplot([[s / d["max_score"] for s in d["scores"].values()] for d in graded])
        ax.set_xticks(range(1, len(graded) + 1), [d["assignment"][:2] for d in graded])
        ax.set_ylim(-0.05, 1.05)
        ax.set_ylabel("share of the points")
        parts.append("<h2>Scores by assignment</h2>" + _png(fig))
        totals = Counter()
        for d in graded:
            for s, v in d["scores"].items():
                totals[s] += v
        parts.append(f"<h2>Course totals</h2><p>{len(totals)} students, out of "
                     f"{sum(d['max_score'] for d in graded):g} points (missing submissions count 0 here).</p>"
                     + histogram(list(totals.values()), "total score"))
    return _page("Course report", "\n".join(parts), {"assignments": summaries})


def report(root=None, only=None, gradebook=None, log=print):
    """Write the pages of ``only`` (default: every assignment with a submission) and the course-wide page;
    return their paths."""
    from nbgrader.api import Gradebook

    root = course_dir(root)
    db_path = Path(gradebook) if gradebook else root / "gradebook.db"
    if not db_path.exists():
        raise SystemExit(f"no gradebook {db_path}: grade an assignment first (python -m course grade ASSIGNMENT)")
    open_gradebook(db_path)  # a file that is not a gradebook stops here, with a clear error
    with Gradebook(f"sqlite:///{db_path}") as gb:
        in_gradebook = {a.name for a in gb.assignments if a.submissions}
    order = [a for a in assignments(root) if a in in_gradebook] + sorted(in_gradebook - set(assignments(root)))
    unknown = [a for a in only or () if a not in in_gradebook]
    if unknown:
        raise SystemExit(f"nothing graded for {', '.join(unknown)} (graded so far: {', '.join(order) or 'none'})")
    out = root / "autograded"
    out.mkdir(parents=True, exist_ok=True)
    summaries, written = [], []
    for asg in order:
        d = assignment_summary(asg, root, db_path)
        summaries.append(d)
        if only is None or asg in only:
            path = out / f"{asg}-report.html"
            path.write_text(assignment_page(d), encoding="utf-8")
            written.append(path)
            bad = [g for g, c in d["cells"].items() if c["consistent"] is False]
            log(f"{asg}: {d['students']} students -> {path.relative_to(root)}"
                + (f" (checks do not add up to the gradebook in {', '.join(bad)})" if bad else ""))
    path = out / "course-report.html"
    path.write_text(course_page(summaries), encoding="utf-8")
    written.append(path)
    log(f"course: {len(summaries)} assignments -> {path.relative_to(root)}")
    return written
