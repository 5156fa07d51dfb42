"""course.testing: the helpers every notebook's test cells rely on."""
import pytest
import torch
from torch import nn
from torch.nn import functional as F

from course import testing
from course.cells import CHECKS_MIME


class ClassNet(nn.Module):
    """The same layers as `seq()` below, declared in another order and called in forward order."""

    def __init__(self):
        super().__init__()
        self.head = nn.Linear(8 * 2 * 2, 3)
        self.body = nn.Sequential(nn.Conv2d(1, 8, 3, padding=1), nn.BatchNorm2d(8), nn.ReLU())
        self.pool = nn.MaxPool2d(2)

    def forward(self, x):
        return self.head(torch.flatten(self.pool(self.body(x)), 1))


def seq():
    return nn.Sequential(nn.Conv2d(1, 8, 3, padding=1), nn.BatchNorm2d(8), nn.ReLU(), nn.MaxPool2d(2),
                         nn.Flatten(), nn.Linear(32, 3))


def test_layer_shapes_any_container():
    """Per-layer shapes come from the forward pass, so a class and a Sequential give the same conv/linear shapes."""
    X = torch.zeros(2, 1, 4, 4)
    assert testing.layer_shapes(seq(), X) == [(8, 4, 4), (8, 4, 4), (8, 4, 4), (8, 2, 2), (32,), (3,)]
    assert testing.layer_shapes(ClassNet(), X, types=(nn.Conv2d, nn.Linear)) == [(8, 4, 4), (3,)]


def test_copy_weights_pairs_layers_in_call_order():
    """Weights and BN buffers are copied by forward order, so two differently written nets compute the same function."""
    torch.manual_seed(0)
    a, b = seq(), ClassNet()
    X = torch.randn(4, 1, 4, 4)
    a.train()(X)  # move a's running statistics away from their defaults
    testing.copy_weights(a, b, X)
    a.eval(), b.eval()
    torch.testing.assert_close(a(X), b(X))


def test_copy_weights_reports_a_missing_layer():
    """A network with a layer missing fails with a message listing both layer sequences."""
    short = nn.Sequential(nn.Conv2d(1, 8, 3, padding=1), nn.ReLU(), nn.MaxPool2d(2), nn.Flatten(), nn.Linear(32, 3))
    with pytest.raises(AssertionError, match="BatchNorm2d"):
        testing.copy_weights(seq(), short, torch.zeros(1, 1, 4, 4))


def test_forbid_blocks_then_restores():
    """forbid() makes F.conv2d (and nn.Conv2d through it) raise inside the block, and restores it afterwards."""
    X, K = torch.randn(1, 1, 5, 5), torch.randn(1, 1, 3, 3)
    original = F.conv2d
    with forbid_conv():
        with pytest.raises(AssertionError, match="disabled"):
            F.conv2d(X, K)
        with pytest.raises(AssertionError, match="disabled"):
            nn.Conv2d(1, 1, 3)(X)
    assert F.conv2d is original
    with pytest.raises(ValueError):
        with forbid_conv():
            raise ValueError("student code crashed")
    assert F.conv2d is original, "restored even when the student's code raises"


def forbid_conv():
    return testing.forbid("torch.nn.functional.conv2d", "torch.conv2d")


def test_check_close_messages():
    """check_close names what was compared, the tolerance and the hint; shapes are compared first."""
    with pytest.raises(AssertionError, match=r"the output is wrong \(tolerance atol=0.001.*pad both sides"):
        testing.check_close(torch.ones(2), torch.zeros(2), "the output", atol=1e-3, hint="pad both sides")
    with pytest.raises(AssertionError, match=r"expected Y to have shape \(2, 2\), got \(3,\)"):
        testing.check_close(torch.ones(3), torch.zeros(2, 2), "Y")
    with pytest.raises(AssertionError, match="should be a torch.Tensor"):
        testing.check_close([1.0], torch.zeros(1), "Y")
    testing.check_close(torch.tensor([1, 2]), torch.tensor([1.0, 2.0]), "int vs float")


