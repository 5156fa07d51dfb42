"""The instructor's class view: `course similarity`, the class report's arithmetic, `course export`.

The class report on real graded classes (every notebook's blank, solution, alternatives and planted bugs)
is tested in test_autograde.py, where those classes are graded anyway.
"""
import copy
import csv
import hashlib
import subprocess
import sys
import warnings
import zipfile
from datetime import datetime

import nbformat
import pytest

from course.cells import answer_cells
from course.coursedir import release_path
from course.instructor.build import filled_release
from course.instructor.nbgrader_tools import scratch_course
from course.instructor.report import check_rates
from course.runner import tool_env
from harness import ROOT, disguise, mutation_data

ASG = "01_convolution"


def _course(cmd, root, *args):
    proc = subprocess.run([sys.executable, "-m", "course", cmd, *args, "--course-dir", str(root)],
                          capture_output=True, text=True, env=tool_env(), timeout=600)
    return proc


def _alternative(k):
    """A complete, correct submission: the k-th other correct answer of every exercise that has one."""
    picks = {name: list(v.values())[k % len(v)] for name, v in mutation_data(ASG).CORRECT.items()}
    return filled_release(ASG, picks)


def _disguised(nb, seed=0):
    nb = copy.deepcopy(nb)
    for cell in answer_cells(nb, ASG).values():
        cell.source = disguise(cell.source, seed)
    return nb


# --- similarity ------------------------------------------------------------------------------------------------


@pytest.fixture(scope="module")
def similar(tmp_path_factory):
    """A small class: an original, its disguised copy, an independent correct answer, a blank, and two students who
    both hand in the course's reference answer (one of them disguised); similarity run on a folder and on a
    Canvas zip of the same class."""
    tmp = tmp_path_factory.mktemp("similarity")
    root = scratch_course(tmp / "course", ROOT, [ASG], folders=("source", "release"))
    (root / "gradebook.db").write_bytes(b"not touched by the similarity check")
    original = _alternative(0)
    release = nbformat.read(release_path(ASG), as_version=4)
    reference = filled_release(ASG)
    # a copy in cells of one's own, below the untouched answer cells (grading runs those cells too)
    adder = copy.deepcopy(release)
    for name, cell in answer_cells(_disguised(original, seed=3), ASG).items():
        i = next(i for i, c in enumerate(adder.cells) if c.metadata.get("nbgrader", {}).get("grade_id") == f"{ASG}-{name}-answer")
        adder.cells.insert(i + 1, nbformat.v4.new_code_cell(cell.source))
    subs = {"original": original, "copier": _disguised(original, seed=1), "independent": _alternative(1),
            "blank": release, "textbook": reference, "textbook-too": _disguised(reference, seed=2), "adder": adder}
    folder = tmp / "submitted"
    for student, nb in subs.items():
        (folder / student / ASG).mkdir(parents=True)
        nbformat.write(nb, folder / student / ASG / f"{ASG}.ipynb")
    (folder / "broken" / ASG).mkdir(parents=True)
    (folder / "broken" / ASG / f"{ASG}.ipynb").write_text('{"cells": [ not json')
    before = {p: hashlib.sha256(p.read_bytes()).hexdigest() for p in root.rglob("*") if p.is_file()}
    proc = _course("similarity", root, ASG, "--submissions", str(folder))
    assert proc.returncode == 0, proc.stdout[-2000:] + proc.stderr[-3000:]
    written = {p for p in root.rglob("*") if p.is_file()} - set(before)
    changed = [p for p, h in before.items() if hashlib.sha256(p.read_bytes()).hexdigest() != h]
    with open(root / "autograded" / f"{ASG}-similarity.csv", newline="") as f:
        rows = list(csv.DictReader(f))
    pairs = {frozenset((r["student_a"], r["student_b"])): r for r in rows}
    page = (root / "autograded" / f"{ASG}-similarity.html").read_text()
    # the same class as a Canvas export: <name>_<userid>_<submissionid>_<file>
    ids = {student: str(1000 + i) for i, student in enumerate(subs)}
    zpath = tmp / "canvas.zip"
    with zipfile.ZipFile(zpath, "w") as zf:
        for student, nb in subs.items():
            zf.writestr(f"{student.replace('-', '')}_{ids[student]}_{5000 + int(ids[student])}_{ASG}.ipynb",
                        nbformat.writes(nb))
    zproc = _course("similarity", root, ASG, "--zip", str(zpath))
    assert zproc.returncode == 0, zproc.stdout[-2000:] + zproc.stderr[-3000:]
    with open(root / "autograded" / f"{ASG}-similarity.csv", newline="") as f:
        zrows = list(csv.DictReader(f))
    return {"root": root, "rows": rows, "pairs": pairs, "written": written, "changed": changed, "stdout": proc.stdout,
            "ids": ids, "zrows": zrows, "students": sorted(subs), "page": page}


