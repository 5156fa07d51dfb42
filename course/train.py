"""Devices, seeds, quick mode and the training loop every architecture notebook uses.

:func:`train_ch6` does the job of d2l's function of the same name (introduced
in 05_lenet) and is faster:

* batches come from :class:`course.data.FashionMNISTLoader`, already on the device;
* on CUDA it trains in mixed precision (bf16 where supported); on CUDA and
  on the CPU it uses channels_last tensors;
* on a CPU it times a few real batches each epoch with PyTorch's thread
  count and with one thread and keeps the faster (on a busy machine, OpenMP
  threads waiting for each other can make two threads several times slower
  than one), flushes denormal floats to zero while it trains, and keeps
  glibc's malloc from handing freed tensors back to the kernel (see
  :class:`_CpuThreads`);
* loss and accuracy are accumulated on the device and read back once per
  epoch, so the GPU is never stalled by a per-batch ``float()``;
* it saves a checkpoint after every epoch and resumes from it (断点续训), but
  never into another network or under other training settings.
"""
from __future__ import annotations

import math
import os
import random
import time
from contextlib import nullcontext
from pathlib import Path

import numpy as np
import torch
from torch import nn

from .quick import QUICK_EPOCHS, quick_mode


def try_gpu(i=0):
    """Return ``cuda:i`` if that GPU exists, else the CPU (d2l 5.6; used from 05_lenet on)."""
    if torch.cuda.device_count() >= i + 1:
        return torch.device(f"cuda:{i}")
    return torch.device("cpu")


def try_all_gpus():
    """All GPUs, or ``[cpu]`` if there is none (d2l 5.6)."""
    return [torch.device(f"cuda:{i}") for i in range(torch.cuda.device_count())] or [torch.device("cpu")]


def seed_everything(seed=0):
    """Seed Python, NumPy and PyTorch (CPU and every GPU) so results repeat; used in every notebook."""
    random.seed(seed)
    np.random.seed(seed)
    torch.manual_seed(seed)
    torch.cuda.manual_seed_all(seed)


def init_weights(m):
    """Xavier-uniform initialisation of conv and linear weights, as d2l's ``train_ch6`` does."""
    if isinstance(m, (nn.Linear, nn.Conv2d)):
        nn.init.xavier_uniform_(m.weight)


def _amp(device):
    """The autocast context and whether a GradScaler is needed, for this device."""
    if device.type != "cuda":
        return nullcontext(), False
    if torch.cuda.is_bf16_supported():
        return torch.autocast("cuda", dtype=torch.bfloat16), False
    return torch.autocast("cuda", dtype=torch.float16), True


def _to_device(X, y, device, memory_format):
    """Move a batch to ``device`` (a no-op for the course's loaders, whose batches are already there)."""
    X = X.to(device, non_blocking=True)
    if X.dim() == 4:
        X = X.contiguous(memory_format=memory_format)
    return X, y.to(device, non_blocking=True)


def _denormals_flushed():
    """Whether this thread flushes denormal floats to zero (PyTorch has a setter but no getter)."""
    return (torch.tensor([1e-39]) * 1.0).item() == 0.0


_malloc_tuned = False


def _keep_freed_memory():
    """Ask glibc's malloc to keep freed blocks of up to 32 MB for reuse rather than give them back to the kernel.

    By default glibc unmaps a large freed block at once (or trims it off the
    top of the heap), and the next batch's tensor of the same size faults in
    every page again: in d2l's LeNet about 4,500 page faults per batch, which
    made a training step about half as slow again.  It is a process-wide
    setting with no getter, so it is made once and left on; the cost is that
    the process keeps up to 256 MB of freed memory for reuse.  A no-op off
    Linux's glibc.
    """
    global _malloc_tuned
    if _malloc_tuned:
        return
    _malloc_tuned = True
    import ctypes
    import platform
    if platform.system() != "Linux" or platform.libc_ver()[0] != "glibc":
        return
    try:
        libc = ctypes.CDLL("libc.so.6")
    except OSError:
        return
    M_TRIM_THRESHOLD, M_MMAP_THRESHOLD = -1, -3
    libc.mallopt(M_MMAP_THRESHOLD, 32 << 20)
    libc.mallopt(M_TRIM_THRESHOLD, 256 << 20)


