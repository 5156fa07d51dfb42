"""08_nin: other correct answers (full marks) and planted bugs (must lose points)."""

_NIN_BLOCK = '''
def nin_block(in_channels, out_channels, kernel_size, strides, padding):
    return nn.Sequential(
        nn.Conv2d(in_channels, out_channels, kernel_size, stride={stride}, padding={padding}), {act},
        nn.Conv2d(out_channels, {mid}, kernel_size={k1}{p1}), {act},
        nn.Conv2d({mid}, out_channels, kernel_size=1), {last})
'''
_BLOCK_OK = dict(stride="strides", padding="padding", act="nn.ReLU()", mid="out_channels", k1="1", p1="", last="nn.ReLU()")


def _b(**kw):
    return _NIN_BLOCK.format(**dict(_BLOCK_OK, **kw))


_NIN = '''
def nin(num_classes=10):
    return nn.Sequential(
        nin_block(1, 96, kernel_size=11, strides=4, padding={pad1}),
        {pool}(3, stride=2),
        nin_block(96, 256, kernel_size=5, strides=1, padding=2),
        {pool}(3, stride=2),
        nin_block(256, 384, kernel_size=3, strides=1, padding=1),
        {pool}(3, stride=2),
        {dropout}
        {last},
        {gap},
        nn.Flatten(){head})
'''
_NIN_OK = dict(pad1="0", pool="nn.MaxPool2d", dropout="nn.Dropout(0.5),",
               last="nin_block(384, num_classes, kernel_size=3, strides=1, padding=1)",
               gap="nn.AdaptiveAvgPool2d((1, 1))", head="")


def _n(**kw):
    return _NIN.format(**dict(_NIN_OK, **kw))


