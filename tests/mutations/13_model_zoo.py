"""13_model_zoo: other correct answers (full marks) and planted bugs (must lose points).

The ``zoo`` answer holds all eight architectures of notebooks 05-12, so its
variants are derived from the instructor's solution in the source notebook
(one edit each, checked to apply) instead of pasting 300 lines per variant.
"""
from pathlib import Path

import nbformat

from course.cells import answer_cells
from course.instructor.build import make_solution

_ASG = "13_model_zoo"
_SOURCE = Path(__file__).resolve().parents[2] / "source" / _ASG / f"{_ASG}.ipynb"
_ZOO = answer_cells(make_solution(nbformat.read(_SOURCE, as_version=4)), _ASG)["zoo"].source


def _edited(code, cell, pairs):
    """``code`` (the solution of answer cell ``cell``) with each (old, new) replaced; each old must occur exactly once."""
    for old, new in pairs:
        assert code.count(old) == 1, f"tests/mutations/{_ASG}.py: {old!r} occurs {code.count(old)} times in the {cell} solution"
        code = code.replace(old, new)
    return code


def _edit(*pairs):
    """The solution of the zoo cell with each (old, new) replaced."""
    return _edited(_ZOO, "zoo", pairs)


_LENET_CLASS = '''class _LeNet(nn.Module):
    def __init__(self):
        super().__init__()
        self.c1, self.c2 = nn.Conv2d(1, 6, (5, 5), padding=2), nn.Conv2d(6, 16, (5, 5))
        self.fc = nn.ModuleList([nn.Linear(400, 120), nn.Linear(120, 84), nn.Linear(84, 10)])

    def forward(self, x):
        x = F.avg_pool2d(torch.sigmoid(self.c1(x)), 2)
        x = F.avg_pool2d(torch.sigmoid(self.c2(x)), 2).flatten(1)
        for i, fc in enumerate(self.fc):
            x = fc(x) if i == 2 else torch.sigmoid(fc(x))
        return x


def lenet():
    return _LeNet()


def alexnet('''

_VGG_FLAT = '''def vgg(conv_arch, in_channels=1, num_classes=10):
    """VGG written out as one flat list of layers, without vgg_block."""
    layers = []
    for num_convs, out_channels in conv_arch:
        for _ in range(num_convs):
            layers += [nn.Conv2d(in_channels, out_channels, 3, padding=1), nn.ReLU(inplace=True)]
            in_channels = out_channels
        layers.append(nn.MaxPool2d(2))
    layers += [nn.Flatten(), nn.Linear(in_channels * 49, 4096), nn.ReLU(), nn.Dropout(),
               nn.Linear(4096, 4096), nn.ReLU(), nn.Dropout(), nn.Linear(4096, num_classes)]
    return nn.Sequential(*layers)


def _unused_vgg(conv_arch, in_channels=1, num_classes=10):'''

_ZOO_RETURN = '''    return {
        "LeNet": (lenet(), 28),
        "AlexNet": (alexnet(), 224),
        "VGG-11/4": (vgg(((1, 16), (1, 32), (2, 64), (2, 128), (2, 128))), 224),
        "NiN": (nin(), 224),
        "GoogLeNet": (googlenet(), 96),
        "LeNet-BN": (lenet_bn(), 28),
        "ResNet-18": (resnet18(), 96),
        "DenseNet": (densenet(), 96),
    }'''

