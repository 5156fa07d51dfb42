"""The Fashion-MNIST loader: where it looks, what it yields, and how it fails (spec section 6)."""
import gzip
import shutil
from pathlib import Path

import numpy as np
import pytest
import torch

from course import data
from system import needs

DEBIAN = data.DEBIAN_DIR
needs_debian = needs("dataset-fashion-mnist", "the loader's tests read the real files")


def write_idx(folder, n_train=5, n_test=3, gz=True, layout=""):
    """A tiny, valid Fashion-MNIST look-alike: image k is filled with the value k."""
    folder = Path(folder) / layout
    folder.mkdir(parents=True, exist_ok=True)
    for split, n in (("train", n_train), ("t10k", n_test)):
        images = np.repeat(np.arange(n, dtype=np.uint8), 28 * 28).reshape(n, 28, 28)
        labels = (np.arange(n) % 10).astype(np.uint8)
        for kind, arr, magic in (("images-idx3", images, 3), ("labels-idx1", labels, 1)):
            header = bytes([0, 0, 8, magic]) + b"".join(int(d).to_bytes(4, "big") for d in arr.shape)
            name = folder / f"{split}-{kind}-ubyte"
            payload = header + arr.tobytes()
            if gz:
                with gzip.open(str(name) + ".gz", "wb") as f:
                    f.write(payload)
            else:
                name.write_bytes(payload)
    return folder


@pytest.fixture(autouse=True)
def full_mode(monkeypatch):
    """These tests look at whole passes: switch quick mode off (conftest turns it on)."""
    monkeypatch.delenv("COURSE_QUICK", raising=False)
    monkeypatch.delenv("NBGRADER_EXECUTION", raising=False)


@pytest.fixture
def isolated(tmp_path, monkeypatch):
    """Run in an empty folder with no COURSE_DATA and no Debian copy visible."""
    monkeypatch.chdir(tmp_path)
    monkeypatch.delenv("COURSE_DATA", raising=False)
    monkeypatch.setattr(data, "DEBIAN_DIR", tmp_path / "no-debian")
    data.read_idx.cache_clear()
    return tmp_path


def test_explicit_root_wins_over_everything(isolated, monkeypatch):
    """An explicit root is searched first, before $COURSE_DATA and ./data."""
    write_idx(isolated / "mine", n_train=4)
    write_idx(isolated / "env", n_train=6)
    write_idx(isolated / "data", n_train=7)
    monkeypatch.setenv("COURSE_DATA", str(isolated / "env"))
    assert len(data.load_fashion_mnist_arrays(isolated / "mine")["train"][1]) == 4
    assert len(data.load_fashion_mnist_arrays()["train"][1]) == 6
    monkeypatch.delenv("COURSE_DATA")
    assert len(data.load_fashion_mnist_arrays()["train"][1]) == 7


def test_torchvision_layout_uncompressed(isolated):
    """torchvision's FashionMNIST/raw layout with uncompressed files is found too."""
    write_idx(isolated / "data", n_train=3, gz=False, layout="FashionMNIST/raw")
    arrays = data.load_fashion_mnist_arrays(download=False)
    images, labels = arrays["train"]
    assert images.shape == (3, 28, 28) and images.dtype == torch.uint8
    assert labels.tolist() == [0, 1, 2] and int(images[2, 0, 0]) == 2


def test_missing_everywhere_is_one_clear_error(isolated, monkeypatch):
    """Offline and nowhere to be found: one sentence naming every place looked at."""
    from torchvision.datasets import FashionMNIST
    monkeypatch.setattr(FashionMNIST, "mirrors", [f"file://{isolated}/nowhere/"])
    monkeypatch.setenv("COURSE_DATA", str(isolated / "env"))
    with pytest.raises(data.DatasetNotFoundError) as err:
        data.load_data_fashion_mnist(8, root=isolated / "explicit")
    msg = str(err.value)
    for place in ("explicit", "env", "data", "no-debian", "dataset-fashion-mnist", "COURSE_DATA"):
        assert place in msg, f"the error should name {place}: {msg}"
    assert msg.count(". ") == 0 and "\n" not in msg, f"expected one sentence: {msg}"
    assert not any(isolated.glob("explicit/**/*-ubyte*")), "a failed download must leave no partial dataset"


def test_corrupt_file_is_reported(isolated):
    """A truncated IDX file is an error that names the file, never a silent substitute."""
    folder = write_idx(isolated / "data", gz=False)
    victim = folder / "train-images-idx3-ubyte"
    victim.write_bytes(victim.read_bytes()[:100])
    with pytest.raises(ValueError, match="truncated"):
        data.load_fashion_mnist_arrays(download=False)


@pytest.fixture
def local_mirror():
    """The Debian copy served over HTTP on 127.0.0.1 (loopback only), standing in for torchvision's mirrors."""
    import functools
    import http.server
    import threading
    handler = functools.partial(http.server.SimpleHTTPRequestHandler, directory=str(DEBIAN))
    handler.log_message = lambda *args: None
    server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), handler)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    yield f"http://127.0.0.1:{server.server_address[1]}/"
    server.shutdown()
    server.server_close()


