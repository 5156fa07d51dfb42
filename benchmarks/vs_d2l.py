#!/usr/bin/env python
"""Our training path against d2l's own, side by side, in one process.

For each network and seed it trains two copies of the same network, with the
same initial weights, data, epochs, batch size and learning rate:

* **d2l**: ``d2l.load_data_fashion_mnist`` and ``d2l.train_ch6`` from the d2l
  package on PyPI (torchvision reading the same files, PIL transforms in 4
  worker processes, fp32, a host sync per batch, its animator drawing to a
  non-interactive matplotlib backend);
* **ours**: ``course.load_data_fashion_mnist`` and ``course.train_ch6``
  (data held on the device, no plot, no progress bar).

Each side's time is wall-clock from loading the data to the end of training,
test-set evaluation included.  Test accuracy is each side's own final figure.
Each run of each side happens in a fresh Python process (this script started
again with ``--child``), so that neither side inherits the other's warm caches,
thread pools or process-wide settings (ours tunes glibc's malloc for the
process); ``--same-process`` runs both in this one, one after the other.
The last line printed has the form::

    lenet cpu epochs=2: ours 12.3s acc 0.800 | d2l 60.0s acc 0.400 | speedup=4.88

See benchmarks/README.md for how to install d2l beside the course and how to
run the GPU table.  Run from the repository root:

    python benchmarks/vs_d2l.py --model lenet --epochs 2 --device cpu
"""
from __future__ import annotations

import argparse
import contextlib
import gzip
import io
import json
import os
import platform
import re
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
import warnings
from pathlib import Path

HERE = Path(__file__).resolve().parent
ROOT = HERE.parent
D2L_DIR = HERE / ".d2l"  # where benchmarks/README.md installs d2l, apart from the course's environment
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(HERE))

import matplotlib  # noqa: E402

matplotlib.use("Agg")  # d2l's train_ch6 draws a live plot: no display needed

import torch  # noqa: E402

import course  # noqa: E402
from course import data as course_data  # noqa: E402
from models import MODELS  # noqa: E402


def import_d2l():
    """d2l's PyTorch module, from the environment or from benchmarks/.d2l (appended, so our torch stays)."""
    try:
        from d2l import torch as d2l
    except ImportError:
        if not D2L_DIR.is_dir():
            sys.exit("d2l is not installed: pip install --no-deps --target benchmarks/.d2l "
                     "-r benchmarks/requirements.txt (see benchmarks/README.md)")
        sys.path.append(str(D2L_DIR))
        from d2l import torch as d2l
    return d2l


def prepare_data(tmp: Path):
    """Copy Fashion-MNIST into torchvision's layout under ``tmp/data`` (uncompressed), so that d2l,
    which reads ``../data`` and would otherwise download, finds it from the folder ``tmp/cwd``.
    Both sides read these same four files.  Returns ``(data_root, cwd_for_d2l)``."""
    paths = course_data.find_fashion_mnist()
    if paths is None:
        sys.exit("Fashion-MNIST not found: install the Debian package dataset-fashion-mnist, "
                 "set COURSE_DATA, or put the four *-ubyte.gz files in ./data")
    raw = tmp / "data" / "FashionMNIST" / "raw"
    raw.mkdir(parents=True)
    for pair in paths.values():
        for src in pair:
            src = Path(src)
            if src.suffix == ".gz":
                with gzip.open(src) as fin, open(raw / src.stem, "wb") as fout:
                    shutil.copyfileobj(fin, fout)
            else:
                shutil.copyfile(src, raw / src.name)
    (tmp / "cwd").mkdir()
    return tmp / "data", tmp / "cwd"


def base_network(cfg, d2l, seed):
    """The network for one run, lazy layers given their shapes; the seed makes both sides' weights the same."""
    torch.manual_seed(seed)
    net = cfg.build(d2l)
    side = cfg.resize or 28
    net.eval()
    with torch.no_grad():
        net(torch.zeros(2, 1, side, side))
    net.train()
    return net


def _sync(device):
    if device.type == "cuda":
        torch.cuda.synchronize(device)


def subset_loaders(train_iter, test_iter, limit_train, limit_test, d2l):
    """Smoke tests only: the same DataLoaders over the first examples of each split."""
    from torch.utils.data import DataLoader, Subset
    out = []
    for it, n, shuffle in ((train_iter, limit_train, True), (test_iter, limit_test, False)):
        ds = it.dataset if n is None else Subset(it.dataset, range(min(n, len(it.dataset))))
        out.append(DataLoader(ds, it.batch_size, shuffle=shuffle, num_workers=d2l.get_dataloader_workers()))
    return out


