"""11_resnet: other correct answers (full marks) and planted bugs (must lose points)."""

CORRECT = {
    "Residual": {
        "shortcut computed first, Sequential main path, nn.Identity": '''
class Residual(nn.Module):
    def __init__(self, input_channels, num_channels, use_1x1conv=False, strides=1):
        super().__init__()
        self.main = nn.Sequential(
            nn.Conv2d(input_channels, num_channels, 3, stride=strides, padding=1, bias=False),
            nn.BatchNorm2d(num_channels), nn.ReLU(inplace=True),
            nn.Conv2d(num_channels, num_channels, 3, padding=1, bias=False),
            nn.BatchNorm2d(num_channels))
        self.skip = (nn.Sequential(nn.Conv2d(input_channels, num_channels, 1, stride=strides, bias=False),
                                   nn.BatchNorm2d(num_channels))
                     if use_1x1conv else nn.Identity())
        self.act = nn.ReLU()

    def forward(self, x):
        identity = self.skip(x)
        return self.act(self.main(x) + identity)
''',
        "ModuleList of (conv, bn) pairs, shortcut between the two convs": '''
class Residual(nn.Module):
    def __init__(self, input_channels, num_channels, use_1x1conv=False, strides=1):
        super().__init__()
        self.layers = nn.ModuleList([
            nn.ModuleList([nn.Conv2d(input_channels, num_channels, (3, 3), (strides, strides), (1, 1), bias=False),
                           nn.BatchNorm2d(num_channels)]),
            nn.ModuleList([nn.Conv2d(num_channels, num_channels, (3, 3), 1, 1, bias=False),
                           nn.BatchNorm2d(num_channels)])])
        self.proj = None
        if use_1x1conv:
            self.proj = nn.ModuleList([nn.Conv2d(input_channels, num_channels, 1, strides, bias=False),
                                       nn.BatchNorm2d(num_channels)])

    def forward(self, X):
        conv, bn = self.layers[0]
        Y = torch.relu(bn(conv(X)))
        S = X if self.proj is None else self.proj[1](self.proj[0](X))
        conv, bn = self.layers[1]
        return torch.relu(bn(conv(Y)) + S)
''',
        "OrderedDict names, an empty nn.Sequential() as the identity, shortcut added in place": '''
from collections import OrderedDict

class Residual(nn.Module):
    def __init__(self, input_channels, num_channels, use_1x1conv=False, strides=1):
        super().__init__()
        self.branch = nn.Sequential(OrderedDict([
            ("conv_a", nn.Conv2d(input_channels, num_channels, kernel_size=3, stride=strides, padding=1, bias=False)),
            ("bn_a", nn.BatchNorm2d(num_channels)),
            ("relu_a", nn.ReLU()),
            ("conv_b", nn.Conv2d(num_channels, num_channels, kernel_size=3, padding=1, bias=False)),
            ("bn_b", nn.BatchNorm2d(num_channels))]))
        self.shortcut = nn.Sequential()
        if use_1x1conv:
            self.shortcut = nn.Sequential(OrderedDict([
                ("conv", nn.Conv2d(input_channels, num_channels, kernel_size=1, stride=strides, bias=False)),
                ("bn", nn.BatchNorm2d(num_channels))]))

    def forward(self, X):
        out = self.branch(X)
        out += self.shortcut(X)
        return F.relu(out)
''',
        "a copy of torchvision's BasicBlock source: in-place ReLU module, out += identity, padding='same', zero-init bn2": '''
class Residual(nn.Module):
    def __init__(self, input_channels, num_channels, use_1x1conv=False, strides=1):
        super().__init__()
        self.conv1 = nn.Conv2d(input_channels, num_channels, kernel_size=3, stride=strides, padding=1, bias=False)
        self.bn1 = nn.BatchNorm2d(num_channels)
        self.relu = nn.ReLU(inplace=True)
        self.conv2 = nn.Conv2d(num_channels, num_channels, kernel_size=3, padding="same", bias=False)
        self.bn2 = nn.BatchNorm2d(num_channels)
        nn.init.zeros_(self.bn2.weight)
        self.downsample = None
        if use_1x1conv:
            self.downsample = nn.Sequential(nn.Conv2d(input_channels, num_channels, 1, stride=strides, bias=False),
                                            nn.BatchNorm2d(num_channels))

    def forward(self, x):
        identity = x
        out = self.relu(self.bn1(self.conv1(x)))
        out = self.bn2(self.conv2(out))
        if self.downsample is not None:
            identity = self.downsample(x)
        out += identity
        return self.relu(out)
''',
        "a ModuleDict, torch.relu only, shortcut first": '''
class Residual(nn.Module):
    def __init__(self, input_channels, num_channels, use_1x1conv=False, strides=1):
        super().__init__()
        self.layers = nn.ModuleDict({"c1": nn.Conv2d(input_channels, num_channels, 3, strides, 1, bias=False),
                                     "n1": nn.BatchNorm2d(num_channels),
                                     "c2": nn.Conv2d(num_channels, num_channels, 3, 1, 1, bias=False),
                                     "n2": nn.BatchNorm2d(num_channels)})
        if use_1x1conv:
            self.layers["sc"] = nn.Conv2d(input_channels, num_channels, 1, strides, bias=False)
            self.layers["sn"] = nn.BatchNorm2d(num_channels)

    def forward(self, X):
        L = self.layers
        s = L["sn"](L["sc"](X)) if "sc" in L else X
        return torch.relu(L["n2"](L["c2"](torch.relu(L["n1"](L["c1"](X))))) + s)
''',
    },
    "resnet_block": {
        "a list, as d2l returns it": '''
def resnet_block(input_channels, num_channels, num_residuals, first_block=False):
    blk = []
    for i in range(num_residuals):
        if i == 0 and not first_block:
            blk.append(Residual(input_channels, num_channels, use_1x1conv=True, strides=2))
        else:
            blk.append(Residual(num_channels, num_channels))
    return blk
''',
        "comprehension": '''
def resnet_block(input_channels, num_channels, num_residuals, first_block=False):
    first = (Residual(num_channels, num_channels) if first_block
             else Residual(input_channels, num_channels, use_1x1conv=True, strides=2))
    return nn.Sequential(first, *[Residual(num_channels, num_channels) for _ in range(num_residuals - 1)])
''',
        "an OrderedDict-named nn.Sequential, keyword arguments": '''
from collections import OrderedDict

def resnet_block(input_channels, num_channels, num_residuals, first_block=False):
    blocks = OrderedDict()
    for i in range(num_residuals):
        down = i == 0 and not first_block
        blocks[f"block{i}"] = Residual(input_channels=input_channels if down else num_channels, num_channels=num_channels,
                                       use_1x1conv=down, strides=2 if down else 1)
    return nn.Sequential(blocks)
''',
        "a tuple of blocks from a generator expression": '''
def resnet_block(input_channels, num_channels, num_residuals, first_block=False):
    return tuple(Residual(input_channels, num_channels, use_1x1conv=True, strides=2) if i == 0 and not first_block
                 else Residual(num_channels, num_channels) for i in range(num_residuals))
''',
    },
    "resnet18": {
        "a class with a ModuleList of stages and functional pooling": '''
class _ResNet18(nn.Module):
    def __init__(self, in_channels, num_classes):
        super().__init__()
        self.conv = nn.Conv2d(in_channels, 64, 7, 2, 3, bias=False)
        self.bn = nn.BatchNorm2d(64)
        self.pool = nn.MaxPool2d(3, 2, 1)
        self.stages = nn.ModuleList()
        for c_in, c_out, first in [(64, 64, True), (64, 128, False), (128, 256, False), (256, 512, False)]:
            self.stages.append(nn.Sequential(*resnet_block(c_in, c_out, 2, first_block=first)))
        self.fc = nn.Linear(512, num_classes)

    def forward(self, x):
        x = self.pool(F.relu(self.bn(self.conv(x))))
        for stage in self.stages:
            x = stage(x)
        return self.fc(torch.flatten(F.adaptive_avg_pool2d(x, 1), 1))

def resnet18(in_channels=1, num_classes=10):
    return _ResNet18(in_channels, num_classes)
''',
        "one flat Sequential, mean over h and w": '''
class _GlobalAvg(nn.Module):
    def forward(self, x):
        return x.mean(dim=(2, 3))

def resnet18(in_channels=1, num_classes=10):
    layers = [nn.Conv2d(in_channels, 64, kernel_size=7, stride=2, padding=3, bias=False), nn.BatchNorm2d(64),
              nn.ReLU(), nn.MaxPool2d(kernel_size=3, stride=2, padding=1)]
    chans = [64, 64, 128, 256, 512]
    for i in range(4):
        layers += list(resnet_block(chans[i], chans[i + 1], 2, first_block=(i == 0)))
    layers += [_GlobalAvg(), nn.Linear(512, num_classes)]
    return nn.Sequential(*layers)
''',
        "named stages in an OrderedDict, nn.ReLU(inplace=True), AdaptiveAvgPool2d(1)": '''
from collections import OrderedDict

def resnet18(in_channels=1, num_classes=10):
    parts = OrderedDict(stem=nn.Sequential(nn.Conv2d(in_channels, 64, 7, stride=2, padding=3, bias=False),
                                           nn.BatchNorm2d(64), nn.ReLU(inplace=True), nn.MaxPool2d(3, 2, 1)))
    for k, (c_in, c_out) in enumerate([(64, 64), (64, 128), (128, 256), (256, 512)]):
        parts[f"stage{k + 1}"] = nn.Sequential(*resnet_block(c_in, c_out, 2, first_block=(k == 0)))
    parts["pool"] = nn.AdaptiveAvgPool2d(1)
    parts["flatten"] = nn.Flatten()
    parts["fc"] = nn.Linear(512, num_classes)
    return nn.Sequential(parts)
''',
        "a class with functional ReLU and F.max_pool2d in the stem": '''
class _ResNet18F(nn.Module):
    def __init__(self, in_channels, num_classes):
        super().__init__()
        self.conv = nn.Conv2d(in_channels, 64, 7, 2, 3, bias=False)
        self.bn = nn.BatchNorm2d(64)
        self.body = nn.Sequential(*[blk for k, (c_in, c_out) in enumerate([(64, 64), (64, 128), (128, 256), (256, 512)])
                                    for blk in resnet_block(c_in, c_out, 2, first_block=(k == 0))])
        self.fc = nn.Linear(512, num_classes)

    def forward(self, x):
        x = F.max_pool2d(F.relu(self.bn(self.conv(x))), 3, 2, 1)
        return self.fc(F.adaptive_avg_pool2d(self.body(x), 1).flatten(1))

def resnet18(in_channels=1, num_classes=10):
    return _ResNet18F(in_channels, num_classes)
''',
        "a class with stages as attributes, F.relu(inplace=True), x.mean((2, 3))": '''
class _Net(nn.Module):
    def __init__(self, in_channels, num_classes):
        super().__init__()
        self.conv1 = nn.Conv2d(in_channels, 64, kernel_size=7, stride=2, padding=3, bias=False)
        self.bn1 = nn.BatchNorm2d(64)
        self.layer1 = nn.Sequential(*resnet_block(64, 64, 2, first_block=True))
        self.layer2 = nn.Sequential(*resnet_block(64, 128, 2))
        self.layer3 = nn.Sequential(*resnet_block(128, 256, 2))
        self.layer4 = nn.Sequential(*resnet_block(256, 512, 2))
        self.fc = nn.Linear(512, num_classes)

    def forward(self, x):
        x = F.max_pool2d(F.relu(self.bn1(self.conv1(x)), inplace=True), kernel_size=3, stride=2, padding=1)
        x = self.layer4(self.layer3(self.layer2(self.layer1(x))))
        return self.fc(x.mean((2, 3)))

def resnet18(in_channels=1, num_classes=10):
    return _Net(in_channels, num_classes)
''',
        "a list concatenation of stages, F.avg_pool2d(x, x.shape[2:]) and view": '''
class _GAP(nn.Module):
    def forward(self, x):
        return F.avg_pool2d(x, x.shape[2:]).view(x.size(0), -1)

def resnet18(in_channels=1, num_classes=10):
    layers = [nn.Conv2d(in_channels, 64, 7, 2, 3, bias=False), nn.BatchNorm2d(64), nn.ReLU(), nn.MaxPool2d(3, 2, 1)]
    layers += list(resnet_block(64, 64, 2, first_block=True)) + list(resnet_block(64, 128, 2))
    layers += list(resnet_block(128, 256, 2))
    layers.extend(resnet_block(256, 512, 2))
    return nn.Sequential(*layers, _GAP(), nn.Linear(512, num_classes))
''',
    },
    "Bottleneck": {
        "explicit layers, shortcut first, None for the identity": '''
class Bottleneck(nn.Module):
    def __init__(self, input_channels, bottleneck_channels, num_channels, strides=1):
        super().__init__()
        b = bottleneck_channels
        self.reduce, self.bn_r = nn.Conv2d(input_channels, b, 1, bias=False), nn.BatchNorm2d(b)
        self.mid, self.bn_m = nn.Conv2d(b, b, 3, strides, 1, bias=False), nn.BatchNorm2d(b)
        self.expand, self.bn_e = nn.Conv2d(b, num_channels, 1, bias=False), nn.BatchNorm2d(num_channels)
        self.proj = None
        if strides != 1 or input_channels != num_channels:
            self.proj = nn.Sequential(nn.Conv2d(input_channels, num_channels, 1, stride=strides, bias=False),
                                      nn.BatchNorm2d(num_channels))

    def forward(self, X):
        shortcut = X if self.proj is None else self.proj(X)
        Y = F.relu(self.bn_r(self.reduce(X)))
        Y = F.relu(self.bn_m(self.mid(Y)))
        Y = self.bn_e(self.expand(Y))
        return F.relu(Y + shortcut)
''',
        "torchvision's attribute names (conv1..3, bn1..3, downsample), in-place ReLU module": '''
class Bottleneck(nn.Module):
    def __init__(self, input_channels, bottleneck_channels, num_channels, strides=1):
        super().__init__()
        width = bottleneck_channels
        self.conv1 = nn.Conv2d(input_channels, width, kernel_size=1, bias=False)
        self.bn1 = nn.BatchNorm2d(width)
        self.conv2 = nn.Conv2d(width, width, kernel_size=3, stride=strides, padding=1, bias=False)
        self.bn2 = nn.BatchNorm2d(width)
        self.conv3 = nn.Conv2d(width, num_channels, kernel_size=1, bias=False)
        self.bn3 = nn.BatchNorm2d(num_channels)
        self.relu = nn.ReLU(inplace=True)
        self.downsample = None
        if strides != 1 or input_channels != num_channels:
            self.downsample = nn.Sequential(nn.Conv2d(input_channels, num_channels, kernel_size=1, stride=strides, bias=False),
                                            nn.BatchNorm2d(num_channels))

    def forward(self, x):
        identity = x if self.downsample is None else self.downsample(x)
        out = self.relu(self.bn1(self.conv1(x)))
        out = self.relu(self.bn2(self.conv2(out)))
        out = self.bn3(self.conv3(out))
        return self.relu(out + identity)
''',
        "one in-place ReLU module reused, an empty Sequential as the identity, strides > 1, kaiming init": '''
class Bottleneck(nn.Module):
    def __init__(self, input_channels, bottleneck_channels, num_channels, strides=1):
        super().__init__()
        b = bottleneck_channels
        self.c1, self.b1 = nn.Conv2d(input_channels, b, 1, bias=False), nn.BatchNorm2d(b)
        self.c2, self.b2 = nn.Conv2d(b, b, (3, 3), stride=(strides, strides), padding=(1, 1), bias=False), nn.BatchNorm2d(b)
        self.c3, self.b3 = nn.Conv2d(b, num_channels, 1, bias=False), nn.BatchNorm2d(num_channels)
        self.act = nn.ReLU(inplace=True)
        self.short = nn.Sequential()
        if strides > 1 or input_channels != num_channels:
            self.short = nn.Sequential(nn.Conv2d(input_channels, num_channels, 1, strides, bias=False),
                                       nn.BatchNorm2d(num_channels))
        for m in self.modules():
            if isinstance(m, nn.Conv2d):
                nn.init.kaiming_normal_(m.weight, mode="fan_out", nonlinearity="relu")

    def forward(self, x):
        out = self.act(self.b1(self.c1(x)))
        out = self.act(self.b2(self.c2(out)))
        out = self.b3(self.c3(out))
        out = out + self.short(x)
        return self.act(out)
''',
    },
}