def flagged(similar, a, b):
    return similar["pairs"][frozenset((a, b))]["flagged"] == "1"


def test_a_disguised_copy_is_flagged(similar):
    """Renamed variables, rewritten comments, other spacing and blank lines do not hide a copy, and neither does
    putting it into cells of one's own below the untouched answer cells."""
    r = similar["pairs"][frozenset(("original", "copier"))]
    assert flagged(similar, "original", "copier") and float(r["similarity"]) > 0.9, r
    r = similar["pairs"][frozenset(("original", "adder"))]
    assert flagged(similar, "original", "adder") and float(r["similarity"]) > 0.9, r


def test_an_independent_correct_answer_and_a_blank_are_not_flagged(similar):
    """Another correct way of writing the same exercises is not a copy, and a blank shares only the starter code."""
    for other in ("original", "copier", "adder", "textbook", "textbook-too"):
        assert not flagged(similar, "independent", other), similar["pairs"][frozenset(("independent", other))]
    for other in similar["students"]:
        if other != "blank":
            assert not flagged(similar, "blank", other)
            assert float(similar["pairs"][frozenset(("blank", other))]["similarity"]) == 0.0


def test_the_reference_answer_is_boilerplate(similar):
    """Two students who both hand in the course's (textbook) answer, one of them renamed, are not flagged:
    the reference answers count as given code."""
    r = similar["pairs"][frozenset(("textbook", "textbook-too"))]
    assert not flagged(similar, "textbook", "textbook-too") and float(r["similarity"]) == 0.0, r


def test_every_pair_is_in_the_csv_and_only_flags_are_reported(similar):
    """One row per pair of readable submissions with the promised columns; the unreadable notebook is named on
    the page; nothing but the two output files was written, and no score or gradebook was touched."""
    n = len(similar["students"])
    assert len(similar["rows"]) == n * (n - 1) // 2
    assert list(similar["rows"][0])[:4] == ["student_a", "student_b", "similarity", "flagged"]
    assert sum(r["flagged"] == "1" for r in similar["rows"]) == 3   # original, copier and adder: three pairs
    root = similar["root"]
    assert {p.relative_to(root).as_posix() for p in similar["written"]} == {
        f"autograded/{ASG}-similarity.csv", f"autograded/{ASG}-similarity.html"}
    assert similar["changed"] == []
    page = similar["page"]
    assert "copier and original" in page and "adder and original" in page and "<mark>" in page and "broken (invalid-notebook)" in page
    assert "changes\nno score" in page or "changes no score" in page


def test_a_canvas_zip_gives_the_same_result_by_canvas_user_id(similar):
    """The students of an LMS zip are read as `course grade` reads them (here Canvas user ids)."""
    ids = similar["ids"]
    zflagged = {frozenset((r["student_a"], r["student_b"])) for r in similar["zrows"] if r["flagged"] == "1"}
    assert zflagged == {frozenset((ids[a], ids[b])) for a, b in [("original", "copier"), ("original", "adder"),
                                                                 ("copier", "adder")]}


