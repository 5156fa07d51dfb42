"""The student bundle: ``python -m course bundle``.

The bundle is what an instructor publishes: ``release/``, the student runtime
(``course/`` without ``course/instructor/``), a student ``requirements.txt``,
``pyproject.toml`` and README.  Every file is scanned and the bundle is refused
if it holds a solution, a hidden test or a model answer.
"""
from __future__ import annotations

import json
import os
import re
import shutil
from pathlib import Path

import nbformat

from ..cells import answer_cells, nbgrader_meta
from ..coursedir import assignments, course_dir, release_path, source_path
from . import CheckFailed
from .build import MARKERS, make_solution
from .check import LEAKS
from .handouts import find_handouts

NOT_FOR_STUDENTS = ("pytest", "nbval", "playwright", "copydetect")  # test tools, the similarity check


def student_requirements(root):
    """The bundle's requirements.txt: the course's own, without the test tools and the instructor's (same pinned versions)."""
    keep = ["# Everything a student needs: `pip install -r requirements.txt` in this folder."]
    for line in (Path(root) / "requirements.txt").read_text().splitlines():
        name = re.split(r"[=<>\[ ]", line.strip(), maxsplit=1)[0]
        if not line.strip() or line.startswith("#") or name in NOT_FOR_STUDENTS:
            continue
        keep.append("-e ." if line.startswith("-e .") else line)
    return "\n".join(keep) + "\n"


STUDENT_README = """\
# Modern CNNs in PyTorch — student notebooks

Fill in the notebooks under `release/`, one per topic, starting with
`release/00_welcome/00_welcome.ipynb`.

```bash
python3 -m venv .venv && .venv/bin/pip install -r requirements.txt && .venv/bin/jupyter lab
```

JupyterLab opens on the welcome notebook. Fashion-MNIST is found in `$COURSE_DATA`,
`./data` or `/usr/share/datasets/fashion-mnist`, or downloaded on first use.

Before you submit, check a notebook the way the grader will run it:

```bash
.venv/bin/python -m course validate release/01_convolution/01_convolution.ipynb
```

It exits 1 when a visible test fails and 0 when all pass (hidden tests run at grading).
Submit the `.ipynb` file itself, under its own name.
"""

STUDENT_PYPROJECT = """\
[build-system]
requires = ["setuptools>=61"]
build-backend = "setuptools.build_meta"

[project]
name = "course"
version = "{version}"
description = "Modern CNNs in PyTorch: the student runtime the course notebooks import"
requires-python = ">=3.10"
dependencies = [{dependencies}]

[tool.setuptools]
packages = ["course"]
"""


def student_pyproject(root):
    """The bundle's pyproject.toml: the course's version and runtime dependencies, the student runtime only."""
    text = (Path(root) / "pyproject.toml").read_text()
    version = re.search(r'^version\s*=\s*"([^"]+)"', text, re.M).group(1)
    block = re.search(r"^dependencies\s*=\s*\[(.*?)\]", text, re.M | re.S).group(1)
    return STUDENT_PYPROJECT.format(version=version, dependencies=block)



def secrets(root=None):
    """``{(asg, grade_id): {lines}}``: the distinctive lines of each solution, hidden test and model answer.

    A line counts if it is at least 20 characters, not a comment, and not in
    the assignment's own release notebook (a docstring shows there, for one).
    """
    found = {}
    for asg in assignments(root):
        public = set()
        if release_path(asg, root).exists():
            for cell in nbformat.read(release_path(asg, root), as_version=4).cells:
                public.update(line.strip() for line in cell.source.split("\n"))
        for cell in nbformat.read(source_path(asg, root), as_version=4).cells:
            meta = nbgrader_meta(cell)
            hidden = cell.cell_type == "markdown" and meta.get("solution")  # a model answer: all of it
            lines = set()
            for line in cell.source.split("\n"):
                key = line.strip()
                if key in MARKERS:
                    hidden = key.startswith("### BEGIN")
                    continue
                if hidden and len(key) >= 20 and not key.startswith("#") and key not in public:
                    lines.add(key)
            if len(lines) >= 2 or any(len(line) >= 40 for line in lines):  # one short line is an idiom
                found[(asg, meta.get("grade_id", asg))] = lines
    return found


def solutions(root=None):
    """``{(asg, grade_id): code}``: the solved answer cells of every assignment."""
    out = {}
    for asg in assignments(root):
        solved = make_solution(nbformat.read(source_path(asg, root), as_version=4))
        out.update({(asg, f"{asg}-{name}-answer"): cell.source for name, cell in answer_cells(solved, asg).items()})
    return out


