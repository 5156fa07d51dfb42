"""Adversarial submissions through `python -m course grade`: each is graded right or flagged, and nobody else is touched.

One batch of 20 submissions of 01_convolution is graded with --jobs 2 on a
temporary copy of the course; each test asserts one submission's expected row
of the report CSV (and, where it matters, what its code could see or change).
"""
import copy
import csv
import hashlib
import shutil
import subprocess
import sys
from pathlib import Path

import nbformat
import pytest

from course.cells import answer_cells, grade_id
from course.coursedir import release_path
from course.instructor.build import filled_release
from course.instructor.nbgrader_tools import scratch_course
from course.runner import tool_env
from harness import ROOT, plain_install
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
    # a process in a session of its own, then a cell that outlives the cell limit
    subs["daemon-then-hang"] = _set(copy.deepcopy(honest), "Conv2D", _solution("Conv2D") +
                                    "\nimport subprocess, time\n"
                                    "subprocess.Popen(['sleep', '4322'], start_new_session=True)\n"
                                    "subprocess.Popen('nohup sleep 4323 >/dev/null 2>&1 &', shell=True)\n"
                                    "while True:\n    time.sleep(0.05)\n")
    # 8 GB, which this 24 GB machine would give without the 6 GB limit: touched page by page, then announced
    subs["memory-bomb"] = _set(copy.deepcopy(honest), "learn_kernel", _solution("learn_kernel") + """
try:
    hog = bytearray(8 * 1024 ** 3)
    hog[::4096] = b"\\x01" * len(range(0, len(hog), 4096))
    print("BOMB-" + "ALLOCATED", len(hog))
    del hog
except MemoryError:
    print("BOMB-" + "STOPPED")
""")
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
                           "--jobs", "2", "--cell-timeout", "20", "--timeout", "120", "--root", str(root)],
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
    assert len(graded["rows"]) == 20
    assert "student" in graded["stdout"] and "honest" in graded["stdout"]


def test_honest_full_marks(graded):
    """An honest, correct submission scores full marks and is not flagged."""
    assert row(graded, "honest") == (MAX, MAX, "graded", set())


def test_blank_scores_zero(graded):
    """The untouched release notebook scores 0."""
    assert row(graded, "blank") == (0.0, MAX, "graded", set()), row(graded, "blank")


def test_hardcoded_visible_tests_lose_points(graded):
    """Hard-coding the worked example keeps only the checks a constant passes (the worked example, from scratch):
    1 of corr2d's 4 points."""
    score, _, status, _ = row(graded, "hardcoded")
    assert score == MAX - 3 and status == "graded", score


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
    """A tensor subclass whose __eq__ lies does not fool the numeric comparisons: it loses every check of a value."""
    assert row(graded, "lying-eq")[0] <= MAX - 3


@pytest.mark.parametrize("student,flag,least,most", [
    ("sys-exit", "exit-or-signal", MAX - 3, MAX),
    ("os-exit", "kernel-died", 6.0, 6.0),       # corr2d (4) and conv2d_flip (2) ran before the crash
    ("sigint-loop", "cell-timeout", 6.0, 6.0),  # stopped by the 20 s cell limit, not the 120 s notebook limit
])
def test_exits_and_hangs_keep_partial_credit(graded, student, flag, least, most):
    """A dead or stuck kernel keeps the credit of the tests that passed before, and is flagged."""
    score, _, status, flags = row(graded, student)
    assert status == "flagged" and flag in flags and least <= score <= most, (score, status, flags)


def test_memory_bomb_is_contained(graded):
    """8 GB under the 6 GB limit: the allocation fails inside the sandbox (the test fails if it succeeds), and the
    other tests still run."""
    executed = (graded["root"] / "autograded" / "memory-bomb" / ASG / f"{ASG}.ipynb").read_text()
    assert "BOMB-ALLOCATED" not in executed, "the 8 GB allocation succeeded: no memory limit applied"
    assert "BOMB-STOPPED" in executed or "kernel-died" in row(graded, "memory-bomb")[3]
    score, _, status, _ = row(graded, "memory-bomb")
    assert status != "failed" and score == MAX
    assert graded["rows"]["memory-bomb"]["sandbox"] in ("bubblewrap+prlimit", "bubblewrap+cgroup")
    assert "memory limit of 6 GB" in graded["stdout"] or "address-space limit of 6 GB" in graded["stdout"]


