"""Grading, stage 2: the sandbox. Each submission's code runs isolated, under limits.

With bubblewrap every submission runs with no network, its own PID namespace
(every process it starts dies with it), a private /tmp, and an allow-list of
files: the system's programs and libraries, the Python environment, the
student runtime (``course/`` without ``course/instructor/``) and the
submission's own job folder.  The course directory, other submissions, the
gradebook and ``$HOME`` are not there, wherever they live (/tmp included).
Its environment variables are an allow-list too, so no instructor token or
credential reaches student code.

Memory: a limit per submission that binds its child processes too, through a
systemd scope (cgroup v2) where ``systemd-run`` works; otherwise ``prlimit``
sets the limit per process.  :attr:`Sandbox.description` says which applied;
grading logs it and writes it into the report.

Without bubblewrap grading refuses to start (:class:`SandboxUnavailable`),
unless asked to run unsandboxed (``--no-sandbox``), which every report row
then says.  The course's notebook runner enforces the per-cell and
per-notebook wall-clock limits and leaves no process behind in either case.
"""
from __future__ import annotations

import os
import shutil
import subprocess
import sys
from dataclasses import dataclass
from pathlib import Path

from ..runner import run_notebook
from . import CannotGrade

PACKAGE = Path(__file__).resolve().parent.parent  # the student runtime, wherever it is installed
SYSTEM = ("/usr", "/bin", "/sbin", "/lib", "/lib32", "/lib64", "/libx32")
ETC = ("ld.so.cache", "ld.so.conf", "ld.so.conf.d", "alternatives", "fonts", "ssl", "ca-certificates",
       "passwd", "group", "nsswitch.conf", "localtime", "mime.types", "matplotlibrc")
PASSED_ENV = ("LANG", "LC_ALL", "LC_CTYPE", "TZ", "COURSE_DATA")  # everything else is dropped
INSTALL_HINT = ("bubblewrap, the grading sandbox, is not available: install it (`sudo apt-get install bubblewrap` "
                "on Debian or Ubuntu, which `bash setup.sh` does; `sudo dnf install bubblewrap` on Fedora), "
                "or grade with --no-sandbox where isolation is impossible (every report row then says unsandboxed)")


class SandboxUnavailable(CannotGrade):
    """bubblewrap is missing or does not work here, and unsandboxed grading was not asked for."""


def _works(cmd):
    try:
        return subprocess.run(cmd, capture_output=True, timeout=30).returncode == 0
    except (OSError, subprocess.TimeoutExpired):
        return False


def _python_paths():
    """The folders the interpreter and its environment live in (a venv under /tmp included)."""
    paths = {Path(p) for p in (sys.prefix, sys.exec_prefix, sys.base_prefix, sys.base_exec_prefix)}
    paths.add(Path(sys.executable).resolve().parent.parent)
    # site folders added by .pth files or PYTHONPATH (never the course directory itself)
    paths |= {Path(p) for p in sys.path if p and Path(p).name in ("site-packages", "dist-packages")}
    return sorted(p for p in paths if p.is_dir())


