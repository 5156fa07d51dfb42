"""07_vgg: other correct answers (full marks) and planted bugs (must lose points)."""

_BLOCK = '''
def vgg_block(num_convs, in_channels, out_channels):
    layers = []
    for _ in range({n}):
        layers.append(nn.Conv2d({cin}, out_channels, kernel_size=3, padding={pad}))
        layers.append({act})
        {update}
    layers.append({pool})
    return nn.Sequential(*layers)
'''
_BLOCK_OK = dict(n="num_convs", cin="in_channels", pad="1", act="nn.ReLU()", update="in_channels = out_channels",
                 pool="nn.MaxPool2d(kernel_size=2, stride=2)")


def _b(**kw):
    return _BLOCK.format(**dict(_BLOCK_OK, **kw))


_VGG = '''
def vgg(conv_arch, in_channels=1, num_classes=10):
    blocks = []
    for num_convs, out_channels in conv_arch:
        blocks.append(vgg_block(num_convs, {cin}, out_channels))
        {update}
    return nn.Sequential(
        *blocks, nn.Flatten(),
        {head})
'''
_HEAD = ("nn.Linear({flat}, 4096), {act}, nn.Dropout(p={p}), "
         "nn.Linear(4096, 4096), {act}, nn.Dropout(p={p}), nn.Linear(4096, {ncls})")
_HEAD_OK = dict(flat="out_channels * 7 * 7", act="nn.ReLU()", p="0.5", ncls="num_classes")
_VGG_OK = dict(cin="in_channels", update="in_channels = out_channels", head=_HEAD.format(**_HEAD_OK))


def _v(head=None, **kw):
    fields = dict(_VGG_OK, **kw)
    if head is not None:
        fields["head"] = _HEAD.format(**dict(_HEAD_OK, **head))
    return _VGG.format(**fields)


