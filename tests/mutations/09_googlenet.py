"""09_googlenet: other correct answers (full marks) and planted bugs (must lose points)."""

_INCEPTION_OK = '''
class Inception(nn.Module):
    def __init__(self, in_channels, c1, c2, c3, c4):
        super().__init__()
        self.p1_1 = nn.Conv2d(in_channels, c1, kernel_size=1)
        self.p2_1 = nn.Conv2d(in_channels, c2[0], kernel_size=1)
        self.p2_2 = nn.Conv2d(c2[0], c2[1], kernel_size=3, padding=1)
        self.p3_1 = nn.Conv2d(in_channels, c3[0], kernel_size=1)
        self.p3_2 = nn.Conv2d(c3[0], c3[1], kernel_size=5, padding=2)
        self.p4_1 = nn.MaxPool2d(kernel_size=3, stride=1, padding=1)
        self.p4_2 = nn.Conv2d(in_channels, c4, kernel_size=1)

    def forward(self, x):
        p1 = F.relu(self.p1_1(x))
        p2 = F.relu(self.p2_2(F.relu(self.p2_1(x))))
        p3 = F.relu(self.p3_2(F.relu(self.p3_1(x))))
        p4 = F.relu(self.p4_2(self.p4_1(x)))
        return torch.cat((p1, p2, p3, p4), dim=1)
'''

_GOOGLENET = '''
def googlenet(num_classes=10):
    b1 = nn.Sequential(nn.Conv2d(1, 64, kernel_size=7, stride=2, padding=3), {relu_b1},
                       nn.MaxPool2d(kernel_size=3, stride=2, padding=1))
    b2 = nn.Sequential(nn.Conv2d(64, 64, kernel_size=1), {relu_b2},
                       nn.Conv2d(64, 192, kernel_size=3, padding=1), nn.ReLU(),
                       nn.MaxPool2d(kernel_size=3, stride=2, padding=1))
    b3 = nn.Sequential(Inception(192, 64, (96, 128), (16, 32), 32),
                       Inception(256, 128, (128, 192), (32, 96), 64),
                       {pool_b3})
    b4 = nn.Sequential(Inception(480, 192, (96, 208), (16, 48), 64),
                       Inception(512, 160, (112, 224), (24, 64), 64),
                       Inception(512, 128, (128, 256), (24, 64), 64),
                       Inception(512, 112, ({c4_4}, 288), (32, 64), 64),
                       Inception(528, 256, (160, 320), (32, 128), 128),
                       nn.MaxPool2d(kernel_size=3, stride=2, padding=1))
    b5 = nn.Sequential(Inception(832, 256, (160, 320), (32, 128), 128),
                       Inception(832, 384, (192, 384), (48, 128), 128),
                       {gap}, nn.Flatten())
    return nn.Sequential(b1, b2, b3, b4, b5, nn.Linear(1024, num_classes))
'''
_OK = dict(relu_b1="nn.ReLU()", relu_b2="nn.ReLU()", pool_b3="nn.MaxPool2d(kernel_size=3, stride=2, padding=1)",
           c4_4="144", gap="nn.AdaptiveAvgPool2d((1, 1))")


def _g(**kw):
    return _GOOGLENET.format(**dict(_OK, **kw))