def test_similarity_without_normalisation_would_miss_the_copy(similar):
    """The protection itself: with copydetect's name normalisation off, the disguised copy shares far less."""
    from copydetect import CodeFingerprint, compare_files
    import io

    from course.instructor.similarity import GUARANTEE, NOISE, answer_code, answer_ids

    ids = answer_ids(ASG)
    a = answer_code(_alternative(0), ids)
    b = answer_code(_disguised(_alternative(0), seed=1), ids)
    raw = [CodeFingerprint("x.py", NOISE, GUARANTEE - NOISE + 1, filter=False, fp=io.StringIO(t)) for t in (a, b)]
    _, (sa, sb), _ = compare_files(*raw)
    assert max(sa, sb) < 0.5


# --- the class report's arithmetic ----------------------------------------------------------------------------


def _rows(student, gid, results):
    return [{"student_id": student, "grade_id": gid, "check": str(i), "description": f"check {i}",
             "points": str(p), "passed": "1" if ok else "0", "hidden": "0"} for i, (p, ok) in enumerate(results, 1)]


def test_check_rates_count_every_student_and_set_aside_records_that_do_not_add_up():
    """Recorded results count; a student with no record and 0 points failed every check; a record that does not
    add up to the student's score in the gradebook is set aside and named, as is a student who scored but
    recorded nothing; the counted students' passed points equal their gradebook sum."""
    gid = "01_convolution-corr2d-tests"
    scores = {"a": {"cells": {gid: (3.0, 3.0)}}, "b": {"cells": {gid: (1.0, 3.0)}},
              "crashed": {"cells": {gid: (0.0, 3.0)}}, "forged": {"cells": {gid: (1.0, 3.0)}},
              "before-records": {"cells": {gid: (2.0, 3.0)}}}
    rows = (_rows("a", gid, [(1, True), (2, True)]) + _rows("b", gid, [(1, True), (2, False)])
            + _rows("forged", gid, [(1, False), (2, True)]))
    cell = check_rates(scores, rows)[gid]
    assert [c["passed"] for c in cell["checks"]] == [2, 1]
    assert cell["counted"] == 3 and cell["set_aside"] == ["forged"] and cell["no_record"] == ["before-records"]
    assert cell["consistent"] is True
    assert cell["mean"] == pytest.approx(7.0 / 5)


def test_the_source_notebook_decides_which_checks_a_cell_has():
    """The checks a test cell declares (its @checks decorators, read from the instructor's source) are the list
    every record must match: a record with other descriptions is set aside even when it is the most common one,
    so one student's code cannot rename or reorder another's checks."""
    from course.instructor.report import declared_checks

    source = ('checks = Checks("f")\n\n@checks.visible("the shape", points=0.5, hint="h")\ndef _():\n    pass\n\n'
              '### BEGIN HIDDEN TESTS\n@checks.hidden("the values")\ndef _():\n    pass\n### END HIDDEN TESTS\n'
              'checks.run()\n')
    declared = declared_checks(source)
    assert declared == [(1, "the shape", 0.5, False), (2, "the values", 1.0, True)]
    assert declared_checks(source.replace('@checks.visible("the shape"', '@checks.visible(f"the {1}"')) is None
    gid = "x-f-tests"
    honest = [{"student_id": "zzz", "grade_id": gid, "check": "1", "description": "the shape", "points": "0.5",
               "passed": "1", "hidden": "0"},
              {"student_id": "zzz", "grade_id": gid, "check": "2", "description": "the values", "points": "1",
               "passed": "0", "hidden": "1"}]
    forged = [dict(r, student_id="aaa", description="forged " + r["description"]) for r in honest]
    scores = {s: {"cells": {gid: (0.5, 1.5)}} for s in ("aaa", "zzz")}
    cell = check_rates(scores, forged + honest, {gid: declared})[gid]   # the CSV order: by student id
    assert cell["set_aside"] == ["aaa"] and cell["counted"] == 1
    assert [c["description"] for c in cell["checks"]] == ["the shape", "the values"]
    without = check_rates(scores, forged + honest)[gid]   # the protection off: the forged list wins the tie
    assert without["set_aside"] == ["zzz"]


