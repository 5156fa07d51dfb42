"""train_ch6, quick mode, checkpoints and the headless plot, on tiny synthetic data (no dataset needed)."""

import pytest
import torch
from torch import nn

import course
from course import train
from course.data import FashionMNISTLoader


def tiny_loaders(n=256, batch_size=32, seed=0):
    """A separable 10-class problem shaped like Fashion-MNIST: class k has a bright row k."""
    g = torch.Generator().manual_seed(seed)
    labels = torch.randint(0, 10, (n,), generator=g)
    images = (torch.rand(n, 28, 28, generator=g) * 60).to(torch.uint8)
    images[torch.arange(n), labels * 2 + 4] = 255
    return (FashionMNISTLoader(images, labels, batch_size, shuffle=True),
            FashionMNISTLoader(images[:64], labels[:64], batch_size, shuffle=False))


def small_net():
    return nn.Sequential(nn.Conv2d(1, 4, 3, padding=1), nn.ReLU(), nn.AvgPool2d(4), nn.Flatten(), nn.Linear(4 * 49, 10))


@pytest.fixture
def full_mode(monkeypatch, tmp_path):
    monkeypatch.delenv("COURSE_QUICK", raising=False)
    monkeypatch.delenv("NBGRADER_EXECUTION", raising=False)
    monkeypatch.chdir(tmp_path)
    return tmp_path


def test_quick_mode_switches(monkeypatch):
    """COURSE_QUICK=1 or nbgrader's NBGRADER_EXECUTION turn quick mode on; COURSE_QUICK=0 alone does not."""
    monkeypatch.delenv("NBGRADER_EXECUTION", raising=False)
    monkeypatch.setenv("COURSE_QUICK", "0")
    assert not course.quick_mode()
    monkeypatch.setenv("COURSE_QUICK", "1")
    assert course.quick_mode()
    monkeypatch.delenv("COURSE_QUICK")
    monkeypatch.setenv("NBGRADER_EXECUTION", "autograde")
    assert course.quick_mode()


def test_try_gpu_falls_back_to_cpu():
    """Without CUDA, try_gpu() is the CPU and try_all_gpus() is [cpu]."""
    if torch.cuda.is_available():
        pytest.skip("a GPU is present")
    assert course.try_gpu() == torch.device("cpu")
    assert course.try_gpu(3) == torch.device("cpu")
    assert course.try_all_gpus() == [torch.device("cpu")]


def test_seed_everything_repeats():
    """Seeding twice gives the same draws from torch, numpy and random."""
    import random
    import numpy as np
    course.seed_everything(7)
    a = (torch.rand(3), np.random.rand(), random.random())
    course.seed_everything(7)
    b = (torch.rand(3), np.random.rand(), random.random())
    assert torch.equal(a[0], b[0]) and a[1:] == b[1:]


def test_train_learns_and_returns_history(full_mode):
    """A small CNN learns the synthetic task; the history has one entry per epoch; a PNG is written headless."""
    train_iter, test_iter = tiny_loaders()
    course.seed_everything(0)
    net = small_net()
    history = course.train_ch6(net, train_iter, test_iter, num_epochs=4, lr=0.5, device="cpu", verbose=False)
    assert set(history) == {"train_loss", "train_acc", "test_acc", "seconds", "examples_per_sec"}
    assert all(len(v) == 4 for v in history.values())
    assert history["train_loss"][-1] < history["train_loss"][0]
    assert history["test_acc"][-1] > 0.9, history
    assert (full_mode / "training.png").stat().st_size > 1000, "headless runs save the live plot as a PNG"


