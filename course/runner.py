"""The one notebook runner: what ``course validate``, grading and the build use to execute a notebook.

:func:`run_notebook` runs a notebook in a fresh kernel, in a child process
(``python -m course.runner``), optionally under a command prefix (the grading
sandbox).  The child:

* executes every code cell in order with nbclient, errors included, and saves
  the notebook after each cell (nbclient's ``on_cell_executed`` hook), so a
  crash keeps every result before it;
* enforces the per-cell limit (nbclient's ``timeout``: a kernel that ignores
  SIGINT is not waited for) and the per-notebook limit (its own clock);
* watches the kernel process itself: nbclient trusts the heartbeat and can
  wait forever on a kernel killed by ``os._exit`` (a zombie counts as dead);
* leaves no process behind: it is a child subreaper (Linux), so whatever the
  notebook starts, even in a new session, stays its descendant, and it kills
  them all before it exits.  The parent kills the child's process group too.

The status the child writes is ``ok``, ``cell-timeout``, ``timeout`` (the
notebook limit), ``kernel-died`` or ``runner-error: <Exception>``; without a
status file the parent reports ``runner-failed``.
"""
from __future__ import annotations

import os
import signal
import subprocess
import sys
import threading
import time
from pathlib import Path

import nbformat

MAX_OUTPUT_CHARS = 100_000  # per output: nbgrader's LimitOutput counts lines, and one huge line passes it
GRACE = 30                  # seconds the parent waits past the notebook limit before it kills the child


def tool_env(**extra):
    """The environment for nbgrader and kernels: this Python's ``bin/`` first on PATH (nbgrader runs ``alembic``)."""
    env = dict(os.environ)
    env["PATH"] = str(Path(sys.executable).parent) + os.pathsep + env.get("PATH", "")
    env.update(extra)
    return env


def run_notebook(nb, job, *, cell_timeout=120, notebook_timeout=600, prefix=(), env=None, cwd=None):
    """Execute ``nb`` in a fresh kernel in a child process; return ``(executed notebook or None, status, seconds)``.

    ``job`` is a scratch folder (the notebook, its status, ``runner.log``, the
    kernel's sockets); ``cwd`` is where the kernel runs (default ``job/work``);
    ``prefix`` is prepended to the child's command (a sandbox); ``env`` is the
    child's environment (default :func:`tool_env`).
    """
    job = Path(job)
    for d in ("runtime", "work"):
        (job / d).mkdir(parents=True, exist_ok=True)
    src, dst = job / "submission.ipynb", job / "executed.ipynb"
    nbformat.write(nb, src)
    cmd = [*prefix, sys.executable, "-m", "course.runner", str(src), str(dst), str(cell_timeout),
           str(notebook_timeout), str(cwd or job / "work")]
    start = time.perf_counter()
    status = None
    # Output goes to a file, not a pipe: a process left behind would hold a pipe open.
    with open(job / "runner.log", "wb") as log:
        proc = subprocess.Popen(cmd, cwd=job, env=env if env is not None else tool_env(), stdout=log,
                                stderr=subprocess.STDOUT, start_new_session=True)
        try:
            proc.wait(timeout=notebook_timeout + GRACE)
        except subprocess.TimeoutExpired:
            status = "timeout"
        finally:
            try:
                os.killpg(proc.pid, signal.SIGKILL)
            except ProcessLookupError:
                pass
            proc.wait()
    seconds = time.perf_counter() - start
    marker = dst.with_suffix(".status")
    if status is None:
        status = marker.read_text().strip() if marker.exists() else "runner-failed"
    executed = None
    if dst.exists():
        try:
            executed = nbformat.read(dst, as_version=4)
        except Exception:  # noqa: BLE001 - a half-written file counts as nothing executed
            executed = None
    return executed, status, seconds


# ----------------------------------------------------------------------------
# the child

def _become_subreaper():
    """Make orphaned descendants of this process re-parent to it, not to init (Linux; a no-op elsewhere)."""
    try:
        import ctypes
        ctypes.CDLL(None, use_errno=True).prctl(36, 1, 0, 0, 0)  # PR_SET_CHILD_SUBREAPER
    except (OSError, AttributeError):
        pass


def descendants(pid=None):
    """The pids of every live process below ``pid`` (default: this one), read from /proc."""
    pid = pid or os.getpid()
    children = {}
    for entry in Path("/proc").iterdir() if Path("/proc").is_dir() else ():
        if not entry.name.isdigit():
            continue
        try:
            ppid = int((entry / "stat").read_text().rsplit(")", 1)[1].split()[1])
        except (OSError, IndexError, ValueError):
            continue
        children.setdefault(ppid, []).append(int(entry.name))
    out, todo = [], [pid]
    while todo:
        for child in children.get(todo.pop(), []):
            out.append(child)
            todo.append(child)
    return out