def run_d2l(d2l, net, cfg, epochs, args, device, data_cwd, seed):
    """d2l's own loader and train_ch6; its printed test accuracy is the result."""
    torch.manual_seed(seed)  # the same Xavier draws as ours; d2l's shuffling then uses this generator
    out = io.StringIO()
    old = os.getcwd()
    os.chdir(data_cwd)  # d2l reads ../data
    try:
        with contextlib.redirect_stdout(out), warnings.catch_warnings():
            warnings.simplefilter("ignore")  # "4 worker processes ... suggested max is 2", empty xlim
            _sync(device)
            start = time.perf_counter()
            train_iter, test_iter = d2l.load_data_fashion_mnist(cfg.batch_size, resize=cfg.resize)
            if args.limit_train or args.limit_test:
                train_iter, test_iter = subset_loaders(train_iter, test_iter, args.limit_train, args.limit_test, d2l)
            d2l.train_ch6(net, train_iter, test_iter, epochs, cfg.lr, device)
            _sync(device)
            seconds = time.perf_counter() - start
    finally:
        os.chdir(old)
        matplotlib.pyplot.close("all")
    text = out.getvalue()
    m = re.search(r"loss ([-\d.naif]+), train acc ([\d.]+), test acc ([\d.]+)", text)
    eps = re.search(r"([\d.]+) examples/sec", text)
    if m is None:
        raise RuntimeError(f"d2l's train_ch6 printed no result: {text[-500:]}")
    return {"seconds": seconds, "test_acc": float(m.group(3)), "train_acc": float(m.group(2)),
            "train_loss": float(m.group(1)), "examples_per_sec_printed": float(eps.group(1)) if eps else None}


def run_ours(net, cfg, epochs, args, device, data_root, seed):
    """course.load_data_fashion_mnist and course.train_ch6, data read afresh (no cache) and timed."""
    torch.manual_seed(seed)
    course_data.read_idx.cache_clear()
    _sync(device)
    start = time.perf_counter()
    train_iter, test_iter = course.load_data_fashion_mnist(
        cfg.batch_size, resize=cfg.resize, root=data_root, device=device,
        n_train=args.limit_train, n_test=args.limit_test, seed=seed, normalize=cfg.normalize)
    history = course.train_ch6(net, train_iter, test_iter, epochs, cfg.lr, device, plot=False,
                               verbose=False, compile=args.compile, warmup_steps=args.warmup_steps)
    _sync(device)
    seconds = time.perf_counter() - start
    return {"seconds": seconds, "test_acc": history["test_acc"][-1], "train_acc": history["train_acc"][-1],
            "train_loss": history["train_loss"][-1], "test_acc_per_epoch": history["test_acc"],
            "seconds_per_epoch": history["seconds"]}


def run_side(side, cfg, seed, epochs, args, device, tmp, d2l):
    """One side's run, in this process."""
    net = base_network(cfg, d2l, seed)
    if side == "ours":
        return run_ours(net, cfg, epochs, args, device, tmp / "data", seed)
    return run_d2l(d2l, net, cfg, epochs, args, device, tmp / "cwd", seed)


def run_in_child(side, name, seed, epochs, args, device, tmp):
    """One side's run in a fresh Python process (this script with ``--child``); returns its figures."""
    out = tmp / f"child-{side}-{name}-{seed}.json"
    cmd = [sys.executable, str(Path(__file__).resolve()), "--child", side, "--child-data", str(tmp),
           "--child-out", str(out), "--model", name, "--seeds", str(seed), "--epochs", str(epochs),
           "--device", str(device), "--warmup-steps", str(args.warmup_steps)]
    for flag, value in (("--limit-train", args.limit_train), ("--limit-test", args.limit_test)):
        if value is not None:
            cmd += [flag, str(value)]
    if args.compile:
        cmd.append("--compile")
    proc = subprocess.run(cmd, capture_output=True, text=True)
    if proc.returncode != 0 or not out.exists():
        raise RuntimeError(f"the {side} run of {name} (seed {seed}) failed with exit status {proc.returncode}:\n"
                           f"{(proc.stdout + proc.stderr)[-3000:]}")
    return json.loads(out.read_text())


def summary(name, device, epochs, results, sides, label=""):
    """One line: times and accuracies (medians over seeds), and the speedup."""
    med = {s: {k: statistics.median(r[s][k] for r in results) for k in ("seconds", "test_acc")} for s in sides}
    parts = [f"{s} {med[s]['seconds']:.1f}s acc {med[s]['test_acc']:.3f}" for s in sides]
    if len(sides) == 2:
        parts.append(f"speedup={med['d2l']['seconds'] / med['ours']['seconds']:.2f}")
    return f"{name} {device.type} epochs={epochs}{label}: " + " | ".join(parts), med


