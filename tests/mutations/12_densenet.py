"""12_densenet: other correct answers (full marks) and planted bugs (must lose points)."""

CORRECT = {
    "conv_block": {
        "a module class with named layers": '''
class _ConvBlock(nn.Module):
    def __init__(self, c_in, c_out):
        super().__init__()
        self.norm = nn.BatchNorm2d(c_in)
        self.conv = nn.Conv2d(c_in, c_out, (3, 3), padding=(1, 1))

    def forward(self, x):
        return self.conv(torch.relu(self.norm(x)))

def conv_block(input_channels, num_channels):
    return _ConvBlock(input_channels, num_channels)
''',
        "OrderedDict Sequential, padding='same'": '''
from collections import OrderedDict
def conv_block(input_channels, num_channels):
    return nn.Sequential(OrderedDict(norm=nn.BatchNorm2d(input_channels), relu=nn.ReLU(inplace=True),
                                     conv=nn.Conv2d(input_channels, num_channels, 3, padding="same")))
''',
    },
    "DenseBlock": {
        "torchvision style: a list of features, one cat per layer": '''
class DenseBlock(nn.Module):
    def __init__(self, num_convs, input_channels, num_channels):
        super().__init__()
        self.layers = nn.ModuleList(conv_block(input_channels + i * num_channels, num_channels)
                                    for i in range(num_convs))

    def forward(self, X):
        features = [X]
        for layer in self.layers:
            features.append(layer(torch.cat(features, 1)))
        return torch.cat(features, 1)
''',
        "ModuleDict, running channel count": '''
class DenseBlock(nn.Module):
    def __init__(self, num_convs, input_channels, num_channels):
        super().__init__()
        self.convs = nn.ModuleDict()
        c = input_channels
        for i in range(num_convs):
            self.convs[f"layer{i}"] = conv_block(c, num_channels)
            c += num_channels
        self.out_channels = c

    def forward(self, x):
        for name in self.convs:
            x = torch.cat([x, self.convs[name](x)], dim=1)
        return x
''',
        "an nn.Sequential of conv blocks walked with children(), torch.concat": '''
class DenseBlock(nn.Module):
    def __init__(self, num_convs, input_channels, num_channels):
        super().__init__()
        self.body = nn.Sequential(*[conv_block(input_channels + i * num_channels, num_channels) for i in range(num_convs)])

    def forward(self, X):
        for blk in self.body.children():
            X = torch.concat([X, blk(X)], dim=1)
        return X
''',
    },
    "transition_block": {
        "a module class with functional ReLU and pooling": '''
class _Transition(nn.Module):
    def __init__(self, c_in, c_out):
        super().__init__()
        self.bn = nn.BatchNorm2d(c_in)
        self.conv = nn.Conv2d(c_in, c_out, 1)

    def forward(self, x):
        return F.avg_pool2d(self.conv(F.relu(self.bn(x))), 2)

def transition_block(input_channels, num_channels):
    return _Transition(input_channels, num_channels)
''',
        "an OrderedDict Sequential, nn.AvgPool2d(2) (stride defaults to the window)": '''
from collections import OrderedDict

def transition_block(input_channels, num_channels):
    return nn.Sequential(OrderedDict(norm=nn.BatchNorm2d(input_channels), relu=nn.ReLU(inplace=True),
                                     conv=nn.Conv2d(input_channels, num_channels, (1, 1)), pool=nn.AvgPool2d(2)))
''',
    },
    "densenet": {
        "a class with a loop in __init__ and functional pooling": '''
class _DenseNet(nn.Module):
    def __init__(self, num_classes, growth_rate=32, arch=(4, 4, 4, 4)):
        super().__init__()
        self.stem = nn.Sequential(nn.Conv2d(1, 64, 7, 2, 3), nn.BatchNorm2d(64), nn.ReLU())
        stages, c = [], 64
        for i, n in enumerate(arch):
            stages.append(DenseBlock(n, c, growth_rate))
            c += n * growth_rate
            if i < len(arch) - 1:
                stages.append(transition_block(c, c // 2))
                c //= 2
        self.stages = nn.Sequential(*stages)
        self.norm = nn.BatchNorm2d(c)
        self.head = nn.Linear(c, num_classes)

    def forward(self, x):
        x = F.max_pool2d(self.stem(x), 3, 2, 1)
        x = F.relu(self.norm(self.stages(x)))
        return self.head(x.mean(dim=(2, 3)))

def densenet(num_classes=10):
    return _DenseNet(num_classes)
''',
        "explicit channel list": '''
def densenet(num_classes=10):
    layers = [nn.Conv2d(1, 64, kernel_size=7, stride=2, padding=3), nn.BatchNorm2d(64), nn.ReLU(),
              nn.MaxPool2d(kernel_size=3, stride=2, padding=1)]
    for c_in, c_out in [(64, 192), (96, 224), (112, 240)]:
        layers += [DenseBlock(4, c_in, 32), transition_block(c_out, c_out // 2)]
    layers += [DenseBlock(4, 120, 32), nn.BatchNorm2d(248), nn.ReLU(), nn.AdaptiveAvgPool2d(1), nn.Flatten(),
               nn.Linear(248, num_classes)]
    return nn.Sequential(*layers)
''',
        "stem, body and head as three nn.Sequentials, torch.flatten in a module": '''
class _Flat(nn.Module):
    def forward(self, x):
        return torch.flatten(x, 1)

def densenet(num_classes=10):
    stem = nn.Sequential(nn.Conv2d(1, 64, 7, 2, 3), nn.BatchNorm2d(64), nn.ReLU(inplace=True), nn.MaxPool2d(3, 2, 1))
    body, c = [], 64
    for i in range(4):
        body.append(DenseBlock(4, c, 32))
        c = c + 4 * 32
        if i < 3:
            body.append(transition_block(c, c // 2))
            c = c // 2
    head = nn.Sequential(nn.BatchNorm2d(c), nn.ReLU(), nn.AdaptiveAvgPool2d(1), _Flat(), nn.Linear(c, num_classes))
    return nn.Sequential(stem, nn.Sequential(*body), head)
''',
    },
}

