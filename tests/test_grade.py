"""Adversarial submissions through `python -m course grade`: each is graded right or flagged, and nobody else is touched.

One batch of 19 submissions of 01_convolution is graded with --jobs 2 on a
temporary copy of the course; each test asserts one submission's expected row
of the report CSV (and, where it matters, what its code could see or change).
"""
import copy
import csv
import hashlib
import shutil
import subprocess
import sys

import nbformat
import pytest

from course.cells import answer_cells, grade_id
from course.coursedir import release_path
from course.instructor.build import filled_release
from course.instructor.nbgrader_tools import scratch_course
from course.runner import tool_env
from harness import ROOT
from system import needs

ASG = "01_convolution"
MAX = 12.0


def _set(nb, name, code):
    answer_cells(nb, ASG)[name].source = code
    return nb


def _cell(nb, suffix):
    return next(c for c in nb.cells if grade_id(c) == f"{ASG}-{suffix}")


def _solution(name):
    return answer_cells(filled_release(ASG), ASG)[name].source


def _class(secret_dir):
    """{student: notebook text} for the adversarial class."""
    honest = filled_release(ASG)
    release = nbformat.read(release_path(ASG), as_version=4)
    subs = {"honest": honest, "blank": release}

    subs["hardcoded"] = _set(copy.deepcopy(honest), "corr2d",
                             "def corr2d(X, K):\n    return torch.tensor([[19.0, 25.0], [37.0, 43.0]])\n")
    subs["patched-assert-close"] = _set(copy.deepcopy(honest), "corr2d",
                                        "import torch\ntorch.testing.assert_close = lambda *a, **k: None\n"
                                        "torch.allclose = lambda *a, **k: True\n"
                                        "def corr2d(X, K):\n    return torch.zeros(X.shape[0] - K.shape[0] + 1, X.shape[1] - K.shape[1] + 1)\n")
    subs["lying-eq"] = _set(copy.deepcopy(honest), "corr2d",
                            "class Liar(torch.Tensor):\n    def __eq__(self, other):\n        return True\n"
                            "def corr2d(X, K):\n    return torch.zeros(X.shape[0] - K.shape[0] + 1, X.shape[1] - K.shape[1] + 1).as_subclass(Liar)\n")
    subs["input-transformer"] = _set(copy.deepcopy(release), "corr2d",
                                     "import ast\nclass NoAssert(ast.NodeTransformer):\n"
                                     "    def visit_Assert(self, node):\n        return ast.Pass()\n"
                                     "get_ipython().ast_transformers.append(NoAssert())\n"
                                     "def corr2d(X, K):\n    return X\n")
    subs["sys-exit"] = _set(copy.deepcopy(honest), "learn_kernel", _solution("learn_kernel") + "\nimport sys\nsys.exit(0)\n")
    subs["os-exit"] = _set(copy.deepcopy(honest), "Conv2D", _solution("Conv2D") + "\nimport os\nos._exit(3)\n")
    subs["sigint-loop"] = _set(copy.deepcopy(honest), "Conv2D", _solution("Conv2D") +
                               "\nimport signal, time\nsignal.signal(signal.SIGINT, signal.SIG_IGN)\n"
                               "while True:\n    time.sleep(0.05)\n")
    subs["memory-bomb"] = _set(copy.deepcopy(honest), "learn_kernel",
                               _solution("learn_kernel") + "\nhog = bytearray(40 * 1024 ** 3)\n")
    subs["huge-output"] = _set(copy.deepcopy(honest), "learn_kernel",
                               _solution("learn_kernel") + "\nprint('x' * (50 * 1024 * 1024))\n")
    subs["reads-others"] = _set(copy.deepcopy(honest), "learn_kernel", _solution("learn_kernel") + f"""
import os, glob
seen = []
for path in [{str(secret_dir)!r}, {str(ROOT / 'source')!r}, '../', '/tmp']:
    try:
        seen.append((path, sorted(os.listdir(path))))
    except OSError as err:
        seen.append((path, type(err).__name__))
for f in glob.glob({str(secret_dir)!r} + '/*/*/*.ipynb'):
    seen.append(open(f).read()[:100])
print('SEEN', seen)
""")
    subs["writes-gradebook"] = _set(copy.deepcopy(honest), "learn_kernel", _solution("learn_kernel") + f"""
import sqlite3, subprocess
subprocess.Popen(['sleep', '4321'])   # a lock-holding background process
for db in [{str(secret_dir.parent / 'course' / 'gradebook.db')!r}, '../gradebook.db', 'gradebook.db']:
    try:
        con = sqlite3.connect(db)
        con.execute('create table if not exists pwned (x)')
        con.execute('update grade set auto_score = 100')
        con.commit()
    except Exception as err:
        print('blocked', db, type(err).__name__)
""")
    edited = copy.deepcopy(honest)
    tests = _cell(edited, "corr2d-tests")
    tests.source = "pass  # the student deleted the checks"
    tests.metadata["nbgrader"]["points"] = 100
    edited.metadata["kernelspec"] = {"name": "evil", "display_name": "evil", "language": "python"}
    subs["edited-locked"] = edited
    deleted = copy.deepcopy(honest)
    deleted.cells = [c for c in deleted.cells if grade_id(c)
                     not in (f"{ASG}-corr2d-tests", f"{ASG}-learn_kernel-tests")]
    subs["deleted-tests"] = deleted
    dup = copy.deepcopy(honest)
    dup.cells.insert(3, copy.deepcopy(_cell(dup, "corr2d-tests")))
    subs["duplicate-id"] = dup
    subs["warns-on-stderr"] = _set(copy.deepcopy(honest), "corr2d", "import sys, warnings\n" + _solution("corr2d").replace(
        "def corr2d(X, K):", "def corr2d(X, K):\n    print('computing...', file=sys.stderr)\n    warnings.warn('slow loop')"))
    out = {s: nbformat.writes(nb) for s, nb in subs.items()}
    out["invalid-json"] = '{"cells": [ not json'
    out["renamed"] = ("my_homework.ipynb", nbformat.writes(honest))
    return out