def main(argv=None):
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--model", nargs="+", default=["lenet"], help=f"one or more of {', '.join(MODELS)}, or all")
    ap.add_argument("--device", default=None, help="cpu, cuda or cuda:N (default: course.try_gpu())")
    ap.add_argument("--epochs", type=int, default=None, help="default: d2l's, 10")
    ap.add_argument("--seeds", type=int, nargs="+", default=[0], help="one run of each side per seed; medians reported")
    ap.add_argument("--sides", choices=["both", "ours", "d2l"], default="both")
    ap.add_argument("--compile", action="store_true", help="ours: torch.compile the network (CUDA only)")
    ap.add_argument("--warmup-steps", type=int, default=0,
                    help="ours: linear lr warm-up (changes the schedule, so not d2l's configuration)")
    ap.add_argument("--limit-train", type=int, default=None, help="smoke tests only: first N training examples")
    ap.add_argument("--limit-test", type=int, default=None, help="smoke tests only: first N test examples")
    ap.add_argument("--json", type=Path, default=None, help="also write every run's figures to this file")
    ap.add_argument("--same-process", action="store_true",
                    help="run both sides in this process instead of a fresh process for each run")
    ap.add_argument("--child", choices=["ours", "d2l"], help=argparse.SUPPRESS)  # one run, for run_in_child
    ap.add_argument("--child-data", type=Path, help=argparse.SUPPRESS)
    ap.add_argument("--child-out", type=Path, help=argparse.SUPPRESS)
    args = ap.parse_args(argv)
    if args.child:
        device = torch.device(args.device)
        if device.type == "cuda":
            torch.zeros(1, device=device)
        cfg = MODELS[args.model[0]]
        result = run_side(args.child, cfg, args.seeds[0], args.epochs, args, device, args.child_data, import_d2l())
        args.child_out.write_text(json.dumps(result))
        return

    names = list(MODELS) if args.model == ["all"] else args.model
    for name in names:
        if name not in MODELS:
            ap.error(f"unknown model {name!r}: choose from {', '.join(MODELS)} or all")
    device = torch.device(args.device) if args.device else course.try_gpu()
    if device.type == "cuda":
        torch.zeros(1, device=device)  # CUDA context created here, outside both sides' timings
    sides = ["ours", "d2l"] if args.sides == "both" else [args.sides]
    d2l = import_d2l()
    subset = args.limit_train is not None or args.limit_test is not None
    if args.limit_train is not None:  # d2l's train_ch6 divides by num_batches // 5: at least 5 batches
        args.limit_train = max(args.limit_train, 5 * max(MODELS[n].batch_size for n in names))
    label_subset = " (SUBSET: a smoke test, not a benchmark)" if subset else ""
    gpu = torch.cuda.get_device_name(device) if device.type == "cuda" else platform.processor() or platform.machine()
    print(f"torch {torch.__version__}, d2l {getattr(sys.modules.get('d2l'), '__version__', '?')}, device {device} "
          f"({gpu}), {os.cpu_count()} CPUs, torch threads {torch.get_num_threads()}, "
          f"load average {' '.join(f'{x:.2f}' for x in os.getloadavg())}", flush=True)

    report = {"device": str(device), "device_name": gpu, "torch": torch.__version__, "same_process": args.same_process,
              "runs": [], "summary": []}
    lines = []
    with tempfile.TemporaryDirectory(prefix="vs_d2l_") as tmp:
        prepare_data(Path(tmp))
        for name in names:
            cfg = MODELS[name]
            epochs = args.epochs or cfg.epochs
            results = []
            for k, seed in enumerate(args.seeds):
                # alternate which side goes first (in one process, the first pays its warm-up)
                order = sides if k % 2 == 0 else sides[::-1]
                result = {"model": name, "seed": seed, "epochs": epochs, "resize": cfg.resize,
                          "batch_size": cfg.batch_size, "lr": cfg.lr}
                for side in order:
                    if args.same_process:
                        result[side] = run_side(side, cfg, seed, epochs, args, device, Path(tmp), d2l)
                    else:
                        result[side] = run_in_child(side, name, seed, epochs, args, device, Path(tmp))
                    r = result[side]
                    print(f"  {name} seed={seed} {side}: {r['seconds']:.1f}s, test acc {r['test_acc']:.3f}, "
                          f"train loss {r['train_loss']:.3f}, train acc {r['train_acc']:.3f}"
                          + (f", d2l's printed examples/sec {r['examples_per_sec_printed']:.1f}"
                             if side == "d2l" and r.get("examples_per_sec_printed") else ""), flush=True)
                results.append(result)
                report["runs"].append(result)
            label = (f" seeds={len(args.seeds)} (medians)" if len(args.seeds) > 1 else "") + label_subset
            line, med = summary(name, device, epochs, results, sides, label)
            report["summary"].append({"model": name, "epochs": epochs, "median": med, "line": line,
                                      "d2l_median_acc_spec": cfg.d2l_median_acc})
            lines.append(line)
    load = " ".join(f"{x:.2f}" for x in os.getloadavg())
    report["load_average_end"] = load
    if args.json:
        args.json.write_text(json.dumps(report, indent=1))
    where = "in this one process" if args.same_process else "each run in a fresh process"
    note = f" (both sides ran {where}, alternating, under the same load)" if len(sides) == 2 else ""
    print(f"load average at the end {load}{note}")
    for line in lines:
        print(line)


if __name__ == "__main__":
    main()
