"""A student's session in a real browser: JupyterLab + headless Chromium, driven by Playwright.

JupyterLab serves a temporary copy of the release (the repository is never
modified); Chromium is Debian's (`.ci/run` installs it), never a downloaded one.
The test runs a blank notebook, sees the stub's NotImplementedError, types a
correct answer, re-runs, and sees the visible test pass.  Screenshots go to
``artifacts/browser/``.
"""
import json
import os
import re
import secrets
import shutil
import socket
import subprocess
import sys
import time
import urllib.request

import pytest

from course.coursedir import release_path
from harness import ROOT
from system import needs

CHROMIUM = shutil.which("chromium") or shutil.which("chromium-browser")
ARTIFACTS = ROOT / "artifacts" / "browser"
ASG = "01_convolution"
CORR2D = '''def corr2d(X, K):
    """2-D cross-correlation, typed in by the browser test."""
    h, w = K.shape
    Y = torch.zeros((X.shape[0] - h + 1, X.shape[1] - w + 1), dtype=torch.result_type(X, K))
    for i in range(Y.shape[0]):
        for j in range(Y.shape[1]):
            Y[i, j] = (X[i:i + h, j:j + w] * K).sum()
    return Y
'''

pytestmark = needs("chromium", "the browser test drives it; it never downloads a browser")


def free_port():
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


@pytest.fixture(scope="module")
def lab(tmp_path_factory):
    """JupyterLab on localhost (random port, random token) serving a copy of the release."""
    home = tmp_path_factory.mktemp("lab")
    served = home / "course"
    shutil.copytree(ROOT / "release", served / "release", copy_function=shutil.copy)  # fresh mtimes
    shutil.copy(ROOT / "nbgrader_config.py", served)
    port, token = free_port(), secrets.token_hex(16)
    env = dict(os.environ, JUPYTER_CONFIG_DIR=str(home / "config"), JUPYTER_RUNTIME_DIR=str(home / "runtime"),
               COURSE_QUICK="1")
    log = open(home / "jupyter.log", "w")
    proc = subprocess.Popen(
        [sys.executable, "-m", "jupyter", "lab", "--no-browser", "--ip=127.0.0.1", f"--port={port}",
         f"--ServerApp.token={token}", f"--ServerApp.root_dir={served}",
         f"--LabApp.workspaces_dir={home / 'workspaces'}", f"--LabApp.user_settings_dir={home / 'settings'}"]
        + (["--allow-root"] if os.geteuid() == 0 else []),
        cwd=served, env=env, stdout=log, stderr=subprocess.STDOUT)
    base = f"http://127.0.0.1:{port}"
    deadline = time.time() + 120
    while True:
        try:
            urllib.request.urlopen(f"{base}/api/status?token={token}", timeout=2)
            break
        except OSError:
            if proc.poll() is not None or time.time() > deadline:
                proc.kill()
                pytest.fail("JupyterLab did not start:\n" + (home / "jupyter.log").read_text()[-3000:])
            time.sleep(0.5)
    yield {"base": base, "token": token, "root": served, "log": home / "jupyter.log"}
    proc.terminate()
    try:
        proc.wait(timeout=20)
    except subprocess.TimeoutExpired:
        proc.kill()
    log.close()


def cell_index(grade_id):
    cells = json.loads(release_path(ASG).read_text())["cells"]
    return next(i for i, c in enumerate(cells) if c["metadata"].get("nbgrader", {}).get("grade_id") == grade_id)