def test_report_page_survives_dollar_signs_and_script_tags():
    """A check description with $...$ (mathtext to matplotlib) or "</script>" neither breaks the page nor its data."""
    import json
    import re

    from course.instructor.report import assignment_page

    gid = "01_convolution-corr2d-tests"
    desc = "costs $x_$ per unit </script><b>"
    d = {"assignment": ASG, "students": 1, "max_score": 1.0, "scores": {"s": 1.0}, "mean": 1.0, "median": 1.0,
         "full_marks": 1, "seconds": {"s": 1.0}, "flagged": {}, "not_graded": [], "no_submission": [],
         "cells": {gid: {"points": 1.0, "counted": 1, "no_record": [], "set_aside": [], "mean": 1.0, "consistent": True,
                         "checks": [{"check": 1, "description": desc, "points": 1.0, "hidden": False, "passed": 1,
                                     "counted": 1}]}}}
    page = assignment_page(d)
    data = json.loads(re.search(r'id="report-data">(.*?)</script>', page, re.S).group(1))
    assert data["cells"][gid]["checks"][0]["description"] == desc
    body = page.split('<script type="application/json"')[0]
    assert "</script><b>" not in body and "&lt;/script&gt;&lt;b&gt;" in body   # escaped in the tables


# --- export -------------------------------------------------------------------------------------------------------


@pytest.fixture(scope="module")
def gradebook(tmp_path_factory):
    """A gradebook with two assignments: a late submission, a manual grade, a student without a submission."""
    from nbgrader.api import Gradebook

    root = scratch_course(tmp_path_factory.mktemp("export") / "course", ROOT, ["01_convolution", "02_padding_stride"],
                          folders=("source",))
    due = datetime(2026, 11, 1, 12, 0)
    with warnings.catch_warnings(), Gradebook(f"sqlite:///{root / 'gradebook.db'}") as gb:
        warnings.filterwarnings("ignore", message=".*not in session.*")  # nbgrader's own SQLAlchemy noise
        for asg, cells in [("01_convolution", {"a": 8, "b": 4}), ("02_padding_stride", {"c": 10})]:
            gb.add_assignment(asg, duedate=due)
            gb.add_notebook(asg, asg)
            for name, points in cells.items():
                gb.add_grade_cell(name, asg, asg, max_score=points, cell_type="code")
        gb.add_student("alice", first_name="Alice", last_name="Liddell", email="alice@example.org")
        gb.add_student("12345")
        gb.add_student("bob", lms_user_id="777")
        gb.add_student("carol")
        gb.add_student("dave", first_name="=HYPERLINK(\"http://x\")", last_name="Doe")   # submitted nothing
        given = {("01_convolution", "alice"): {"a": 7, "b": 4}, ("02_padding_stride", "alice"): {"c": 9.5},
                 ("01_convolution", "12345"): {"a": 8, "b": 0}, ("01_convolution", "bob"): {"a": 2, "b": 1},
                 ("01_convolution", "carol"): {"a": 5, "b": 0}, ("02_padding_stride", "carol"): {"c": 1}}
        for (asg, student), marks in given.items():
            gb.add_submission(asg, student, timestamp=due)
            for name, score in marks.items():
                gb.find_grade(name, asg, asg, student).auto_score = score
        gb.find_grade("b", "01_convolution", "01_convolution", "bob").manual_score = 3   # a regrade by hand
        for asg, penalty in [("01_convolution", 2.0), ("02_padding_stride", 4.0)]:       # late, penalised
            gb.find_submission_notebook(asg, asg, "carol").late_submission_penalty = penalty
        gb.db.commit()
    return root


EXPECTED = {"alice": ("11", "9.5"), "12345": ("8", ""), "bob": ("5", ""), "carol": ("3", "0"), "dave": ("", "")}


def _export(root, lms, *args):
    out = root / "autograded" / f"out-{lms}-{len(args)}.csv"
    proc = _course("export", root, "--lms", lms, "--out", str(out), *args)
    assert proc.returncode == 0, proc.stdout + proc.stderr
    with open(out, newline="") as f:
        return list(csv.reader(f))


