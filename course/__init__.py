"""Modern CNNs in PyTorch: the helpers the course notebooks import.

One module per concern, so any behaviour is in one place:

* ``course.data``     Fashion-MNIST, found locally first, batches on the device
* ``course.train``    ``try_gpu``, seeds, quick mode, ``train_ch6`` with checkpoints
* ``course.plot``     the live training plot, image grids
* ``course.testing``  what the notebooks' test cells use (shapes, counts, closeness, ``forbid``)
* ``course.env``      the environment check of 00_welcome
* ``course.validate`` the student's self-check, ``python -m course validate``
* ``course.build``    the instructor's ``python -m course build``, ``check`` and ``bundle``
* ``course.grade``    the instructor's ``python -m course grade`` (``course.demo``: its demo)

This package never holds an exercise's answer: students receive it.
"""
from .data import get_fashion_mnist_labels, load_data_fashion_mnist
from .env import check_environment
from .plot import Animator, show_images
from .train import init_weights, quick_mode, seed_everything, train_ch6, try_all_gpus, try_gpu

__all__ = ["Animator", "check_environment", "get_fashion_mnist_labels", "init_weights", "load_data_fashion_mnist",
           "quick_mode", "seed_everything", "show_images", "train_ch6", "try_all_gpus", "try_gpu"]
