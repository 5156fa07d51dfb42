"""Grade synthetic submissions with a real ``nbgrader autograde`` on a temporary copy of the course.

Every assignment has a data file ``tests/mutations/<assignment>.py`` with

* ``CORRECT = {name: {label: code}}``: other correct answers (another style:
  vectorised, another container, other variable names), each expected to
  score full marks;
* ``WRONG = {name: {label: code}}``: planted bugs, each expected to lose points
  in the test cell of ``name`` (or in ``TESTS[name]`` when that differs);
* optionally ``TESTS = {name: test_cell_name}`` and ``SETUP = {name: code}``.

``code`` replaces the whole answer cell ``<assignment>-<name>-answer``; the
other answer cells hold the instructor's solution.  The submissions (blank,
solution, every alternative, every bug) are graded together as one class.
"""
from __future__ import annotations

import importlib.util
import shutil
import subprocess
import sys
from dataclasses import dataclass, field
from pathlib import Path

import nbformat

from course.build import ROOT, answer_cells, filled_release, tool_env

MUTATIONS = Path(__file__).parent / "mutations"


def mutation_data(asg):
    path = MUTATIONS / f"{asg}.py"
    spec = importlib.util.spec_from_file_location(f"mutations_{asg}", path)
    mod = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(mod)
    return mod


@dataclass
class Submission:
    student: str
    kind: str            # blank | solution | correct | wrong
    name: str = ""       # the contract name mutated
    label: str = ""
    test_cell: str = ""  # grade_id of the test cell expected to catch a wrong answer


@dataclass
class Result:
    score: float
    max_score: float
    cells: dict = field(default_factory=dict)  # grade_id -> (auto_score, max_score)


def submissions(asg):
    """The class to grade: the notebooks (by student id) and what each is expected to do."""
    data = mutation_data(asg)
    release = nbformat.read(ROOT / "release" / asg / f"{asg}.ipynb", as_version=4)
    names = set(answer_cells(release, asg))
    unknown = (set(data.CORRECT) | set(data.WRONG)) - names
    assert not unknown, f"tests/mutations/{asg}.py names no answer cell: {sorted(unknown)}"

    def filled(replace=None):
        return filled_release(asg, replace)

    tests = getattr(data, "TESTS", {})
    out = {"blank": (Submission("blank", "blank"), release),
           "solution": (Submission("solution", "solution"), filled())}
    # Correct alternatives are combined: submission k holds the k-th alternative of every name.
    for k in range(max((len(v) for v in data.CORRECT.values()), default=0)):
        picks = {name: list(v.items())[k] for name, v in data.CORRECT.items() if len(v) > k}
        label = "; ".join(f"{name}: {lab}" for name, (lab, _) in picks.items())
        out[f"correct-{k}"] = (Submission(f"correct-{k}", "correct", ", ".join(picks), label),
                               filled({name: code for name, (_, code) in picks.items()}))
    # Each planted bug is graded alone, so the test cell that catches it is known.
    for name, variants in data.WRONG.items():
        for i, (label, code) in enumerate(variants.items()):
            student = f"wrong-{name}-{i}".replace("_", "-").lower()
            test_cell = f"{asg}-{tests.get(name, name + '-tests')}"
            out[student] = (Submission(student, "wrong", name, label, test_cell), filled({name: code}))
    return out


def autograde(asg, workdir, timeout=1800):
    """Grade every submission of ``asg`` in a fresh course copy under ``workdir``; return ``{student: (Submission, Result)}``."""
    workdir = Path(workdir)
    course = workdir / "course"
    (course / "source").mkdir(parents=True)
    shutil.copytree(ROOT / "source" / asg, course / "source" / asg)
    shutil.copy(ROOT / "nbgrader_config.py", course)
    db = f"--CourseDirectory.db_url=sqlite:///{course / 'gradebook.db'}"
    run = lambda *args: subprocess.run([sys.executable, "-m", "nbgrader", *args, db, "--log-level=ERROR"],
                                       cwd=course, env=tool_env(), capture_output=True, text=True, timeout=timeout)
    proc = run("generate_assignment", asg, "--force")
    assert proc.returncode == 0, proc.stderr[-3000:]
    subs = submissions(asg)
    for student, (_, nb) in subs.items():
        dest = course / "submitted" / student / asg / f"{asg}.ipynb"
        dest.parent.mkdir(parents=True)
        nbformat.write(nb, dest)
    proc = run("autograde", asg, "--force")
    assert proc.returncode == 0, f"nbgrader autograde failed:\n{proc.stdout[-2000:]}\n{proc.stderr[-3000:]}"

    from nbgrader.api import Gradebook
    results = {}
    with Gradebook(f"sqlite:///{course / 'gradebook.db'}") as gb:
        for student, (sub, _) in subs.items():
            nb = gb.find_submission_notebook(asg, asg, student)
            cells = {g.name: (g.auto_score or 0.0, g.max_score) for g in nb.grades if g.cell.cell_type == "code"}
            score = sum(s for s, _ in cells.values())
            results[student] = (sub, Result(score, sum(m for _, m in cells.values()), cells))
    return results