def test_checkpoint_resumes_where_it_stopped(full_mode):
    """Training 2 epochs, then asking for 4 with the same checkpoint, trains only epochs 3 and 4; asking again trains nothing."""
    train_iter, test_iter = tiny_loaders()
    ckpt = full_mode / "ckpt" / "net.pt"
    course.seed_everything(0)
    net = small_net()
    h2 = course.train_ch6(net, train_iter, test_iter, 2, 0.5, "cpu", checkpoint=ckpt, plot=False, verbose=False)
    assert ckpt.exists() and len(h2["train_loss"]) == 2
    net2 = small_net()
    h4 = course.train_ch6(net2, train_iter, test_iter, 4, 0.5, "cpu", checkpoint=ckpt, plot=False, verbose=False)
    assert len(h4["train_loss"]) == 4 and h4["train_loss"][:2] == h2["train_loss"]
    state = torch.load(ckpt, weights_only=False)
    assert len(state["history"]["train_loss"]) == 4
    before = [p.clone() for p in net2.parameters()]
    net3 = small_net()
    h = course.train_ch6(net3, train_iter, test_iter, 4, 0.5, "cpu", checkpoint=ckpt, plot=False, verbose=False)
    assert h == h4
    assert all(torch.equal(a, b) for a, b in zip(before, net3.parameters())), "a finished checkpoint is loaded, not retrained"


def test_checkpoint_of_another_network_is_set_aside(full_mode, capsys):
    """A checkpoint that does not fit the network is kept aside, and training starts afresh instead of crashing."""
    train_iter, test_iter = tiny_loaders()
    ckpt = full_mode / "net.pt"
    course.train_ch6(small_net(), train_iter, test_iter, 1, 0.5, "cpu", checkpoint=ckpt, plot=False, verbose=False)
    other = nn.Sequential(nn.Flatten(), nn.Linear(784, 10))
    h = course.train_ch6(other, train_iter, test_iter, 1, 0.5, "cpu", checkpoint=ckpt, plot=False, verbose=False)
    assert len(h["train_loss"]) == 1
    assert (full_mode / "net.pt.stale").exists()
    assert "was saved by another network" in capsys.readouterr().out


class LeNetLike(nn.Module):
    """A network with its own forward, as students write them."""
    def __init__(self):
        super().__init__()
        self.conv, self.fc = nn.Conv2d(1, 4, 3, padding=1), nn.Linear(4 * 49, 10)

    def forward(self, x):
        return self.fc(torch.flatten(nn.functional.avg_pool2d(torch.sigmoid(self.conv(x)), 4), 1))


class LeNetLikeReLU(LeNetLike):
    def forward(self, x):
        return self.fc(torch.flatten(nn.functional.avg_pool2d(torch.relu(self.conv(x)), 4), 1))


@pytest.mark.parametrize("changed", ["sigmoid -> ReLU module", "max instead of average pooling",
                                     "relu in its own forward"])
def test_a_changed_network_with_the_same_parameter_shapes_never_resumes(full_mode, capsys, changed):
    """The student fixes LeNet (sigmoid -> ReLU) and reruns the training cell: every parameter has the same shape,
    yet the old checkpoint is set aside and the new network trains from scratch, with one line saying why."""
    train_iter, test_iter = tiny_loaders()
    ckpt = full_mode / "lenet.pt"
    if changed == "relu in its own forward":
        old, new = LeNetLike(), LeNetLikeReLU()
    else:
        act = nn.ReLU() if changed.startswith("sigmoid") else nn.Sigmoid()
        pool = nn.MaxPool2d(4) if changed.startswith("max") else nn.AvgPool2d(4)
        old = nn.Sequential(nn.Conv2d(1, 4, 3, padding=1), nn.Sigmoid(), nn.AvgPool2d(4), nn.Flatten(), nn.Linear(196, 10))
        new = nn.Sequential(nn.Conv2d(1, 4, 3, padding=1), act, pool, nn.Flatten(), nn.Linear(196, 10))
    assert [p.shape for p in old.parameters()] == [p.shape for p in new.parameters()]
    course.train_ch6(old, train_iter, test_iter, 2, 0.5, "cpu", checkpoint=ckpt, plot=False, verbose=False)
    capsys.readouterr()
    h = course.train_ch6(new, train_iter, test_iter, 3, 0.5, "cpu", checkpoint=ckpt, plot=False, verbose=False)
    assert len(h["train_loss"]) == 3, "all three epochs trained: nothing was resumed"
    out = capsys.readouterr().out
    assert "was saved by another network" in out and "training from scratch" in out and len(out.splitlines()) == 1
    assert (full_mode / "lenet.pt.stale").exists()
    assert train.network_signature(old) != train.network_signature(new)


