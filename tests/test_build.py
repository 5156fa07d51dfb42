"""`python -m course check` passes on the repository and fails on each kind of breakage it promises to catch."""
import json
import shutil
import subprocess
import sys

import nbformat
import pytest

from course.coursedir import release_path, solution_path, source_path
from course.instructor.build import IGNORE_OUTPUT_TAGS, graded_assignments
from course.instructor.check import check
from course.instructor.nbgrader_tools import scratch_course
from course.runner import tool_env
from harness import ROOT


@pytest.fixture(scope="module")
def course_copy(tmp_path_factory):
    """A copy of the course with one assignment (the first), so each breakage is checked quickly."""
    root = tmp_path_factory.mktemp("course")
    asg = graded_assignments()[0]
    scratch_course(root, ROOT, [asg], folders=("source", "release", "solutions"))
    return root, asg


def test_repository_passes_check():
    """The committed repository passes every check but running the solutions (nbval over solutions/ runs each one,
    in this same test run, and compares its outputs; test_check_passes_on_the_copy runs check's own execution path)."""
    check(ROOT, log=lambda *_: None, execute=False)


def run_check(root, *extra):
    """Run the real command line, `python -m course check`, on another copy of the course."""
    return subprocess.run([sys.executable, "-m", "course", "check", "--root", str(root), *extra],
                          capture_output=True, text=True, env=tool_env())


def test_static_check_still_catches_a_stale_solution_source(course_copy, tmp_path):
    """`check --no-execute` fails when a solution's code no longer matches its source notebook."""
    def mutate(root, asg):
        path = solution_path(asg, root)
        nb = nbformat.read(path, as_version=4)
        code = next(c for c in nb.cells if c.cell_type == "code")
        code.source += "\n# edited by hand"
        nbformat.write(nb, path)
    proc = broken(course_copy, tmp_path, mutate, "--no-execute")
    assert proc.returncode == 1 and "solutions/" in proc.stderr and "differs from what source/ generates" in proc.stderr


def test_check_passes_on_the_copy(course_copy):
    """The one-assignment copy is itself consistent (so the failures below are caused by the breakage)."""
    root, _ = course_copy
    proc = run_check(root)
    assert proc.returncode == 0, proc.stdout + proc.stderr


def broken(course_copy, tmp_path, mutate, *extra):
    root, asg = course_copy
    dst = tmp_path / "c"
    shutil.copytree(root, dst)
    mutate(dst, asg)
    return run_check(dst, *extra)


def test_output_in_source_fails(course_copy, tmp_path):
    """An output left in a source notebook fails the check."""
    def mutate(root, asg):
        nb = nbformat.read(source_path(asg, root), as_version=4)
        code = next(c for c in nb.cells if c.cell_type == "code")
        code.outputs = [nbformat.v4.new_output("stream", name="stdout", text="hello\n")]
        nbformat.write(nb, source_path(asg, root))
    proc = broken(course_copy, tmp_path, mutate)
    assert proc.returncode == 1 and "has outputs" in proc.stderr


def test_hand_edited_release_fails(course_copy, tmp_path):
    """A hand edit to a release notebook fails the check (regenerating would change it)."""
    def mutate(root, asg):
        path = release_path(asg, root)
        nb = json.loads(path.read_text())
        nb["cells"][0]["source"] = ["# edited by hand\n"] + list(nb["cells"][0]["source"])
        path.write_text(json.dumps(nb, indent=1))
    proc = broken(course_copy, tmp_path, mutate, "--no-execute")
    assert proc.returncode == 1 and "differs from what source/ generates" in proc.stderr


def test_stale_solution_output_fails(course_copy, tmp_path):
    """An output stored in solutions/ that the solution no longer prints fails the check (every compared cell counts)."""
    def mutate(root, asg):
        path = solution_path(asg, root)
        nb = nbformat.read(path, as_version=4)
        compared = [c for c in nb.cells if c.cell_type == "code" and not set(c.metadata.get("tags", [])) & IGNORE_OUTPUT_TAGS
                    and any(o.get("output_type") == "stream" for o in c.outputs)]
        cell = compared[-1]  # the last compared cell, after code cells with no output
        out = next(o for o in cell.outputs if o.get("output_type") == "stream")
        out.text = "a stale line\n" + out.text
        nbformat.write(nb, path)
    proc = broken(course_copy, tmp_path, mutate)
    assert proc.returncode == 1 and "solutions/" in proc.stderr and "differs from what source/ generates" in proc.stderr