CORRECT = {
    "zoo": {
        "LeNet as a class with functional layers, VGG without vgg_block, the dict built from two lists": _edit(
            ("def lenet():", "def _unused_lenet():"),
            ("def alexnet(", _LENET_CLASS),
            ("def vgg(conv_arch, in_channels=1, num_classes=10):", _VGG_FLAT),
            (_ZOO_RETURN, '''    names = ["LeNet", "AlexNet", "VGG-11/4", "NiN", "GoogLeNet", "LeNet-BN", "ResNet-18", "DenseNet"]
    thin = tuple((n, c // 4) for n, c in ((1, 64), (1, 128), (2, 256), (2, 512), (2, 512)))
    nets = [lenet(), alexnet(1, 10), vgg(thin, 1, 10), nin(10), googlenet(10), lenet_bn(), resnet18(1, 10), densenet(10)]
    return dict(zip(names, zip(nets, [28, 224, 224, 224, 96, 28, 96, 96])))''')),
        "shortcut and Inception paths computed in another order, an OrderedDict filled one by one": _edit(
            ('''        Y = F.relu(self.bn1(self.conv1(X)))
        Y = self.bn2(self.conv2(Y))
        if self.conv3 is not None:
            X = self.bn3(self.conv3(X))
        return F.relu(Y + X)''', '''        shortcut = X if self.conv3 is None else self.bn3(self.conv3(X))
        return F.relu(self.bn2(self.conv2(F.relu(self.bn1(self.conv1(X))))) + shortcut)'''),
            ('''        p1 = F.relu(self.p1_1(x))
        p2 = F.relu(self.p2_2(F.relu(self.p2_1(x))))
        p3 = F.relu(self.p3_2(F.relu(self.p3_1(x))))
        p4 = F.relu(self.p4_2(self.p4_1(x)))''', '''        p4 = F.relu(self.p4_2(self.p4_1(x)))
        p3 = F.relu(self.p3_2(F.relu(self.p3_1(x))))
        p2 = F.relu(self.p2_2(F.relu(self.p2_1(x))))
        p1 = F.relu(self.p1_1(x))'''),
            (_ZOO_RETURN, '''    from collections import OrderedDict
    out = OrderedDict()
    out["LeNet"] = (lenet(), 28)
    out["AlexNet"] = (alexnet(), 224)
    out["VGG-11/4"] = (vgg([(1, 16), (1, 32), (2, 64), (2, 128), (2, 128)]), 224)
    out["NiN"] = (nin(), 224)
    out["GoogLeNet"] = (googlenet(), 96)
    out["LeNet-BN"] = (lenet_bn(), 28)
    out["ResNet-18"] = (resnet18(in_channels=1, num_classes=10), 96)
    out["DenseNet"] = (densenet(), 96)
    return out''')),
    },
}

_CBK = answer_cells(make_solution(nbformat.read(_SOURCE, as_version=4)), _ASG)["cost_by_kind"].source


def _cbk(*pairs):
    """The solution of the cost_by_kind cell (layer_complexity pasted, then cost_by_kind) with each (old, new) replaced."""
    return _edited(_CBK, "cost_by_kind", pairs)


WRONG = {
    "zoo": {
        "DenseNet missing": _edit(('        "DenseNet": (densenet(), 96),\n', "")),
        "GoogLeNet at 224 instead of 96": _edit(('"GoogLeNet": (googlenet(), 96)', '"GoogLeNet": (googlenet(), 224)')),
        "VGG at full width: d2l's VGG-11 conv_arch, channels not divided by 4": _edit(
            ("vgg(((1, 16), (1, 32), (2, 64), (2, 128), (2, 128)))", "vgg(((1, 64), (1, 128), (2, 256), (2, 512), (2, 512)))")),
        "VGG-11/4 with the block sizes of VGG-16 ((2, 16), (2, 32), (3, 64), (3, 128), (3, 128))": _edit(
            ("vgg(((1, 16), (1, 32), (2, 64), (2, 128), (2, 128)))", "vgg(((2, 16), (2, 32), (3, 64), (3, 128), (3, 128)))")),
        "ResNet-18 built for 3 input channels (resnet18(3, 10), as in 11's torchvision comparison)": _edit(
            ('"ResNet-18": (resnet18(), 96)', '"ResNet-18": (resnet18(3, 10), 96)')),
        "LeNet-BN entry built with lenet() (copy-paste of the LeNet line)": _edit(
            ('"LeNet-BN": (lenet_bn(), 28)', '"LeNet-BN": (lenet(), 28)')),
        "LeNet-BN and LeNet swapped in the order of the keys": _edit(
            ('        "LeNet": (lenet(), 28),\n', ""), ('        "LeNet-BN": (lenet_bn(), 28),\n', '        "LeNet-BN": (lenet_bn(), 28),\n        "LeNet": (lenet(), 28),\n')),
        "AlexNet at 227, the original paper's input size": _edit(('"AlexNet": (alexnet(), 224)', '"AlexNet": (alexnet(), 227)')),
        "GoogLeNet with 100 classes (googlenet(100))": _edit(('"GoogLeNet": (googlenet(), 96)', '"GoogLeNet": (googlenet(100), 96)')),
        "ResNet-18 from torchvision.models.resnet18 with a 1-channel stem (same layers, not built from them)": _edit(
            ('"ResNet-18": (resnet18(), 96),', '"ResNet-18": (_tv_resnet18(), 96),'),
            ("def zoo():", """def _tv_resnet18():
    import torchvision
    net = torchvision.models.resnet18(weights=None, num_classes=10)
    net.conv1 = nn.Conv2d(1, 64, kernel_size=7, stride=2, padding=3, bias=False)
    return net


def zoo():""")),
    },
    "cost_by_kind": {
        "parameters added at every call (a layer that runs twice counted twice)": _cbk(
            ("        if name not in counted:           # parameters are stored once, however often the layer runs\n"
             "            counted.add(name)\n            totals[kind][0] += params",
             "        totals[kind][0] += params")),
        "MACs counted once per layer, not at every call": _cbk(
            ("        totals[kind][1] += macs           # MACs are paid at every call\n", ""),
            ("            totals[kind][0] += params", "            totals[kind][0] += params\n            totals[kind][1] += macs")),
        "a kind without layers left out of the dict": _cbk(
            ("    return {kind: tuple(t) for kind, t in totals.items()}",
             "    return {kind: tuple(t) for kind, t in totals.items() if t != [0, 0]}")),
        "the kind read from the layer's name ('conv' in the name) instead of its type": _cbk(
            ('kind = "conv" if isinstance(modules[name], nn.Conv2d) else "linear"', 'kind = "conv" if "conv" in name else "linear"')),
        "(macs, params) instead of (params, macs)": _cbk(
            ("    return {kind: tuple(t) for kind, t in totals.items()}",
             "    return {kind: (t[1], t[0]) for kind, t in totals.items()}")),
        "MACs summed over the batch (layer_complexity's rows times the batch size)": _cbk(
            ("        totals[kind][1] += macs           # MACs are paid at every call",
             "        totals[kind][1] += macs * input_shape[0]")),
    },
}
_LENET_BN_OLD = """    return nn.Sequential(
        nn.Conv2d(1, 6, kernel_size=5, padding=2), nn.BatchNorm2d(6), nn.Sigmoid(),
        nn.AvgPool2d(kernel_size=2, stride=2),
        nn.Conv2d(6, 16, kernel_size=5), nn.BatchNorm2d(16), nn.Sigmoid(),
        nn.AvgPool2d(kernel_size=2, stride=2), nn.Flatten(),
        nn.Linear(16 * 5 * 5, 120), nn.BatchNorm1d(120), nn.Sigmoid(),
        nn.Linear(120, 84), nn.BatchNorm1d(84), nn.Sigmoid(),
        nn.Linear(84, 10))"""

