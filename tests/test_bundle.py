"""`python -m course bundle`: the student bundle holds release/, the course package, requirements and a README, and no answer."""
import json
import subprocess
import sys
import zipfile

import nbformat
import pytest

from course.cells import answer_cells
from course.coursedir import assignments, release_path, source_path
from course.instructor.build import make_solution
from course.instructor.bundle import scan_bundle
from course.runner import tool_env
from harness import ROOT


@pytest.fixture(scope="module")
def bundle(tmp_path_factory):
    out = tmp_path_factory.mktemp("bundle") / "modern-cnns"
    proc = subprocess.run([sys.executable, "-m", "course", "bundle", "--zip", "--out", str(out)],
                          cwd=ROOT, capture_output=True, text=True, env=tool_env())
    assert proc.returncode == 0, proc.stdout + proc.stderr
    return out


def test_bundle_has_what_a_student_needs_and_nothing_else(bundle):
    """Every release notebook, byte for byte; the course package; no source/, solutions/ or tests/."""
    top = {p.name for p in bundle.iterdir()}
    assert top == {"README.md", "requirements.txt", "pyproject.toml", "nbgrader_config.py", "course", "release"}, top
    for asg in assignments():
        assert (bundle / "release" / asg / f"{asg}.ipynb").read_bytes() == release_path(asg).read_bytes()
    assert (bundle / "course" / "__init__.py").exists() and (bundle / "course" / "validate.py").exists()
    names = zipfile.ZipFile(bundle.with_suffix(".zip")).namelist()
    assert f"{bundle.name}/release/01_convolution/01_convolution.ipynb" in names
    assert not any(part in ("source", "solutions", "tests") for n in names for part in n.split("/")), names


def test_student_jupyterlab_has_validate_but_not_formgrader(bundle):
    """The bundle's JupyterLab settings keep nbgrader's Validate and turn the instructor's panels off."""
    page = json.loads((bundle / "course" / "jupyter" / "page_config.json").read_text())["disabledExtensions"]
    assert page.get("@jupyter/nbgrader:formgrader") and page.get("@jupyter/nbgrader:create-assignment")
    assert "@jupyter/nbgrader:validate-assignment" not in page
    requirements = (bundle / "requirements.txt").read_text().split("\n")
    main = (ROOT / "requirements.txt").read_text().split("\n")
    assert [r for r in requirements if r.startswith("torch")] == [r for r in main if r.startswith("torch")]


def test_scan_finds_a_planted_solution_and_a_marker(bundle, tmp_path):
    """The leak scan reports a solution copied into the package and a marker left in a notebook."""
    import shutil
    copy = tmp_path / "b"
    shutil.copytree(bundle, copy)
    problems, handed_out = scan_bundle(copy)
    assert problems == [], problems
    assert "release/02_padding_stride gives the answer of 01_convolution-corr2d-answer" in handed_out, handed_out
    solved = make_solution(nbformat.read(source_path("05_lenet"), as_version=4))
    answer = answer_cells(solved, "05_lenet")["lenet"].source
    (copy / "course" / "helpers.py").write_text(answer)
    path = copy / "release" / "02_padding_stride" / "02_padding_stride.ipynb"
    path.write_text(path.read_text().replace("YOUR CODE HERE", "### BEGIN SOLUTION", 1))
    problems = "\n".join(scan_bundle(copy)[0])
    assert "course/helpers.py: contains the solution or hidden tests of 05_lenet-lenet-answer" in problems, problems
    assert "02_padding_stride.ipynb: contains 'BEGIN SOLUTION'" in problems, problems


def test_scan_names_answers_handed_out_in_other_formatting(bundle):
    """06 gives 05's LeNet and 08 gives 06's AlexNet, written differently from the answer key (keyword versus
    positional layer arguments, defaults spelled out or left out): only the syntax-tree comparison finds them."""
    _, handed_out = scan_bundle(bundle)
    for where, gid in [("06_alexnet", "05_lenet-lenet-answer"), ("08_nin", "06_alexnet-alexnet-answer")]:
        lines = [line for line in handed_out if line.startswith(f"release/{where} gives the answer of {gid}")]
        assert lines and "reformatted" in lines[0], handed_out


_ALEXNET_REWRITTEN = '''
import torch
from torch import nn

# AlexNet as a student of a later notebook might be given it: other names, layout and argument style
net = nn.Sequential(nn.Conv2d(1, 96, 11, 4, 1), nn.ReLU(inplace=False),
    nn.MaxPool2d(3, 2), nn.Conv2d(96, 256, kernel_size=(5), padding=2), nn.ReLU(), nn.MaxPool2d(kernel_size=3, stride=2),
    nn.Conv2d(256, 384, 3, 1, 1), nn.ReLU(), nn.Conv2d(384, 384, 3, padding=1), nn.ReLU(),
    nn.Conv2d(in_channels=384, out_channels=256, kernel_size=3, padding=1), nn.ReLU(), nn.MaxPool2d(3, stride=2),
    nn.Flatten(), nn.Linear(6400, 4096, bias=True), nn.ReLU(), nn.Dropout(), nn.Linear(4096, 4096), nn.ReLU(),
    nn.Dropout(p=0.5), nn.Linear(4096, 10))
'''

_CORR2D_RENAMED = '''
def cross_correlation(image, kernel):
    """Not called corr2d, and every local name is different."""
    kh, kw = kernel.shape   # the window
    out = torch.zeros((image.shape[0] - kh + 1, image.shape[1] - kw + 1), dtype=torch.result_type(image, kernel))
    for r in range(out.shape[0]):
        for c in range(out.shape[1]):
            out[r, c] = (image[r:r + kh, c:c + kw] * kernel).sum()
    return out
'''


def test_handout_scan_sees_through_formatting_and_only_that():
    """The normal form ignores names, layout, comments, docstrings and argument style, but not one changed layer."""
    from course.instructor.bundle import solutions
    from course.instructor.handouts import find_handouts
    keys = {k: v for k, v in solutions().items() if k[1] in ("01_convolution-corr2d-answer", "06_alexnet-alexnet-answer")}
    assert len(keys) == 2
    found = find_handouts(keys, {"99_later": [_ALEXNET_REWRITTEN, _CORR2D_RENAMED]})
    assert [(f[2], f[4], f[1]) for f in found] == [("01_convolution", "corr2d", "as cross_correlation()"),
                                                   ("06_alexnet", "alexnet", "at a cell's top level")], found
    changed = _ALEXNET_REWRITTEN.replace("nn.Linear(4096, 10)", "nn.Linear(4096, 100)")
    renamed_only = _CORR2D_RENAMED.replace("(image[r:r + kh, c:c + kw] * kernel).sum()", "(image[r:r + kh, c:c + kw] * kernel).mean()")
    assert find_handouts(keys, {"99_later": [changed, renamed_only]}) == []
