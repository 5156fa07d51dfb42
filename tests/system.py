"""System packages the tests need: a test that needs a missing one is skipped, or fails under ``CI=true``.

``setup.sh`` (the README's two commands, and so ``.ci/run``) installs every one
of them on a Debian or Ubuntu machine, so in CI a missing package is a broken
set-up, never a reason to skip.
"""
import os
import shutil
from pathlib import Path

import pytest

CI = os.environ.get("CI", "").lower() == "true"
PRESENT = {
    "chromium": bool(shutil.which("chromium") or shutil.which("chromium-browser")),
    "bubblewrap": bool(shutil.which("bwrap")),
    "dataset-fashion-mnist": Path("/usr/share/datasets/fashion-mnist/train-images-idx3-ubyte.gz").exists(),
}


def needs(package, why):
    """A mark for a test that needs the Debian ``package`` (what for: ``why``)."""
    return pytest.mark.needs_package(package, why)


def check(item):
    """Called before each test: skip it (or fail it, under CI) if a package it needs is missing."""
    for mark in item.iter_markers("needs_package"):
        package, why = mark.args
        if not PRESENT[package]:
            message = (f"the system package {package} is missing ({why}): `bash setup.sh test` installs it "
                       f"(apt-get install -y {package})")
            if CI:
                pytest.fail(message + "; under CI=true a missing package fails the run", pytrace=False)
            pytest.skip(message)
