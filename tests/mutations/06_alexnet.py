"""06_alexnet: other correct answers (full marks) and planted bugs (must lose points)."""

_ALEXNET = '''
def alexnet(in_channels=1, num_classes=10):
    return nn.Sequential(
        nn.Conv2d({cin}, 96, kernel_size=11, stride=4, padding=1), {act},
        {pool}(kernel_size=3, stride=2),
        nn.Conv2d(96, 256, kernel_size=5, padding=2), {act},
        {pool}(kernel_size=3, stride=2),
        nn.Conv2d(256, 384, kernel_size=3, padding=1), {act},
        nn.Conv2d(384, 384, kernel_size=3, padding=1), {act},
        nn.Conv2d(384, 256, kernel_size=3, padding=1), {act},
        {pool}(kernel_size=3, stride=2),
        nn.Flatten(),
        {head})
'''
_HEAD = ("nn.Linear(6400, 4096), nn.ReLU(), nn.Dropout(p=0.5), "
         "nn.Linear(4096, 4096), nn.ReLU(), nn.Dropout(p=0.5), nn.Linear(4096, {ncls})")
_OK = dict(cin="in_channels", act="nn.ReLU()", pool="nn.MaxPool2d", head=_HEAD.format(ncls="num_classes"))


def _a(**kw):
    return _ALEXNET.format(**dict(_OK, **kw))


_LC = '''
def layer_complexity(net, input_shape):
    names = {{m: name for name, m in net.named_modules()}}
    rows, handles = [], []

    def hook(module, inputs, output):
        params = {params}
        if isinstance(module, nn.Conv2d):
            c_out, h_out, w_out = output.shape[1:]
            k_h, k_w = module.kernel_size
            macs = {conv_macs}
        else:
            macs = module.in_features * module.out_features
        rows.append((names[module], int(params), int(macs)))

    for m in net.modules():
        if isinstance(m, (nn.Conv2d, nn.Linear)):
            handles.append(m.register_forward_hook(hook))
    with torch.no_grad():
        net(torch.zeros(input_shape))
    for h in handles:
        h.remove()
    return rows
'''
_LC_OK = dict(params="sum(p.numel() for p in module.parameters())",
              conv_macs="c_out * h_out * w_out * (module.in_channels // module.groups) * k_h * k_w")


def _lc(**kw):
    return _LC.format(**dict(_LC_OK, **kw))


