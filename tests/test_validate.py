"""``python -m course validate``: the student's self-check exits 1 on a failing visible test, 0 when all pass."""
import subprocess
import sys

import nbformat
import pytest

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
    """The untouched release notebook exits 1, and each failed cell's checklist names the stub's NotImplementedError."""
    rc, out = validate(release_path(ASG))
    assert rc == 1, out
    assert f"FAIL  {ASG}-corr2d-tests (4 points): AssertionError: 5 of 5 checks of corr2d failed" in out, out
    assert "✗ [0.5] the worked example gives [[19, 25], [37, 43]]" in out and "NotImplementedError" in out, out
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
    assert "✗ [0.5] the worked example gives [[19, 25], [37, 43]]" in out, "the checklist shows each failed check"
    assert "✓ [0.5] written from scratch" in out, "and each check that passed"
    assert "kernel died" in out and f"FAIL  {ASG}-learn_kernel-tests" in out, out


def test_unreadable_notebook_is_a_clear_error(tmp_path):
    """A corrupt file exits 2 with one sentence, not a traceback."""
    path = tmp_path / "broken.ipynb"
    path.write_text('{"cells": [ not json')
    rc, out = validate(path)
    assert rc == 2 and "is not a readable notebook" in out and "Traceback" not in out, out


BUILTIN = {"01_convolution": ("corr2d", "def corr2d(X, K):\n    return F.conv2d(X[None, None], K[None, None])[0, 0]\n"),
           "04_pooling": ("pool2d", "def pool2d(X, pool_size, mode='max', stride=1, padding=0):\n"
                          "    fn = F.max_pool2d if mode == 'max' else F.avg_pool2d\n"
                          "    Y = fn(X[None] if X.dim() == 2 else X, pool_size, stride, padding)\n"
                          "    return Y[0] if X.dim() == 2 else Y\n")}


@pytest.mark.parametrize("asg", sorted(BUILTIN))
def test_calling_the_builtin_fails_the_self_check(tmp_path, asg):
    """An exercise to write from scratch fails a VISIBLE check when it calls the built-in, so the self-check exits 1."""
    name, code = BUILTIN[asg]
    nb = filled_release(asg, {name: code})
    path = tmp_path / f"{asg}.ipynb"
    nbformat.write(nb, path)
    rc, out = validate(path)
    assert rc == 1, out
    assert "is disabled in this test" in out, out
