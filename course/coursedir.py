"""The course directory and the paths inside it, found as nbgrader finds them.

The course directory is the folder holding ``nbgrader_config.py`` (spec
section 2).  It is never derived from where this package is installed, so a
plain ``pip install .`` works: it is ``--course-dir`` when given, else the
working directory or the nearest folder above it with ``nbgrader_config.py``
(nbgrader's own default is the working directory).
"""
from __future__ import annotations

from pathlib import Path

CONFIG = "nbgrader_config.py"


class CourseDirError(FileNotFoundError):
    """No course directory: not run from inside one, and none given."""


def find_course_dir(explicit=None, start=None):
    """The course directory: ``explicit`` if given, else the nearest folder at or above ``start`` (default: cwd)
    holding ``nbgrader_config.py``."""
    if explicit is not None:
        root = Path(explicit).resolve()
        if not (root / CONFIG).is_file():
            raise CourseDirError(f"{root} is not a course directory: it has no {CONFIG}")
        return root
    here = Path(start or Path.cwd()).resolve()
    for folder in (here, *here.parents):
        if (folder / CONFIG).is_file():
            return folder
    raise CourseDirError(f"no course directory at or above {here} (a folder with {CONFIG}): "
                         "run this from the course folder, or pass --course-dir DIR")


def course_dir(root=None):
    """``root`` as a Path, or the course directory found from the working directory."""
    return Path(root) if root is not None else find_course_dir()


def assignments(root=None):
    """Assignment ids, in teaching order: the folders of ``source/`` (or of ``release/``, in a student bundle)
    holding ``<id>.ipynb``."""
    root = course_dir(root)
    base = root / "source" if (root / "source").is_dir() else root / "release"
    return sorted(p.name for p in base.iterdir() if (p / f"{p.name}.ipynb").is_file())


def source_path(asg, root=None):
    return course_dir(root) / "source" / asg / f"{asg}.ipynb"


def release_path(asg, root=None):
    return course_dir(root) / "release" / asg / f"{asg}.ipynb"


def solution_path(asg, root=None):
    return course_dir(root) / "solutions" / f"{asg}.ipynb"