pytestmark = needs("bubblewrap", "the grading sandbox")


@pytest.fixture(scope="module")
def graded(tmp_path_factory):
    tmp = tmp_path_factory.mktemp("grade")
    root = scratch_course(tmp / "course", ROOT, [ASG], folders=("source", "release"))
    submitted = tmp / "submitted"
    for student, content in _class(submitted).items():
        name, text = content if isinstance(content, tuple) else (f"{ASG}.ipynb", content)
        dest = submitted / student / ASG / name
        dest.parent.mkdir(parents=True)
        dest.write_text(text)
    before = {p: hashlib.sha256(p.read_bytes()).hexdigest() for p in submitted.rglob("*") if p.is_file()}
    proc = subprocess.run([sys.executable, "-m", "course", "grade", ASG, "--submissions", str(submitted),
                           "--jobs", "2", "--cell-timeout", "10", "--timeout", "90", "--root", str(root)],
                          capture_output=True, text=True, env=tool_env(), timeout=900)
    assert proc.returncode == 0, proc.stdout[-3000:] + proc.stderr[-3000:]
    with open(root / "autograded" / f"{ASG}-report.csv") as f:
        rows = {r["student_id"]: r for r in csv.DictReader(f)}
    after = {p: hashlib.sha256(p.read_bytes()).hexdigest() for p in submitted.rglob("*") if p.is_file()}
    return {"rows": rows, "root": root, "before": before, "after": after, "stdout": proc.stdout}


def row(graded, student):
    r = graded["rows"][student]
    return float(r["score"]), float(r["max_score"]), r["status"], set(filter(None, r["flags"].split(";")))