CORRECT = {
    "alexnet": {
        "a class with functional ReLU, pooling and dropout in forward": '''
class _AlexNet(nn.Module):
    def __init__(self, in_channels, num_classes):
        super().__init__()
        self.c1 = nn.Conv2d(in_channels, 96, 11, 4, 1)
        self.c2 = nn.Conv2d(96, 256, 5, padding=2)
        self.c3 = nn.Conv2d(256, 384, 3, padding=1)
        self.c4 = nn.Conv2d(384, 384, 3, padding=1)
        self.c5 = nn.Conv2d(384, 256, 3, padding=1)
        self.fc1, self.fc2 = nn.Linear(256 * 5 * 5, 4096), nn.Linear(4096, 4096)
        self.out = nn.Linear(4096, num_classes)

    def forward(self, x):
        x = F.max_pool2d(F.relu(self.c1(x)), 3, 2)
        x = F.max_pool2d(F.relu(self.c2(x)), 3, 2)
        x = F.relu(self.c5(F.relu(self.c4(F.relu(self.c3(x))))))
        x = F.max_pool2d(x, 3, 2).flatten(1)
        x = F.dropout(F.relu(self.fc1(x)), 0.5, self.training)
        x = F.dropout(F.relu(self.fc2(x)), 0.5, self.training)
        return self.out(x)


def alexnet(in_channels=1, num_classes=10):
    return _AlexNet(in_channels, num_classes)
''',
        "nested features/classifier blocks, dropout before the ReLU": '''
def alexnet(in_channels=1, num_classes=10):
    def conv(ci, co, k, s=1, p=0):
        return nn.Sequential(nn.Conv2d(ci, co, (k, k), stride=s, padding=p), nn.ReLU(inplace=True))
    features = nn.Sequential(
        nn.Sequential(conv(in_channels, 96, 11, 4, 1), nn.MaxPool2d(3, 2)),
        nn.Sequential(conv(96, 256, 5, p=2), nn.MaxPool2d(3, 2)),
        nn.Sequential(conv(256, 384, 3, p=1), conv(384, 384, 3, p=1), conv(384, 256, 3, p=1), nn.MaxPool2d(3, 2)))
    classifier = nn.Sequential(
        nn.Flatten(),
        nn.Linear(6400, 4096), nn.Dropout(0.5), nn.ReLU(),
        nn.Linear(4096, 4096), nn.Dropout(0.5), nn.ReLU(),
        nn.Linear(4096, num_classes))
    return nn.Sequential(features, classifier)
''',
        "a hand-written dropout module (own mask, not nn.Dropout), ReLU(inplace=True)": '''
class MyDropout(nn.Module):
    def __init__(self, p):
        super().__init__()
        self.p = p

    def forward(self, x):
        if not self.training:
            return x
        mask = (torch.rand(x.shape, device=x.device) > self.p).to(x.dtype)
        return x * mask / (1.0 - self.p)


def alexnet(in_channels=1, num_classes=10):
    layers = []
    for c_in, c_out, k, s, p, pool in [(in_channels, 96, 11, 4, 1, True), (96, 256, 5, 1, 2, True),
                                       (256, 384, 3, 1, 1, False), (384, 384, 3, 1, 1, False),
                                       (384, 256, 3, 1, 1, True)]:
        layers += [nn.Conv2d(c_in, c_out, k, s, p), nn.ReLU(inplace=True)]
        if pool:
            layers.append(nn.MaxPool2d(3, 2))
    layers += [nn.Flatten(start_dim=1),
               nn.Linear(256 * 5 * 5, 4096), nn.ReLU(inplace=True), MyDropout(0.5),
               nn.Linear(4096, 4096), nn.ReLU(inplace=True), MyDropout(0.5),
               nn.Linear(4096, num_classes)]
    return nn.Sequential(*layers)
''',
        "add_module names, one shared ReLU and one shared Dropout module": '''
def alexnet(in_channels=1, num_classes=10):
    relu, drop = nn.ReLU(), nn.Dropout(0.5)
    net = nn.Sequential()
    specs = [("conv1", nn.Conv2d(in_channels, 96, 11, 4, 1)), ("relu1", relu), ("pool1", nn.MaxPool2d(3, 2)),
             ("conv2", nn.Conv2d(96, 256, 5, 1, 2)), ("relu2", relu), ("pool2", nn.MaxPool2d(3, 2)),
             ("conv3", nn.Conv2d(256, 384, 3, 1, 1)), ("relu3", relu), ("conv4", nn.Conv2d(384, 384, 3, 1, 1)), ("relu4", relu),
             ("conv5", nn.Conv2d(384, 256, 3, 1, 1)), ("relu5", relu), ("pool5", nn.MaxPool2d(3, 2)), ("flat", nn.Flatten()),
             ("fc6", nn.Linear(6400, 4096)), ("relu6", relu), ("drop6", drop),
             ("fc7", nn.Linear(4096, 4096)), ("relu7", relu), ("drop7", drop), ("fc8", nn.Linear(4096, num_classes))]
    for name, layer in specs:
        net.add_module(name, layer)
    return net
''',
    },
    "layer_complexity": {
        "weight shapes and output numel, collected in the hooks": '''
def layer_complexity(net, input_shape):
    calls = []
    hooks = [m.register_forward_hook(lambda mod, args, out, name=name: calls.append((name, mod, out.shape)))
             for name, m in net.named_modules() if isinstance(m, (nn.Conv2d, nn.Linear))]
    try:
        with torch.no_grad():
            net(torch.zeros(*input_shape))
    finally:
        for h in hooks:
            h.remove()
    result = []
    for name, mod, shape in calls:
        n_params = mod.weight.numel() + (mod.bias.numel() if mod.bias is not None else 0)
        per_output = mod.weight[0].numel()
        outputs = 1
        for d in shape[1:]:
            outputs *= d
        result.append((name, n_params, outputs * per_output))
    return result
''',
        "a global module hook": '''
def layer_complexity(net, input_shape):
    names = dict((id(m), n) for n, m in net.named_modules())
    table = []

    def hook(m, inp, out):
        if isinstance(m, nn.Conv2d) and id(m) in names:
            kh, kw = m.weight.shape[2:]
            table.append((names[id(m)], sum(p.numel() for p in m.parameters()),
                          out.shape[1] * out.shape[2] * out.shape[3] * m.weight.shape[1] * kh * kw))
        elif isinstance(m, nn.Linear) and id(m) in names:
            table.append((names[id(m)], sum(p.numel() for p in m.parameters()), m.weight.shape[0] * m.weight.shape[1]))

    handle = torch.nn.modules.module.register_module_forward_hook(hook)
    try:
        with torch.no_grad():
            net(torch.zeros(input_shape))
    finally:
        handle.remove()
    return table
''',
        "inference_mode, output sizes from out.shape[2:], rows built after the run": '''
import math


def layer_complexity(net, input_shape):
    name_of = {id(m): n for n, m in net.named_modules()}
    seen = []
    handles = [m.register_forward_hook(lambda m, i, o: seen.append((m, tuple(o.shape))))
               for m in net.modules() if isinstance(m, (nn.Conv2d, nn.Linear))]
    try:
        with torch.inference_mode():
            net(torch.zeros(input_shape))
    finally:
        for h in handles:
            h.remove()
    rows = []
    for m, shape in seen:
        params = sum(p.numel() for p in m.parameters())
        if isinstance(m, nn.Conv2d):
            macs = m.out_channels * math.prod(shape[2:]) * (m.in_channels // m.groups) * math.prod(m.kernel_size)
        else:
            macs = m.in_features * m.out_features
        rows.append((name_of[id(m)], params, macs))
    return rows
''',
        "eval mode for the run, restored; hooks keyed by name; math.prod over weight shapes": '''
import math


def layer_complexity(net, input_shape):
    rows, handles = [], []

    def make_hook(name):
        def hook(m, inputs, out):
            n_params = sum(p.numel() for p in m.parameters(recurse=False))
            per_out = math.prod(m.weight.shape[1:])   # (c_in / groups) * k_h * k_w, or in_features
            n_out = math.prod(out.shape[1:]) if isinstance(m, nn.Conv2d) else m.out_features
            rows.append((name, n_params, n_out * per_out))
        return hook

    for name, m in net.named_modules():
        if type(m) in (nn.Conv2d, nn.Linear):
            handles.append(m.register_forward_hook(make_hook(name)))
    mode = net.training
    net.eval()
    try:
        with torch.no_grad():
            net(torch.zeros(tuple(input_shape)))
    finally:
        net.train(mode)
        while handles:
            handles.pop().remove()
    return rows
''',
    },
}

