"""Modern CNNs in PyTorch: the student runtime, what the course notebooks and the self-check import.

One module per concern, so any behaviour is in one place:

* ``course.data``       Fashion-MNIST, found locally first, batches on the device
* ``course.train``      ``try_gpu``, seeds, ``train_ch6`` with checkpoints
* ``course.quick``      quick mode and its budgets
* ``course.plot``       the live training plot, image grids
* ``course.testing``    what the notebooks' test cells use (shapes, counts, closeness, ``forbid``)
* ``course.env``        the environment check of 00_welcome (``python -m course env``)
* ``course.validate``   the student's self-check, ``python -m course validate``
* ``course.runner``     the one notebook runner (validate, grading and the build use it)
* ``course.coursedir``  the course directory and its paths; ``course.cells``: nbgrader's cell metadata

The instructor's tools live in ``course.instructor`` (build, check, bundle,
grade, demo), which nothing here imports and the student bundle leaves out.
This package never holds an exercise's answer: students receive it.

The names below load their module on first use, so ``python -m course.runner``
and the command line start without importing PyTorch.
"""
import importlib

_EXPORTS = {
    "Animator": "plot", "show_images": "plot",
    "check_environment": "env",
    "get_fashion_mnist_labels": "data", "load_data_fashion_mnist": "data",
    "quick_mode": "quick",
    "init_weights": "train", "seed_everything": "train", "train_ch6": "train", "try_all_gpus": "train",
    "try_gpu": "train",
}
__all__ = sorted(_EXPORTS)


def __getattr__(name):
    if name in _EXPORTS:
        value = getattr(importlib.import_module(f".{_EXPORTS[name]}", __name__), name)
        globals()[name] = value
        return value
    raise AttributeError(f"module 'course' has no attribute {name!r}")


def __dir__():
    return sorted(set(globals()) | set(_EXPORTS))