def test_batch_completes_and_reports_everyone(graded):
    """Every submission has a row; the report has the promised columns; the summary table was printed."""
    assert len(graded["rows"]) == 19
    assert "student" in graded["stdout"] and "honest" in graded["stdout"]


def test_honest_full_marks(graded):
    """An honest, correct submission scores full marks and is not flagged."""
    assert row(graded, "honest") == (MAX, MAX, "graded", set())


def test_blank_scores_zero(graded):
    """The untouched release notebook scores 0."""
    assert row(graded, "blank")[:3] == (0.0, MAX, "graded")


def test_hardcoded_visible_tests_lose_points(graded):
    """Hard-coding the worked example passes the visible test but not the hidden ones."""
    score, _, status, _ = row(graded, "hardcoded")
    assert score <= MAX - 4 and status == "graded"


@pytest.mark.parametrize("student,flag", [("patched-assert-close", "canary-passed"),
                                          ("patched-assert-close", "monkeypatch"),
                                          ("lying-eq", "custom-eq"),
                                          ("input-transformer", "canary-passed"),
                                          ("input-transformer", "input-transformer")])
def test_tampering_is_flagged(graded, student, flag):
    """Monkeypatched comparisons, lying tensors and assert-removing transformers are flagged for a human."""
    _, _, status, flags = row(graded, student)
    assert status == "flagged" and flag in flags, (status, flags)


def test_lying_eq_still_loses_points(graded):
    """A tensor subclass whose __eq__ lies does not fool the numeric comparison."""
    assert row(graded, "lying-eq")[0] <= MAX - 4


@pytest.mark.parametrize("student,flag,least,most", [
    ("sys-exit", "exit-or-signal", MAX - 3, MAX),
    ("os-exit", "kernel-died", 6.0, 6.0),       # corr2d (4) and conv2d_flip (2) ran before the crash
    ("sigint-loop", "cell-timeout", 6.0, 6.0),  # stopped by the 10 s cell limit, not the 90 s notebook limit
])
def test_exits_and_hangs_keep_partial_credit(graded, student, flag, least, most):
    """A dead or stuck kernel keeps the credit of the tests that passed before, and is flagged."""
    score, _, status, flags = row(graded, student)
    assert status == "flagged" and flag in flags and least <= score <= most, (score, status, flags)


def test_memory_bomb_is_contained(graded):
    """Allocating 40 GB fails inside the sandbox (address-space limit); the other tests still run."""
    score, _, status, _ = row(graded, "memory-bomb")
    assert status != "failed" and score == MAX


def test_huge_output_is_truncated(graded):
    """50 MB of printed output is cut to a bounded size and the submission is still graded."""
    assert row(graded, "huge-output")[:3] == (MAX, MAX, "graded")
    executed = graded["root"] / "autograded" / "huge-output" / ASG / f"{ASG}.ipynb"
    assert executed.stat().st_size < 2_000_000


def test_reading_other_students_sees_nothing(graded):
    """Other submissions, the course source and the parent folder are invisible inside the sandbox; the attempt is flagged."""
    _, _, status, flags = row(graded, "reads-others")
    assert status == "flagged" and "file-access" in flags
    nb = nbformat.read(graded["root"] / "autograded" / "reads-others" / ASG / f"{ASG}.ipynb", as_version=4)
    seen = "".join(o.get("text", "") for c in nb.cells if c.cell_type == "code" for o in c.outputs
                   if "SEEN" in o.get("text", ""))
    assert seen, "the probing code did not run"
    for other in ("honest", "blank", "hardcoded", "01_convolution.ipynb", "BEGIN HIDDEN", "nbformat"):
        assert other not in seen, f"the sandbox let a submission see {other}: {seen[:500]}"