def test_no_process_outlives_grading(graded):
    """Processes started by a cell that then timed out, in a session of their own or daemonised, are all gone."""
    assert "cell-timeout" in row(graded, "daemon-then-hang")[3]
    left = subprocess.run(["pgrep", "-f", "sleep 432[123]"], capture_output=True, text=True).stdout.split()
    assert left == [], f"processes survived grading: {left}"


def test_gradebook_equals_report(graded):
    """After the adversarial class, every student's gradebook score equals the report's, the failed ones included."""
    from nbgrader.api import Gradebook
    with Gradebook(f"sqlite:///{graded['root'] / 'gradebook.db'}") as gb:
        for student, r in graded["rows"].items():
            if r["status"] in ("graded", "flagged", "failed"):
                assert gb.find_submission(ASG, student).code_score == float(r["score"]), student


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


def test_check_results_are_recorded_per_student(graded):
    """autograded/<asg>-checks.csv: every check of every test cell for each graded student, adding up to the
    gradebook's cell scores; the honest student passed every check, the blank one none, and the adversarial
    ones that faked a pass (patched asserts, a lying __eq__) are recorded as failing."""
    rows = list(csv.DictReader(open(graded["root"] / "autograded" / f"{ASG}-checks.csv")))
    by = {}
    for r in rows:
        if not r["grade_id"].endswith("canary-tests"):   # the 0-point canary fails by design
            by.setdefault(r["student_id"], []).append(r)
    assert {r["passed"] for r in by["honest"]} == {"1"} and {r["passed"] for r in by["blank"]} == {"0"}
    assert len(by["honest"]) == len(by["blank"]) > 20
    for student in ("patched-assert-close", "lying-eq"):
        corr = [r for r in by[student] if r["grade_id"] == f"{ASG}-corr2d-tests"]
        assert any(r["passed"] == "0" for r in corr), student
    from nbgrader.api import Gradebook
    with Gradebook(f"sqlite:///{graded['root'] / 'gradebook.db'}") as gb:
        for student, mine in by.items():
            cells = {g.name: g.auto_score for g in gb.find_submission_notebook(ASG, ASG, student).grades}
            for gid in {r["grade_id"] for r in mine}:
                earned = sum(float(r["points"]) for r in mine if r["grade_id"] == gid and r["passed"] == "1")
                assert abs(earned - cells[gid]) < 1e-6, (student, gid, earned, cells[gid])


def test_feedback_has_no_hidden_tests(graded):
    """Feedback HTML exists for each graded student; it lists each failed hidden check's description and hint but
    never the hidden tests' code or tracebacks into them, nor the instructor's flags (those go to the report only)."""
    import html
    fb = graded["root"] / "feedback" / "hardcoded" / ASG / f"{ASG}.html"
    text = html.unescape(fb.read_text())
    assert "Autograded score" in text
    assert "BEGIN HIDDEN TESTS" not in text and "_corr2d_reference" not in text and "def _reference_learn" not in text
    assert "torch.autograd.gradcheck(" not in text, "the hidden checks' code is not shown"
    assert "✗ [0.5] seven more shapes" in text and "(hidden)" in text, "a failed hidden check is listed"
    assert "Y[i, j] sums X[i + a, j + b] * K[a, b]" in text, "with its hint"
    flagged = (graded["root"] / "feedback" / "patched-assert-close" / ASG / f"{ASG}.html").read_text()
    assert "Autograded score" in flagged
    for flag in ("canary-passed", "monkeypatch"):
        assert flag not in flagged, f"the feedback page shows the instructor's flag {flag}"


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
    proc = subprocess.run([sys.executable, "-m", "course", "grade", ASG, "--submissions", str(only), "--student", "honest",
                           "--course-dir", str(root)], capture_output=True, text=True, env=tool_env(), timeout=300)
    assert proc.returncode == 0, proc.stderr[-2000:]
    with Gradebook(db) as gb:
        assert gb.find_grade(f"{ASG}-why-flip-answer", ASG, ASG, "honest").manual_score == 1.5
        assert gb.find_submission(ASG, "honest").code_score == MAX
    assert len(list((root / "autograded" / "backups").glob("gradebook-*.db"))) >= 1, "the gradebook is backed up before a run"


