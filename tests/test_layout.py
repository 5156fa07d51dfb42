"""The student runtime stands apart from the instructor's tools, finds the course directory as nbgrader does,
and works from a student bundle and from a plain (non-editable) install."""
import ast
import os
import subprocess
import sys
import textwrap

import nbformat
import pytest

from course.coursedir import CourseDirError, find_course_dir
from course.instructor.build import filled_release
from course.instructor.nbgrader_tools import scratch_course
from course.runner import tool_env
from harness import ROOT, plain_install

ASG = "01_convolution"
PACKAGE = ROOT / "course"
STUDENT_MODULES = sorted(p for p in PACKAGE.glob("*.py"))


def _imports(path):
    """Every module name a file imports (relative imports resolved against the course package)."""
    names = []
    for node in ast.walk(ast.parse(path.read_text())):
        if isinstance(node, ast.Import):
            names += [a.name for a in node.names]
        elif isinstance(node, ast.ImportFrom):
            base = ("course." * (node.level > 0)) + (node.module or "")
            names.append(base)
            names += [f"{base}.{a.name}".replace("..", ".") for a in node.names]
    return names


def test_no_student_module_imports_the_instructor_package():
    """No module of course/ (the student runtime) imports course.instructor, statically or when loaded."""
    offenders = {p.name: n for p in STUDENT_MODULES for n in _imports(p) if "instructor" in n}
    assert offenders == {}, offenders
    code = "import sys, importlib\n" + "".join(f"importlib.import_module('course.{p.stem}')\n"
                                               for p in STUDENT_MODULES if p.stem != "__main__")
    code += "print(sorted(m for m in sys.modules if m.startswith('course.instructor')))"
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, cwd=ROOT, check=True).stdout
    assert out.strip() == "[]", out


def test_course_dir_is_found_from_the_working_directory(tmp_path):
    """The course directory is the nearest folder with nbgrader_config.py at or above the working directory."""
    assert find_course_dir(start=ROOT / "release" / ASG) == ROOT
    assert find_course_dir(ROOT) == ROOT
    with pytest.raises(CourseDirError, match="--course-dir"):
        find_course_dir(start=tmp_path)
    with pytest.raises(CourseDirError, match="no nbgrader_config.py"):
        find_course_dir(tmp_path)
    proc = subprocess.run([sys.executable, "-m", "course", "check", "--no-execute"], cwd=tmp_path,
                          capture_output=True, text=True, env=tool_env(PYTHONPATH=str(ROOT)))
    assert proc.returncode == 2 and "no course directory" in proc.stderr and "Traceback" not in proc.stderr, proc.stderr


@pytest.fixture(scope="module")
def bundle(tmp_path_factory):
    out = tmp_path_factory.mktemp("bundle") / "modern-cnns"
    proc = subprocess.run([sys.executable, "-m", "course", "bundle", "00_welcome", ASG, "--out", str(out)],
                          cwd=ROOT, capture_output=True, text=True, env=tool_env())
    assert proc.returncode == 0, proc.stdout + proc.stderr
    return out


def test_bundle_ships_the_student_runtime_only(bundle):
    """The bundle's course/ has every student module and no module of the instructor's package."""
    shipped = {p.relative_to(bundle / "course").as_posix() for p in (bundle / "course").rglob("*.py")}
    assert {p.name for p in STUDENT_MODULES} <= shipped, shipped
    assert not any("instructor" in name for name in shipped), shipped
    assert 'packages = ["course"]' in (bundle / "pyproject.toml").read_text()


def test_bundle_self_check_runs_from_the_bundle_folder(bundle, tmp_path):
    """From inside the bundle, with no repository on the path, validate exits 1 on the blank notebook, 0 on a solved one;
    an instructor's command says it is not part of the bundle."""
    env = tool_env()
    env.pop("PYTHONPATH", None)

    def python(*args):
        return subprocess.run([sys.executable, *args], cwd=bundle, capture_output=True, text=True, env=env, timeout=300)

    def run(*args):
        return python("-m", "course", *args)

    where = python("-c", "import course; print(course.__file__)").stdout.strip()
    assert where == str(bundle / "course" / "__init__.py"), where
    blank = run("validate", f"release/{ASG}/{ASG}.ipynb")
    assert blank.returncode == 1 and "0 of 4 test cells pass" in blank.stdout, blank.stdout + blank.stderr
    solved = bundle / "release" / ASG / "solved.ipynb"
    nbformat.write(filled_release(ASG), solved)
    ok = run("validate", str(solved.relative_to(bundle)))
    assert ok.returncode == 0 and "4 of 4 test cells pass" in ok.stdout, ok.stdout + ok.stderr
    build = run("build")
    assert build.returncode == 2 and "instructor's command" in build.stderr, build.stdout + build.stderr


def test_plain_install_works_on_any_course_directory(tmp_path):
    """`pip install .` (not editable) into a fresh environment: `import course` comes from site-packages, and
    `python -P -m course check --no-execute` (the working directory not on sys.path) passes on a course folder."""
    python, site, env = plain_install(tmp_path / "venv")
    where = subprocess.run([str(python), "-c", "import course; print(course.__file__)"], cwd=tmp_path,
                           capture_output=True, text=True, check=True).stdout.strip()
    assert where.startswith(site), where
    course_copy = scratch_course(tmp_path / "course", ROOT, [ASG], folders=("source", "release", "solutions"))
    proc = subprocess.run([str(python), "-P", "-m", "course", "check", "--no-execute"], cwd=course_copy,
                          capture_output=True, text=True, env=env, timeout=600)
    assert proc.returncode == 0 and "check: ok" in proc.stdout, proc.stdout + proc.stderr


def test_runner_leaves_no_process_behind(tmp_path):
    """A notebook that starts a process in a new session and then times out leaves nothing running after validate."""
    marker = f"{os.getpid()}.424242"
    nb = filled_release(ASG)
    nb.cells.insert(1, nbformat.v4.new_code_cell(textwrap.dedent(f"""\
        import subprocess
        subprocess.Popen(["sleep", "{marker}"], start_new_session=True)
        subprocess.Popen("sleep {marker} & sleep {marker}", shell=True)
        """)))
    nb.cells.insert(2, nbformat.v4.new_code_cell("import time\nwhile True:\n    time.sleep(0.1)\n"))
    path = tmp_path / f"{ASG}.ipynb"
    nbformat.write(nb, path)
    proc = subprocess.run([sys.executable, "-m", "course", "validate", "--cell-timeout", "5", str(path)], cwd=ROOT,
                          capture_output=True, text=True, timeout=300)
    assert proc.returncode == 1 and "longer than 5 s" in proc.stdout, proc.stdout + proc.stderr
    left = subprocess.run(["pgrep", "-f", f"sleep {marker}"], capture_output=True, text=True).stdout.split()
    assert left == [], f"processes left behind: {left}"