def test_gradebook_writes_and_background_processes_are_contained(graded):
    """The course gradebook cannot be reached; a background process does not survive; the attempt is flagged."""
    _, _, status, flags = row(graded, "writes-gradebook")
    assert status == "flagged" and {"gradebook-access", "process-spawn"} <= flags
    assert subprocess.run(["pgrep", "-f", "sleep 4321"], capture_output=True).returncode == 1, "a background process survived"
    from nbgrader.api import Gradebook
    with Gradebook(f"sqlite:///{graded['root'] / 'gradebook.db'}") as gb:
        assert gb.find_submission(ASG, "honest").score == MAX
        assert "pwned" not in str(gb.db.execute(__import__("sqlalchemy").text(
            "select name from sqlite_master")).fetchall())


def test_edited_locked_cells_are_restored(graded):
    """Edited test cells, points and kernelspec are restored from the instructor's copy (and flagged)."""
    score, max_score, status, flags = row(graded, "edited-locked")
    assert (score, max_score) == (MAX, MAX)
    assert {"locked-cell-edited", "metadata-edited", "kernelspec-edited"} <= flags


def test_deleted_test_cells_are_restored(graded):
    """Deleted test cells are added back and run; an honest student still gets full marks."""
    score, _, _, flags = row(graded, "deleted-tests")
    assert score == MAX and "test-cell-deleted" in flags


def test_duplicate_grade_id_affects_only_that_student(graded):
    """A copied test cell (duplicated grade_id) is flagged and graded; it does not abort the batch."""
    score, _, status, flags = row(graded, "duplicate-id")
    assert score == MAX and status == "flagged" and "duplicate-grade-id" in flags


def test_invalid_json_fails_alone(graded):
    """A file that is not a notebook fails that student only."""
    assert row(graded, "invalid-json")[2:] == ("failed", {"invalid-notebook"})


def test_renamed_notebook_is_graded_and_flagged(graded):
    """A renamed notebook is still graded, and flagged."""
    assert row(graded, "renamed") == (MAX, MAX, "flagged", {"renamed-notebook"})


def test_stderr_never_costs_points(graded):
    """Correct code that warns and prints on stderr scores full marks, unflagged."""
    assert row(graded, "warns-on-stderr") == (MAX, MAX, "graded", set())


def test_other_students_files_unchanged(graded):
    """No submission can change another's files (or its own) in the submissions folder."""
    assert graded["before"] == graded["after"]


def test_feedback_has_no_hidden_tests(graded):
    """Feedback HTML exists for each graded student and shows neither hidden tests nor tracebacks into them."""
    fb = graded["root"] / "feedback" / "hardcoded" / ASG / f"{ASG}.html"
    text = fb.read_text()
    assert "Autograded score" in text
    assert "BEGIN HIDDEN TESTS" not in text and "_reference(X, K)" not in text and "gradcheck" not in text


def test_manual_grades_survive_a_regrade(graded, tmp_path):
    """Re-running keeps a manual grade entered in formgrader, and is idempotent for scores."""
    from nbgrader.api import Gradebook
    root = graded["root"]
    db = f"sqlite:///{root / 'gradebook.db'}"
    with Gradebook(db) as gb:
        g = gb.find_grade(f"{ASG}-why-flip-answer", ASG, ASG, "honest")
        g.manual_score = 1.5
        gb.db.commit()
    only = tmp_path / "sub"
    shutil.copytree(root.parent / "submitted" / "honest", only / "honest")
    proc = subprocess.run([sys.executable, "-m", "course", "grade", ASG, "--submissions", str(only), "--root", str(root)],
                          capture_output=True, text=True, env=tool_env(), timeout=300)
    assert proc.returncode == 0, proc.stderr[-2000:]
    with Gradebook(db) as gb:
        assert gb.find_grade(f"{ASG}-why-flip-answer", ASG, ASG, "honest").manual_score == 1.5
        assert gb.find_submission(ASG, "honest").code_score == MAX
    assert len(list((root / "autograded" / "backups").glob("gradebook-*.db"))) >= 1, "the gradebook is backed up before a run"