def test_the_same_network_rebuilt_still_resumes(full_mode):
    """A new instance of the same network (as after a kernel restart) has the same signature and resumes."""
    train_iter, test_iter = tiny_loaders()
    ckpt = full_mode / "lenet.pt"
    course.train_ch6(LeNetLike(), train_iter, test_iter, 1, 0.5, "cpu", checkpoint=ckpt, plot=False, verbose=False)
    h = course.train_ch6(LeNetLike(), train_iter, test_iter, 2, 0.5, "cpu", checkpoint=ckpt, plot=False, verbose=False)
    assert len(h["train_loss"]) == 2 and len(h["seconds"]) == 2 and not (full_mode / "lenet.pt.stale").exists()


@pytest.mark.parametrize("change", ["lr", "batch_size", "examples", "resize"])
def test_other_training_settings_never_resume(full_mode, capsys, change):
    """A checkpoint trained with another learning rate, batch size, data set size or resolution (e.g. a short CPU
    run, later rerun with the GPU settings) is not resumed."""
    train_iter, test_iter = tiny_loaders()
    ckpt = full_mode / "net.pt"
    course.train_ch6(small_net(), train_iter, test_iter, 1, 0.5, "cpu", checkpoint=ckpt, plot=False, verbose=False)
    capsys.readouterr()
    lr = 0.25 if change == "lr" else 0.5
    if change == "batch_size":
        train_iter, test_iter = tiny_loaders(batch_size=16)
    elif change == "examples":
        train_iter, test_iter = tiny_loaders(n=128)
    elif change == "resize":
        train_iter.resize = 28   # the same images asked for at another size
    h = course.train_ch6(small_net(), train_iter, test_iter, 2, lr, "cpu", checkpoint=ckpt, plot=False, verbose=False)
    assert len(h["train_loss"]) == 2
    out = capsys.readouterr().out
    assert f"was trained with other settings ({change}" in out, out


def test_fresh_restarts_on_purpose(full_mode, capsys):
    """fresh=True trains from scratch even with a checkpoint that fits, and keeps the old one aside."""
    train_iter, test_iter = tiny_loaders()
    ckpt = full_mode / "net.pt"
    course.train_ch6(small_net(), train_iter, test_iter, 2, 0.5, "cpu", checkpoint=ckpt, plot=False, verbose=False)
    capsys.readouterr()
    h = course.train_ch6(small_net(), train_iter, test_iter, 2, 0.5, "cpu", checkpoint=ckpt, fresh=True,
                         plot=False, verbose=False)
    assert len(h["seconds"]) == 2 and "fresh=True" in capsys.readouterr().out
    assert (full_mode / "net.pt.stale").exists()


def test_quick_mode_checkpoints_are_kept_apart(monkeypatch, tmp_path):
    """A quick-mode run never writes the real checkpoint file."""
    monkeypatch.chdir(tmp_path)
    monkeypatch.setenv("COURSE_QUICK", "1")
    train_iter, test_iter = tiny_loaders()
    h = course.train_ch6(small_net(), train_iter, test_iter, 10, 0.5, "cpu", checkpoint="c/net.pt", plot=False, verbose=False)
    assert len(h["train_loss"]) == train.QUICK_EPOCHS
    assert not (tmp_path / "c" / "net.pt").exists() and (tmp_path / "c" / "net.quick.pt").exists()


def test_divergence_is_reported(full_mode):
    """A loss that becomes NaN stops training with an error that suggests a fix."""
    train_iter, test_iter = tiny_loaders()
    net = small_net()
    with torch.no_grad():
        net[-1].bias.fill_(float("inf"))
    with pytest.raises(FloatingPointError, match="learning rate"):
        course.train_ch6(net, train_iter, test_iter, 2, 0.1, "cpu", init=False, plot=False, verbose=False)