def test_param_count_and_equal():
    """check_param_count reports the difference; check_equal shows both values."""
    testing.check_param_count(nn.Linear(3, 2), 8)
    with pytest.raises(AssertionError, match=r"expected the layer to have 9 parameters, got 8 \(-1\)"):
        testing.check_param_count(nn.Linear(3, 2), 9, "the layer")
    with pytest.raises(AssertionError, match="expected 3, got 4"):
        testing.check_equal(4, 3, "count")


def _three_checks(log):
    checks = testing.Checks("demo")

    @checks.visible("the first check passes", points=1)
    def _():
        log.append("first")

    @checks.visible("the second check fails", points=2, hint="look at the second thing")
    def _():
        log.append("second")
        assert False, "second went wrong"

    @checks.hidden("the third check crashes", points=0.5, hint="types")
    def _():
        log.append("third")
        return 1 + "x"

    @checks.hidden("the fourth check passes", points=1.5)
    def _():
        log.append("fourth")

    return checks


def test_checks_give_partial_credit_under_autograding(monkeypatch, capsys):
    """Under autograding every check runs and the cell's value is the points earned (1 + 1.5 of 5)."""
    monkeypatch.setenv("NBGRADER_EXECUTION", "autograde")
    log = []
    assert _three_checks(log).run() == 2.5
    assert log == ["first", "second", "third", "fourth"]
    out = capsys.readouterr()
    assert out.err == "", "the checklist goes to stdout: nbgrader scores any stderr output as 0"
    assert "demo: 2 of 4 checks passed (2.5/5 points)" in out.out
    assert "✓ [1] the first check passes" in out.out and "✗ [2] the second check fails" in out.out
    assert "second went wrong" in out.out and "hint: look at the second thing" in out.out
    assert "TypeError: unsupported operand" in out.out, "a crashing check is failed with its error message"
    assert "✗ [0.5] the third check crashes (hidden)" in out.out


def test_checks_partial_credit_is_what_nbgrader_records(monkeypatch):
    """The value, as IPython displays it, is what nbgrader's determine_grade reads as partial credit."""
    from nbformat.v4 import new_code_cell, new_output
    from nbgrader.utils import determine_grade

    monkeypatch.setenv("NBGRADER_EXECUTION", "autograde")
    value = _three_checks([]).run()
    cell = new_code_cell("checks.run()", metadata={"nbgrader": {"grade": True, "solution": False, "points": 5,
                                                               "grade_id": "demo-tests"}})
    cell.outputs = [new_output("stream", name="stdout", text="checklist\n"),
                    new_output("execute_result", data={"text/plain": repr(value)}, execution_count=1)]
    assert determine_grade(cell) == (2.5, 5.0)


def _recorded_cell(monkeypatch, forged=None):
    """The test cell of _three_checks as autograding leaves it: checklist, the record Checks displays, the value;
    ``forged``: a record that student code displays after it (e.g. from a post_run_cell hook)."""
    import IPython.display
    from nbformat.v4 import new_code_cell, new_output

    shown = []
    monkeypatch.setattr(IPython.display, "display", lambda obj, raw=False: shown.append((obj, raw)))
    monkeypatch.setenv("NBGRADER_EXECUTION", "autograde")
    value = _three_checks([]).run()
    assert len(shown) == 1 and shown[0][1], shown
    cell = new_code_cell("checks.run()")
    cell.outputs = [new_output("stream", name="stdout", text="checklist\n"),
                    new_output("display_data", data=shown[0][0])]
    if forged is not None:
        cell.outputs.append(new_output("display_data", data={CHECKS_MIME: forged, "text/plain": ""}))
    cell.outputs.append(new_output("execute_result", data={"text/plain": repr(value)}, execution_count=1))
    return cell, value


def test_checks_record_their_results_under_autograding(monkeypatch):
    """Under autograding the cell also carries each check's result as data, which the grader keeps: it adds up to
    the cell's score (the class report's per-check pass rates come from it)."""
    from course.instructor.scoring import check_record

    cell, value = _recorded_cell(monkeypatch)
    record = check_record(cell, value)
    assert [(c["description"], c["points"], c["passed"], c["hidden"]) for c in record] == [
        ("the first check passes", 1.0, True, False), ("the second check fails", 2.0, False, False),
        ("the third check crashes", 0.5, False, True), ("the fourth check passes", 1.5, True, True)]


