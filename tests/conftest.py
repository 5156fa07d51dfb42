"""Fixtures for tests/ (the environment itself is set in the repository's conftest.py)."""
from pathlib import Path

import pytest

import system

ROOT = Path(__file__).resolve().parent.parent


@pytest.fixture
def root():
    return ROOT


def pytest_configure(config):
    config.addinivalue_line("markers", "needs_package(name, why): the test needs this Debian package (tests/system.py)")


def pytest_runtest_setup(item):
    system.check(item)


def pytest_collection_modifyitems(session, config, items):
    """Run the autograde tests last: their grading starts in the background after collection."""
    items.sort(key=lambda item: item.path.name == "test_autograde.py")  # stable: other tests keep their order


def pytest_collection_finish(session):
    """Start grading the assignments whose autograde tests remain selected (after -k), in the background."""
    import test_autograde
    test_autograde.SELECTED.update(item.callspec.params["asg"] for item in session.items
                                   if getattr(item, "originalname", "") == "test_submission")
    if test_autograde.SELECTED and not session.config.option.collectonly:
        test_autograde.start()


def pytest_sessionfinish(session):
    """A run stopped early (-x, Ctrl-C) does not wait for assignments that have not started grading."""
    import test_autograde
    if test_autograde._pool is not None:
        test_autograde._pool.shutdown(wait=False, cancel_futures=True)