def test_export_csv_one_row_per_student_with_penalties_and_totals(gradebook):
    """Score less late penalty (never below 0), manual grades included, an empty cell without a submission."""
    rows = _export(gradebook, "csv")
    assert rows[0] == ["student_id", "last_name", "first_name", "email", "01_convolution", "02_padding_stride",
                       "total", "max_total"]
    got = {r[0]: r for r in rows[1:]}
    assert len(rows) - 1 == len(got) == 5
    for student, (a, b) in EXPECTED.items():
        assert got[student][4:6] == [a, b], got[student]
        assert float(got[student][6]) == float(a or 0) + float(b or 0) and got[student][7] == "22"
    assert got["alice"][1:4] == ["Liddell", "Alice", "alice@example.org"]
    assert got["dave"][2] == "'=HYPERLINK(\"http://x\")", "a name is never a spreadsheet formula"


def test_export_missing_as_zero_when_asked(gradebook):
    got = {r[0]: r for r in _export(gradebook, "csv", "--missing", "zero")[1:]}
    assert got["12345"][5] == "0" and got["bob"][5] == "0"


def test_export_canvas_columns(gradebook):
    """Canvas: Student, ID, SIS User ID, SIS Login ID, Section, the assignments; a Points Possible row; the
    Canvas user id where known (lms_user_id, or a numeric id from a Canvas zip), else the SIS login."""
    rows = _export(gradebook, "canvas")
    assert rows[0] == ["Student", "ID", "SIS User ID", "SIS Login ID", "Section", "01_convolution", "02_padding_stride"]
    assert rows[1] == ["Points Possible", "", "", "", "", "12", "10"]
    got = {r[1] or r[3]: r for r in rows[2:]}
    assert len(rows) - 2 == 5
    assert got["12345"][:2] == ["12345", "12345"] and got["777"][0] == "bob" and got["alice"][0] == "Liddell, Alice"
    assert got["alice"][1:4] == ["", "", "alice"]
    assert {k: tuple(r[5:7]) for k, r in got.items()} == {"alice": EXPECTED["alice"], "12345": EXPECTED["12345"],
                                                        "777": EXPECTED["bob"], "carol": EXPECTED["carol"],
                                                        "dave": EXPECTED["dave"]}
    assert got["dave"][0] == "Doe, =HYPERLINK(\"http://x\")"   # starts with D: not a formula
    forced = {r[2]: r for r in _export(gradebook, "canvas", "--canvas-id-column", "SIS User ID")[2:]}
    assert forced["12345"][1:4] == ["", "12345", ""] and forced["alice"][1:4] == ["", "alice", ""]


def test_export_moodle_columns(gradebook):
    """Moodle: the user fields its CSV import maps (ID number, Email address), then "Assignment: <id> (Real)"."""
    rows = _export(gradebook, "moodle", "02_padding_stride")
    assert rows[0] == ["First name", "Last name", "ID number", "Email address", "Assignment: 02_padding_stride (Real)"]
    got = {r[2]: r[4] for r in rows[1:]}
    assert got == {s: b for s, (_, b) in EXPECTED.items()}


def test_export_moodle_worksheet_by_participant_id(gradebook, tmp_path):
    """A class graded from a Moodle zip (participant ids): the assignment's grading worksheet, one row per student;
    a gradebook whose ids are not participant ids gets a clear refusal instead of a file Moodle cannot match."""
    from nbgrader.api import Gradebook

    proc = _course("export", gradebook, "--lms", "moodle-worksheet", "01_convolution")
    assert proc.returncode != 0 and "participant ids" in proc.stderr, proc.stderr
    root = scratch_course(tmp_path / "course", ROOT, [ASG], folders=("source",))
    with warnings.catch_warnings(), Gradebook(f"sqlite:///{root / 'gradebook.db'}") as gb:
        warnings.filterwarnings("ignore", message=".*not in session.*")
        gb.add_assignment(ASG)
        gb.add_notebook(ASG, ASG)
        gb.add_grade_cell("a", ASG, ASG, max_score=12, cell_type="code")
        gb.add_student("2001", first_name="Ada", last_name="L", email="ada@example.org")
        gb.add_student("2002")
        gb.add_submission(ASG, "2001")
        gb.find_grade("a", ASG, ASG, "2001").auto_score = 10.5
        gb.db.commit()
    rows = _export(root, "moodle-worksheet", ASG)
    assert rows == [["Identifier", "Full name", "Email address", "Grade", "Maximum Grade"],
                    ["Participant 2001", "Ada L", "ada@example.org", "10.5", "12"],
                    ["Participant 2002", "2002", "", "", "12"]]