def test_broken_solution_fails(course_copy, tmp_path):
    """A solution that fails its own tests fails the check, naming the failing cell."""
    def mutate(root, asg):
        nb = nbformat.read(source_path(asg, root), as_version=4)
        answer = next(c for c in nb.cells if c.metadata.get("nbgrader", {}).get("solution") and c.cell_type == "code")
        answer.source = answer.source.replace("### END SOLUTION", "    raise RuntimeError('broken')\n    ### END SOLUTION")
        nbformat.write(nb, source_path(asg, root))
    proc = broken(course_copy, tmp_path, mutate)
    assert proc.returncode == 1 and "a solution notebook fails" in proc.stderr


def test_leak_and_duplicate_ids_fail(course_copy, tmp_path):
    """A solution marker in release/, and a duplicated grade_id in source/, each fail the check."""
    def mutate(root, asg):
        path = release_path(asg, root)
        path.write_text(path.read_text().replace("YOUR CODE HERE", "### BEGIN SOLUTION", 1))
        nb = nbformat.read(source_path(asg, root), as_version=4)
        nb.cells[2].metadata["nbgrader"]["grade_id"] = nb.cells[1].metadata["nbgrader"]["grade_id"]
        nbformat.write(nb, source_path(asg, root))
    proc = broken(course_copy, tmp_path, mutate)
    assert proc.returncode == 1
    assert "leaked" in proc.stderr and "duplicate grade_id" in proc.stderr


def test_unlocked_cell_and_points_on_answer_fail(course_copy, tmp_path):
    """Bad nbgrader metadata (an unlocked prose cell, points on an answer cell) fails the check."""
    def mutate(root, asg):
        nb = nbformat.read(source_path(asg, root), as_version=4)
        nb.cells[0].metadata["nbgrader"]["locked"] = False
        answer = next(c for c in nb.cells if c.metadata.get("nbgrader", {}).get("solution") and c.cell_type == "code")
        answer.metadata["nbgrader"].update(grade=True, points=3)
        nbformat.write(nb, source_path(asg, root))
    proc = broken(course_copy, tmp_path, mutate)
    assert proc.returncode == 1
    assert "must be locked" in proc.stderr and "answer cells carry no points" in proc.stderr


def test_missing_canary_fails(course_copy, tmp_path):
    """An autograded notebook without its 0-point canary cell fails the check."""
    def mutate(root, asg):
        nb = nbformat.read(source_path(asg, root), as_version=4)
        nb.cells = [c for c in nb.cells if c.metadata["nbgrader"]["grade_id"] != f"{asg}-canary-tests"]
        nbformat.write(nb, source_path(asg, root))
    proc = broken(course_copy, tmp_path, mutate)
    assert proc.returncode == 1 and "canary-tests" in proc.stderr


GOOD_CELL = '''"""Check f."""
checks = Checks("f")


@checks.visible("the example", points=1, hint="look at the example")
def _():
    assert f(1) == 2

### BEGIN HIDDEN TESTS
@checks.hidden("more values", points=0.5, hint="for every n")
def _():
    assert f(2) == 3
### END HIDDEN TESTS
checks.run()
'''


def test_lint_accepts_a_test_cell_made_of_checks():
    """A cell of visible and hidden checks with hints, whose points add up, ending in checks.run(), is sound."""
    from course.instructor.check import lint_checks
    assert lint_checks(GOOD_CELL, 1.5) == []


@pytest.mark.parametrize("edit,points,problem", [
    (lambda s: s, 2, "add up to 1.5 points, but the cell is worth 2"),
    (lambda s: s.replace(', hint="for every n"', ""), 1.5, "needs a hint"),
    (lambda s: s.replace("checks.run()\n", "print('done')\n"), 1.5, "must end with `checks.run()`"),
    (lambda s: s.replace("@checks.hidden", "@checks.visible"), 1.5, "visible checks belong outside"),
    (lambda s: s.replace("@checks.visible", "@checks.hidden"), 1.5, "has no visible check"),
    (lambda s: s.replace("points=0.5", "points=half"), 1.5, "points must be a positive number literal"),
    (lambda s: "assert f(1) == 2\nprint('visible tests passed')\n", 1, "declares no checks"),
])
def test_lint_rejects_each_broken_test_cell(edit, points, problem):
    """Each way a test cell can break the checklist contract is reported, naming the problem."""
    from course.instructor.check import lint_checks
    problems = lint_checks(edit(GOOD_CELL), points)
    assert any(problem in p for p in problems), problems