RES = '''class Residual(nn.Module):
    def __init__(self, input_channels, num_channels, use_1x1conv=False, strides=1):
        super().__init__()
        self.conv1 = nn.Conv2d(input_channels, num_channels, kernel_size=3, padding=1, stride=strides, bias=False)
        self.bn1 = nn.BatchNorm2d(num_channels{m})
        self.conv2 = nn.Conv2d(num_channels, num_channels, kernel_size=3, padding=1, bias=False)
        self.bn2 = nn.BatchNorm2d(num_channels{m})
        project = {cond}
        self.proj = (nn.Sequential(nn.Conv2d(input_channels, num_channels, 1, stride=strides, bias=False),
                                   nn.BatchNorm2d(num_channels{m})) if project else None)

    def forward(self, X):
        Y = self.bn2(self.conv2(F.relu(self.bn1(self.conv1(X)))))
        return F.relu(Y + (X if self.proj is None else self.proj(X)))
'''

R18 = '''def resnet18(in_channels=1, num_classes=10):
    b1 = nn.Sequential(nn.Conv2d(in_channels, 64, kernel_size=7, stride=2, padding=3, bias=False),
                       nn.BatchNorm2d(64{m}), nn.ReLU(), nn.MaxPool2d(kernel_size=3, stride=2, padding=1))
    return nn.Sequential(b1, nn.Sequential(*resnet_block(64, 64, 2, first_block=True)),
                         nn.Sequential(*resnet_block(64, 128, 2)), nn.Sequential(*resnet_block(128, 256, 2)),
                         nn.Sequential(*resnet_block(256, 512, 2)), {pool})
'''