CORRECT = {
    "bottleneck_savings": {
        "via nn.Conv2d parameter counts": '''
def bottleneck_savings(in_channels, out_channels, kernel_size, reduce_channels):
    count = lambda *convs: sum(c.weight.numel() for c in convs)
    direct = count(nn.Conv2d(in_channels, out_channels, kernel_size, bias=False))
    reduced = count(nn.Conv2d(in_channels, reduce_channels, 1, bias=False),
                    nn.Conv2d(reduce_channels, out_channels, kernel_size, bias=False))
    return direct, reduced
''',
        "math.prod over a kernel normalised to a tuple (an int, a tuple or a list)": '''
import math


def bottleneck_savings(in_channels, out_channels, kernel_size, reduce_channels):
    k = (kernel_size, kernel_size) if isinstance(kernel_size, int) else tuple(kernel_size)
    per_pair = math.prod(k)
    return [in_channels * out_channels * per_pair,
            in_channels * reduce_channels + reduce_channels * out_channels * per_pair]
''',
        "a helper counting one convolution's weights, the pair unpacked with try/except": '''
def _conv_weights(c_in, c_out, kernel):
    try:
        kh, kw = kernel
    except TypeError:
        kh = kw = kernel
    return c_in * c_out * kh * kw


def bottleneck_savings(in_channels, out_channels, kernel_size, reduce_channels):
    return (_conv_weights(in_channels, out_channels, kernel_size),
            _conv_weights(in_channels, reduce_channels, 1) + _conv_weights(reduce_channels, out_channels, kernel_size))
''',
    },
    "Inception": {
        "Sequential paths with nn.ReLU modules": '''
class Inception(nn.Module):
    def __init__(self, in_channels, c1, c2, c3, c4):
        super().__init__()
        self.b1 = nn.Sequential(nn.Conv2d(in_channels, c1, 1), nn.ReLU())
        self.b2 = nn.Sequential(nn.Conv2d(in_channels, c2[0], 1), nn.ReLU(),
                                nn.Conv2d(c2[0], c2[1], 3, padding=1), nn.ReLU())
        self.b3 = nn.Sequential(nn.Conv2d(in_channels, c3[0], 1), nn.ReLU(),
                                nn.Conv2d(c3[0], c3[1], 5, padding=2), nn.ReLU())
        self.b4 = nn.Sequential(nn.MaxPool2d(3, 1, 1), nn.Conv2d(in_channels, c4, 1), nn.ReLU())

    def forward(self, x):
        return torch.cat([self.b1(x), self.b2(x), self.b3(x), self.b4(x)], 1)
''',
        "ModuleList, paths called in reverse order, concatenated in order": '''
class Inception(nn.Module):
    def __init__(self, in_channels, c1, c2, c3, c4):
        super().__init__()
        self.paths = nn.ModuleList([
            nn.Sequential(nn.Conv2d(in_channels, c1, 1), nn.ReLU()),
            nn.Sequential(nn.Conv2d(in_channels, c2[0], 1), nn.ReLU(), nn.Conv2d(c2[0], c2[1], 3, padding=1), nn.ReLU()),
            nn.Sequential(nn.Conv2d(in_channels, c3[0], 1), nn.ReLU(), nn.Conv2d(c3[0], c3[1], 5, padding=2), nn.ReLU()),
            nn.Sequential(nn.MaxPool2d(3, stride=1, padding=1), nn.Conv2d(in_channels, c4, 1), nn.ReLU()),
        ])

    def forward(self, x):
        outs = [None] * 4
        for i in reversed(range(4)):
            outs[i] = self.paths[i](x)
        return torch.cat(outs, dim=-3)
''',
        "an nn.ModuleDict of paths, pairs unpacked (tuples or lists), functional max pooling": '''
class Inception(nn.Module):
    def __init__(self, in_channels, c1, c2, c3, c4):
        super().__init__()
        r2, o2 = c2
        r3, o3 = c3
        self.paths = nn.ModuleDict({
            "one": nn.Conv2d(in_channels, c1, 1),
            "three_reduce": nn.Conv2d(in_channels, r2, 1), "three": nn.Conv2d(r2, o2, 3, padding=1),
            "five_reduce": nn.Conv2d(in_channels, r3, 1), "five": nn.Conv2d(r3, o3, 5, padding=2),
            "pool_proj": nn.Conv2d(in_channels, c4, 1)})

    def forward(self, x):
        p = self.paths
        y1 = F.relu(p["one"](x))
        y2 = F.relu(p["three"](F.relu(p["three_reduce"](x))))
        y3 = F.relu(p["five"](F.relu(p["five_reduce"](x))))
        y4 = F.relu(p["pool_proj"](F.max_pool2d(x, kernel_size=3, stride=1, padding=1)))
        return torch.cat([y1, y2, y3, y4], dim=1)
''',
        "inplace nn.ReLU modules, torch.concat, paths kept in a plain list registered with add_module": '''
class Inception(nn.Module):
    def __init__(self, in_channels, c1, c2, c3, c4):
        super().__init__()
        self._paths = [
            nn.Sequential(nn.Conv2d(in_channels, c1, kernel_size=(1, 1)), nn.ReLU(inplace=True)),
            nn.Sequential(nn.Conv2d(in_channels, c2[0], 1), nn.ReLU(inplace=True),
                          nn.Conv2d(c2[0], c2[1], (3, 3), padding=(1, 1)), nn.ReLU(inplace=True)),
            nn.Sequential(nn.Conv2d(in_channels, c3[0], 1), nn.ReLU(inplace=True),
                          nn.Conv2d(c3[0], c3[1], (5, 5), padding=(2, 2)), nn.ReLU(inplace=True)),
            nn.Sequential(nn.MaxPool2d((3, 3), (1, 1), (1, 1)), nn.Conv2d(in_channels, c4, 1), nn.ReLU(inplace=True)),
        ]
        for i, path in enumerate(self._paths):
            self.add_module(f"path{i + 1}", path)

    def forward(self, x):
        return torch.concat([path(x) for path in self._paths], dim=1)
''',
    },
    "googlenet": {
        "one flat Sequential": '''
def googlenet(num_classes=10):
    pool = lambda: nn.MaxPool2d(3, stride=2, padding=1)
    return nn.Sequential(
        nn.Conv2d(1, 64, 7, stride=2, padding=3), nn.ReLU(), pool(),
        nn.Conv2d(64, 64, 1), nn.ReLU(), nn.Conv2d(64, 192, 3, padding=1), nn.ReLU(), pool(),
        Inception(192, 64, (96, 128), (16, 32), 32), Inception(256, 128, (128, 192), (32, 96), 64), pool(),
        Inception(480, 192, (96, 208), (16, 48), 64), Inception(512, 160, (112, 224), (24, 64), 64),
        Inception(512, 128, (128, 256), (24, 64), 64), Inception(512, 112, (144, 288), (32, 64), 64),
        Inception(528, 256, (160, 320), (32, 128), 128), pool(),
        Inception(832, 256, (160, 320), (32, 128), 128), Inception(832, 384, (192, 384), (48, 128), 128),
        nn.AdaptiveAvgPool2d(1), nn.Flatten(), nn.Linear(1024, num_classes))
''',
        "a class with a functional forward": '''
class _GoogLeNet(nn.Module):
    def __init__(self, num_classes):
        super().__init__()
        self.conv1 = nn.Conv2d(1, 64, 7, 2, 3)
        self.conv2 = nn.Conv2d(64, 64, 1)
        self.conv3 = nn.Conv2d(64, 192, 3, padding=1)
        self.pool = nn.MaxPool2d(3, 2, 1)
        self.inc3 = nn.Sequential(Inception(192, 64, (96, 128), (16, 32), 32), Inception(256, 128, (128, 192), (32, 96), 64))
        self.inc4 = nn.Sequential(Inception(480, 192, (96, 208), (16, 48), 64), Inception(512, 160, (112, 224), (24, 64), 64),
                                  Inception(512, 128, (128, 256), (24, 64), 64), Inception(512, 112, (144, 288), (32, 64), 64),
                                  Inception(528, 256, (160, 320), (32, 128), 128))
        self.inc5 = nn.Sequential(Inception(832, 256, (160, 320), (32, 128), 128), Inception(832, 384, (192, 384), (48, 128), 128))
        self.fc = nn.Linear(1024, num_classes)

    def forward(self, x):
        x = self.pool(F.relu(self.conv1(x)))
        x = self.pool(F.relu(self.conv3(F.relu(self.conv2(x)))))
        x = self.pool(self.inc3(x))
        x = self.pool(self.inc4(x))
        x = self.inc5(x).mean(dim=(2, 3))
        return self.fc(x)

def googlenet(num_classes=10):
    return _GoogLeNet(num_classes)
''',
        "named stages in an OrderedDict, lists for the pairs, AdaptiveAvgPool2d(1) and Flatten(1)": '''
from collections import OrderedDict


def googlenet(num_classes=10):
    pool = lambda: nn.MaxPool2d(kernel_size=3, stride=2, padding=1)
    return nn.Sequential(OrderedDict([
        ("b1", nn.Sequential(nn.Conv2d(1, 64, kernel_size=7, stride=2, padding=3), nn.ReLU(), pool())),
        ("b2", nn.Sequential(nn.Conv2d(64, 64, kernel_size=1), nn.ReLU(), nn.Conv2d(64, 192, kernel_size=3, padding=1), nn.ReLU(),
                             pool())),
        ("b3", nn.Sequential(Inception(192, 64, [96, 128], [16, 32], 32), Inception(256, 128, [128, 192], [32, 96], 64), pool())),
        ("b4", nn.Sequential(Inception(480, 192, [96, 208], [16, 48], 64), Inception(512, 160, [112, 224], [24, 64], 64),
                             Inception(512, 128, [128, 256], [24, 64], 64), Inception(512, 112, [144, 288], [32, 64], 64),
                             Inception(528, 256, [160, 320], [32, 128], 128), pool())),
        ("b5", nn.Sequential(Inception(832, 256, [160, 320], [32, 128], 128), Inception(832, 384, [192, 384], [48, 128], 128),
                             nn.AdaptiveAvgPool2d(1), nn.Flatten(1))),
        ("fc", nn.Linear(1024, num_classes)),
    ]))
''',
    },
}