def test_a_forged_check_record_is_not_kept(monkeypatch):
    """A record shown after the real one (student code can display anything) counts only if it adds up to the
    score nbgrader gave the cell, so it can never make the class report disagree with the gradebook."""
    from course.instructor.scoring import check_record

    all_passed = {"exercise": "demo", "checks": [{"description": d, "points": p, "passed": True, "hidden": False}
                                                 for d, p in [("a", 1), ("b", 2), ("c", 0.5), ("d", 1.5)]]}
    cell, value = _recorded_cell(monkeypatch, forged=all_passed)
    assert value == 2.5
    assert check_record(cell, value) is None


@pytest.mark.parametrize("mode", ["", "validate"])
def test_checks_raise_interactively_after_the_whole_checklist(monkeypatch, capsys, mode):
    """Interactively and under validation the cell raises, but only after every check ran and was listed."""
    monkeypatch.setenv("NBGRADER_EXECUTION", mode)
    log = []
    with pytest.raises(AssertionError, match="2 of 4 checks of demo failed: the second check fails; the third"):
        _three_checks(log).run()
    assert log == ["first", "second", "third", "fourth"]
    assert "✓ [1.5] the fourth check passes" in capsys.readouterr().out


def test_checks_error_names_why_each_check_failed(monkeypatch):
    """The raised error (all that nbgrader's Validate dialog shows) carries each failed check's own message."""
    monkeypatch.setenv("NBGRADER_EXECUTION", "validate")
    with pytest.raises(AssertionError) as err:
        _three_checks([]).run()
    text = str(err.value)
    assert "✗ the second check fails: second went wrong" in text, text
    assert "✗ the third check crashes: TypeError:" in text, text
    assert "the first check passes" not in text and "the fourth" not in text, text


def test_checks_all_passing_raise_nothing_and_say_more_checks_come(monkeypatch, capsys):
    """A cell whose (visible) checks all pass has no value interactively and says that grading runs more."""
    monkeypatch.delenv("NBGRADER_EXECUTION", raising=False)
    checks = testing.Checks("demo")
    checks.visible("passes")(lambda: None)
    assert checks.run() is None
    out = capsys.readouterr().out
    assert "1 of 1 checks passed" in out and "more checks run when the notebook is graded" in out


def test_checks_use_the_reference_then_restore_the_students_own(monkeypatch, capsys):
    """use_reference swaps names in the notebook's namespace while the checks run, and puts back exactly what was there."""
    monkeypatch.setenv("NBGRADER_EXECUTION", "autograde")
    ns = {"corr2d": "student's"}
    seen = []
    checks = testing.Checks("conv2d_flip")
    checks.visible("sees the reference")(lambda: seen.append((ns["corr2d"], ns["Residual"])))
    checks.use_reference(ns, corr2d="reference", Residual="reference block")
    assert checks.run() == 1.0
    assert seen == [("reference", "reference block")]
    assert ns == {"corr2d": "student's"}, "the student's own definitions come back, and nothing is left behind"
    assert "checked with the course's own Residual, corr2d" in capsys.readouterr().out


def test_check_gradcheck_fails_a_constant():
    """torch.autograd.gradcheck alone passes a hard-coded output; check_gradcheck does not, and passes a real op."""
    X = torch.randn(3, 4, dtype=torch.float64, requires_grad=True)
    K = torch.randn(2, 2, dtype=torch.float64, requires_grad=True)

    def constant(X, K):
        return torch.tensor([[19.0, 25.0], [37.0, 43.0]], dtype=torch.float64)

    def detached_x(X, K):
        return F.conv2d(X.detach()[None, None], K[None, None])[0, 0]

    assert torch.autograd.gradcheck(constant, (X, K))  # why the helper exists
    with pytest.raises(AssertionError, match="does not depend on the inputs"):
        testing.check_gradcheck(constant, (X, K), "corr2d")
    with pytest.raises(AssertionError, match="gradcheck failed"):
        testing.check_gradcheck(detached_x, (X, K), "corr2d")
    testing.check_gradcheck(lambda X, K: F.conv2d(X[None, None], K[None, None])[0, 0], (X, K), "corr2d")
