"""The environment check of ``00_welcome``: what this machine gives the course.

:func:`check_environment` reports the PyTorch version, the device the training
cells will use, where Fashion-MNIST was found (without downloading it) and
whether quick mode is on, so a student can see at a glance what to expect.
"""
from __future__ import annotations

import platform

import torch

from .data import candidate_dirs, find_fashion_mnist
from .quick import quick_mode
from .train import try_gpu


def check_environment(log=print):
    """Print and return a dict: torch version, device, Fashion-MNIST's folder (or None), quick mode."""
    device = try_gpu()
    name = torch.cuda.get_device_name(device) if device.type == "cuda" else f"CPU ({platform.processor() or platform.machine()}, {torch.get_num_threads()} threads)"
    found = find_fashion_mnist()
    folder = found["train"][0].parent if found else None
    info = {"torch": torch.__version__, "device": str(device), "device_name": name,
            "fashion_mnist": str(folder) if folder else None, "quick_mode": quick_mode()}
    log(f"PyTorch       {info['torch']}")
    log(f"device        {device}: {name}")
    if folder:
        log(f"Fashion-MNIST found in {folder}")
    else:
        places = ", ".join(str(p) for p in candidate_dirs())
        log(f"Fashion-MNIST not found locally (looked in {places}); the first training cell will download it")
    log(f"quick mode    {'on: training cells run a couple of batches' if info['quick_mode'] else 'off'}")
    if device.type == "cpu" and not info["quick_mode"]:
        log("              (no GPU: training cells shrink to a few minutes each and say so)")
    return info
