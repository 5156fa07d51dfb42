"""The course's real grading path on every notebook: blank scores 0, solutions and every alternative score full,
planted bugs lose points.

Each assignment's class (tests/harness.py) is graded by ``python -m course
grade`` on a temporary copy of the course; the scores come from the copy's
gradebook, the status and flags from its report.  No honest submission
(blank, solution, alternatives) may be flagged or failed; a planted bug may be
flagged only for what the static scan finds in its own code.

All assignments are graded once per session, POOL at a time, each with
``--jobs JOBS`` sandboxes (kernels single-threaded, as ``course grade`` runs
them).  Grading starts in the background as soon as collection ends, while
the rest of the suite runs; these tests are moved to the end of the run, and
each reads its submission's results.
"""
import tempfile
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

import pytest

from course.instructor.build import graded_assignments
from harness import ROOT, autograde, mutation_data, reach, scan_flags, submissions

ASSIGNMENTS = [a for a in graded_assignments(ROOT) if (Path(__file__).parent / "mutations" / f"{a}.py").exists()]
_pool, _futures, _tmp = None, {}, None
POOL, JOBS = 3, 1  # assignments graded at once, and `course grade --jobs` for each


SELECTED = set()  # filled by conftest from the collected tests, so `-k` grades only what it needs


def start(asgs=()):
    """Submit every selected assignment to the grading pool (called by conftest right after collection,
    so grading runs in the background while the rest of the suite does; these tests run last)."""
    global _pool, _tmp
    if _pool is None:
        _tmp = tempfile.TemporaryDirectory(prefix="course-autograde-")
        _pool = ThreadPoolExecutor(max_workers=POOL)
    for a in sorted(SELECTED | set(asgs)):
        if a not in _futures:
            _futures[a] = _pool.submit(autograde, a, Path(_tmp.name) / a, JOBS)


def graded(asg):
    start([asg])
    return _futures[asg].result()


def test_every_assignment_has_mutations():
    """Each assignment keeps alternative answers and planted bugs for the mutation harness."""
    missing = sorted(set(graded_assignments(ROOT)) - set(ASSIGNMENTS))
    assert not missing, f"no tests/mutations/<id>.py for {missing}"


def test_reference_stand_ins_stop_the_reach():
    """A test cell that checks with the course's reference for an earlier part (checks.use_reference) cannot see the
    student's earlier part, so bugs there may share a notebook with its own; without the stand-in it reaches them."""
    import nbformat
    asg = "11_resnet"
    nb = nbformat.read(ROOT / "source" / asg / f"{asg}.ipynb", as_version=4)
    cell = f"{asg}-resnet18-tests"
    assert {"Residual", "resnet_block"} & reach(asg, nb, mutation_data(asg))[cell] == set()
    for c in nb.cells:
        if c.metadata.get("nbgrader", {}).get("grade_id") == cell:
            c.source = c.source.replace("checks.use_reference(", "dict(")
    assert {"Residual", "resnet_block"} <= reach(asg, nb, mutation_data(asg))[cell]


def cases(asg):
    """One test per blank/solution/alternative notebook and one per planted bug: ``{case: (student, bug)}``."""
    out = {}
    for student, (sub, _) in submissions(asg).items():
        if sub.kind == "wrong":
            out.update({bug.case: (student, bug) for bug in sub.bugs})
        else:
            out[student] = (student, None)
    return out


CASES = [(a, c) for a in ASSIGNMENTS for c in cases(a)]


