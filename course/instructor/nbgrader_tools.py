"""Running nbgrader: its command line, in a course directory, and a scratch copy of the course for it."""
from __future__ import annotations

import shutil
import subprocess
import sys
from pathlib import Path

from ..coursedir import CONFIG, course_dir
from ..runner import tool_env
from . import CheckFailed


def nbgrader(*args, root=None, check=True, db=None, env=None, **kw):
    """Run one nbgrader command in the course directory ``root``; raise with its output on failure.

    ``db``: a SQLite file to use as the gradebook instead of the course's.
    """
    cmd = [sys.executable, "-m", "nbgrader", *args]
    if db is not None:
        cmd.append(f"--CourseDirectory.db_url=sqlite:///{db}")
    proc = subprocess.run(cmd, cwd=course_dir(root), env=env or tool_env(), capture_output=True, text=True, **kw)
    if check and proc.returncode != 0:
        raise CheckFailed(f"`nbgrader {' '.join(args)}` failed (exit {proc.returncode}):\n"
                          + (proc.stdout + proc.stderr)[-3000:])
    return proc


def scratch_course(dest, root=None, assignments=None, folders=("source",)):
    """Copy the course's config and ``folders`` (only ``assignments`` in each, default all) to ``dest``; return it.

    nbgrader then runs there with a gradebook of its own, so nothing touches
    the course's gradebook, ``release/`` or ``solutions/``.
    """
    root, dest = course_dir(root), Path(dest)
    dest.mkdir(parents=True, exist_ok=True)
    shutil.copy(root / CONFIG, dest)
    for folder in folders:
        src = root / folder
        if assignments is None:
            shutil.copytree(src, dest / folder, dirs_exist_ok=True)
            continue
        (dest / folder).mkdir(exist_ok=True)
        for asg in assignments:
            for name in (asg, f"{asg}.ipynb"):  # release/<asg>/ and source/<asg>/, or solutions/<asg>.ipynb
                if (src / name).is_dir():
                    shutil.copytree(src / name, dest / folder / name, dirs_exist_ok=True)
                elif (src / name).is_file():
                    shutil.copy(src / name, dest / folder / name)
    return dest