WRONG = {
    "bottleneck_savings": {
        "biases included": '''
def bottleneck_savings(in_channels, out_channels, kernel_size, reduce_channels):
    k = kernel_size if isinstance(kernel_size, int) else kernel_size[0] * kernel_size[1]
    kk = k * k if isinstance(kernel_size, int) else k
    return (in_channels * out_channels * kk + out_channels,
            in_channels * reduce_channels + reduce_channels + reduce_channels * out_channels * kk + out_channels)
''',
        "the 1x1 reduction's own weights forgotten": '''
def bottleneck_savings(in_channels, out_channels, kernel_size, reduce_channels):
    kh, kw = (kernel_size, kernel_size) if isinstance(kernel_size, int) else kernel_size
    return in_channels * out_channels * kh * kw, reduce_channels * out_channels * kh * kw
''',
        "rectangular kernels treated as square": '''
def bottleneck_savings(in_channels, out_channels, kernel_size, reduce_channels):
    k = kernel_size if isinstance(kernel_size, int) else kernel_size[0]
    return in_channels * out_channels * k * k, in_channels * reduce_channels + reduce_channels * out_channels * k * k
''',
        "hard-coded example": '''
def bottleneck_savings(in_channels, out_channels, kernel_size, reduce_channels):
    return 102400, 29696
''',
        "pairs recognised as tuples only (a list kernel_size is used as an int)": '''
def bottleneck_savings(in_channels, out_channels, kernel_size, reduce_channels):
    kh, kw = kernel_size if isinstance(kernel_size, tuple) else (kernel_size, kernel_size)
    return in_channels * out_channels * kh * kw, in_channels * reduce_channels + reduce_channels * out_channels * kh * kw
''',
        "floats (the kernel area computed with math.pow)": '''
import math


def bottleneck_savings(in_channels, out_channels, kernel_size, reduce_channels):
    kh, kw = (kernel_size, kernel_size) if isinstance(kernel_size, int) else kernel_size
    area = math.pow(kh, 1) * kw
    return in_channels * out_channels * area, in_channels * reduce_channels + reduce_channels * out_channels * area
''',
    },
    "Inception": {
        "missing ReLU after the 1x1 reduction of path 2": _INCEPTION_OK.replace(
            "F.relu(self.p2_2(F.relu(self.p2_1(x))))", "F.relu(self.p2_2(self.p2_1(x)))"),
        "concatenation on the wrong dimension": _INCEPTION_OK.replace("dim=1)", "dim=0)"),
        "paths concatenated in another order": _INCEPTION_OK.replace("(p1, p2, p3, p4)", "(p1, p3, p2, p4)"),
        "average pooling in path 4": _INCEPTION_OK.replace("nn.MaxPool2d(kernel_size=3, stride=1, padding=1)",
                                                           "nn.AvgPool2d(kernel_size=3, stride=1, padding=1)"),
        "no ReLU at the end of path 4": _INCEPTION_OK.replace("F.relu(self.p4_2(self.p4_1(x)))", "self.p4_2(self.p4_1(x))"),
        "torchvision.ops.Conv2dNormActivation in every path (no norm: the same numbers, not torch.nn layers)": '''
from torchvision.ops import Conv2dNormActivation as _CNA


class Inception(nn.Module):
    def __init__(self, in_channels, c1, c2, c3, c4):
        super().__init__()
        self.p1 = _CNA(in_channels, c1, 1, norm_layer=None)
        self.p2 = nn.Sequential(_CNA(in_channels, c2[0], 1, norm_layer=None), _CNA(c2[0], c2[1], 3, padding=1, norm_layer=None))
        self.p3 = nn.Sequential(_CNA(in_channels, c3[0], 1, norm_layer=None), _CNA(c3[0], c3[1], 5, padding=2, norm_layer=None))
        self.p4 = nn.Sequential(nn.MaxPool2d(3, stride=1, padding=1), _CNA(in_channels, c4, 1, norm_layer=None))

    def forward(self, x):
        return torch.cat((self.p1(x), self.p2(x), self.p3(x), self.p4(x)), dim=1)
''',
        "channel bookkeeping by tuple concatenation ((c1,) + c2 + ...): fails for lists": _INCEPTION_OK.replace(
            "        super().__init__()\n", "        super().__init__()\n        self.widths = (c1,) + c2 + c3 + (c4,)\n", 1),
        "the 5x5 path built with a 3x3 kernel (as torchvision's GoogLeNet does)": _INCEPTION_OK.replace(
            "nn.Conv2d(c3[0], c3[1], kernel_size=5, padding=2)", "nn.Conv2d(c3[0], c3[1], kernel_size=3, padding=1)"),
        "max pooling of path 4 with the default stride (= the window)": _INCEPTION_OK.replace(
            "nn.MaxPool2d(kernel_size=3, stride=1, padding=1)", "nn.MaxPool2d(kernel_size=3, padding=1)"),
        "1x1 convolutions without bias": _INCEPTION_OK.replace("kernel_size=1)", "kernel_size=1, bias=False)"),
        "path 3 detached (no gradient reaches its convolutions)": _INCEPTION_OK.replace(
            "p3 = F.relu(self.p3_2(F.relu(self.p3_1(x))))", "p3 = F.relu(self.p3_2(F.relu(self.p3_1(x)))).detach()"),
    },
    "googlenet": {
        "missing ReLU between b2's 1x1 and 3x3 convs": _g(relu_b2="nn.Identity()"),
        "b3 without its max pooling": _g(pool_b3="nn.Identity()"),
        "global max pooling instead of average": _g(gap="nn.AdaptiveMaxPool2d((1, 1))"),
        "wrong channels in b4's fourth Inception block": _g(c4_4="128"),
        "missing ReLU after the 7x7 conv": _g(relu_b1="nn.Identity()"),
        "the stem from torchvision.ops.Conv2dNormActivation (no norm: the same numbers, not torch.nn layers)":
            "\nimport torchvision\n" + _g().replace("nn.Conv2d(1, 64, kernel_size=7, stride=2, padding=3), nn.ReLU(),",
                                                   "torchvision.ops.Conv2dNormActivation(1, 64, 7, stride=2, padding=3, norm_layer=None),"),
        "b3's first block with c2 and c3 swapped": _g().replace("Inception(192, 64, (96, 128), (16, 32), 32)",
                                                                 "Inception(192, 64, (16, 32), (96, 128), 32)"),
        "max pooling between the stages without padding": _g().replace("nn.MaxPool2d(kernel_size=3, stride=2, padding=1))",
                                                                        "nn.MaxPool2d(kernel_size=3, stride=2))"),
        "num_classes ignored (the head is always Linear(1024, 10))": _g().replace(
            "nn.Linear(1024, num_classes)", "nn.Linear(1024, 10)"),
        "the same network on every call (built once, then cached)": "\n_CACHE = {}\n" + _g().replace(
            "def googlenet(num_classes=10):", "def _build(num_classes):") + '''

def googlenet(num_classes=10):
    if num_classes not in _CACHE:
        _CACHE[num_classes] = _build(num_classes)
    return _CACHE[num_classes]
''',
    },
}