def _toy_course(tmp_path, recorded_source):
    """A one-notebook course: a quick-mode cell, a recorded-run cell, and another quick-mode cell."""
    root = tmp_path / "toy"
    (root / "source" / "99_toy").mkdir(parents=True)
    shutil.copy(ROOT / "nbgrader_config.py", root)
    tags = {"tags": ["nbval-ignore-output", "recorded-run"]}
    nb = nbformat.v4.new_notebook(metadata={"kernelspec": {"name": "python3", "display_name": "Python 3",
                                                           "language": "python"}})
    nb.cells = [nbformat.v4.new_code_cell('import os, course\nprint("before: quick", course.quick_mode())'),
                nbformat.v4.new_code_cell(recorded_source, metadata=tags),
                nbformat.v4.new_code_cell('print("after: quick", course.quick_mode())')]
    nbformat.write(nb, root / "source" / "99_toy" / "99_toy.ipynb")
    return root


def _texts(nb):
    return ["".join(o.get("text", "") for o in c.get("outputs", [])) for c in nb.cells]


def test_train_build_records_real_runs_and_a_plain_build_keeps_them(tmp_path):
    """`build --train` runs only the recorded-run cells outside quick mode, from an emptied folder of their own,
    and records device, seconds, date and the source's fingerprint; a plain build (quick mode) keeps that recording
    while the cell is unchanged, and drops it when the cell changes."""
    from course.instructor.build import build_solution

    cell = 'print("train: quick", course.quick_mode(), "cwd", os.path.basename(os.getcwd()))\nopen("ran", "a").close()'
    root = _toy_course(tmp_path, cell)
    stale = root / "solutions" / "training" / "99_toy" / "checkpoints"
    stale.mkdir(parents=True)
    (stale / "old.pt").write_text("an old checkpoint")
    log = []
    dest = build_solution("99_toy", root, train=True, log=log.append)
    nb = nbformat.read(dest, as_version=4)
    assert len(nb.cells) == 3, "the quick-mode switches are not left in the answer key"
    assert _texts(nb) == ["before: quick True\n", "train: quick False cwd 99_toy\n", "after: quick True\n"]
    run = nb.cells[1].metadata["course"]["recorded"]
    assert run["device"].startswith(("cpu", "cuda")) and run["seconds"] >= 0 and len(run["date"]) == 10
    assert not (stale / "old.pt").exists(), "a recorded run never resumes an old checkpoint"

    build_solution("99_toy", root, log=log.append)                       # a plain build
    again = nbformat.read(dest, as_version=4)
    assert _texts(again)[1] == "train: quick False cwd 99_toy\n" and again.cells[1].metadata["course"]["recorded"] == run

    src = root / "source" / "99_toy" / "99_toy.ipynb"
    changed = nbformat.read(src, as_version=4)
    changed.cells[1].source = cell.replace("train:", "trained:")
    nbformat.write(changed, src)
    log.clear()
    build_solution("99_toy", root, log=log.append)
    stale_run = nbformat.read(dest, as_version=4)
    assert _texts(stale_run)[1].startswith("trained: quick True"), "a changed cell is not shown with the old run"
    assert "recorded" not in stale_run.cells[1].metadata.get("course", {})
    assert any("no recorded run" in line for line in log), log


def test_a_recorded_run_cell_must_not_be_compared_or_graded(course_copy, tmp_path):
    """A recorded-run cell without nbval-ignore-output (its recorded outputs would be compared with a quick
    build's), or on a graded cell, fails the check."""
    def mutate(root, asg):
        nb = nbformat.read(source_path(asg, root), as_version=4)
        plain = next(c for c in nb.cells if c.cell_type == "code" and not c.metadata["nbgrader"].get("grade")
                     and not c.metadata["nbgrader"].get("solution"))
        plain.metadata["tags"] = ["recorded-run"]
        test = next(c for c in nb.cells if c.cell_type == "code" and c.metadata["nbgrader"].get("grade"))
        test.metadata["tags"] = ["recorded-run", "nbval-ignore-output"]
        nbformat.write(nb, source_path(asg, root))
    proc = broken(course_copy, tmp_path, mutate, "--no-execute")
    assert proc.returncode == 1
    assert proc.stderr.count("a recorded-run cell is an ungraded code cell tagged nbval-ignore-output") == 2, proc.stderr