_LENET_BN_SCRATCH = """    return nn.Sequential(
        nn.Conv2d(1, 6, kernel_size=5, padding=2), BatchNorm(6, num_dims=4), nn.Sigmoid(),
        nn.AvgPool2d(kernel_size=2, stride=2),
        nn.Conv2d(6, 16, kernel_size=5), BatchNorm(16, num_dims=4), nn.Sigmoid(),
        nn.AvgPool2d(kernel_size=2, stride=2), nn.Flatten(),
        nn.Linear(16 * 5 * 5, 120), BatchNorm(120, num_dims=2), nn.Sigmoid(),
        nn.Linear(120, 84), BatchNorm(84, num_dims=2), nn.Sigmoid(),
        nn.Linear(84, 10))


def batch_norm(X, gamma, beta, moving_mean, moving_var, eps, momentum, training):
    \"\"\"The scratch batch norm of 10 (moving averages keep `momentum` of the old value).\"\"\"
    if not training:
        X_hat = (X - moving_mean) / torch.sqrt(moving_var + eps)
    else:
        dims = (0,) if X.dim() == 2 else (0, 2, 3)
        mean = X.mean(dim=dims, keepdim=True)
        var = ((X - mean) ** 2).mean(dim=dims, keepdim=True)
        X_hat = (X - mean) / torch.sqrt(var + eps)
        n = X.numel() // X.shape[1]
        moving_mean = momentum * moving_mean + (1.0 - momentum) * mean.detach()
        moving_var = momentum * moving_var + (1.0 - momentum) * var.detach() * n / max(n - 1, 1)
    return gamma * X_hat + beta, moving_mean, moving_var


class BatchNorm(nn.Module):
    def __init__(self, num_features, num_dims):
        super().__init__()
        shape = (1, num_features) if num_dims == 2 else (1, num_features, 1, 1)
        self.gamma = nn.Parameter(torch.ones(shape))
        self.beta = nn.Parameter(torch.zeros(shape))
        self.register_buffer("moving_mean", torch.zeros(shape))
        self.register_buffer("moving_var", torch.ones(shape))

    def forward(self, X):
        Y, mean, var = batch_norm(X, self.gamma, self.beta, self.moving_mean, self.moving_var, 1e-5, 0.9, self.training)
        self.moving_mean.copy_(mean)
        self.moving_var.copy_(var)
        return Y"""