@pytest.mark.parametrize("asg,case", CASES, ids=[f"{a}:{c}" for a, c in CASES])
def test_submission(asg, case):
    """Blank scores 0; solution and alternatives score full; each bug loses points in its own test cell.
    Honest submissions are neither flagged nor failed; a bug is flagged only for its own code's scan flags."""
    student, bug = cases(asg)[case]
    sub, res = graded(asg)[student]
    print(f"{student} ({sub.kind} {sub.name}: {sub.label}) -> {res.score}/{res.max_score} {res.status} {res.flags}")
    assert res.max_score > 0
    assert abs(res.report_score - res.score) < 1e-3, f"the report says {res.report_score}, the gradebook {res.score}"
    if sub.kind == "blank":
        assert res.score == 0, f"the blank release notebook scored {res.score}: {res.cells}"
    elif sub.kind in ("solution", "correct"):
        lost = {k: v for k, v in res.cells.items() if v[0] < v[1]}
        assert res.score == res.max_score, f"{sub.kind} answer '{sub.label}' for {sub.name} lost points in {lost}"
    else:
        assert bug.test_cell in res.cells, f"no test cell {bug.test_cell}"
        got, full = res.cells[bug.test_cell]
        assert got < full, (f"planted bug '{bug.label}' in {bug.name} was not caught by {bug.test_cell} "
                            f"({student} also carries: {sub.label})")
        own = {b.test_cell for b in sub.bugs}
        elsewhere = {k: v for k, v in res.cells.items() if k not in own and v[0] is not None and v[0] < v[1]}
        assert not elsewhere, (f"planted bug '{bug.label}' in {bug.name} also cost points in {elsewhere}: an exercise "
                               "built on an earlier one is checked with the course's reference for it (no bug is charged twice)")
    if sub.kind == "wrong":
        allowed = set().union(*(scan_flags(b.code) for b in sub.bugs))
        assert res.status != "failed" and res.flags <= allowed, (
            f"{student} ({sub.label}) is {res.status} with flags {sorted(res.flags)}; "
            f"its planted code accounts for {sorted(allowed)} only")
    else:
        assert res.status == "graded" and not res.flags, (
            f"the honest {sub.kind} submission {student} ({sub.label}) is {res.status} with flags {sorted(res.flags)}")


# A partly right answer gets partial credit in its own cell: (assignment, contract name, planted bug's label).
PARTIAL = [("01_convolution", "corr2d", "always float32"),
           ("04_pooling", "pool2d", "average pooling ignores the padding (max pooling right)")]


@pytest.mark.parametrize("asg,name,label", PARTIAL, ids=[f"{a}:{lab}" for a, _, lab in PARTIAL])
def test_partly_right_answer_gets_partial_credit(asg, name, label):
    """The cell's checks that the answer passes still earn their points: 0 < score < full in the bug's own cell."""
    found = [(student, bug) for student, bug in cases(asg).values() if bug is not None and bug.name == name
             and bug.label == label]
    assert found, f"tests/mutations/{asg}.py has no planted bug '{label}' for {name}"
    student, bug = found[0]
    got, full = graded(asg)[student][1].cells[bug.test_cell]
    assert 0 < got < full, f"'{label}' scored {got}/{full} in {bug.test_cell}: expected partial credit"


@pytest.mark.parametrize("asg", ASSIGNMENTS)
def test_class_report(asg):
    """`course report` on the graded class: a page with pictures whose scores are the gradebook's and whose
    per-check pass counts are those the students' graded notebooks recorded, adding up to the gradebook's scores
    cell by cell (every student counted, none set aside)."""
    import json
    import re
    import subprocess
    import sys

    import nbformat

    from course.cells import CHECKS_MIME, grade_id
    from course.runner import tool_env

    results = graded(asg)
    course = Path(_tmp.name) / asg / "course"
    proc = subprocess.run([sys.executable, "-m", "course", "report", asg, "--course-dir", str(course)],
                          capture_output=True, text=True, env=tool_env(), timeout=300)
    assert proc.returncode == 0, proc.stdout[-2000:] + proc.stderr[-3000:]
    page = (course / "autograded" / f"{asg}-report.html").read_text()
    assert len(re.findall(r'<img alt="" src="data:image/png;base64,', page)) >= 3
    assert "data:image/png" in (course / "autograded" / "course-report.html").read_text()
    data = json.loads(re.search(r'id="report-data">(.*?)</script>', page, re.S).group(1))
    assert data["scores"] == pytest.approx({s: res.score for s, (_, res) in results.items()})
    # what each student's graded notebook recorded, read here independently of the report's CSV
    recorded = {}
    for student in results:
        nb = nbformat.read(course / "autograded" / student / asg / f"{asg}.ipynb", as_version=4)
        for cell in nb.cells:
            records = [o["data"][CHECKS_MIME] for o in cell.get("outputs", []) if CHECKS_MIME in o.get("data", {})]
            if records:
                recorded.setdefault(grade_id(cell), {})[student] = [c["passed"] for c in records[-1]["checks"]]
    assert set(data["cells"]) == {g for g in recorded if not g.endswith("canary-tests")}
    for gid, cell in data["cells"].items():
        assert cell["counted"] == len(results) and cell["no_record"] == cell["set_aside"] == [], (gid, cell)
        assert cell["consistent"], (gid, cell)
        passes = [sum(r[i] for r in recorded[gid].values()) for i in range(len(cell["checks"]))]
        assert [c["passed"] for c in cell["checks"]] == passes, gid
        earned = sum(c["points"] * c["passed"] for c in cell["checks"])
        assert earned == pytest.approx(sum(res.cells[gid][0] for _, res in results.values())), gid
