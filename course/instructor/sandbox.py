"""Grading, stage 2: the sandbox. Each submission's code runs isolated, under limits.

bubblewrap gives no network, a private /tmp, the course folder hidden except
the ``course`` package, no other submission and no gradebook; prlimit sets a
memory limit; the course's notebook runner enforces the per-cell and
per-notebook wall-clock limits and leaves no process behind.
"""
from __future__ import annotations

import os
import shutil
import subprocess
import sys
from pathlib import Path

from ..runner import run_notebook, tool_env

PACKAGE = Path(__file__).resolve().parent.parent  # the student runtime, wherever it is installed


def sandbox_prefix(job, hide=(), memory_gb=6):
    """The command prefix that isolates one run, and a sentence saying what it does."""
    limit = ["prlimit", f"--as={int(memory_gb * 1024 ** 3)}", "--core=0", "--"] if shutil.which("prlimit") else []
    bwrap = shutil.which("bwrap")
    if bwrap and subprocess.run([bwrap, "--ro-bind", "/", "/", "--unshare-net", "true"],
                                capture_output=True).returncode == 0:
        cmd = [bwrap, "--ro-bind", "/", "/", "--dev", "/dev", "--proc", "/proc", "--tmpfs", "/tmp",
               "--tmpfs", "/dev/shm", "--unshare-net", "--unshare-pid", "--unshare-ipc", "--die-with-parent",
               "--new-session"]
        keep = [Path(sys.prefix), PACKAGE]
        for h in hide:
            h = Path(h)
            if h.exists():
                cmd += ["--tmpfs", str(h)]
                for k in keep:
                    if h in k.parents or h == k:
                        cmd += ["--ro-bind", str(k), str(k)]
        cmd += ["--bind", str(job), str(job), "--chdir", str(job)]
        return cmd + limit, "bubblewrap (no network, private /tmp, course and submissions hidden), prlimit"
    if os.geteuid() == 0 and shutil.which("unshare"):
        return (["unshare", "--net", "--pid", "--fork", "--kill-child"] + limit,
                "unshare (no network, own PID namespace), prlimit; files are NOT hidden (no bubblewrap)")
    return limit, "prlimit only: no network or file isolation is available on this machine"


def run_sandboxed(job, nb, cell_timeout, notebook_timeout, hide, memory_gb):
    """Execute ``nb`` in the sandbox with the course's runner; return (executed notebook or None, status, seconds)."""
    for d in ("home", "ipython", "mpl"):
        (job / d).mkdir(exist_ok=True)
    prefix, _ = sandbox_prefix(job, hide, memory_gb)
    env = tool_env(HOME=str(job / "home"), JUPYTER_RUNTIME_DIR=str(job / "runtime"),
                   IPYTHONDIR=str(job / "ipython"), MPLCONFIGDIR=str(job / "mpl"),
                   NBGRADER_EXECUTION="autograde", COURSE_QUICK="1", PYTHONHASHSEED="0",
                   TMPDIR="/tmp", OMP_NUM_THREADS="1")
    return run_notebook(nb, job, cell_timeout=cell_timeout, notebook_timeout=notebook_timeout, prefix=prefix, env=env)
