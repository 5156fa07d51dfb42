"""Fashion-MNIST, found locally first and held in memory (on the GPU when there is one).

Introduced in 05_lenet; every architecture notebook after it uses
:func:`load_data_fashion_mnist` exactly as d2l's book does.

Where the files are looked for, in order (course spec section 6):

1. an explicit ``root`` argument,
2. ``$COURSE_DATA``,
3. ``./data``,
4. the Debian package ``dataset-fashion-mnist`` (``/usr/share/datasets/fashion-mnist``),
5. and only then a download with torchvision into ``./data``.

In each place the four IDX files may be gzipped or not, directly in the folder
or in torchvision's ``FashionMNIST/raw`` layout.
"""
from __future__ import annotations

import functools
import gzip
import os
from pathlib import Path

import numpy as np
import torch
from torch.nn import functional as F

from .quick import QUICK_BATCH_SIZE, QUICK_BATCHES, quick_mode

DEBIAN_DIR = Path("/usr/share/datasets/fashion-mnist")
FILES = {
    "train": ("train-images-idx3-ubyte", "train-labels-idx1-ubyte"),
    "test": ("t10k-images-idx3-ubyte", "t10k-labels-idx1-ubyte"),
}
# Mean and standard deviation of the training images' pixels in [0, 1] (all 60,000, computed once):
# ``normalize=True`` standardises every batch with them.
MEAN, STD = 0.2860, 0.3530
TEXT_LABELS = ("t-shirt", "trouser", "pullover", "dress", "coat",
               "sandal", "shirt", "sneaker", "bag", "ankle boot")


class DatasetNotFoundError(FileNotFoundError):
    """Fashion-MNIST is in none of the places the loader looks, and could not be downloaded."""


def get_fashion_mnist_labels(labels):
    """Text labels for numeric labels (d2l 3.5; used in 05_lenet)."""
    return [TEXT_LABELS[int(i)] for i in labels]


def candidate_dirs(root=None):
    """The folders searched for the IDX files, in the order of spec section 6."""
    dirs = []
    if root is not None:
        dirs.append(Path(root))
    if os.environ.get("COURSE_DATA"):
        dirs.append(Path(os.environ["COURSE_DATA"]))
    dirs += [Path("data"), DEBIAN_DIR]
    return dirs


def _find_file(folder: Path, stem: str):
    for sub in (folder, folder / "FashionMNIST" / "raw", folder / "fashion-mnist"):
        for name in (stem, stem + ".gz"):
            if (sub / name).is_file():
                return sub / name
    return None


def find_fashion_mnist(root=None):
    """Return the folder-independent paths of the four files, or ``None`` if no place has all four."""
    for folder in candidate_dirs(root):
        paths = {split: tuple(_find_file(folder, s) for s in stems) for split, stems in FILES.items()}
        if all(p is not None for pair in paths.values() for p in pair):
            return paths
    return None


def download_fashion_mnist(root="data"):
    """Download with torchvision into ``root/FashionMNIST/raw`` and return the file paths.

    torchvision checks every file's MD5 sum.  Its mirror list
    (``torchvision.datasets.FashionMNIST.mirrors``) can point at a local copy,
    which is how the tests exercise this code without a network.
    """
    from torchvision.datasets import FashionMNIST

    for train in (True, False):
        FashionMNIST(root=str(root), train=train, download=True)
    return find_fashion_mnist(root)


@functools.lru_cache(maxsize=8)
def read_idx(path):
    """Read one IDX file (gzipped or not) as a numpy uint8 array, checking its header."""
    opener = gzip.open if str(path).endswith(".gz") else open
    with opener(path, "rb") as f:
        data = f.read()
    if len(data) < 4 or data[0] != 0 or data[1] != 0 or data[2] != 8:
        raise ValueError(f"{path} is not an IDX file of unsigned bytes (bad header); delete it and try again")
    ndim = data[3]
    dims = [int.from_bytes(data[4 + 4 * i: 8 + 4 * i], "big") for i in range(ndim)]
    body = np.frombuffer(data, dtype=np.uint8, offset=4 + 4 * ndim)
    if body.size != int(np.prod(dims)):
        raise ValueError(f"{path} is truncated: expected {int(np.prod(dims))} bytes of data, found {body.size}")
    return body.reshape(dims)