def scan_bundle(out, root=None):
    """``(problems, handed_out)`` for a student bundle.

    A file holds a cell when it has every distinctive line of it.  Problems:
    nbgrader markers in a notebook; any solution, hidden test or model answer in
    the package or in its own assignment's notebook.  ``handed_out``: a
    notebook that gives another exercise's answer as code to build on (02
    gives 01's ``corr2d``, as d2l does), so publish it after that deadline;
    beyond identical lines, answers are found in any formatting
    (:mod:`course.instructor.handouts`).
    """
    hidden = secrets(root)
    problems, handed_out = [], []
    released = {}
    for path in sorted(p for p in Path(out).rglob("*") if p.is_file()):
        text = path.read_text(encoding="utf-8", errors="replace")
        rel = path.relative_to(out)
        owner = rel.parts[1] if rel.parts[0] == "release" and len(rel.parts) > 2 else None
        if path.suffix == ".ipynb":
            problems += [f"{rel}: contains '{leak}'" for leak in LEAKS if leak in text]
            cells = json.loads(text)["cells"]
            if owner is not None:
                released[owner] = ["".join(c["source"]) for c in cells if c["cell_type"] == "code"]
            text = "\n".join("".join(c["source"]) for c in cells)
        lines = {line.strip() for line in text.split("\n")}
        for (asg, where), secret in hidden.items():
            if secret <= lines:
                if owner is not None and owner != asg:
                    handed_out.append(f"release/{owner} gives the answer of {where}")
                else:
                    problems.append(f"{rel}: contains the solution or hidden tests of {where}")
    for where, how, asg, gid, name in find_handouts(solutions(root), released):
        if where == asg:
            problems.append(f"release/{where}: contains the solution of {gid} ({name}, {how}), reformatted")
        elif not any(line.startswith(f"release/{where} gives the answer of {gid}") for line in handed_out):
            handed_out.append(f"release/{where} gives the answer of {gid} ({name}, {how}, reformatted)")
    return problems, handed_out


def bundle(root=None, out=None, make_zip=False, only=None, log=print):
    """Write the student bundle (release/, the course package, requirements, README) to ``out``; return its path.

    ``only``: the assignments to publish (default all), so that a class can get
    them as their deadlines pass.  Nothing from source/, solutions/ or tests/
    goes in; every file is scanned (:func:`scan_bundle`) and the bundle is
    refused if a solution or hidden test is found.
    """
    root = course_dir(root)
    out = Path(out or root / "student-bundle")
    if out.exists():
        shutil.rmtree(out)
    out.mkdir(parents=True)
    for asg in only or assignments(root):
        src = release_path(asg, root)
        if not src.exists():
            raise CheckFailed(f"release/{asg}/{asg}.ipynb is missing: run `python -m course build`")
        (out / "release" / asg).mkdir(parents=True)
        shutil.copy(src, out / "release" / asg)
    # the student runtime only: never the instructor's tools (nor their list of suspicious patterns)
    ignore = shutil.ignore_patterns("__pycache__", "*.pyc", "build", "*.egg-info", "instructor")
    shutil.copytree(root / "course", out / "course", ignore=ignore)
    jupyter = out / "course" / "jupyter"
    for name in ("page_config.json", "zz_modern_cnns.json"):  # the student's JupyterLab: validate, no formgrader
        os.replace(jupyter / name.replace(".json", ".student.json"), jupyter / name)
    shutil.copy(root / "nbgrader_config.py", out)
    (out / "requirements.txt").write_text(student_requirements(root))
    (out / "README.md").write_text(STUDENT_README)
    (out / "pyproject.toml").write_text(student_pyproject(root))
    problems, handed_out = scan_bundle(out, root)
    if problems:
        shutil.rmtree(out)
        raise CheckFailed("the student bundle would leak answers:\n" + "\n".join(problems))
    for line in handed_out:
        log(f"note: {line} (as code to build on): publish it after that exercise is due, "
            "or bundle fewer assignments (python -m course bundle 00_welcome 01_convolution ...)")
    log(f"student bundle: {out} ({sum(1 for p in out.rglob('*') if p.is_file())} files)")
    if make_zip:
        archive = shutil.make_archive(str(out), "zip", root_dir=out.parent, base_dir=out.name)
        log(f"student bundle: {archive}")
        return Path(archive)
    return out