WRONG = {
    "alexnet": {
        "sigmoid instead of ReLU": _a(act="nn.Sigmoid()"),
        "average pooling instead of max pooling": _a(pool="nn.AvgPool2d"),
        "no dropout": _a(head="nn.Linear(6400, 4096), nn.ReLU(), nn.Linear(4096, 4096), nn.ReLU(), nn.Linear(4096, num_classes)"),
        "torchvision's dropout placement (before the linear layers)": _a(
            head="nn.Dropout(0.5), nn.Linear(6400, 4096), nn.ReLU(), nn.Dropout(0.5), nn.Linear(4096, 4096), nn.ReLU(), "
                 "nn.Linear(4096, num_classes)"),
        "in_channels and num_classes ignored": _a(cin="1", head=_HEAD.format(ncls="10")),
        "dropout with p=0.2": _a(head=_HEAD.replace("p=0.5", "p=0.2").format(ncls="num_classes")),
        "torchvision's AlexNet class as the container, d2l's layers swapped in": '''
import torchvision


def alexnet(in_channels=1, num_classes=10):
    net = torchvision.models.AlexNet(num_classes=num_classes)
    net.features = nn.Sequential(
        nn.Conv2d(in_channels, 96, kernel_size=11, stride=4, padding=1), nn.ReLU(), nn.MaxPool2d(kernel_size=3, stride=2),
        nn.Conv2d(96, 256, kernel_size=5, padding=2), nn.ReLU(), nn.MaxPool2d(kernel_size=3, stride=2),
        nn.Conv2d(256, 384, kernel_size=3, padding=1), nn.ReLU(), nn.Conv2d(384, 384, kernel_size=3, padding=1), nn.ReLU(),
        nn.Conv2d(384, 256, kernel_size=3, padding=1), nn.ReLU(), nn.MaxPool2d(kernel_size=3, stride=2))
    net.avgpool = nn.Identity()
    net.classifier = nn.Sequential(nn.Linear(6400, 4096), nn.ReLU(), nn.Dropout(0.5), nn.Linear(4096, 4096), nn.ReLU(),
                                   nn.Dropout(0.5), nn.Linear(4096, num_classes))
    return net
''',
        "ReLU after the output layer": _a(head=_HEAD.format(ncls="num_classes") + ", nn.ReLU()"),
        "dropout also in eval mode (F.dropout without self.training)": '''
class _AlexNet(nn.Module):
    def __init__(self, in_channels, num_classes):
        super().__init__()
        self.features = nn.Sequential(
            nn.Conv2d(in_channels, 96, 11, 4, 1), nn.ReLU(), nn.MaxPool2d(3, 2),
            nn.Conv2d(96, 256, 5, padding=2), nn.ReLU(), nn.MaxPool2d(3, 2),
            nn.Conv2d(256, 384, 3, padding=1), nn.ReLU(), nn.Conv2d(384, 384, 3, padding=1), nn.ReLU(),
            nn.Conv2d(384, 256, 3, padding=1), nn.ReLU(), nn.MaxPool2d(3, 2))
        self.fc1, self.fc2 = nn.Linear(6400, 4096), nn.Linear(4096, 4096)
        self.out = nn.Linear(4096, num_classes)

    def forward(self, x):
        x = self.features(x).flatten(1)
        x = F.dropout(F.relu(self.fc1(x)), 0.5)
        x = F.dropout(F.relu(self.fc2(x)), 0.5)
        return self.out(x)


def alexnet(in_channels=1, num_classes=10):
    return _AlexNet(in_channels, num_classes)
''',
        "features detached before the classifier (no gradient reaches the convolutions)": '''
class _AlexNet(nn.Module):
    def __init__(self, in_channels, num_classes):
        super().__init__()
        self.features = nn.Sequential(
            nn.Conv2d(in_channels, 96, 11, 4, 1), nn.ReLU(), nn.MaxPool2d(3, 2),
            nn.Conv2d(96, 256, 5, padding=2), nn.ReLU(), nn.MaxPool2d(3, 2),
            nn.Conv2d(256, 384, 3, padding=1), nn.ReLU(), nn.Conv2d(384, 384, 3, padding=1), nn.ReLU(),
            nn.Conv2d(384, 256, 3, padding=1), nn.ReLU(), nn.MaxPool2d(3, 2), nn.Flatten())
        self.classifier = nn.Sequential(nn.Linear(6400, 4096), nn.ReLU(), nn.Dropout(0.5), nn.Linear(4096, 4096), nn.ReLU(),
                                        nn.Dropout(0.5), nn.Linear(4096, num_classes))

    def forward(self, x):
        return self.classifier(self.features(x).detach())


def alexnet(in_channels=1, num_classes=10):
    return _AlexNet(in_channels, num_classes)
''',
        "first convolution with padding 2 (a 55x55 map)": _a().replace("stride=4, padding=1", "stride=4, padding=2"),
    },
    "layer_complexity": {
        "bias not counted in params": _lc(params="module.weight.numel()"),
        "groups ignored": _lc(conv_macs="c_out * h_out * w_out * module.in_channels * k_h * k_w"),
        "MACs for the whole batch": _lc(conv_macs="output.numel() * (module.in_channels // module.groups) * k_h * k_w"),
        "definition order instead of forward order": '''
def layer_complexity(net, input_shape):
    outputs, handles = {}, []
    for name, m in net.named_modules():
        if isinstance(m, (nn.Conv2d, nn.Linear)):
            handles.append(m.register_forward_hook(lambda mod, a, o, name=name: outputs.__setitem__(name, o.shape)))
    with torch.no_grad():
        net(torch.zeros(input_shape))
    for h in handles:
        h.remove()
    rows = []
    for name, m in net.named_modules():
        if name in outputs:
            params = sum(p.numel() for p in m.parameters())
            if isinstance(m, nn.Conv2d):
                c, h, w = outputs[name][1:]
                macs = c * h * w * (m.in_channels // m.groups) * m.kernel_size[0] * m.kernel_size[1]
            else:
                macs = m.in_features * m.out_features
            rows.append((name, params, macs))
    return rows
''',
        "bias added to the MACs": _lc(conv_macs="c_out * h_out * w_out * ((module.in_channels // module.groups) * k_h * k_w + 1)"),
        "input size instead of output size": _lc(
            conv_macs="c_out * inputs[0].shape[2] * inputs[0].shape[3] * (module.in_channels // module.groups) * k_h * k_w"),
        "square kernel assumed (k_h * k_h)": _lc(conv_macs="c_out * h_out * w_out * (module.in_channels // module.groups) * k_h * k_h"),
        "hooks never removed": _lc().replace("    for h in handles:\n        h.remove()\n", ""),
        "gradients recorded (no torch.no_grad)": _lc().replace("    with torch.no_grad():\n        net(torch.zeros(input_shape))",
                                                               "    net(torch.zeros(input_shape))"),
        "MACs as floats (c_in / groups, no int())": _lc(conv_macs="c_out * h_out * w_out * (module.in_channels / module.groups) * k_h * k_w")
        .replace("int(macs)", "macs"),
            "every module with a weight gets a row (batch norm counted)": _lc().replace(
            "isinstance(m, (nn.Conv2d, nn.Linear))", "getattr(m, 'weight', None) is not None").replace(
            "        else:\n            macs = module.in_features", "        elif isinstance(module, nn.Linear):\n            macs = module.in_features").replace(
            "            macs = module.in_features * module.out_features\n", "            macs = module.in_features * module.out_features\n        else:\n            macs = 0\n"),
        "the class name as layer_name": _lc().replace("rows.append((names[module],", "rows.append((type(module).__name__,"),
        "linear MACs for the whole batch": _lc().replace("macs = module.in_features * module.out_features",
                                                        "macs = output.numel() * module.in_features"),
    },
}