def test_export_refuses_a_gradebook_it_cannot_open(tmp_path):
    root = scratch_course(tmp_path / "course", ROOT, [ASG], folders=("source",))
    (root / "gradebook.db").write_text("this is not a database")
    proc = _course("export", root, "--lms", "csv")
    assert proc.returncode == 2 and "cannot be opened" in proc.stderr, proc.stderr


def test_report_names_students_without_a_submission(gradebook):
    """The class report works from the gradebook alone (no grading CSVs here): scores as the gradebook has them
    (before penalties), and the gradebook's students without a submission are named."""
    import json
    import re

    proc = _course("report", gradebook)
    assert proc.returncode == 0, proc.stdout + proc.stderr
    page = (gradebook / "autograded" / "02_padding_stride-report.html").read_text()
    data = json.loads(re.search(r'id="report-data">(.*?)</script>', page, re.S).group(1))
    assert data["scores"] == {"alice": 9.5, "carol": 1.0} and data["no_submission"] == ["12345", "bob", "dave"]
    assert "without a submission of 02_padding_stride: 12345, bob, dave" in page
    assert "data:image/png" in page and "02_padding_stride-report.html" in (
        gradebook / "autograded" / "course-report.html").read_text()


def test_a_record_that_disagrees_with_the_score_is_flagged_and_not_kept():
    """Scoring keeps a test cell's recorded check results only when they add up to nbgrader's score for the
    cell; otherwise the submission is flagged check-record-mismatch (a human looks), and its score is nbgrader's."""
    from nbformat.v4 import new_output

    from course.cells import CHECKS_MIME, grade_id
    from course.instructor.intake import master_cells
    from course.instructor.scoring import Outcome, score

    master = master_cells(ASG)
    gid = f"{ASG}-corr2d-tests"

    def graded_with(passed, value):
        nb = filled_release(ASG)
        cell = next(c for c in nb.cells if grade_id(c) == gid)
        record = {"exercise": "corr2d", "checks": [{"description": f"c{i}", "points": 1.0, "passed": p, "hidden": False}
                                                   for i, p in enumerate(passed)]}
        cell.execution_count = 1
        cell.outputs = [new_output("display_data", data={CHECKS_MIME: record, "text/plain": ""}),
                        new_output("execute_result", data={"text/plain": repr(value)}, execution_count=1)]
        out = Outcome("s")
        score(ASG, nb, master, out, None)
        return out

    honest = graded_with([True, True, False, False], 2.0)
    assert honest.cells[gid][0] == 2.0 and len(honest.checks[gid]) == 4 and "check-record-mismatch" not in honest.flags
    forged = graded_with([True, True, True, True], 2.0)
    assert forged.cells[gid][0] == 2.0 and gid not in forged.checks and "check-record-mismatch" in forged.flags


def test_similarity_reads_the_course_dirs_submitted_folder(tmp_path):
    """Without --submissions, the class is the course's own submitted/ (as for grade), whatever the working directory."""
    root = scratch_course(tmp_path / "course", ROOT, [ASG], folders=("source", "release"))
    for student, nb in {"a": _alternative(0), "b": _disguised(_alternative(0), seed=4)}.items():
        (root / "submitted" / student / ASG).mkdir(parents=True)
        nbformat.write(nb, root / "submitted" / student / ASG / f"{ASG}.ipynb")
    elsewhere = tmp_path / "elsewhere"
    elsewhere.mkdir()
    proc = subprocess.run([sys.executable, "-m", "course", "similarity", ASG, "--course-dir", str(root)], cwd=elsewhere,
                          capture_output=True, text=True, env=tool_env(), timeout=300)
    assert proc.returncode == 0, proc.stdout + proc.stderr
    assert "2 students, 1 pairs" in proc.stdout and "1 flagged" in proc.stdout, proc.stdout