CORRECT = {
    "conv1x1_as_linear": {
        "nn.Parameter from squeezed weights": '''
def conv1x1_as_linear(conv):
    lin = nn.Linear(conv.in_channels, conv.out_channels, bias=conv.bias is not None)
    lin.weight = nn.Parameter(conv.weight.detach().squeeze(-1).squeeze(-1).clone())
    if conv.bias is not None:
        lin.bias = nn.Parameter(conv.bias.detach().clone())
    return lin
''',
        "load_state_dict with flatten(1)": '''
def conv1x1_as_linear(conv):
    c_out, c_in = conv.weight.shape[:2]
    has_bias = conv.bias is not None
    layer = nn.Linear(c_in, c_out, bias=has_bias)
    state = {"weight": conv.weight.detach().flatten(1)}
    if has_bias:
        state["bias"] = conv.bias.detach()
    layer.load_state_dict(state)
    return layer
''',
        "weight[:, :, 0, 0] copied under no_grad, bias via getattr": '''
def conv1x1_as_linear(conv):
    w = conv.weight[:, :, 0, 0]
    b = getattr(conv, "bias", None)
    out = nn.Linear(w.shape[1], w.shape[0], bias=b is not None)
    with torch.no_grad():
        out.weight.copy_(w)
        if b is not None:
            out.bias.copy_(b)
    return out
''',
        "view(c_out, c_in) from the weight's own shape, fresh Parameters (detach + clone)": '''
def conv1x1_as_linear(conv):
    c_out, c_in, kh, kw = conv.weight.shape
    linear = nn.Linear(c_in, c_out, bias=False)
    linear.weight = nn.Parameter(conv.weight.detach().clone().view(c_out, c_in))
    if conv.bias is not None:
        linear.bias = nn.Parameter(conv.bias.detach().clone())
    return linear
''',
    },
    "nin_block": {
        "a class with functional ReLU in forward, tuple arguments passed through": '''
class _NiNBlock(nn.Module):
    def __init__(self, c_in, c_out, k, s, p):
        super().__init__()
        self.spatial = nn.Conv2d(c_in, c_out, kernel_size=k, stride=s, padding=p)
        self.mlp1 = nn.Conv2d(c_out, c_out, (1, 1))
        self.mlp2 = nn.Conv2d(c_out, c_out, (1, 1))

    def forward(self, x):
        return F.relu(self.mlp2(F.relu(self.mlp1(F.relu(self.spatial(x))))))


def nin_block(in_channels, out_channels, kernel_size, strides, padding):
    return _NiNBlock(in_channels, out_channels, kernel_size, strides, padding)
''',
        "built in a loop with ModuleList-free Sequential and inplace ReLU": '''
def nin_block(in_channels, out_channels, kernel_size, strides, padding):
    layers = [nn.Conv2d(in_channels, out_channels, kernel_size, strides, padding), nn.ReLU(inplace=True)]
    for _ in range(2):
        layers += [nn.Conv2d(out_channels, out_channels, 1, 1, 0), nn.ReLU(inplace=True)]
    return nn.Sequential(*layers)
''',
        "pairs normalised to tuples (an int, a tuple or a list), named layers in an OrderedDict": '''
from collections import OrderedDict


def nin_block(in_channels, out_channels, kernel_size, strides, padding):
    pair = lambda v: (v, v) if isinstance(v, int) else tuple(v)
    return nn.Sequential(OrderedDict([
        ("conv", nn.Conv2d(in_channels, out_channels, pair(kernel_size), stride=pair(strides), padding=pair(padding))),
        ("relu", nn.ReLU()),
        ("mlp1", nn.Conv2d(out_channels, out_channels, kernel_size=(1, 1))),
        ("relu1", nn.ReLU()),
        ("mlp2", nn.Conv2d(out_channels, out_channels, kernel_size=(1, 1))),
        ("relu2", nn.ReLU()),
    ]))
''',
        "a ModuleList of the three convolutions, F.relu in a loop": '''
class _MLPConv(nn.Module):
    def __init__(self, c_in, c_out, kernel_size, strides, padding):
        super().__init__()
        self.layers = nn.ModuleList([nn.Conv2d(c_in, c_out, kernel_size, stride=strides, padding=padding),
                                     nn.Conv2d(c_out, c_out, 1), nn.Conv2d(c_out, c_out, 1)])

    def forward(self, x):
        for conv in self.layers:
            x = F.relu(conv(x))
        return x


def nin_block(in_channels, out_channels, kernel_size, strides, padding):
    return _MLPConv(in_channels, out_channels, kernel_size, strides, padding)
''',
    },
    "nin": {
        "a class with functional pooling, dropout and a spatial mean": '''
class _NiN(nn.Module):
    def __init__(self, num_classes):
        super().__init__()
        self.b1 = nin_block(1, 96, 11, 4, 0)
        self.b2 = nin_block(96, 256, 5, 1, 2)
        self.b3 = nin_block(256, 384, 3, 1, 1)
        self.b4 = nin_block(384, num_classes, 3, 1, 1)

    def forward(self, x):
        x = F.max_pool2d(self.b1(x), 3, 2)
        x = F.max_pool2d(self.b2(x), 3, 2)
        x = F.max_pool2d(self.b3(x), 3, 2)
        x = self.b4(F.dropout(x, 0.5, self.training))
        return x.mean(dim=(2, 3))


def nin(num_classes=10):
    return _NiN(num_classes)
''',
        "nested stages, its own blocks, AdaptiveAvgPool2d(1) and torch.flatten": '''
class _Head(nn.Module):
    def forward(self, x):
        return torch.flatten(F.adaptive_avg_pool2d(x, 1), 1)


def nin(num_classes=10):
    def blk(ci, co, k, s, p):
        return nn.Sequential(nn.Conv2d(ci, co, k, s, p), nn.ReLU(), nn.Conv2d(co, co, 1), nn.ReLU(),
                             nn.Conv2d(co, co, 1), nn.ReLU())
    features = nn.Sequential(
        nn.Sequential(blk(1, 96, 11, 4, 0), nn.MaxPool2d(kernel_size=3, stride=2)),
        nn.Sequential(blk(96, 256, 5, 1, 2), nn.MaxPool2d(kernel_size=3, stride=2)),
        nn.Sequential(blk(256, 384, 3, 1, 1), nn.MaxPool2d(kernel_size=3, stride=2)))
    classifier = nn.Sequential(nn.Dropout(p=0.5), blk(384, num_classes, 3, 1, 1), _Head())
    return nn.Sequential(features, classifier)
''',
        "a ModuleList of blocks, F.max_pool2d, an nn.Dropout(p=0.5) module and a spatial mean over dims (-2, -1)": '''
class _NiNList(nn.Module):
    def __init__(self, num_classes):
        super().__init__()
        self.blocks = nn.ModuleList([nin_block(1, 96, (11, 11), (4, 4), (0, 0)), nin_block(96, 256, 5, 1, 2),
                                     nin_block(256, 384, [3, 3], [1, 1], [1, 1])])
        self.drop = nn.Dropout(p=0.5)
        self.head = nin_block(384, num_classes, 3, 1, 1)

    def forward(self, x):
        for blk in self.blocks:
            x = F.max_pool2d(blk(x), kernel_size=3, stride=2)
        return self.head(self.drop(x)).mean(dim=(-2, -1))


def nin(num_classes=10):
    return _NiNList(num_classes)
''',
        "F.avg_pool2d over the whole map (kernel_size=x.shape[-2:]), F.dropout with training=self.training, view(n, -1)": '''
class _NiNFunctional(nn.Module):
    def __init__(self, num_classes):
        super().__init__()
        self.features = nn.Sequential(
            nin_block(1, 96, 11, 4, 0), nn.MaxPool2d(3, 2),
            nin_block(96, 256, 5, 1, 2), nn.MaxPool2d(3, 2),
            nin_block(256, 384, 3, 1, 1), nn.MaxPool2d(3, 2))
        self.classes = nin_block(384, num_classes, 3, 1, 1)

    def forward(self, x):
        x = F.dropout(self.features(x), p=0.5, training=self.training)
        x = self.classes(x)
        x = F.avg_pool2d(x, kernel_size=x.shape[-2:])
        return x.view(x.shape[0], -1)


def nin(num_classes=10):
    return _NiNFunctional(num_classes)
''',
    },
}