_ZOO_LISTS = """    return {
        "LeNet": [lenet(), 28],
        "AlexNet": [alexnet(), 224],
        "VGG-11/4": [vgg(((1, 16), (1, 32), (2, 64), (2, 128), (2, 128))), 224],
        "NiN": [nin(), 224],
        "GoogLeNet": [googlenet(), 96],
        "LeNet-BN": [lenet_bn(), 28],
        "ResNet-18": [resnet18(), 96],
        "DenseNet": [densenet(), 96],
    }"""

CORRECT["zoo"].update({
    "pairs as lists, lenet_bn with the scratch BatchNorm of 10": _edit((_LENET_BN_OLD, _LENET_BN_SCRATCH), (_ZOO_RETURN, _ZOO_LISTS)),
    "a bug in a pasted block (Residual without its final ReLU), already charged in 11, is not charged again": _edit(
        ("""            X = self.bn3(self.conv3(X))
        return F.relu(Y + X)""", """            X = self.bn3(self.conv3(X))
        return Y + X""")),
    "a bug in a pasted constructor (AlexNet with 2048-unit hidden layers), already charged in 06, is not charged again": _edit(
        ("""        nn.Linear(6400, 4096), nn.ReLU(), nn.Dropout(p=0.5),
        nn.Linear(4096, 4096), nn.ReLU(), nn.Dropout(p=0.5),
        nn.Linear(4096, num_classes))""", """        nn.Linear(6400, 2048), nn.ReLU(), nn.Dropout(p=0.5),
        nn.Linear(2048, 2048), nn.ReLU(), nn.Dropout(p=0.5),
        nn.Linear(2048, num_classes))""")),
    "bugs in pasted constructors (DenseNet growth 16, ResNet stem stride 1, NiN 1x1 last block), charged in 12, 11, 08, not charged again": _edit(
        ("num_channels, growth_rate = 64, 32", "num_channels, growth_rate = 64, 16"),
        ("nn.Conv2d(in_channels, 64, kernel_size=7, stride=2, padding=3, bias=False)",
         "nn.Conv2d(in_channels, 64, kernel_size=7, stride=1, padding=3, bias=False)"),
        ("nin_block(384, num_classes, kernel_size=3, strides=1, padding=1)",
         "nin_block(384, num_classes, kernel_size=1, strides=1, padding=0)")),
    "a constructor never written (googlenet still raises, 09 not done): zoo() is graded on its own": _edit(
        ("def googlenet(num_classes=10):", 'def googlenet(num_classes=10):\n    raise NotImplementedError("09 not done")\n\n\ndef _unused_googlenet(num_classes=10):')),
})

CORRECT["cost_by_kind"] = {
    "own forward hooks, no layer_complexity, pairs as lists": _cbk(
        ("""    modules = dict(net.named_modules())
    totals = {"conv": [0, 0], "linear": [0, 0]}""", """    totals = {"conv": [0, 0], "linear": [0, 0]}
    seen, handles = set(), []

    def hook(m, inputs, out):
        kind = "conv" if isinstance(m, nn.Conv2d) else "linear"
        if isinstance(m, nn.Conv2d):
            totals[kind][1] += out[0].numel() * m.weight[0].numel()
        else:
            totals[kind][1] += m.in_features * m.out_features
        if id(m) not in seen:
            seen.add(id(m))
            totals[kind][0] += sum(p.numel() for p in m.parameters())

    for m in net.modules():
        if isinstance(m, (nn.Conv2d, nn.Linear)):
            handles.append(m.register_forward_hook(hook))
    try:
        with torch.no_grad():
            net(torch.zeros(input_shape))
    finally:
        for h in handles:
            h.remove()
    return {"conv": list(totals["conv"]), "linear": list(totals["linear"])}
    modules = {}"""),),
    "a Counter per kind and the unique layers' parameters summed at the end": _cbk(
        ("""    modules = dict(net.named_modules())
    totals = {"conv": [0, 0], "linear": [0, 0]}""", """    from collections import defaultdict
    modules = dict(net.named_modules())
    rows = layer_complexity(net, input_shape)
    kind_of = lambda n: "conv" if isinstance(modules[n], nn.Conv2d) else "linear"
    macs = defaultdict(int)
    params = {n: p for n, p, _ in rows}
    for n, _, m in rows:
        macs[kind_of(n)] += m
    return dict(conv=(sum(p for n, p in params.items() if kind_of(n) == "conv"), macs["conv"]),
                linear=(sum(p for n, p in params.items() if kind_of(n) == "linear"), macs["linear"]))
    totals = {"conv": [0, 0], "linear": [0, 0]}"""),),
    "a bug in the pasted layer_complexity (parameters without the bias), already charged in 06, is not charged again": _cbk(
        ("        params = sum(p.numel() for p in module.parameters())", "        params = module.weight.numel()")),
    "layer_complexity never written (06 not done): cost_by_kind is graded on its own": _cbk(
        ("    names = {m: name for name, m in net.named_modules()}\n",
         '    raise NotImplementedError("06 not done")\n    names = {m: name for name, m in net.named_modules()}\n')),
}