CORRECT = {
    "vgg_block": {
        "a class with a ModuleList, F.relu and F.max_pool2d in forward": '''
class _VGGBlock(nn.Module):
    def __init__(self, num_convs, in_channels, out_channels):
        super().__init__()
        channels = [in_channels] + [out_channels] * num_convs
        self.convs = nn.ModuleList(nn.Conv2d(a, b, (3, 3), stride=1, padding=(1, 1))
                                   for a, b in zip(channels[:-1], channels[1:]))

    def forward(self, x):
        for conv in self.convs:
            x = F.relu(conv(x))
        return F.max_pool2d(x, kernel_size=2)


def vgg_block(num_convs, in_channels, out_channels):
    return _VGGBlock(num_convs, in_channels, out_channels)
''',
        "nested conv+ReLU pairs, padding='same', pooling with the default stride, ReLU in place": '''
def vgg_block(num_convs, in_channels, out_channels):
    pairs = [nn.Sequential(nn.Conv2d(in_channels if i == 0 else out_channels, out_channels, 3, padding="same"),
                           nn.ReLU(inplace=True))
             for i in range(num_convs)]
    return nn.Sequential(nn.Sequential(*pairs), nn.MaxPool2d(2))
''',
        "a subclass of nn.Sequential, layers added with add_module": '''
class VGGBlock(nn.Sequential):
    def __init__(self, num_convs, in_channels, out_channels):
        super().__init__()
        for i in range(num_convs):
            self.add_module(f"conv{i}", nn.Conv2d(out_channels if i else in_channels, out_channels, kernel_size=3, padding=1))
            self.add_module(f"relu{i}", nn.ReLU())
        self.add_module("pool", nn.MaxPool2d(kernel_size=2, stride=2))


def vgg_block(num_convs, in_channels, out_channels):
    return VGGBlock(num_convs, in_channels, out_channels)
''',
    },
    "vgg": {
        "a class with features/classifier, torch.flatten and F.dropout in forward": '''
class _VGG(nn.Module):
    def __init__(self, conv_arch, in_channels, num_classes):
        super().__init__()
        blocks, c = [], in_channels
        for num_convs, out_channels in conv_arch:
            blocks.append(vgg_block(num_convs, c, out_channels))
            c = out_channels
        self.features = nn.Sequential(*blocks)
        self.fc1 = nn.Linear(c * 7 * 7, 4096)
        self.fc2 = nn.Linear(4096, 4096)
        self.fc3 = nn.Linear(4096, num_classes)

    def forward(self, x):
        x = torch.flatten(self.features(x), 1)
        x = F.dropout(F.relu(self.fc1(x)), p=0.5, training=self.training)
        x = F.dropout(F.relu(self.fc2(x)), p=0.5, training=self.training)
        return self.fc3(x)


def vgg(conv_arch, in_channels=1, num_classes=10):
    return _VGG(conv_arch, in_channels, num_classes)
''',
        "torchvision's layout: inline blocks, AdaptiveAvgPool2d((7, 7)), dropout before the linear layers": '''
def vgg(conv_arch, in_channels=1, num_classes=10):
    layers = []
    for num_convs, out_channels in conv_arch:
        for _ in range(num_convs):
            layers += [nn.Conv2d(in_channels, out_channels, kernel_size=3, padding=1), nn.ReLU(inplace=True)]
            in_channels = out_channels
        layers.append(nn.MaxPool2d(kernel_size=2, stride=2))
    features = nn.Sequential(*layers)
    classifier = nn.Sequential(
        nn.Linear(in_channels * 7 * 7, 4096), nn.ReLU(True), nn.Dropout(0.5),
        nn.Linear(4096, 4096), nn.ReLU(True), nn.Dropout(0.5),
        nn.Linear(4096, num_classes))
    return nn.Sequential(features, nn.AdaptiveAvgPool2d((7, 7)), nn.Flatten(1), classifier)
''',
        "dropout before the ReLU (they commute), num_classes by keyword": '''
def vgg(conv_arch, in_channels=1, num_classes=10):
    arch = [tuple(p) for p in conv_arch]
    chans = [in_channels] + [c for _, c in arch]
    body = [vgg_block(n, chans[i], c) for i, (n, c) in enumerate(arch)]
    head = [nn.Flatten(), nn.Linear(chans[-1] * 49, 4096), nn.Dropout(0.5), nn.ReLU(),
            nn.Linear(4096, 4096), nn.Dropout(0.5), nn.ReLU(), nn.Linear(in_features=4096, out_features=num_classes)]
    return nn.Sequential(*body, *head)
''',
        "channel lists zipped, blocks and head in nested Sequentials, F-free": '''
def vgg(conv_arch, in_channels=1, num_classes=10):
    convs = [n for n, _ in conv_arch]
    outs = [c for _, c in conv_arch]
    ins = [in_channels] + outs[:-1]
    body = nn.Sequential(*(vgg_block(n, i, o) for n, i, o in zip(convs, ins, outs)))
    head = nn.Sequential(nn.Flatten(start_dim=1),
                         nn.Sequential(nn.Linear(outs[-1] * 7 * 7, 4096), nn.ReLU(inplace=True), nn.Dropout(p=0.5)),
                         nn.Sequential(nn.Linear(4096, 4096), nn.ReLU(inplace=True), nn.Dropout(p=0.5)),
                         nn.Linear(4096, num_classes))
    return nn.Sequential(body, head)
''',
        "a hand-written dropout module (own mask), blocks in a ModuleList, flatten with reshape": '''
class Drop(nn.Module):
    def __init__(self, p=0.5):
        super().__init__()
        self.p = p

    def forward(self, x):
        if not self.training:
            return x
        keep = (torch.rand_like(x) >= self.p).to(x.dtype)
        return x * keep / (1 - self.p)


class Net(nn.Module):
    def __init__(self, conv_arch, in_channels, num_classes):
        super().__init__()
        self.blocks = nn.ModuleList()
        for num_convs, out_channels in conv_arch:
            self.blocks.append(vgg_block(num_convs, in_channels, out_channels))
            in_channels = out_channels
        self.head = nn.Sequential(nn.Linear(in_channels * 7 * 7, 4096), nn.ReLU(), Drop(0.5),
                                  nn.Linear(4096, 4096), nn.ReLU(), Drop(0.5), nn.Linear(4096, num_classes))

    def forward(self, x):
        for blk in self.blocks:
            x = blk(x)
        return self.head(x.reshape(x.shape[0], -1))


def vgg(conv_arch, in_channels=1, num_classes=10):
    return Net(conv_arch, in_channels, num_classes)
''',
    },
    "VGG16_ARCH": {
        "lists instead of tuples": "VGG16_ARCH = [[2, 64], [2, 128], [3, 256], [3, 512], [3, 512]]\n",
        "zip of convs and channels": "VGG16_ARCH = tuple(zip((2, 2, 3, 3, 3), (64, 128, 256, 512, 512)))\n",
        "a list of tuples": "VGG16_ARCH = [(2, 64), (2, 128), (3, 256), (3, 512), (3, 512)]\n",
    },
    "VGG19_ARCH": {
        "a list of tuples": "VGG19_ARCH = [(2, 64), (2, 128), (4, 256), (4, 512), (4, 512)]\n",
        "computed from the channel list": ("VGG19_ARCH = tuple((2 if c < 256 else 4, c) for c in (64, 128, 256, 512, 512))\n"),
        "a list of lists": "VGG19_ARCH = [[2, 64], [2, 128], [4, 256], [4, 512], [4, 512]]\n",
    },
}