WRONG = {
    "conv_block": {
        "conv-BN-ReLU (post-activation) order": '''
def conv_block(input_channels, num_channels):
    return nn.Sequential(nn.Conv2d(input_channels, num_channels, kernel_size=3, padding=1),
                         nn.BatchNorm2d(num_channels), nn.ReLU())
''',
        "ReLU after the conv (BN-conv-ReLU)": '''
def conv_block(input_channels, num_channels):
    return nn.Sequential(nn.BatchNorm2d(input_channels),
                         nn.Conv2d(input_channels, num_channels, kernel_size=3, padding=1), nn.ReLU())
''',
        "no padding": '''
def conv_block(input_channels, num_channels):
    return nn.Sequential(nn.BatchNorm2d(input_channels), nn.ReLU(),
                         nn.Conv2d(input_channels, num_channels, kernel_size=3))
''',
        "the conv from torchvision.ops (Conv2dNormActivation without norm and activation)": '''
def conv_block(input_channels, num_channels):
    from torchvision.ops import Conv2dNormActivation
    return nn.Sequential(nn.BatchNorm2d(input_channels), nn.ReLU(),
                         Conv2dNormActivation(input_channels, num_channels, 3, norm_layer=None, activation_layer=None))
''',
        "conv without bias": '''
def conv_block(input_channels, num_channels):
    return nn.Sequential(nn.BatchNorm2d(input_channels), nn.ReLU(),
                         nn.Conv2d(input_channels, num_channels, kernel_size=3, padding=1, bias=False))
''',
    },
    "DenseBlock": {
        "new channels first (torch.cat((Y, X)))": '''
class DenseBlock(nn.Module):
    def __init__(self, num_convs, input_channels, num_channels):
        super().__init__()
        self.net = nn.Sequential(*[conv_block(num_channels * i + input_channels, num_channels) for i in range(num_convs)])

    def forward(self, X):
        for blk in self.net:
            Y = blk(X)
            X = torch.cat((Y, X), dim=1)
        return X
''',
        "returns only the new channels": '''
class DenseBlock(nn.Module):
    def __init__(self, num_convs, input_channels, num_channels):
        super().__init__()
        self.net = nn.Sequential(*[conv_block(num_channels * i + input_channels, num_channels) for i in range(num_convs)])

    def forward(self, X):
        outs = []
        for blk in self.net:
            Y = blk(X)
            outs.append(Y)
            X = torch.cat((X, Y), dim=1)
        return torch.cat(outs, dim=1)
''',
        "every conv block reads only the block input": '''
class DenseBlock(nn.Module):
    def __init__(self, num_convs, input_channels, num_channels):
        super().__init__()
        self.net = nn.Sequential(*[conv_block(input_channels, num_channels) for i in range(num_convs)])

    def forward(self, X):
        return torch.cat([X] + [blk(X) for blk in self.net], dim=1)
''',
        "conv blocks with torchvision.ops.Conv2dNormActivation convolutions": '''
class DenseBlock(nn.Module):
    def __init__(self, num_convs, input_channels, num_channels):
        super().__init__()
        from torchvision.ops import Conv2dNormActivation
        self.net = nn.ModuleList(
            nn.Sequential(nn.BatchNorm2d(input_channels + i * num_channels), nn.ReLU(),
                          Conv2dNormActivation(input_channels + i * num_channels, num_channels, 3,
                                               norm_layer=None, activation_layer=None))
            for i in range(num_convs))

    def forward(self, X):
        for blk in self.net:
            X = torch.cat((X, blk(X)), dim=1)
        return X
''',
        "a bug of conv_block copied in (conv-BN-ReLU order, without conv_block)": '''
class DenseBlock(nn.Module):
    def __init__(self, num_convs, input_channels, num_channels):
        super().__init__()
        self.net = nn.ModuleList(
            nn.Sequential(nn.Conv2d(input_channels + i * num_channels, num_channels, 3, padding=1),
                          nn.BatchNorm2d(num_channels), nn.ReLU())
            for i in range(num_convs))

    def forward(self, X):
        for blk in self.net:
            X = torch.cat((X, blk(X)), dim=1)
        return X
''',
    },
    "transition_block": {
        "max pooling instead of average pooling": '''
def transition_block(input_channels, num_channels):
    return nn.Sequential(nn.BatchNorm2d(input_channels), nn.ReLU(),
                         nn.Conv2d(input_channels, num_channels, kernel_size=1),
                         nn.MaxPool2d(kernel_size=2, stride=2))
''',
        "3x3 conv (padding 1) instead of 1x1": '''
def transition_block(input_channels, num_channels):
    return nn.Sequential(nn.BatchNorm2d(input_channels), nn.ReLU(),
                         nn.Conv2d(input_channels, num_channels, kernel_size=3, padding=1),
                         nn.AvgPool2d(kernel_size=2, stride=2))
''',
        "conv first, then BN and ReLU": '''
def transition_block(input_channels, num_channels):
    return nn.Sequential(nn.Conv2d(input_channels, num_channels, kernel_size=1),
                         nn.BatchNorm2d(num_channels), nn.ReLU(),
                         nn.AvgPool2d(kernel_size=2, stride=2))
''',
        "subclasses torchvision's DenseNet _Transition (bias put back: right function, not built from layers)": '''
import torchvision.models.densenet as _tvd

class _MyTransition(_tvd._Transition):
    def __init__(self, input_channels, num_channels):
        super().__init__(input_channels, num_channels)
        self.conv = nn.Conv2d(input_channels, num_channels, kernel_size=1)

def transition_block(input_channels, num_channels):
    return _MyTransition(input_channels, num_channels)
''',
        "pooling with stride 1": '''
def transition_block(input_channels, num_channels):
    return nn.Sequential(nn.BatchNorm2d(input_channels), nn.ReLU(),
                         nn.Conv2d(input_channels, num_channels, kernel_size=1),
                         nn.AvgPool2d(kernel_size=2, stride=1))
''',
    },
    "densenet": {
        "transitions keep the channels": '''
def densenet(num_classes=10):
    b1 = nn.Sequential(nn.Conv2d(1, 64, kernel_size=7, stride=2, padding=3), nn.BatchNorm2d(64), nn.ReLU(),
                       nn.MaxPool2d(kernel_size=3, stride=2, padding=1))
    c, blks = 64, []
    for i in range(4):
        blks.append(DenseBlock(4, c, 32))
        c += 128
        if i != 3:
            blks.append(transition_block(c, c))
    return nn.Sequential(b1, *blks, nn.BatchNorm2d(c), nn.ReLU(), nn.AdaptiveAvgPool2d((1, 1)), nn.Flatten(),
                         nn.Linear(c, num_classes))
''',
        "no BN-ReLU before the global pooling": '''
def densenet(num_classes=10):
    b1 = nn.Sequential(nn.Conv2d(1, 64, kernel_size=7, stride=2, padding=3), nn.BatchNorm2d(64), nn.ReLU(),
                       nn.MaxPool2d(kernel_size=3, stride=2, padding=1))
    c, blks = 64, []
    for i in range(4):
        blks.append(DenseBlock(4, c, 32))
        c += 128
        if i != 3:
            blks.append(transition_block(c, c // 2))
            c //= 2
    return nn.Sequential(b1, *blks, nn.AdaptiveAvgPool2d((1, 1)), nn.Flatten(), nn.Linear(c, num_classes))
''',
        "no max pooling in the stem": '''
def densenet(num_classes=10):
    b1 = nn.Sequential(nn.Conv2d(1, 64, kernel_size=7, stride=2, padding=3), nn.BatchNorm2d(64), nn.ReLU())
    c, blks = 64, []
    for i in range(4):
        blks.append(DenseBlock(4, c, 32))
        c += 128
        if i != 3:
            blks.append(transition_block(c, c // 2))
            c //= 2
    return nn.Sequential(b1, *blks, nn.BatchNorm2d(c), nn.ReLU(), nn.AdaptiveAvgPool2d((1, 1)), nn.Flatten(),
                         nn.Linear(c, num_classes))
''',
        "the stem from torchvision.ops.Conv2dNormActivation (right function, not built from layers)": '''
def densenet(num_classes=10):
    from torchvision.ops import Conv2dNormActivation
    b1 = nn.Sequential(Conv2dNormActivation(1, 64, kernel_size=7, stride=2, padding=3, bias=True),
                       nn.MaxPool2d(kernel_size=3, stride=2, padding=1))
    c, blks = 64, []
    for i in range(4):
        blks.append(DenseBlock(4, c, 32))
        c += 128
        if i != 3:
            blks.append(transition_block(c, c // 2))
            c //= 2
    return nn.Sequential(b1, *blks, nn.BatchNorm2d(c), nn.ReLU(), nn.AdaptiveAvgPool2d((1, 1)), nn.Flatten(),
                         nn.Linear(c, num_classes))
''',
        "global max pooling instead of average": '''
def densenet(num_classes=10):
    b1 = nn.Sequential(nn.Conv2d(1, 64, kernel_size=7, stride=2, padding=3), nn.BatchNorm2d(64), nn.ReLU(),
                       nn.MaxPool2d(kernel_size=3, stride=2, padding=1))
    c, blks = 64, []
    for i in range(4):
        blks.append(DenseBlock(4, c, 32))
        c += 128
        if i != 3:
            blks.append(transition_block(c, c // 2))
            c //= 2
    return nn.Sequential(b1, *blks, nn.BatchNorm2d(c), nn.ReLU(), nn.AdaptiveMaxPool2d((1, 1)), nn.Flatten(),
                         nn.Linear(c, num_classes))
''',
        "a transition after the last dense block too": '''
def densenet(num_classes=10):
    b1 = nn.Sequential(nn.Conv2d(1, 64, kernel_size=7, stride=2, padding=3), nn.BatchNorm2d(64), nn.ReLU(),
                       nn.MaxPool2d(kernel_size=3, stride=2, padding=1))
    c, blks = 64, []
    for i in range(4):
        blks.append(DenseBlock(4, c, 32))
        c += 128
        blks.append(transition_block(c, c // 2))
        c //= 2
    return nn.Sequential(b1, *blks, nn.BatchNorm2d(c), nn.ReLU(), nn.AdaptiveAvgPool2d((1, 1)), nn.Flatten(),
                         nn.Linear(c, num_classes))
''',
    },
}