def test_regrade_of_one_student_keeps_the_others_and_zeroes_an_unreadable_resubmission(graded, tmp_path):
    """`--student ID` regrades that student only: the report keeps every other row, and a resubmission that
    cannot be read scores 0 in the gradebook as in the report."""
    from nbgrader.api import Gradebook
    root = graded["root"]
    report = root / "autograded" / f"{ASG}-report.csv"
    before = {r["student_id"]: r for r in csv.DictReader(open(report))}
    checks = root / "autograded" / f"{ASG}-checks.csv"
    checks_before = list(csv.DictReader(open(checks)))
    again = tmp_path / "sub"
    shutil.copytree(root.parent / "submitted", again)
    (again / "hardcoded" / ASG / f"{ASG}.ipynb").write_text("{ not a notebook any more")
    proc = subprocess.run([sys.executable, "-m", "course", "grade", ASG, "--submissions", str(again),
                           "--student", "hardcoded", "--course-dir", str(root)],
                          capture_output=True, text=True, env=tool_env(), timeout=300)
    assert proc.returncode == 0, proc.stderr[-2000:]
    after = {r["student_id"]: r for r in csv.DictReader(open(report))}
    assert set(after) == set(before)
    assert {s: r for s, r in after.items() if s != "hardcoded"} == {s: r for s, r in before.items() if s != "hardcoded"}
    assert (after["hardcoded"]["status"], after["hardcoded"]["score"]) == ("failed", "0"), after["hardcoded"]
    # the check results: everyone else's rows kept as they were; the unreadable resubmission recorded none
    checks_after = list(csv.DictReader(open(checks)))
    assert [r for r in checks_after if r["student_id"] != "hardcoded"] == \
        [r for r in checks_before if r["student_id"] != "hardcoded"]
    assert any(r["student_id"] == "hardcoded" for r in checks_before)
    assert not any(r["student_id"] == "hardcoded" for r in checks_after)
    with Gradebook(f"sqlite:///{root / 'gradebook.db'}") as gb:
        assert gb.find_submission(ASG, "hardcoded").code_score == 0


@pytest.fixture
def small_class(tmp_path):
    """A one-assignment course copy and a class of one honest student."""
    root = scratch_course(tmp_path / "course", ROOT, [ASG], folders=("source", "release"))
    dest = tmp_path / "submitted" / "honest" / ASG / f"{ASG}.ipynb"
    dest.parent.mkdir(parents=True)
    nbformat.write(filled_release(ASG), dest)
    return root, tmp_path / "submitted"


def _grade(root, submitted, *extra, env=None):
    return subprocess.run([sys.executable, "-m", "course", "grade", ASG, "--submissions", str(submitted),
                           "--course-dir", str(root), *extra], capture_output=True, text=True,
                          env=env or tool_env(), timeout=300)


def _digest(root):
    return {p.relative_to(root): hashlib.sha256(p.read_bytes()).hexdigest() for p in root.rglob("*") if p.is_file()}


def test_grading_refuses_without_bubblewrap(small_class):
    """No bubblewrap on PATH: grading exits non-zero with the install hint and writes nothing."""
    root, submitted = small_class
    (root / "gradebook.db").write_bytes(b"")  # an (empty) gradebook that must stay as it is
    before = _digest(root)
    env = tool_env(PATH=str(Path(sys.executable).parent))  # this Python's bin/ only: no bwrap
    proc = _grade(root, submitted, env=env)
    assert proc.returncode == 2, proc.stdout + proc.stderr
    assert "apt-get install bubblewrap" in proc.stderr and "--no-sandbox" in proc.stderr, proc.stderr
    assert _digest(root) == before, "grading without a sandbox changed the course folder"