@needs_debian
def test_download_is_real_code_tested_with_local_mirror(isolated, monkeypatch, local_mirror):
    """torchvision's downloader, pointed at a local HTTP mirror of the Debian copy, fetches and MD5-checks all four files."""
    import hashlib
    from torchvision.datasets import FashionMNIST
    monkeypatch.setattr(FashionMNIST, "mirrors", [local_mirror])
    # Debian recompressed the archives, so their MD5 sums differ from upstream's: check against the served files.
    monkeypatch.setattr(FashionMNIST, "resources", [
        (name, hashlib.md5((DEBIAN / name).read_bytes()).hexdigest()) for name, _ in FashionMNIST.resources])
    train_iter, test_iter = data.load_data_fashion_mnist(256, root=isolated / "downloaded")
    assert (isolated / "downloaded" / "FashionMNIST" / "raw" / "train-images-idx3-ubyte").exists()
    assert train_iter.images.shape[0] == 60000 and test_iter.images.shape[0] == 10000


DEVICES = ["cpu"] + (["cuda"] if torch.cuda.is_available() else [])


@needs_debian
@pytest.mark.parametrize("device", DEVICES)
def test_debian_copy_matches_torchvision(tmp_path, monkeypatch, device):
    """The device-resident loader yields exactly torchvision's images and labels for the same indices,
    native and resized to d2l's sizes (d2l's pipeline: PIL Resize, then ToTensor), in both splits."""
    import torchvision
    from torchvision import transforms
    monkeypatch.delenv("COURSE_DATA", raising=False)
    monkeypatch.chdir(tmp_path)
    raw = tmp_path / "tv" / "FashionMNIST" / "raw"
    raw.mkdir(parents=True)
    for f in DEBIAN.glob("*-ubyte.gz"):
        with gzip.open(f) as src, open(raw / f.name[:-3], "wb") as dst:
            shutil.copyfileobj(src, dst)
    batch = 50
    for resize in (None, 64, 96, 224):
        trans = [transforms.ToTensor()] if resize is None else [transforms.Resize(resize), transforms.ToTensor()]
        train_iter, test_iter = data.load_data_fashion_mnist(batch, resize=resize, device=device)
        assert train_iter.images.device.type == device and train_iter.images.dtype == torch.uint8
        train_iter.shuffle = False  # read in order, so batch k holds indices k*batch...
        for train, it in ((False, test_iter), (True, train_iter)):
            tv = torchvision.datasets.FashionMNIST(str(tmp_path / "tv"), train=train,
                                                   transform=transforms.Compose(trans))
            X, y = next(iter(it))
            assert X.device.type == device and y.device.type == device
            expected = torch.stack([tv[i][0] for i in range(batch)])
            assert X.shape == expected.shape == (batch, 1, resize or 28, resize or 28)
            assert y.tolist() == [tv[i][1] for i in range(batch)]
            tol = 0 if resize is None else 1 / 255 + 1e-6  # PIL's fixed-point rounding may differ by one grey level
            torch.testing.assert_close(X.cpu(), expected, atol=tol, rtol=0)
            if resize is None:  # every example of the split, against torchvision's own reading of the files
                Xs, ys = zip(*it)
                assert torch.equal((torch.cat(Xs) * 255).round().to(torch.uint8).squeeze(1).cpu(), tv.data)
                assert torch.equal(torch.cat(ys).cpu(), tv.targets)
        # normalize=True: torchvision's Normalize with the training set's mean and std, after the same transforms
        norm_iter, _ = data.load_data_fashion_mnist(batch, resize=resize, device=device, normalize=True)
        norm_iter.shuffle = False
        tv = torchvision.datasets.FashionMNIST(str(tmp_path / "tv"), train=True, transform=transforms.Compose(
            trans + [transforms.Normalize((data.MEAN,), (data.STD,))]))
        X, y = next(iter(norm_iter))
        assert y.tolist() == [tv[i][1] for i in range(batch)]
        torch.testing.assert_close(X.cpu(), torch.stack([tv[i][0] for i in range(batch)]),
                                   atol=tol / data.STD + 1e-5, rtol=0)


@needs_debian
def test_loader_batches_shuffle_and_quick_mode(monkeypatch):
    """Batches have d2l's shapes and range; training batches are shuffled; quick mode cuts each pass."""
    train_iter, test_iter = data.load_data_fashion_mnist(256, resize=32, n_train=1000, n_test=300)
    assert len(train_iter) == 4 and len(test_iter) == 2
    X, y = next(iter(train_iter))
    assert X.shape == (256, 1, 32, 32) and X.dtype == torch.float32 and y.dtype == torch.int64
    assert 0 <= X.min() and X.max() <= 1
    Xn, _ = next(iter(data.load_data_fashion_mnist(60000, normalize=True)[0]))
    assert abs(Xn.mean().item()) < 1e-3 and abs(Xn.std().item() - 1) < 1e-3, "normalize=True standardises the training set"
    first = [y.tolist() for _, y in train_iter]
    second = [y.tolist() for _, y in train_iter]
    assert first != second, "the training set must be reshuffled every epoch"
    assert sum(len(b) for b in first) == 1000
    assert [y.tolist() for _, y in test_iter] == [y.tolist() for _, y in test_iter], "the test set is not shuffled"
    monkeypatch.setenv("NBGRADER_EXECUTION", "autograde")
    train_iter, _ = data.load_data_fashion_mnist(256)
    assert len(train_iter) == 2 and next(iter(train_iter))[0].shape[0] == 16