def load_fashion_mnist_arrays(root=None, download=True):
    """The raw dataset as uint8 tensors: ``{"train": (images N x 28 x 28, labels N), "test": ...}``."""
    paths = find_fashion_mnist(root)
    if paths is None and download:
        try:
            paths = download_fashion_mnist(root if root is not None else "data")
        except Exception as err:  # no network, a proxy, a bad checksum...
            paths, cause = None, err
        else:
            cause = None
    if paths is None:
        places = ", ".join(str(p) for p in candidate_dirs(root))
        detail = " ".join(str(cause).split()) if cause is not None else ""
        reason = f" ({type(cause).__name__}: {detail})" if download and cause is not None else ""
        raise DatasetNotFoundError(
            f"Fashion-MNIST was not found in {places}, and downloading it with torchvision failed{reason}: "
            "put the four *-ubyte.gz files in one of those folders, set COURSE_DATA to their folder, "
            "or install the Debian package dataset-fashion-mnist.")
    out = {}
    for split, (img_path, lbl_path) in paths.items():
        images, labels = read_idx(str(img_path)), read_idx(str(lbl_path))
        if images.ndim != 3 or labels.ndim != 1 or len(images) != len(labels):
            raise ValueError(f"{img_path} and {lbl_path} do not hold matching images and labels")
        out[split] = (torch.from_numpy(images.copy()), torch.from_numpy(labels.astype(np.int64)))
    return out


def resize_images(X, size):
    """Resize a uint8 batch ``(B, 1, h, w)`` to ``(B, 1, size, size)`` as float in [0, 1].

    Bilinear, half-pixel centres and antialiasing like PIL's ``Image.resize``
    (what torchvision's ``Resize`` does to the PIL images d2l feeds it), then
    rounded to the 256 grey levels a PIL image has, so the pixels are the ones
    d2l trains on (to within one grey level of PIL's fixed-point rounding).
    """
    X = X.to(torch.float32, copy=True)  # a fresh tensor, so the in-place steps below never touch the dataset
    if size is not None and tuple(X.shape[-2:]) != (size, size):
        X = F.interpolate(X, size=(size, size), mode="bilinear", align_corners=False, antialias=True)
        X = X.round_().clamp_(0, 255)
    return X.div_(255)


class FashionMNISTLoader:
    """Batches of one split, sliced from tensors that live on ``device``.

    The whole split is held as uint8 (47 MB for both splits); each batch is
    converted to float, resized and (for training) shuffled on the device, so
    no worker processes and no per-image Python work are needed.  Iterating
    yields ``(X, y)`` with ``X`` of shape ``(batch, 1, resize, resize)`` in [0, 1]
    (d2l's ``ToTensor``), or standardised to mean 0 and standard deviation 1
    over the training set with ``normalize=True`` (torchvision's
    ``Normalize((MEAN,), (STD,))`` after ``ToTensor``).
    """

    def __init__(self, images, labels, batch_size, shuffle, resize=None, device=None,
                 max_batches=None, seed=0, normalize=False):
        device = torch.device(device) if device is not None else torch.device("cpu")
        self.images = images.to(device).unsqueeze(1)  # (N, 1, 28, 28) uint8
        self.labels = labels.to(device)
        self.batch_size, self.shuffle, self.resize = int(batch_size), shuffle, resize
        self.normalize = normalize
        self.device, self.max_batches = device, max_batches
        self.generator = torch.Generator(device="cpu").manual_seed(seed)

    def __len__(self):
        n = -(-len(self.labels) // self.batch_size)
        return n if self.max_batches is None else min(n, self.max_batches)

    @property
    def num_examples(self):
        """How many examples one pass yields (fewer than the split in quick mode)."""
        return min(len(self.labels), len(self) * self.batch_size)

    def __iter__(self):
        n = len(self.labels)
        order = torch.randperm(n, generator=self.generator).to(self.device) if self.shuffle else None
        for b in range(len(self)):
            sl = slice(b * self.batch_size, min((b + 1) * self.batch_size, n))
            idx = order[sl] if order is not None else sl
            X = resize_images(self.images[idx], self.resize)
            if self.normalize:
                X = X.sub_(MEAN).div_(STD)
            yield X, self.labels[idx]


def load_data_fashion_mnist(batch_size, resize=None, root=None, device=None,
                            n_train=None, n_test=None, seed=0, normalize=False):
    """Return ``(train_iter, test_iter)`` for Fashion-MNIST, d2l's function with the same name.

    ``resize`` gives square images of that side; ``device`` is where the data
    lives and where batches come out (use ``course.try_gpu()``); ``n_train`` /
    ``n_test`` keep only the first examples, for a CPU budget; ``normalize``
    standardises the pixels (mean 0, standard deviation 1 over the training
    set) instead of d2l's [0, 1], which 05_lenet uses to get its sigmoid LeNet
    off the loss plateau sooner.  In quick mode
    (:func:`course.quick_mode`) each pass is cut to a couple of small batches.
    Introduced in 05_lenet.
    """

    arrays = load_fashion_mnist_arrays(root)
    quick = quick_mode()
    if quick:
        batch_size = min(batch_size, QUICK_BATCH_SIZE)
    iters = []
    for split, n, shuffle in (("train", n_train, True), ("test", n_test, False)):
        images, labels = arrays[split]
        if n is not None:
            images, labels = images[:n], labels[:n]
        iters.append(FashionMNISTLoader(images, labels, batch_size, shuffle, resize, device,
                                        max_batches=QUICK_BATCHES if quick else None, seed=seed,
                                        normalize=normalize))
    return tuple(iters)