def test_unreadable_gradebook_stops_grading_before_any_work(small_class):
    """A gradebook that is not a database stops grading with a clear message, and nothing is written."""
    root, submitted = small_class
    (root / "gradebook.db").write_text("this is not a database, and it must not be overwritten")
    before = _digest(root)
    proc = _grade(root, submitted)
    assert proc.returncode == 2 and "cannot be opened" in proc.stderr and "Traceback" not in proc.stderr, proc.stderr
    assert _digest(root) == before


def test_no_sandbox_flag_marks_every_row(small_class):
    """--no-sandbox grades, and every row says it ran unsandboxed."""
    root, submitted = small_class
    proc = _grade(root, submitted, "--no-sandbox")
    assert proc.returncode == 0, proc.stderr[-2000:]
    r = next(csv.DictReader(open(root / "autograded" / f"{ASG}-report.csv")))
    assert r["sandbox"].startswith("unsandboxed") and "unsandboxed" in r["flags"].split(";"), r
    assert float(r["score"]) == MAX and r["status"] == "graded", r
    assert "UNSANDBOXED" in proc.stdout


def test_grading_with_the_environment_and_the_course_under_tmp(small_class, tmp_path):
    """A Python environment and a course under /tmp (a scratch clone, some CI runners) grade normally: the
    sandbox's private /tmp does not hide them."""
    import tempfile
    root, submitted = small_class
    assert str(root).startswith(tempfile.gettempdir())
    env_dir = Path(tempfile.mkdtemp(prefix="course-venv-", dir="/tmp"))
    try:
        python, _, env = plain_install(env_dir)
        proc = subprocess.run([str(python), "-P", "-m", "course", "grade", ASG, "--submissions", str(submitted),
                               "--course-dir", str(root)], capture_output=True, text=True, env=env, timeout=300)
        assert proc.returncode == 0, proc.stdout[-2000:] + proc.stderr[-2000:]
        r = next(csv.DictReader(open(root / "autograded" / f"{ASG}-report.csv")))
        assert (float(r["score"]), r["status"], r["sandbox"][:10]) == (MAX, "graded", "bubblewrap"), r
    finally:
        shutil.rmtree(env_dir, ignore_errors=True)


def test_late_submission_is_flagged_and_penalised_by_nbgraders_plugin(small_class):
    """With a due date in the gradebook and nbgrader's LateSubmissionPlugin set to 'zero', a submission whose
    timestamp.txt is after the due date is flagged late and its penalty recorded, in the gradebook and the report."""
    from nbgrader.api import Gradebook
    root, submitted = small_class
    with open(root / "nbgrader_config.py", "a") as f:
        f.write('\nc.LateSubmissionPlugin.penalty_method = "zero"\n')
    proc = subprocess.run([sys.executable, "-m", "nbgrader", "db", "assignment", "add", ASG,
                           "--duedate=2026-11-01 17:00:00 UTC"], cwd=root, capture_output=True, text=True,
                          env=tool_env())
    assert proc.returncode == 0, proc.stderr
    (submitted / "honest" / ASG / "timestamp.txt").write_text("2026-11-02 09:30:00.000000 UTC")
    proc = _grade(root, submitted)
    assert proc.returncode == 0, proc.stderr[-2000:]
    r = next(csv.DictReader(open(root / "autograded" / f"{ASG}-report.csv")))
    assert "late" in r["flags"].split(";") and float(r["late_penalty"]) == MAX and r["status"] == "graded", r
    assert r["submitted_at"].startswith("2026-11-02T09:30"), r
    with Gradebook(f"sqlite:///{root / 'gradebook.db'}") as gb:
        sub = gb.find_submission(ASG, "honest")
        assert sub.total_seconds_late == 16.5 * 3600
        assert gb.find_submission_notebook(ASG, ASG, "honest").late_submission_penalty == MAX