def test_warmup_ramps_the_learning_rate(full_mode):
    """With warmup_steps, the first step uses lr/warmup_steps (a zero-lr first step would leave weights unchanged)."""
    train_iter, test_iter = tiny_loaders(n=32, batch_size=32)
    course.seed_everything(0)
    net = small_net()
    course.train_ch6(net, train_iter, test_iter, 1, 0.5, "cpu", plot=False, verbose=False, warmup_steps=4)
    course.seed_everything(0)
    ref = small_net()
    course.train_ch6(ref, train_iter, test_iter, 1, 0.5 / 4, "cpu", plot=False, verbose=False)
    for a, b in zip(net.parameters(), ref.parameters()):
        torch.testing.assert_close(a, b)


def test_warmup_schedule_over_a_resumed_run(full_mode, monkeypatch):
    """Batch k uses lr * min(1, (k + 1) / warmup_steps), counted over the whole run: a resumed run goes on
    where the ramp stopped."""
    train_iter, test_iter = tiny_loaders(n=96, batch_size=32)  # 3 batches an epoch
    used = []
    step = torch.optim.SGD.step
    monkeypatch.setattr(torch.optim.SGD, "step", lambda self, *a, **k: (used.append(self.param_groups[0]["lr"]),
                                                                        step(self, *a, **k))[1])
    ckpt = full_mode / "warm.pt"
    course.train_ch6(small_net(), train_iter, test_iter, 1, 0.8, "cpu", plot=False, verbose=False, warmup_steps=4,
                     checkpoint=ckpt)
    course.train_ch6(small_net(), train_iter, test_iter, 2, 0.8, "cpu", plot=False, verbose=False, warmup_steps=4,
                     checkpoint=ckpt)
    assert used == pytest.approx([0.2, 0.4, 0.6, 0.8, 0.8, 0.8]), used


def test_cpu_training_flushes_denormals_and_restores_the_mode(full_mode):
    """On the CPU, denormals are flushed to zero during training (saturated sigmoids stay fast); the caller's mode comes back."""
    train_iter, test_iter = tiny_loaders(n=64)
    seen = []
    net = small_net()
    net[0].register_forward_hook(lambda *args: seen.append(train._denormals_flushed()))
    try:
        for before in (False, True):
            torch.set_flush_denormal(before)
            seen.clear()
            course.train_ch6(net, train_iter, test_iter, 1, 0.1, "cpu", plot=False, verbose=False)
            assert seen and all(seen), "every forward pass ran with denormals flushed"
            assert train._denormals_flushed() is before
    finally:
        torch.set_flush_denormal(False)


MALLOC_LOOP = """
import resource, sys, torch
sys.path.insert(0, {root!r})
from course import train
if {tuned}:
    train._keep_freed_memory()
torch.set_num_threads(1)
x = torch.rand(256, 6, 28, 28)  # 4.8 MB, LeNet's first activation at batch 256
def step():
    a = torch.sigmoid(x); b = a * 2; c = b + 1
for _ in range(5):
    step()
before = resource.getrusage(resource.RUSAGE_SELF).ru_minflt
for _ in range(50):
    step()
print(resource.getrusage(resource.RUSAGE_SELF).ru_minflt - before)
"""


def test_freed_tensors_are_reused_without_page_faults():
    """After _keep_freed_memory, allocating and freeing batch-sized tensors faults in no new pages (glibc's default does, on most runs)."""
    import platform
    import subprocess
    import sys
    from pathlib import Path
    if platform.system() != "Linux" or platform.libc_ver()[0] != "glibc":
        pytest.skip("glibc only")
    root = str(Path(course.__file__).resolve().parent.parent)

    def faults(tuned):
        out = subprocess.run([sys.executable, "-c", MALLOC_LOOP.format(root=root, tuned=tuned)],
                             capture_output=True, text=True, check=True).stdout
        return int(out.split()[-1])

    pages = 256 * 6 * 28 * 28 * 4 // 4096  # one tensor's pages
    # glibc's default faults tensors in again on most runs, not all (it depends on where the heap's top lands)
    untuned = max(faults(False) for _ in range(3))
    if untuned < 10 * pages:
        pytest.skip(f"this glibc kept the freed blocks by default ({untuned} faults in 50 steps): nothing to show")
    tuned = faults(True)
    # at most the three tensors' first touch: no step faults its tensors in again
    assert tuned <= 3 * pages, f"{tuned} page faults in 50 steps with malloc tuned, {untuned} without"