WRONG = {
    "conv1x1_as_linear": {
        "weight transposed": '''
def conv1x1_as_linear(conv):
    linear = nn.Linear(conv.in_channels, conv.out_channels, bias=conv.bias is not None)
    with torch.no_grad():
        linear.weight.copy_(conv.weight.reshape(conv.in_channels, conv.out_channels).T)
        if conv.bias is not None:
            linear.bias.copy_(conv.bias)
    return linear
''',
        "bias dropped": '''
def conv1x1_as_linear(conv):
    linear = nn.Linear(conv.in_channels, conv.out_channels, bias=False)
    with torch.no_grad():
        linear.weight.copy_(conv.weight.reshape(conv.out_channels, conv.in_channels))
    return linear
''',
        "always a bias (random when the conv has none)": '''
def conv1x1_as_linear(conv):
    linear = nn.Linear(conv.in_channels, conv.out_channels)
    with torch.no_grad():
        linear.weight.copy_(conv.weight.reshape(conv.out_channels, conv.in_channels))
        if conv.bias is not None:
            linear.bias.copy_(conv.bias)
    return linear
''',
        "weights not copied (a fresh Linear)": '''
def conv1x1_as_linear(conv):
    return nn.Linear(conv.in_channels, conv.out_channels, bias=conv.bias is not None)
''',
        "weight.squeeze() as the Linear weight (breaks for one input or output channel)": '''
def conv1x1_as_linear(conv):
    linear = nn.Linear(conv.in_channels, conv.out_channels, bias=conv.bias is not None)
    linear.weight = nn.Parameter(conv.weight.detach().squeeze().clone())
    if conv.bias is not None:
        linear.bias = nn.Parameter(conv.bias.detach().clone())
    return linear
''',
        "weight.squeeze() copied with copy_ (breaks for one input channel)": '''
def conv1x1_as_linear(conv):
    linear = nn.Linear(conv.in_channels, conv.out_channels, bias=conv.bias is not None)
    with torch.no_grad():
        linear.weight.copy_(conv.weight.squeeze())
        if conv.bias is not None:
            linear.bias.copy_(conv.bias)
    return linear
''',
        "weight.squeeze() patched for one input channel only (breaks for one output channel)": '''
def conv1x1_as_linear(conv):
    w = conv.weight.detach().squeeze()
    if conv.in_channels == 1:
        w = w.reshape(-1, 1)
    linear = nn.Linear(conv.in_channels, conv.out_channels, bias=conv.bias is not None)
    linear.weight = nn.Parameter(w.clone())
    if conv.bias is not None:
        linear.bias = nn.Parameter(conv.bias.detach().clone())
    return linear
''',
    },
    "nin_block": {
        "no ReLU after the last 1x1 convolution": _b(last="nn.Identity()"),
        "sigmoid instead of ReLU": _b(act="nn.Sigmoid()", last="nn.Sigmoid()"),
        "stride ignored": _b(stride="1"),
        "padding ignored": _b(padding="0"),
        "3x3 'MLP' convolutions with padding 1": _b(k1="3", p1=", padding=1"),
        "the 1x1 convolutions squeeze to in_channels": _b(mid="in_channels"),
        "torchvision.ops.Conv2dNormActivation layers (no norm: the same numbers, but not built from torch.nn layers)": '''
from torchvision.ops import Conv2dNormActivation


def nin_block(in_channels, out_channels, kernel_size, strides, padding):
    return nn.Sequential(
        Conv2dNormActivation(in_channels, out_channels, kernel_size, strides, padding, norm_layer=None),
        Conv2dNormActivation(out_channels, out_channels, 1, norm_layer=None),
        Conv2dNormActivation(out_channels, out_channels, 1, norm_layer=None))
''',
        "pairs normalised with isinstance(v, tuple) only: a list becomes ([a, b], [a, b])": '''
def nin_block(in_channels, out_channels, kernel_size, strides, padding):
    pair = lambda v: v if isinstance(v, tuple) else (v, v)
    return nn.Sequential(
        nn.Conv2d(in_channels, out_channels, pair(kernel_size), stride=pair(strides), padding=pair(padding)), nn.ReLU(),
        nn.Conv2d(out_channels, out_channels, kernel_size=1), nn.ReLU(),
        nn.Conv2d(out_channels, out_channels, kernel_size=1), nn.ReLU())
''',
        "cached with functools.lru_cache (the same block on every call)": '''
import functools


@functools.lru_cache(maxsize=None)
def nin_block(in_channels, out_channels, kernel_size, strides, padding):
    return nn.Sequential(
        nn.Conv2d(in_channels, out_channels, kernel_size, stride=strides, padding=padding), nn.ReLU(),
        nn.Conv2d(out_channels, out_channels, kernel_size=1), nn.ReLU(),
        nn.Conv2d(out_channels, out_channels, kernel_size=1), nn.ReLU())
''',
        "forward detaches the first convolution's output (no gradient reaches it)": '''
class _DetachedBlock(nn.Module):
    def __init__(self, c_in, c_out, k, s, p):
        super().__init__()
        self.conv = nn.Conv2d(c_in, c_out, k, stride=s, padding=p)
        self.mlp1 = nn.Conv2d(c_out, c_out, 1)
        self.mlp2 = nn.Conv2d(c_out, c_out, 1)

    def forward(self, x):
        x = F.relu(self.conv(x)).detach()
        return F.relu(self.mlp2(F.relu(self.mlp1(x))))


def nin_block(in_channels, out_channels, kernel_size, strides, padding):
    return _DetachedBlock(in_channels, out_channels, kernel_size, strides, padding)
''',
        "the 1x1 convolutions without bias": _b(k1="1, bias=False").replace(
            "nn.Conv2d(out_channels, out_channels, kernel_size=1), nn.ReLU())",
            "nn.Conv2d(out_channels, out_channels, kernel_size=1, bias=False), nn.ReLU())"),
    },
    "nin": {
        "global max pooling": _n(gap="nn.AdaptiveMaxPool2d((1, 1))"),
        "no dropout": _n(dropout=""),
        "dropout 0.2": _n(dropout="nn.Dropout(0.2),"),
        "Dropout2d (whole channels) instead of Dropout": _n(dropout="nn.Dropout2d(0.5),"),
        "fixed 5x5 average pooling (only works at 224)": _n(gap="nn.AvgPool2d(5)"),
        "a Linear head after the pooling": _n(head=", nn.Linear(num_classes, num_classes)"),
        "average pooling between the blocks": _n(pool="nn.AvgPool2d"),
        "padding 1 in the first block": _n(pad1="1"),
        "last block a plain conv without the 1x1 MLP and ReLU":
            _n(last="nn.Conv2d(384, num_classes, kernel_size=3, padding=1)"),
        "dropout after the last block": '''
def nin(num_classes=10):
    return nn.Sequential(
        nin_block(1, 96, kernel_size=11, strides=4, padding=0), nn.MaxPool2d(3, stride=2),
        nin_block(96, 256, kernel_size=5, strides=1, padding=2), nn.MaxPool2d(3, stride=2),
        nin_block(256, 384, kernel_size=3, strides=1, padding=1), nn.MaxPool2d(3, stride=2),
        nin_block(384, num_classes, kernel_size=3, strides=1, padding=1), nn.Dropout(0.5),
        nn.AdaptiveAvgPool2d((1, 1)), nn.Flatten())
''',
        "torchvision.ops.Conv2dNormActivation blocks instead of nin_block (the same numbers, not torch.nn layers)": '''
from torchvision.ops import Conv2dNormActivation


def _tv_block(ci, co, k, s, p):
    return nn.Sequential(Conv2dNormActivation(ci, co, k, s, p, norm_layer=None),
                         Conv2dNormActivation(co, co, 1, norm_layer=None), Conv2dNormActivation(co, co, 1, norm_layer=None))


def nin(num_classes=10):
    return nn.Sequential(
        _tv_block(1, 96, 11, 4, 0), nn.MaxPool2d(3, stride=2),
        _tv_block(96, 256, 5, 1, 2), nn.MaxPool2d(3, stride=2),
        _tv_block(256, 384, 3, 1, 1), nn.MaxPool2d(3, stride=2),
        nn.Dropout(0.5), _tv_block(384, num_classes, 3, 1, 1),
        nn.AdaptiveAvgPool2d((1, 1)), nn.Flatten())
''',
        "a second dropout after the second pooling": _n(pool="nn.MaxPool2d").replace(
            "nin_block(256, 384, kernel_size=3, strides=1, padding=1)",
            "nn.Dropout(0.5), nin_block(256, 384, kernel_size=3, strides=1, padding=1)"),
        "F.dropout without training=self.training (dropout in eval mode too)": '''
class _NiNAlwaysDrop(nn.Module):
    def __init__(self, num_classes):
        super().__init__()
        self.features = nn.Sequential(
            nin_block(1, 96, 11, 4, 0), nn.MaxPool2d(3, 2),
            nin_block(96, 256, 5, 1, 2), nn.MaxPool2d(3, 2),
            nin_block(256, 384, 3, 1, 1), nn.MaxPool2d(3, 2))
        self.classes = nin_block(384, num_classes, 3, 1, 1)

    def forward(self, x):
        x = self.classes(F.dropout(self.features(x), 0.5))
        return x.mean(dim=(2, 3))


def nin(num_classes=10):
    return _NiNAlwaysDrop(num_classes)
''',
        "the features detached before the last block (no gradient reaches the first three blocks)": '''
class _NiNDetached(nn.Module):
    def __init__(self, num_classes):
        super().__init__()
        self.features = nn.Sequential(
            nin_block(1, 96, 11, 4, 0), nn.MaxPool2d(3, 2),
            nin_block(96, 256, 5, 1, 2), nn.MaxPool2d(3, 2),
            nin_block(256, 384, 3, 1, 1), nn.MaxPool2d(3, 2), nn.Dropout(0.5))
        self.classes = nin_block(384, num_classes, 3, 1, 1)

    def forward(self, x):
        return self.classes(self.features(x).detach()).mean(dim=(2, 3))


def nin(num_classes=10):
    return _NiNDetached(num_classes)
''',
        "global pooling with a square window of the map's height (wrong for non-square inputs)": '''
class _SquareGAP(nn.Module):
    def forward(self, x):
        return F.avg_pool2d(x, kernel_size=x.shape[2]).flatten(1)


def nin(num_classes=10):
    return nn.Sequential(
        nin_block(1, 96, kernel_size=11, strides=4, padding=0), nn.MaxPool2d(3, stride=2),
        nin_block(96, 256, kernel_size=5, strides=1, padding=2), nn.MaxPool2d(3, stride=2),
        nin_block(256, 384, kernel_size=3, strides=1, padding=1), nn.MaxPool2d(3, stride=2),
        nn.Dropout(0.5), nin_block(384, num_classes, kernel_size=3, strides=1, padding=1), _SquareGAP())
''',
        "the same network on every call (built once, then cached)": '''
_NIN_CACHE = {}


def nin(num_classes=10):
    if num_classes not in _NIN_CACHE:
        _NIN_CACHE[num_classes] = nn.Sequential(
            nin_block(1, 96, kernel_size=11, strides=4, padding=0), nn.MaxPool2d(3, stride=2),
            nin_block(96, 256, kernel_size=5, strides=1, padding=2), nn.MaxPool2d(3, stride=2),
            nin_block(256, 384, kernel_size=3, strides=1, padding=1), nn.MaxPool2d(3, stride=2),
            nn.Dropout(0.5), nin_block(384, num_classes, kernel_size=3, strides=1, padding=1),
            nn.AdaptiveAvgPool2d((1, 1)), nn.Flatten())
    return _NIN_CACHE[num_classes]
''',
    },
}