WRONG = {
    "Residual": {
        "no skip connection": '''
class Residual(nn.Module):
    def __init__(self, input_channels, num_channels, use_1x1conv=False, strides=1):
        super().__init__()
        self.conv1 = nn.Conv2d(input_channels, num_channels, kernel_size=3, padding=1, stride=strides, bias=False)
        self.bn1 = nn.BatchNorm2d(num_channels)
        self.conv2 = nn.Conv2d(num_channels, num_channels, kernel_size=3, padding=1, bias=False)
        self.bn2 = nn.BatchNorm2d(num_channels)
        self.conv3 = nn.Conv2d(input_channels, num_channels, kernel_size=1, stride=strides, bias=False) if use_1x1conv else None
        self.bn3 = nn.BatchNorm2d(num_channels) if use_1x1conv else None

    def forward(self, X):
        Y = F.relu(self.bn1(self.conv1(X)))
        Y = self.bn2(self.conv2(Y))
        if self.conv3 is not None:
            self.bn3(self.conv3(X))
        return F.relu(Y)
''',
        "no final ReLU": '''
class Residual(nn.Module):
    def __init__(self, input_channels, num_channels, use_1x1conv=False, strides=1):
        super().__init__()
        self.conv1 = nn.Conv2d(input_channels, num_channels, kernel_size=3, padding=1, stride=strides, bias=False)
        self.bn1 = nn.BatchNorm2d(num_channels)
        self.conv2 = nn.Conv2d(num_channels, num_channels, kernel_size=3, padding=1, bias=False)
        self.bn2 = nn.BatchNorm2d(num_channels)
        self.conv3 = nn.Conv2d(input_channels, num_channels, kernel_size=1, stride=strides, bias=False) if use_1x1conv else None
        self.bn3 = nn.BatchNorm2d(num_channels) if use_1x1conv else None

    def forward(self, X):
        Y = F.relu(self.bn1(self.conv1(X)))
        Y = self.bn2(self.conv2(Y))
        if self.conv3 is not None:
            X = self.bn3(self.conv3(X))
        return Y + X
''',
        "stride on the second 3x3 conv": '''
class Residual(nn.Module):
    def __init__(self, input_channels, num_channels, use_1x1conv=False, strides=1):
        super().__init__()
        self.conv1 = nn.Conv2d(input_channels, num_channels, kernel_size=3, padding=1, bias=False)
        self.bn1 = nn.BatchNorm2d(num_channels)
        self.conv2 = nn.Conv2d(num_channels, num_channels, kernel_size=3, padding=1, stride=strides, bias=False)
        self.bn2 = nn.BatchNorm2d(num_channels)
        self.conv3 = nn.Conv2d(input_channels, num_channels, kernel_size=1, stride=strides, bias=False) if use_1x1conv else None
        self.bn3 = nn.BatchNorm2d(num_channels) if use_1x1conv else None

    def forward(self, X):
        Y = F.relu(self.bn1(self.conv1(X)))
        Y = self.bn2(self.conv2(Y))
        if self.conv3 is not None:
            X = self.bn3(self.conv3(X))
        return F.relu(Y + X)
''',
        "d2l's original: conv biases, no BN on the 1x1 shortcut": '''
class Residual(nn.Module):
    def __init__(self, input_channels, num_channels, use_1x1conv=False, strides=1):
        super().__init__()
        self.conv1 = nn.Conv2d(input_channels, num_channels, kernel_size=3, padding=1, stride=strides)
        self.conv2 = nn.Conv2d(num_channels, num_channels, kernel_size=3, padding=1)
        self.conv3 = nn.Conv2d(input_channels, num_channels, kernel_size=1, stride=strides) if use_1x1conv else None
        self.bn1 = nn.BatchNorm2d(num_channels)
        self.bn2 = nn.BatchNorm2d(num_channels)

    def forward(self, X):
        Y = F.relu(self.bn1(self.conv1(X)))
        Y = self.bn2(self.conv2(Y))
        if self.conv3:
            X = self.conv3(X)
        return F.relu(Y + X)
''',
        "subclasses torchvision's BasicBlock (right function, not built from layers)": '''
class Residual(torchvision.models.resnet.BasicBlock):
    def __init__(self, input_channels, num_channels, use_1x1conv=False, strides=1):
        down = None
        if use_1x1conv:
            down = nn.Sequential(nn.Conv2d(input_channels, num_channels, 1, stride=strides, bias=False),
                                 nn.BatchNorm2d(num_channels))
        super().__init__(input_channels, num_channels, stride=strides, downsample=down)
''',
        "wraps a torchvision BasicBlock in an attribute": '''
class Residual(nn.Module):
    def __init__(self, input_channels, num_channels, use_1x1conv=False, strides=1):
        super().__init__()
        from torchvision.models.resnet import BasicBlock
        down = None
        if use_1x1conv:
            down = nn.Sequential(nn.Conv2d(input_channels, num_channels, 1, stride=strides, bias=False),
                                 nn.BatchNorm2d(num_channels))
        self.block = BasicBlock(input_channels, num_channels, stride=strides, downsample=down)

    def forward(self, X):
        return self.block(X)
''',
        "use_1x1conv ignored: the projection only when the shapes change (none for Residual(4, 4, use_1x1conv=True))":
            RES.format(m="", cond="strides != 1 or input_channels != num_channels"),
        "BatchNorm2d(num_channels, momentum=0.9) (notebook 10's convention: the running statistics move too fast)":
            RES.format(m=", momentum=0.9", cond="use_1x1conv"),
    },
    "resnet_block": {
        "first block of a later stage does not halve (stride 1)": '''
def resnet_block(input_channels, num_channels, num_residuals, first_block=False):
    blk = []
    for i in range(num_residuals):
        if i == 0 and not first_block:
            blk.append(Residual(input_channels, num_channels, use_1x1conv=True))
        else:
            blk.append(Residual(num_channels, num_channels))
    return nn.Sequential(*blk)
''',
        "every block has the strided projection": '''
def resnet_block(input_channels, num_channels, num_residuals, first_block=False):
    blk = [Residual(input_channels, num_channels, use_1x1conv=True, strides=2)]
    for i in range(num_residuals - 1):
        blk.append(Residual(num_channels, num_channels, use_1x1conv=True, strides=2 if not first_block else 1))
    return nn.Sequential(*blk)
''',
        "first_block ignored": '''
def resnet_block(input_channels, num_channels, num_residuals, first_block=False):
    blk = [Residual(input_channels, num_channels, use_1x1conv=True, strides=2)]
    blk += [Residual(num_channels, num_channels) for _ in range(num_residuals - 1)]
    return nn.Sequential(*blk)
''',
        "one block too few": '''
def resnet_block(input_channels, num_channels, num_residuals, first_block=False):
    if first_block:
        return nn.Sequential(*[Residual(num_channels, num_channels) for _ in range(max(num_residuals - 1, 1))])
    return nn.Sequential(Residual(input_channels, num_channels, use_1x1conv=True, strides=2),
                         *[Residual(num_channels, num_channels) for _ in range(num_residuals - 2)])
''',
        "a stage of torchvision's BasicBlocks instead of Residual": '''
def resnet_block(input_channels, num_channels, num_residuals, first_block=False):
    from torchvision.models.resnet import BasicBlock
    blocks = []
    for i in range(num_residuals):
        if i == 0 and not first_block:
            down = nn.Sequential(nn.Conv2d(input_channels, num_channels, 1, stride=2, bias=False), nn.BatchNorm2d(num_channels))
            blocks.append(BasicBlock(input_channels, num_channels, stride=2, downsample=down))
        else:
            blocks.append(BasicBlock(num_channels, num_channels))
    return nn.Sequential(*blocks)
''',
        "a bug in Residual copied into the stage (no final ReLU in its blocks)": '''
class _MyBlock(nn.Module):
    def __init__(self, c_in, c_out, project, stride):
        super().__init__()
        self.body = nn.Sequential(nn.Conv2d(c_in, c_out, 3, stride, 1, bias=False), nn.BatchNorm2d(c_out), nn.ReLU(),
                                  nn.Conv2d(c_out, c_out, 3, 1, 1, bias=False), nn.BatchNorm2d(c_out))
        self.proj = nn.Sequential(nn.Conv2d(c_in, c_out, 1, stride, bias=False), nn.BatchNorm2d(c_out)) if project else None

    def forward(self, X):
        return self.body(X) + (X if self.proj is None else self.proj(X))

def resnet_block(input_channels, num_channels, num_residuals, first_block=False):
    blk = [_MyBlock(num_channels, num_channels, False, 1) if first_block else _MyBlock(input_channels, num_channels, True, 2)]
    blk += [_MyBlock(num_channels, num_channels, False, 1) for _ in range(num_residuals - 1)]
    return nn.Sequential(*blk)
''',
    },
    "resnet18": {
        "no max pooling after the stem": '''
def resnet18(in_channels=1, num_classes=10):
    b1 = nn.Sequential(nn.Conv2d(in_channels, 64, kernel_size=7, stride=2, padding=3, bias=False),
                       nn.BatchNorm2d(64), nn.ReLU())
    return nn.Sequential(b1, nn.Sequential(*resnet_block(64, 64, 2, first_block=True)),
                         nn.Sequential(*resnet_block(64, 128, 2)), nn.Sequential(*resnet_block(128, 256, 2)),
                         nn.Sequential(*resnet_block(256, 512, 2)),
                         nn.AdaptiveAvgPool2d((1, 1)), nn.Flatten(), nn.Linear(512, num_classes))
''',
        "one residual block per stage (ResNet-10)": '''
def resnet18(in_channels=1, num_classes=10):
    b1 = nn.Sequential(nn.Conv2d(in_channels, 64, kernel_size=7, stride=2, padding=3, bias=False),
                       nn.BatchNorm2d(64), nn.ReLU(), nn.MaxPool2d(kernel_size=3, stride=2, padding=1))
    return nn.Sequential(b1, nn.Sequential(*resnet_block(64, 64, 1, first_block=True)),
                         nn.Sequential(*resnet_block(64, 128, 1)), nn.Sequential(*resnet_block(128, 256, 1)),
                         nn.Sequential(*resnet_block(256, 512, 1)),
                         nn.AdaptiveAvgPool2d((1, 1)), nn.Flatten(), nn.Linear(512, num_classes))
''',
        "global max pooling instead of average": '''
def resnet18(in_channels=1, num_classes=10):
    b1 = nn.Sequential(nn.Conv2d(in_channels, 64, kernel_size=7, stride=2, padding=3, bias=False),
                       nn.BatchNorm2d(64), nn.ReLU(), nn.MaxPool2d(kernel_size=3, stride=2, padding=1))
    return nn.Sequential(b1, nn.Sequential(*resnet_block(64, 64, 2, first_block=True)),
                         nn.Sequential(*resnet_block(64, 128, 2)), nn.Sequential(*resnet_block(128, 256, 2)),
                         nn.Sequential(*resnet_block(256, 512, 2)),
                         nn.AdaptiveMaxPool2d((1, 1)), nn.Flatten(), nn.Linear(512, num_classes))
''',
        "returns torchvision's resnet18 with a 1-channel stem (same network, not built from layers)": '''
def resnet18(in_channels=1, num_classes=10):
    net = torchvision.models.resnet18(weights=None, num_classes=num_classes)
    net.conv1 = nn.Conv2d(in_channels, 64, kernel_size=7, stride=2, padding=3, bias=False)
    return net
''',
        "stem conv with a bias and in_channels ignored": '''
def resnet18(in_channels=1, num_classes=10):
    b1 = nn.Sequential(nn.Conv2d(1, 64, kernel_size=7, stride=2, padding=3),
                       nn.BatchNorm2d(64), nn.ReLU(), nn.MaxPool2d(kernel_size=3, stride=2, padding=1))
    return nn.Sequential(b1, nn.Sequential(*resnet_block(64, 64, 2, first_block=True)),
                         nn.Sequential(*resnet_block(64, 128, 2)), nn.Sequential(*resnet_block(128, 256, 2)),
                         nn.Sequential(*resnet_block(256, 512, 2)),
                         nn.AdaptiveAvgPool2d((1, 1)), nn.Flatten(), nn.Linear(512, num_classes))
''',
        "global average pooling over the height only (F.avg_pool2d(x, x.size(2)), right for square maps only)": '''
class _HeightPool(nn.Module):
    def forward(self, x):
        return torch.flatten(F.avg_pool2d(x, x.size(2)), 1)

''' + R18.format(m="", pool="_HeightPool(), nn.Linear(512, num_classes)"),
        "stem BatchNorm2d(64, momentum=0.9)":
            R18.format(m=", momentum=0.9", pool="nn.AdaptiveAvgPool2d((1, 1)), nn.Flatten(), nn.Linear(512, num_classes)"),
    },
    "Bottleneck": {
        "expands to 4 * bottleneck_channels (torchvision's expansion), ignoring num_channels": '''
class Bottleneck(nn.Module):
    def __init__(self, input_channels, bottleneck_channels, num_channels, strides=1):
        super().__init__()
        b, out = bottleneck_channels, 4 * bottleneck_channels
        self.body = nn.Sequential(nn.Conv2d(input_channels, b, 1, bias=False), nn.BatchNorm2d(b), nn.ReLU(),
                                  nn.Conv2d(b, b, 3, stride=strides, padding=1, bias=False), nn.BatchNorm2d(b), nn.ReLU(),
                                  nn.Conv2d(b, out, 1, bias=False), nn.BatchNorm2d(out))
        self.proj = None
        if strides != 1 or input_channels != out:
            self.proj = nn.Sequential(nn.Conv2d(input_channels, out, 1, stride=strides, bias=False), nn.BatchNorm2d(out))

    def forward(self, X):
        return F.relu(self.body(X) + (X if self.proj is None else self.proj(X)))
''',
        "projection only when the channels change (a stride-2 block with equal channels gets the identity)": '''
class Bottleneck(nn.Module):
    def __init__(self, input_channels, bottleneck_channels, num_channels, strides=1):
        super().__init__()
        b = bottleneck_channels
        self.body = nn.Sequential(nn.Conv2d(input_channels, b, 1, bias=False), nn.BatchNorm2d(b), nn.ReLU(),
                                  nn.Conv2d(b, b, 3, stride=strides, padding=1, bias=False), nn.BatchNorm2d(b), nn.ReLU(),
                                  nn.Conv2d(b, num_channels, 1, bias=False), nn.BatchNorm2d(num_channels))
        self.proj = None
        if input_channels != num_channels:
            self.proj = nn.Sequential(nn.Conv2d(input_channels, num_channels, 1, stride=strides, bias=False),
                                      nn.BatchNorm2d(num_channels))

    def forward(self, X):
        return F.relu(self.body(X) + (X if self.proj is None else self.proj(X)))
''',
        "subclasses torchvision's Bottleneck (right function, not built from layers)": '''
class Bottleneck(torchvision.models.resnet.Bottleneck):
    expansion = 1

    def __init__(self, input_channels, bottleneck_channels, num_channels, strides=1):
        down = None
        if strides != 1 or input_channels != num_channels:
            down = nn.Sequential(nn.Conv2d(input_channels, num_channels, 1, stride=strides, bias=False),
                                 nn.BatchNorm2d(num_channels))
        super().__init__(input_channels, bottleneck_channels, stride=strides, downsample=down)
        self.conv3 = nn.Conv2d(bottleneck_channels, num_channels, kernel_size=1, bias=False)
        self.bn3 = nn.BatchNorm2d(num_channels)
''',
        "stride on the first 1x1 conv (original paper, not torchvision)": '''
class Bottleneck(nn.Module):
    def __init__(self, input_channels, bottleneck_channels, num_channels, strides=1):
        super().__init__()
        self.body = nn.Sequential(
            nn.Conv2d(input_channels, bottleneck_channels, kernel_size=1, stride=strides, bias=False),
            nn.BatchNorm2d(bottleneck_channels), nn.ReLU(),
            nn.Conv2d(bottleneck_channels, bottleneck_channels, kernel_size=3, padding=1, bias=False),
            nn.BatchNorm2d(bottleneck_channels), nn.ReLU(),
            nn.Conv2d(bottleneck_channels, num_channels, kernel_size=1, bias=False),
            nn.BatchNorm2d(num_channels))
        self.shortcut = nn.Identity()
        if strides != 1 or input_channels != num_channels:
            self.shortcut = nn.Sequential(nn.Conv2d(input_channels, num_channels, 1, stride=strides, bias=False),
                                          nn.BatchNorm2d(num_channels))

    def forward(self, X):
        return F.relu(self.body(X) + self.shortcut(X))
''',
        "no ReLU after the 3x3 conv's BN": '''
class Bottleneck(nn.Module):
    def __init__(self, input_channels, bottleneck_channels, num_channels, strides=1):
        super().__init__()
        self.body = nn.Sequential(
            nn.Conv2d(input_channels, bottleneck_channels, kernel_size=1, bias=False),
            nn.BatchNorm2d(bottleneck_channels), nn.ReLU(),
            nn.Conv2d(bottleneck_channels, bottleneck_channels, kernel_size=3, padding=1, stride=strides, bias=False),
            nn.BatchNorm2d(bottleneck_channels),
            nn.Conv2d(bottleneck_channels, num_channels, kernel_size=1, bias=False),
            nn.BatchNorm2d(num_channels))
        self.shortcut = nn.Identity()
        if strides != 1 or input_channels != num_channels:
            self.shortcut = nn.Sequential(nn.Conv2d(input_channels, num_channels, 1, stride=strides, bias=False),
                                          nn.BatchNorm2d(num_channels))

    def forward(self, X):
        return F.relu(self.body(X) + self.shortcut(X))
''',
        "always a projection shortcut": '''
class Bottleneck(nn.Module):
    def __init__(self, input_channels, bottleneck_channels, num_channels, strides=1):
        super().__init__()
        self.body = nn.Sequential(
            nn.Conv2d(input_channels, bottleneck_channels, kernel_size=1, bias=False),
            nn.BatchNorm2d(bottleneck_channels), nn.ReLU(),
            nn.Conv2d(bottleneck_channels, bottleneck_channels, kernel_size=3, padding=1, stride=strides, bias=False),
            nn.BatchNorm2d(bottleneck_channels), nn.ReLU(),
            nn.Conv2d(bottleneck_channels, num_channels, kernel_size=1, bias=False),
            nn.BatchNorm2d(num_channels))
        self.shortcut = nn.Sequential(nn.Conv2d(input_channels, num_channels, 1, stride=strides, bias=False),
                                      nn.BatchNorm2d(num_channels))

    def forward(self, X):
        return F.relu(self.body(X) + self.shortcut(X))
''',
        "no final ReLU": '''
class Bottleneck(nn.Module):
    def __init__(self, input_channels, bottleneck_channels, num_channels, strides=1):
        super().__init__()
        self.body = nn.Sequential(
            nn.Conv2d(input_channels, bottleneck_channels, kernel_size=1, bias=False),
            nn.BatchNorm2d(bottleneck_channels), nn.ReLU(),
            nn.Conv2d(bottleneck_channels, bottleneck_channels, kernel_size=3, padding=1, stride=strides, bias=False),
            nn.BatchNorm2d(bottleneck_channels), nn.ReLU(),
            nn.Conv2d(bottleneck_channels, num_channels, kernel_size=1, bias=False),
            nn.BatchNorm2d(num_channels))
        self.shortcut = nn.Identity()
        if strides != 1 or input_channels != num_channels:
            self.shortcut = nn.Sequential(nn.Conv2d(input_channels, num_channels, 1, stride=strides, bias=False),
                                          nn.BatchNorm2d(num_channels))

    def forward(self, X):
        return self.body(X) + self.shortcut(X)
''',
        "BatchNorm2d(..., momentum=0.9) (notebook 10's convention: the running statistics move too fast)": '''
class Bottleneck(nn.Module):
    def __init__(self, input_channels, bottleneck_channels, num_channels, strides=1):
        super().__init__()
        b = bottleneck_channels
        self.body = nn.Sequential(nn.Conv2d(input_channels, b, 1, bias=False), nn.BatchNorm2d(b, momentum=0.9), nn.ReLU(),
                                  nn.Conv2d(b, b, 3, stride=strides, padding=1, bias=False),
                                  nn.BatchNorm2d(b, momentum=0.9), nn.ReLU(),
                                  nn.Conv2d(b, num_channels, 1, bias=False), nn.BatchNorm2d(num_channels, momentum=0.9))
        self.shortcut = nn.Identity()
        if strides != 1 or input_channels != num_channels:
            self.shortcut = nn.Sequential(nn.Conv2d(input_channels, num_channels, 1, stride=strides, bias=False),
                                          nn.BatchNorm2d(num_channels, momentum=0.9))

    def forward(self, X):
        return F.relu(self.body(X) + self.shortcut(X))
''',
    },
}

# Both keep the feature maps large through all four stages (spec: each later stage halves them, and the stem's
# max pooling halves them once more), so each makes the training cell several times slower; together, 48 x 48
# maps with 512 channels took 77 s of a quiet machine's training cell in quick mode, past CI's 120 s under load.
HEAVY = {"first block of a later stage does not halve (stride 1)", "no max pooling after the stem"}
