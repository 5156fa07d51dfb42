"""``python -m course validate``: the student's self-check exits 1 on a failing visible test, 0 when all pass."""
import subprocess
import sys

import nbformat

from course.cells import answer_cells, grade_id
from course.coursedir import release_path
from course.instructor.build import filled_release
from harness import ROOT

ASG = "01_convolution"


def validate(path):
    proc = subprocess.run([sys.executable, "-m", "course", "validate", str(path)], cwd=ROOT,
                          capture_output=True, text=True, timeout=300)
    return proc.returncode, proc.stdout + proc.stderr


def test_blank_release_fails_with_the_stub_message():
    """The untouched release notebook exits 1 and names the stub's NotImplementedError for each test."""
    rc, out = validate(release_path(ASG))
    assert rc == 1, out
    assert f"FAIL  {ASG}-corr2d-tests (4 points): NotImplementedError" in out, out
    assert "0 of 4 test cells pass" in out, out


def test_solved_notebook_passes_even_with_a_deleted_test_cell(tmp_path):
    """A solved notebook exits 0; a test cell the student deleted is put back and run, as the grader does."""
    nb = filled_release(ASG)
    nb.cells = [c for c in nb.cells if grade_id(c) != f"{ASG}-Conv2D-tests"]
    path = tmp_path / f"{ASG}.ipynb"
    nbformat.write(nb, path)
    rc, out = validate(path)
    assert rc == 0, out
    assert f"PASS  {ASG}-Conv2D-tests" in out and "were put back" in out, out
    assert "4 of 4 test cells pass" in out, out


def test_wrong_answer_and_dead_kernel_fail(tmp_path):
    """A wrong answer fails its test with the check's message; a kernel killed mid-run exits 1 and says so."""
    nb = filled_release(ASG, {"corr2d": "def corr2d(X, K):\n    return X[:-1, :-1] * 0\n"})
    cells = answer_cells(nb, ASG)
    cells["learn_kernel"].source += "\nimport os\nos._exit(1)\n"
    path = tmp_path / f"{ASG}.ipynb"
    nbformat.write(nb, path)
    rc, out = validate(path)
    assert rc == 1, out
    assert f"FAIL  {ASG}-corr2d-tests (4 points): AssertionError" in out, out
    assert "kernel died" in out and f"FAIL  {ASG}-learn_kernel-tests" in out, out


def test_unreadable_notebook_is_a_clear_error(tmp_path):
    """A corrupt file exits 2 with one sentence, not a traceback."""
    path = tmp_path / "broken.ipynb"
    path.write_text('{"cells": [ not json')
    rc, out = validate(path)
    assert rc == 2 and "is not a readable notebook" in out and "Traceback" not in out, out