WRONG = {
    "vgg_block": {
        "sigmoid instead of ReLU": _b(act="nn.Sigmoid()"),
        "average pooling instead of max pooling": _b(pool="nn.AvgPool2d(kernel_size=2, stride=2)"),
        # (a 2x2 pooling with stride 1 is caught too, but keeps the maps near 224x224 in the training cell, where the
        # thin VGG's forward pass then needs more than the 6 GB of a grading sandbox: the kernel dies, and is flagged)
        "AlexNet's 3x3 max pooling with stride 2": _b(pool="nn.MaxPool2d(kernel_size=3, stride=2)"),
        "every conv reads in_channels": _b(update="pass"),
        "no ReLU after the last convolution": '''
def vgg_block(num_convs, in_channels, out_channels):
    layers = []
    for i in range(num_convs):
        if i:
            layers.append(nn.ReLU())
        layers.append(nn.Conv2d(in_channels if i == 0 else out_channels, out_channels, 3, padding=1))
    return nn.Sequential(*layers, nn.MaxPool2d(2, 2))
''',
        "no padding in the convolutions": _b(pad="0"),
        "one convolution whatever num_convs": _b(n="1"),
        "output detached (no gradient reaches the convolutions)": '''
class _Block(nn.Module):
    def __init__(self, num_convs, in_channels, out_channels):
        super().__init__()
        layers = []
        for _ in range(num_convs):
            layers += [nn.Conv2d(in_channels, out_channels, kernel_size=3, padding=1), nn.ReLU()]
            in_channels = out_channels
        self.body = nn.Sequential(*layers, nn.MaxPool2d(kernel_size=2, stride=2))

    def forward(self, x):
        return self.body(x).detach()


def vgg_block(num_convs, in_channels, out_channels):
    return _Block(num_convs, in_channels, out_channels)
''',
        "torchvision's Conv2dNormActivation for each conv + ReLU": '''
from torchvision.ops import Conv2dNormActivation


def vgg_block(num_convs, in_channels, out_channels):
    layers = [Conv2dNormActivation(in_channels if i == 0 else out_channels, out_channels, kernel_size=3, norm_layer=None)
              for i in range(num_convs)]
    return nn.Sequential(*layers, nn.MaxPool2d(kernel_size=2, stride=2))
''',
    },
    "vgg": {
        "no dropout": _VGG.format(**dict(_VGG_OK, head="nn.Linear(out_channels * 7 * 7, 4096), nn.ReLU(), "
                                                       "nn.Linear(4096, 4096), nn.ReLU(), nn.Linear(4096, num_classes)")),
        "Linear(512 * 7 * 7, 4096) hard-coded": _v(head=dict(flat="512 * 7 * 7")),
        "sigmoid in the fully connected part": _v(head=dict(act="nn.Sigmoid()")),
        "num_classes ignored": _v(head=dict(ncls="10")),
        "in_channels ignored (always 1)": _v(cin="1 if not blocks else in_channels"),
        "ReLU after the output layer": _VGG.format(**dict(_VGG_OK, head=_HEAD.format(**_HEAD_OK) + ", nn.ReLU()")),
        "dropout before the first linear layer instead of after the second ReLU": _VGG.format(**dict(_VGG_OK, head=(
            "nn.Dropout(p=0.5), nn.Linear(out_channels * 7 * 7, 4096), nn.ReLU(), nn.Dropout(p=0.5), "
            "nn.Linear(4096, 4096), nn.ReLU(), nn.Linear(4096, num_classes)"))),
        "dropout with p=0.2": _v(head=dict(p="0.2")),
        "every block reads in_channels": _v(update="pass"),
        "blocks detached from the classifier (no gradient reaches the convolutions)": '''
class _VGG(nn.Module):
    def __init__(self, conv_arch, in_channels, num_classes):
        super().__init__()
        blocks = []
        for num_convs, out_channels in conv_arch:
            blocks.append(vgg_block(num_convs, in_channels, out_channels))
            in_channels = out_channels
        self.features = nn.Sequential(*blocks)
        self.classifier = nn.Sequential(nn.Flatten(), nn.Linear(in_channels * 7 * 7, 4096), nn.ReLU(), nn.Dropout(0.5),
                                        nn.Linear(4096, 4096), nn.ReLU(), nn.Dropout(0.5), nn.Linear(4096, num_classes))

    def forward(self, x):
        return self.classifier(self.features(x).detach())


def vgg(conv_arch, in_channels=1, num_classes=10):
    return _VGG(conv_arch, in_channels, num_classes)
''',
        "torchvision.models.VGG as the container": '''
import torchvision


def vgg(conv_arch, in_channels=1, num_classes=10):
    blocks = []
    for num_convs, out_channels in conv_arch:
        blocks.append(vgg_block(num_convs, in_channels, out_channels))
        in_channels = out_channels
    net = torchvision.models.VGG(nn.Sequential(*blocks), num_classes=num_classes, init_weights=False)
    net.classifier[0] = nn.Linear(out_channels * 7 * 7, 4096)
    return net
''',
    },
    "VGG16_ARCH": {
        "VGG-13 (column B)": "VGG16_ARCH = ((2, 64), (2, 128), (2, 256), (2, 512), (2, 512))\n",
        "VGG-11 (column A)": "VGG16_ARCH = ((1, 64), (1, 128), (2, 256), (2, 512), (2, 512))\n",
        "VGG-19 (column E)": "VGG16_ARCH = ((2, 64), (2, 128), (4, 256), (4, 512), (4, 512))\n",
        "last block with two convolutions, 1024 channels": "VGG16_ARCH = ((2, 64), (2, 128), (3, 256), (3, 512), (2, 1024))\n",
        "pairs written (out_channels, num_convs)": "VGG16_ARCH = ((64, 2), (128, 2), (256, 3), (512, 3), (512, 3))\n",
        "13 convs but spread wrongly": "VGG16_ARCH = ((3, 64), (3, 128), (3, 256), (2, 512), (2, 512))\n",
        "torchvision's flat cfg list": "VGG16_ARCH = [64, 64, 'M', 128, 128, 'M', 256, 256, 256, 'M', 512, 512, 512, 'M', 512, 512, 512, 'M']\n",
    },
    "VGG19_ARCH": {
        "VGG-16 (column D)": "VGG19_ARCH = ((2, 64), (2, 128), (3, 256), (3, 512), (3, 512))\n",
        "torchvision's flat cfg list": ("VGG19_ARCH = [64, 64, 'M', 128, 128, 'M', 256, 256, 256, 256, 'M', 512, 512, 512, 512, 'M', "
                                        "512, 512, 512, 512, 'M']\n"),
        "19 convolutions (fully connected layers counted as convs)": "VGG19_ARCH = ((3, 64), (3, 128), (4, 256), (4, 512), (5, 512))\n",
        "channels doubled in the last block": "VGG19_ARCH = ((2, 64), (2, 128), (4, 256), (4, 512), (4, 1024))\n",
        "16 convs but spread wrongly": "VGG19_ARCH = ((4, 64), (4, 128), (4, 256), (2, 512), (2, 512))\n",
        "pairs written (out_channels, num_convs)": "VGG19_ARCH = ((64, 2), (128, 2), (256, 4), (512, 4), (512, 4))\n",
    },
}