class _CpuThreads:
    """On a CPU, keep the faster of PyTorch's thread count and one thread, timing real training batches.

    Where other processes keep the cores busy (a shared server, a laptop
    running a browser), OpenMP threads wait for each other at every operation
    and two threads can be several times slower than one; on an idle machine
    more threads win.  Each epoch times ``PROBES`` batches with each candidate
    (after one warm-up batch), then keeps the faster for the rest of the epoch;
    a candidate twice as slow as the best is dropped for good.

    While training on a CPU it also flushes denormal floats to zero.  A
    saturated sigmoid's gradient underflows into denormals, which x86 CPUs
    compute many times more slowly; in d2l's sigmoid LeNet they made
    ``sigmoid_backward`` about three times slower.  Values below 1.2e-38
    becoming 0 changes no result.  (The flag belongs to each thread: OpenMP
    threads started before it was set keep theirs, which is one more reason
    the timing above decides.)  And it keeps freed tensors in the process
    (:func:`_keep_freed_memory`).  :meth:`restore` gives back the caller's
    thread count and denormal mode.
    """

    PROBES = 3

    def __init__(self, device):
        self.original = torch.get_num_threads()
        self.candidates = [self.original, 1] if device.type == "cpu" and self.original > 1 else []
        self.times = {}
        self._start = None
        self.cpu = device.type == "cpu"
        if self.cpu:
            self.flushed_before = _denormals_flushed()
            torch.set_flush_denormal(True)
            _keep_freed_memory()

    def _probing(self, i):
        return len(self.candidates) > 1 and 1 <= i <= self.PROBES * len(self.candidates)

    def start(self, i):
        """Called before batch ``i`` of an epoch (0-based)."""
        if i == 0:
            self.times = {c: [] for c in self.candidates}
        if self._probing(i):
            torch.set_num_threads(self.candidates[(i - 1) % len(self.candidates)])
            self._start = time.perf_counter()
        elif len(self.candidates) > 1 and i == self.PROBES * len(self.candidates) + 1:
            median = {c: sorted(t)[len(t) // 2] for c, t in self.times.items()}
            best = min(median, key=median.get)
            self.candidates = [c for c in self.candidates if median[c] < 2 * median[best]]
            torch.set_num_threads(best)

    def stop(self, i):
        """Called after batch ``i`` has been trained (CPU work is synchronous, so the time is exact)."""
        if self._probing(i):
            self.times[torch.get_num_threads()].append(time.perf_counter() - self._start)

    def restore(self):
        torch.set_num_threads(self.original)
        if self.cpu:
            torch.set_flush_denormal(self.flushed_before)


def _accuracy_sums(net, data_iter, device, memory_format):
    """(correct, count) over ``data_iter`` as device tensors; the caller syncs once."""
    correct = torch.zeros((), dtype=torch.long, device=device)
    count = 0
    amp, _ = _amp(device)
    with torch.no_grad(), amp:
        for X, y in data_iter:
            X, y = _to_device(X, y, device, memory_format)
            correct += (net(X).argmax(dim=1) == y).sum()
            count += y.numel()
    return correct, count


def _code_digest(code, h):
    """Feed a function's bytecode, names and constants (nested functions too, never an address) into ``h``."""
    h.update(code.co_code)
    h.update(repr(code.co_names).encode())
    for const in code.co_consts:
        if hasattr(const, "co_code"):
            _code_digest(const, h)
        else:
            h.update(repr(const).encode())


def network_signature(net):
    """A fingerprint of what makes a network this network, saved in its checkpoints.

    It covers every module (its class and settings, e.g. ``Conv2d(1, 6, kernel_size=(5, 5), padding=(2, 2))``
    or ``Sigmoid`` against ``ReLU``), the names, shapes and dtypes of the parameters and buffers, and the
    ``forward`` code of every module class not from ``torch`` (so ``torch.sigmoid`` changed to ``torch.relu``
    inside your own ``forward`` counts as another network).  Two networks with the same parameter shapes but
    another activation, pooling, padding or forward have different signatures."""
    import hashlib

    h = hashlib.sha256()
    for name, m in net.named_modules():
        cls = type(m)
        h.update(f"{name}:{cls.__module__}.{cls.__qualname__}({m.extra_repr()})\n".encode())
        code = getattr(getattr(cls, "forward", None), "__code__", None)
        if code is not None and not cls.__module__.startswith("torch."):
            _code_digest(code, h)
    for name, t in list(net.named_parameters()) + list(net.named_buffers()):
        h.update(f"{name}:{tuple(t.shape)}:{t.dtype}\n".encode())
    return h.hexdigest()[:16]


def training_config(train_iter, lr, device, warmup_steps=0):
    """The settings a checkpoint's training ran with; a run resumes a checkpoint only with the same ones
    (the number of epochs may grow: that is what resuming is for)."""
    images = getattr(train_iter, "images", None)
    dataset = getattr(train_iter, "dataset", None)
    examples = len(images) if images is not None else (len(dataset) if dataset is not None else None)
    return {"device": torch.device(device).type, "batch_size": getattr(train_iter, "batch_size", None),
            "examples": examples, "resize": getattr(train_iter, "resize", None),
            "normalize": getattr(train_iter, "normalize", None), "lr": float(lr), "warmup_steps": int(warmup_steps)}


def save_checkpoint(path, net, optimizer, history, config=None):
    """Write model, optimizer, history, the network's signature and the training configuration atomically
    (a crash mid-write never corrupts the file)."""
    path = Path(path)
    path.parent.mkdir(parents=True, exist_ok=True)
    tmp = path.with_suffix(path.suffix + ".tmp")
    torch.save({"model": net.state_dict(), "optimizer": optimizer.state_dict(), "history": history,
                "network": network_signature(net), "config": config}, tmp)
    os.replace(tmp, path)


def load_checkpoint(path, net, optimizer=None, device=None):
    """Load a checkpoint written by :func:`save_checkpoint` into ``net`` (and ``optimizer``); return its history."""
    state = torch.load(path, map_location=device or "cpu", weights_only=False)
    net.load_state_dict(state["model"])
    if optimizer is not None:
        optimizer.load_state_dict(state["optimizer"])
    return state["history"]


def _why_not_resume(state, net, config):
    """Why the checkpoint ``state`` must not be resumed by ``net`` trained with ``config`` (None: it may)."""
    if not isinstance(state, dict) or "model" not in state:
        return "is not a checkpoint of train_ch6"
    if state.get("network") != network_signature(net):
        return ("was saved by another network (its layers, their settings or its forward code differ)"
                if state.get("network") else "does not say which network saved it (an older checkpoint)")
    old = state.get("config") or {}
    changed = [f"{k} {old.get(k)!r} -> {v!r}" for k, v in config.items() if old.get(k) != v]
    if changed:
        return f"was trained with other settings ({', '.join(changed)})"
    return None


def _checkpoint_path(checkpoint):
    """Quick-mode runs keep their checkpoints apart, so they never pass for real training."""
    if checkpoint is None:
        return None
    path = Path(checkpoint)
    return path.with_name(path.stem + ".quick" + path.suffix) if quick_mode() else path


def train_ch6(net, train_iter, test_iter, num_epochs, lr, device=None, *, checkpoint=None, fresh=False,
              init=True, warmup_steps=0, compile=False, plot=True, save_plot=None, verbose=True):
    """Train ``net`` with SGD and cross-entropy, like d2l's ``train_ch6`` (introduced in 05_lenet).

    Returns the history: a dict of per-epoch lists ``train_loss``, ``train_acc``,
    ``test_acc``, ``seconds`` and ``examples_per_sec`` (wall time, data included).

    * ``checkpoint``: a file; if it exists, training resumes after its last
      epoch (and nothing is trained if all ``num_epochs`` are done), but only
      if it was saved by the same network (:func:`network_signature`: the
      layers, their settings, your ``forward``) trained with the same settings
      (:func:`training_config`: device type, batch size, examples, resize, input
      standardisation, learning rate, warm-up).  Otherwise training starts from scratch, and the old file
      is kept beside it as ``<name>.stale``; one line says why.
    * ``fresh``: start from scratch on purpose (the old checkpoint is kept as
      ``<name>.stale``).
    * ``init``: apply d2l's Xavier initialisation first (ignored when resuming).
    * ``warmup_steps``: raise the learning rate linearly from 0 over this many
      batches (keeps NiN and GoogLeNet from diverging in their first steps).
    * ``compile``: wrap the network in ``torch.compile`` (CUDA only).
    * ``plot``: live plot of loss and accuracies; ``save_plot`` also writes
      it as a PNG (headless runs write ``training.png`` when no name is given).
    * In quick mode (:func:`quick_mode`) it runs one epoch on the loaders'
      couple of batches.
    """
    from .plot import Animator

    device = torch.device(device) if device is not None else try_gpu()
    quick = quick_mode()
    if quick:
        num_epochs = min(num_epochs, QUICK_EPOCHS)
    # channels_last: faster convolutions on CUDA and, with oneDNN, on the CPU too
    memory_format = torch.channels_last if device.type in ("cuda", "cpu") else torch.contiguous_format
    net.to(device=device)
    optimizer = torch.optim.SGD(net.parameters(), lr=lr)
    history = {k: [] for k in ("train_loss", "train_acc", "test_acc", "seconds", "examples_per_sec")}
    ckpt = _checkpoint_path(checkpoint)
    config = training_config(train_iter, lr, device, warmup_steps)
    resumed = False
    if ckpt is not None and ckpt.exists():
        try:
            state = torch.load(ckpt, map_location=device, weights_only=False)
            why = "is set aside (fresh=True)" if fresh else _why_not_resume(state, net, config)
            if why is None:
                net.load_state_dict(state["model"])
                optimizer.load_state_dict(state["optimizer"])
                history = state["history"]
                resumed = True
        except (RuntimeError, KeyError, ValueError, EOFError, OSError, TypeError) as err:
            why = f"cannot be resumed ({type(err).__name__})"   # a damaged file, or weights that do not fit
            history = {k: [] for k in history}
        if resumed:
            if verbose:
                print(f"resumed from {ckpt} after epoch {len(history['train_loss'])}")
        else:
            # another network, other settings, a damaged file, or on purpose: keep the old file, start afresh
            stale = ckpt.with_name(ckpt.name + ".stale")
            os.replace(ckpt, stale)
            print(f"{ckpt} {why}: kept it as {stale.name}, training from scratch")
    if not resumed and init:
        net.apply(init_weights)
    # after the initialisation, so that a seed gives the same weights as d2l's (the RNG fills memory in order)
    net.to(memory_format=memory_format)
    start_epoch = len(history["train_loss"])
    model = torch.compile(net) if compile and device.type == "cuda" else net
    loss_fn = nn.CrossEntropyLoss()
    amp, needs_scaler = _amp(device)
    scaler = torch.amp.GradScaler("cuda") if needs_scaler else None
    animator = Animator(xlabel="epoch", xlim=[1, max(num_epochs, 2)], legend=["train loss", "train acc", "test acc"],
                        save_path=save_plot) if plot else None
    if animator is not None:
        for e in range(start_epoch):
            animator.add(e + 1, (history["train_loss"][e], history["train_acc"][e], history["test_acc"][e]))

    from tqdm.auto import tqdm
    steps_per_epoch = len(train_iter)
    bar = tqdm(total=(num_epochs - start_epoch) * steps_per_epoch, desc="training", unit="batch",
               disable=not verbose or num_epochs <= start_epoch, leave=False)
    step = start_epoch * steps_per_epoch
    # linear warm-up: batch k (counted over the whole run, resumed runs included) uses lr * min(1, (k + 1) / warmup)
    warmup = (torch.optim.lr_scheduler.LambdaLR(optimizer, lambda k, first=step: min(1.0, (first + k + 1) / warmup_steps))
              if warmup_steps and step < warmup_steps else None)
    threads = _CpuThreads(device)
    try:
        for epoch in range(start_epoch, num_epochs):
            start = time.perf_counter()
            net.train()
            loss_sum = torch.zeros((), device=device)
            correct = torch.zeros((), dtype=torch.long, device=device)
            seen = 0
            for i, (X, y) in enumerate(train_iter):
                threads.start(i)
                X, y = _to_device(X, y, device, memory_format)
                with amp:
                    y_hat = model(X)
                    loss = loss_fn(y_hat, y)
                optimizer.zero_grad(set_to_none=True)
                if scaler is not None:
                    scaler.scale(loss).backward()
                    scaler.step(optimizer)
                    scaler.update()
                else:
                    loss.backward()
                    optimizer.step()
                if warmup is not None:
                    warmup.step()
                with torch.no_grad():
                    loss_sum += loss.detach().float() * y.numel()
                    correct += (y_hat.argmax(dim=1) == y).sum()
                threads.stop(i)
                seen += y.numel()
                step += 1
                bar.update(1)
            net.eval()
            test_correct, test_count = _accuracy_sums(model, test_iter, device, memory_format)
            # the one host sync of the epoch
            train_loss = loss_sum.item() / seen
            train_acc = correct.item() / seen
            test_acc = test_correct.item() / max(test_count, 1)
            seconds = time.perf_counter() - start
            for key, value in zip(history, (train_loss, train_acc, test_acc, seconds, seen / seconds)):
                history[key].append(value)
            if not math.isfinite(train_loss):
                bar.close()
                raise FloatingPointError(f"the training loss became {train_loss} in epoch {epoch + 1}: "
                                         "lower the learning rate or add warm-up (warmup_steps)")
            if ckpt is not None:
                save_checkpoint(ckpt, net, optimizer, history, config)
            if animator is not None:
                animator.add(epoch + 1, (train_loss, train_acc, test_acc))
            bar.set_postfix(loss=f"{train_loss:.3f}", test_acc=f"{test_acc:.3f}")
    finally:
        threads.restore()
    bar.close()
    if animator is not None:
        animator.close()
    if verbose and history["train_loss"]:
        mode = " (quick mode: a couple of batches, not a real result)" if quick else ""
        print(f"loss {history['train_loss'][-1]:.3f}, train acc {history['train_acc'][-1]:.3f}, "
              f"test acc {history['test_acc'][-1]:.3f}{mode}")
        if len(history["examples_per_sec"]) > start_epoch:
            print(f"{history['examples_per_sec'][-1]:.1f} examples/sec on {device}")
    return history