def kill_descendants():
    """SIGKILL every descendant of this process, again until none is left (one may fork meanwhile)."""
    for _ in range(50):
        pids = descendants()
        if not pids:
            return
        for pid in pids:
            try:
                os.kill(pid, signal.SIGKILL)
            except (ProcessLookupError, PermissionError):
                pass
        try:  # reap the ones that were our own children (re-parented ones included)
            while os.waitpid(-1, os.WNOHANG)[0]:
                pass
        except ChildProcessError:
            pass
        time.sleep(0.05)


def _truncate(nb):
    for cell in nb.cells:
        for out in cell.get("outputs", []):
            text = out.get("text")
            if isinstance(text, str) and len(text) > MAX_OUTPUT_CHARS:
                out["text"] = text[:MAX_OUTPUT_CHARS] + "\n... output truncated by the grader ...\n"
            data = out.get("data", {})
            for key, value in list(data.items()):
                if isinstance(value, str) and len(value) > MAX_OUTPUT_CHARS:
                    data[key] = value[:MAX_OUTPUT_CHARS]


def _child(src, dst, cell_timeout, notebook_timeout, cwd):
    """Inside the child: run every cell in a fresh kernel, saving the notebook after each one."""
    from jupyter_client.manager import AsyncKernelManager
    from nbclient import NotebookClient
    from nbclient.exceptions import CellTimeoutError, DeadKernelError

    _become_subreaper()
    started = time.monotonic()
    nb = nbformat.read(src, as_version=4)
    status_file = Path(dst).with_suffix(".status")
    lock = threading.Lock()
    running = {"cell": None, "since": 0.0}  # the code cell executing now, and since when

    def save():
        with lock:
            _truncate(nb)
            tmp = Path(dst).with_suffix(".tmp")
            nbformat.write(nb, tmp)
            os.replace(tmp, dst)

    def finish(status, note=None):
        """Record the status, kill whatever the notebook started, and leave (from any thread)."""
        if note and running["cell"] is not None:
            nb.cells[running["cell"]].setdefault("outputs", []).append(
                nbformat.v4.new_output("error", ename=note[0], evalue=note[1], traceback=[]))
        try:
            save()
        finally:
            status_file.write_text(status)
            kill_descendants()
            os._exit(0)

    def executed(cell, cell_index, execute_reply):
        running["cell"] = None
        save()

    # IPC sockets need no network; their path must be absolute (the kernel runs in another folder).
    km = AsyncKernelManager(kernel_name="python3", transport="ipc", ip=str(Path(src).parent / "runtime" / "kernel"))
    # On a cell timeout nbclient raises instead of interrupting: a kernel that ignores SIGINT would
    # otherwise hold the run until the notebook limit.  Later cells cannot run in a stuck kernel.
    client = NotebookClient(nb, km=km, timeout=int(cell_timeout), allow_errors=True, interrupt_on_timeout=False,
                            record_timing=False, store_widget_state=False, kernel_name="python3",
                            shutdown_kernel="immediate", resources={"metadata": {"path": str(cwd)}},
                            on_cell_execute=lambda cell, cell_index: running.update(cell=cell_index,
                                                                                    since=time.monotonic()),
                            on_cell_executed=executed)

    def watchdog():
        while True:
            time.sleep(0.25)
            if time.monotonic() - started > notebook_timeout:
                finish("timeout", ("NotebookTimeoutError", f"the notebook ran longer than {notebook_timeout:g} s"))
            proc = getattr(getattr(km, "provisioner", None), "process", None)
            if proc is None or running["cell"] is None:
                continue
            try:
                state = Path(f"/proc/{proc.pid}/stat").read_text().rsplit(")", 1)[1].split()[0]
            except OSError:
                state = "X"
            if state in ("Z", "X") and running["cell"] is not None:
                if time.monotonic() - running["since"] >= cell_timeout:  # nbclient shut a stuck kernel down
                    finish("cell-timeout", ("CellTimeoutError", f"the cell ran longer than {cell_timeout:g} s"))
                finish("kernel-died")

    threading.Thread(target=watchdog, daemon=True).start()
    try:
        client.execute(cleanup_kc=True)  # our own km: shut its kernel down at the end
        status, note = "ok", None
    except CellTimeoutError:
        status, note = "cell-timeout", ("CellTimeoutError", f"the cell ran longer than {cell_timeout:g} s")
    except DeadKernelError:
        status, note = "kernel-died", None
    except Exception as err:  # noqa: BLE001 - report, keep what ran
        status, note = f"runner-error: {type(err).__name__}", None
    finish(status, note)


if __name__ == "__main__":
    _child(sys.argv[1], sys.argv[2], float(sys.argv[3]), float(sys.argv[4]), sys.argv[5])