WRONG["zoo"].update({
    "constructors stored at cell level before zoo() runs (the course's cannot take their place)": _edit(
        (_ZOO_RETURN, '''    return {name: (build(), size) for name, (build, size) in _BUILD.items()}


_BUILD = {"LeNet": (lenet, 28), "AlexNet": (alexnet, 224),
          "VGG-11/4": (lambda arch=((1, 16), (1, 32), (2, 64), (2, 128), (2, 128)), f=vgg: f(arch), 224),
          "NiN": (nin, 224), "GoogLeNet": (googlenet, 96), "LeNet-BN": (lenet_bn, 28),
          "ResNet-18": (resnet18, 96), "DenseNet": (densenet, 96)}''')),
    "ResNet-18 built with an argument its signature does not have (resnet18(1, 10, 96))": _edit(
        ('"ResNet-18": (resnet18(), 96)', '"ResNet-18": (resnet18(1, 10, 96), 96)')),
    "a misspelt key (VGG-11 instead of VGG-11/4)": _edit(('"VGG-11/4": (vgg(', '"VGG-11": (vgg(')),
})

CORRECT["zoo"].update({
    "a table of lambdas built inside zoo(), keyword arguments": _edit(
        (_ZOO_RETURN, '''    arch = [[1, 16], [1, 32], [2, 64], [2, 128], [2, 128]]
    table = {"LeNet": (lambda: lenet(), 28), "AlexNet": (lambda: alexnet(in_channels=1, num_classes=10), 224),
             "VGG-11/4": (lambda: vgg(arch, in_channels=1, num_classes=10), 224), "NiN": (lambda: nin(num_classes=10), 224),
             "GoogLeNet": (lambda: googlenet(num_classes=10), 96), "LeNet-BN": (lambda: lenet_bn(), 28),
             "ResNet-18": (lambda: resnet18(in_channels=1, num_classes=10), 96), "DenseNet": (lambda: densenet(), 96)}
    return {name: (make(), size) for name, (make, size) in table.items()}''')),
})

WRONG["cost_by_kind"].update({
    "parameters of every module of the network, including a layer that never runs": _cbk(
        ("    return {kind: tuple(t) for kind, t in totals.items()}",
         "    for m in net.modules():\n"
         "        if isinstance(m, (nn.Conv2d, nn.Linear)):\n"
         "            totals['conv' if isinstance(m, nn.Conv2d) else 'linear'][0] += 0 if id(m) in {id(modules[n]) for n in counted} "
         "else sum(p.numel() for p in m.parameters())\n"
         "    return {kind: tuple(t) for kind, t in totals.items()}")),
    "parameters de-duplicated by their value, so two distinct layers of the same size count once": _cbk(
        ("        if name not in counted:           # parameters are stored once, however often the layer runs\n"
         "            counted.add(name)",
         "        if (kind, params) not in counted:\n"
         "            counted.add((kind, params))")),
    "own hooks that count MACs over the whole batch (out.numel())": _cbk(
        ("    for name, params, macs in layer_complexity(net, input_shape):",
         "    def _rows():\n"
         "        rows, hs = [], []\n"
         "        names = {m: n for n, m in net.named_modules()}\n"
         "        def hook(m, a, out):\n"
         "            per = m.weight[0].numel() if isinstance(m, nn.Conv2d) else m.in_features\n"
         "            rows.append((names[m], sum(p.numel() for p in m.parameters()), out.numel() * per))\n"
         "        hs = [m.register_forward_hook(hook) for m in net.modules() if isinstance(m, (nn.Conv2d, nn.Linear))]\n"
         "        with torch.no_grad():\n"
         "            net(torch.zeros(input_shape))\n"
         "        for h in hs:\n"
         "            h.remove()\n"
         "        return rows\n"
         "    for name, params, macs in _rows():")),
    "conv parameters as all parameters minus the linear ones (batch norm counted as conv)": _cbk(
        ("    return {kind: tuple(t) for kind, t in totals.items()}",
         "    totals['conv'][0] = sum(p.numel() for p in net.parameters()) - totals['linear'][0]\n"
         "    return {kind: tuple(t) for kind, t in totals.items()}")),
})