def test_student_runs_fails_answers_and_passes_in_chromium(lab):
    """Run all on the blank release (NotImplementedError), type corr2d, re-run: its test passes; Validate works."""
    from playwright.sync_api import expect, sync_playwright

    ARTIFACTS.mkdir(parents=True, exist_ok=True)
    answer, test = cell_index(f"{ASG}-corr2d-answer"), cell_index(f"{ASG}-corr2d-tests")
    console_errors = []
    with sync_playwright() as pw:
        browser = pw.chromium.launch(executable_path=CHROMIUM, headless=True, args=[
            "--no-sandbox", "--disable-gpu", "--disable-background-networking", "--disable-component-update",
            "--disable-sync", "--no-first-run", "--disable-dev-shm-usage"])
        try:
            page = browser.new_page(viewport={"width": 1400, "height": 1000})
            page.on("console", lambda m: m.type == "error" and console_errors.append(m.text))
            page.on("pageerror", lambda e: console_errors.append(f"page error: {e}"))
            page.goto(f"{lab['base']}/lab/tree/release/{ASG}/{ASG}.ipynb?token={lab['token']}")
            cells = page.locator(".jp-NotebookPanel:visible .jp-Notebook .jp-Cell")
            expect(cells.nth(test)).to_be_visible(timeout=90_000)
            expect(page.locator(".jp-Notebook-ExecutionIndicator[data-status='idle']").first).to_be_attached(
                timeout=90_000)
            # The kernel is connected and idle (status bar "Python 3 (ipykernel) | Idle"): under load, a
            # Run All clicked while the kernel is still starting can run nothing at all.
            expect(page.get_by_role("button", name=re.compile(r"\| Idle$"))).to_be_visible(timeout=120_000)

            # Run > Run All Cells, as a student would.
            page.get_by_role("menuitem", name="Run", exact=True).click()
            page.get_by_role("menuitem", name=re.compile(r"^Run All Cells")).click()
            test_out = cells.nth(test).locator(".jp-OutputArea")
            expect(test_out).to_contain_text("NotImplementedError", timeout=120_000)
            page.screenshot(path=str(ARTIFACTS / f"{ASG}-blank.png"))

            # Type a correct corr2d into its answer cell, then run it and its test cell.
            editor = cells.nth(answer).locator(".cm-content")
            editor.click()
            page.keyboard.press("Control+A")
            page.keyboard.insert_text(CORR2D)
            page.keyboard.press("Shift+Enter")   # runs the answer cell, moves to the test cell
            page.keyboard.press("Escape")
            cells.nth(test).click(position={"x": 5, "y": 5})
            page.keyboard.press("Shift+Enter")
            expect(test_out).to_contain_text(re.compile(r"corr2d: (\d+) of \1 checks passed"), timeout=60_000)
            expect(test_out).not_to_contain_text("NotImplementedError")
            cells.nth(test).scroll_into_view_if_needed()
            page.screenshot(path=str(ARTIFACTS / f"{ASG}-passed.png"))

            # nbgrader's Validate button on the released notebook: it saves, runs it server-side and
            # lists the tests that still fail (conv2d_flip, Conv2D, learn_kernel are not answered yet).
            page.keyboard.press("Control+S")
            overwrite = page.get_by_role("button", name="Overwrite")  # if the server's clock disagrees
            try:
                overwrite.click(timeout=3_000)
            except Exception:  # noqa: BLE001 - no dialog: the usual case
                pass
            expect(page.locator(".jp-Dialog")).to_have_count(0)
            page.get_by_role("button", name="Validate").click()
            dialog = page.locator(".jp-Dialog")
            expect(dialog).to_contain_text("NotImplementedError", timeout=180_000)
            expect(dialog).to_contain_text("Check conv2d_flip")
            expect(dialog).not_to_contain_text("Check corr2d")  # the answered one passes
            page.screenshot(path=str(ARTIFACTS / f"{ASG}-validate.png"))
        except Exception:
            page.screenshot(path=str(ARTIFACTS / f"{ASG}-failure.png"))  # what the page showed when it failed
            raise
        finally:
            browser.close()
    extension_errors = [e for e in console_errors if re.search(r"extension|plugin|nbgrader|Failed to load", e, re.I)]
    assert not extension_errors, f"extension errors in the browser console: {extension_errors}"
    (ARTIFACTS / "console.txt").write_text("\n".join(console_errors))