@dataclass
class Sandbox:
    """How each submission runs: bubblewrap or not, and which memory limit."""
    memory_gb: float
    bwrap: str | None        # the bubblewrap binary; None when grading unsandboxed
    memory: str              # "cgroup" (a systemd scope) or "prlimit"

    @property
    def description(self):
        files = ("bubblewrap (no network, own PID namespace, private /tmp, allow-listed files and environment)"
                 if self.bwrap else "UNSANDBOXED (--no-sandbox): student code sees this machine's files")
        memory = ("a cgroup v2 memory limit of {:g} GB for the submission and its children (systemd scope)"
                  if self.memory == "cgroup" else "a prlimit address-space limit of {:g} GB per process")
        return f"{files}; {memory.format(self.memory_gb)}"

    @property
    def label(self):
        """A short name for the report's ``sandbox`` column."""
        return ("bubblewrap" if self.bwrap else "unsandboxed") + "+" + self.memory

    def prefix(self, job):
        """The command prefix that isolates one run in the job folder ``job``."""
        limit = int(self.memory_gb * 1024 ** 3)
        cmd = []
        if self.memory == "cgroup":
            cmd += ["systemd-run", "--scope", "--quiet", "--collect", "-p", f"MemoryMax={limit}",
                    "-p", "MemorySwapMax=0", "--"]
        if self.bwrap:
            cmd += [self.bwrap, "--unshare-net", "--unshare-pid", "--unshare-ipc", "--unshare-uts",
                    "--unshare-cgroup-try", "--die-with-parent", "--new-session",
                    "--dev", "/dev", "--proc", "/proc", "--tmpfs", "/tmp", "--tmpfs", "/dev/shm"]
            for path in SYSTEM:
                cmd += ["--ro-bind-try", path, path]
            for name in ETC:
                cmd += ["--ro-bind-try", f"/etc/{name}", f"/etc/{name}"]
            for path in _python_paths():  # after the /tmp tmpfs, so an environment under /tmp shows through
                cmd += ["--ro-bind", str(path), str(path)]
            cmd += ["--ro-bind", str(PACKAGE), str(PACKAGE)]
            if (PACKAGE / "instructor").is_dir():
                cmd += ["--tmpfs", str(PACKAGE / "instructor")]  # the grader itself stays out of sight
            data = os.environ.get("COURSE_DATA")
            if data and Path(data).is_dir():
                cmd += ["--ro-bind", str(Path(data).resolve()), data]
            cmd += ["--bind", str(job), str(job), "--chdir", str(job)]
        elif os.geteuid() == 0 and shutil.which("unshare"):
            cmd += ["unshare", "--net", "--pid", "--fork", "--kill-child"]
        if self.memory == "prlimit":
            cmd += ["prlimit", f"--as={limit}", "--core=0", "--"]
        return cmd

    def env(self, job):
        """The allow-listed environment of one run: nothing of the instructor's own variables but the locale."""
        env = {k: os.environ[k] for k in PASSED_ENV if k in os.environ}
        env.update(PATH=os.pathsep.join([str(Path(sys.executable).parent), "/usr/local/bin", "/usr/bin", "/bin"]),
                   PYTHONPATH=str(PACKAGE.parent), PYTHONNOUSERSITE="1", HOME=str(job / "home"),
                   JUPYTER_RUNTIME_DIR=str(job / "runtime"), JUPYTER_CONFIG_DIR=str(job / "jupyter"),
                   JUPYTER_DATA_DIR=str(job / "jupyter-data"), IPYTHONDIR=str(job / "ipython"),
                   MPLCONFIGDIR=str(job / "mpl"), NBGRADER_EXECUTION="autograde", COURSE_QUICK="1",
                   PYTHONHASHSEED="0", TMPDIR="/tmp", OMP_NUM_THREADS="1")
        return env

    def run(self, job, nb, cell_timeout, notebook_timeout):
        """Execute ``nb`` in the sandbox with the course's runner; return (executed notebook or None, status, seconds)."""
        job = Path(job)
        for d in ("home", "ipython", "mpl", "jupyter", "jupyter-data"):
            (job / d).mkdir(parents=True, exist_ok=True)
        return run_notebook(nb, job, cell_timeout=cell_timeout, notebook_timeout=notebook_timeout,
                            prefix=self.prefix(job), env=self.env(job))


def make_sandbox(memory_gb=6, sandboxed=True):
    """The sandbox of this machine; raise :class:`SandboxUnavailable` (with the install hint) when bubblewrap is
    missing or broken and ``sandboxed`` is True."""
    bwrap = shutil.which("bwrap")
    works = bool(bwrap) and _works([bwrap, "--ro-bind", "/", "/", "--unshare-net", "--unshare-pid", "true"])
    if sandboxed and not works:
        raise SandboxUnavailable(INSTALL_HINT if not bwrap else
                                 f"bubblewrap ({bwrap}) cannot create a sandbox here (user namespaces disabled?); "
                                 + INSTALL_HINT.split(": ", 1)[1])
    cgroup = bool(shutil.which("systemd-run")) and _works(
        ["systemd-run", "--scope", "--quiet", "--collect", "-p", "MemoryMax=64M", "--", "true"])
    return Sandbox(memory_gb, bwrap if sandboxed else None, "cgroup" if cgroup else "prlimit")
