"""05_lenet: other correct answers (full marks) and planted bugs (must lose points)."""

CORRECT = {
    "lenet": {
        "a class with functional sigmoid, pooling and flatten in forward": '''
class _LeNet(nn.Module):
    def __init__(self):
        super().__init__()
        self.c1 = nn.Conv2d(1, 6, 5, padding=2)
        self.c2 = nn.Conv2d(6, 16, 5)
        self.f1, self.f2, self.f3 = nn.Linear(400, 120), nn.Linear(120, 84), nn.Linear(84, 10)

    def forward(self, x):
        x = F.avg_pool2d(torch.sigmoid(self.c1(x)), 2)
        x = F.avg_pool2d(torch.sigmoid(self.c2(x)), 2)
        x = x.reshape(x.shape[0], -1)
        return self.f3(torch.sigmoid(self.f2(torch.sigmoid(self.f1(x)))))


def lenet():
    return _LeNet()
''',
        "nested Sequential blocks": '''
def lenet():
    def block(c_in, c_out, pad):
        return nn.Sequential(nn.Conv2d(c_in, c_out, kernel_size=(5, 5), padding=pad), nn.Sigmoid(),
                             nn.AvgPool2d(2))
    encoder = nn.Sequential(block(1, 6, 2), block(6, 16, 0))
    head = nn.Sequential(nn.Flatten(), nn.Linear(16 * 25, 120), nn.Sigmoid(), nn.Linear(120, 84), nn.Sigmoid(),
                         nn.Linear(84, 10))
    return nn.Sequential(encoder, head)
''',
        "an OrderedDict of named layers, one shared nn.Sigmoid, tuple kernel sizes": '''
from collections import OrderedDict


def lenet():
    act = nn.Sigmoid()
    return nn.Sequential(OrderedDict([
        ("conv1", nn.Conv2d(1, 6, kernel_size=(5, 5), padding=(2, 2))), ("act1", act), ("pool1", nn.AvgPool2d((2, 2), (2, 2))),
        ("conv2", nn.Conv2d(6, 16, kernel_size=(5, 5))), ("act2", act), ("pool2", nn.AvgPool2d((2, 2), (2, 2))),
        ("flat", nn.Flatten(start_dim=1)),
        ("fc1", nn.Linear(400, 120)), ("act3", act), ("fc2", nn.Linear(120, 84)), ("act4", act), ("fc3", nn.Linear(84, 10))]))
''',
        "a class holding conv and linear layers in two ModuleLists, F.sigmoid, view(-1, 400), padding 'same'": '''
class LeNet5(nn.Module):
    def __init__(self):
        super().__init__()
        self.convs = nn.ModuleList([nn.Conv2d(1, 6, 5, padding="same"), nn.Conv2d(6, 16, 5)])
        self.fcs = nn.ModuleList([nn.Linear(400, 120), nn.Linear(120, 84), nn.Linear(84, 10)])

    def forward(self, x):
        for conv in self.convs:
            x = F.avg_pool2d(F.sigmoid(conv(x)), kernel_size=(2, 2), stride=(2, 2))
        x = x.view(-1, 400)
        for i, fc in enumerate(self.fcs):
            x = fc(x)
            if i < len(self.fcs) - 1:
                x = F.sigmoid(x)
        return x


def lenet():
    return LeNet5()
''',
    },
    "evaluate_accuracy": {
        "inference_mode, tensor counters, one sync at the end": '''
def evaluate_accuracy(net, data_iter, device=None):
    if device is None:
        device = next(net.parameters()).device
    mode = net.training
    net.eval()
    hits = torch.zeros((), dtype=torch.long, device=device)
    n = 0
    with torch.inference_mode():
        for X, y in data_iter:
            X, y = X.to(device), y.to(device)
            hits += (net(X).argmax(1) == y).sum()
            n += len(y)
    net.train(mode)
    return float(hits.item() / n)
''',
        "d2l-style Accumulator with a no_grad decorator": '''
@torch.no_grad()
def _count(net, X, y):
    y_hat = net(X).argmax(axis=1)
    cmp = y_hat.type(y.dtype) == y
    return float(cmp.type(y.dtype).sum()), y.numel()


def evaluate_accuracy(net, data_iter, device=None):
    if not device:
        device = next(iter(net.parameters())).device
    prev = net.training
    net.eval()
    metric = [0.0, 0]
    for X, y in data_iter:
        c, k = _count(net, X.to(device), y.to(device))
        metric[0] += c
        metric[1] += k
    if prev:
        net.train()
    return metric[0] / metric[1]
''',
        "device or ..., try/finally, max(1).indices, counts by X.shape[0]": '''
def evaluate_accuracy(net, data_iter, device=None):
    device = device or next(net.parameters()).device
    was = net.training
    net.train(False)
    hits = seen = 0
    try:
        for X, y in data_iter:
            X, y = X.to(device), y.to(device)
            with torch.no_grad():
                hits += int(net(X).max(1).indices.eq(y).sum())
            seen += X.shape[0]
    finally:
        net.train(mode=was)
    return hits / seen
''',
        "no_grad decorator on the whole function, float32 tensor counts, train(mode) in finally": '''
@torch.no_grad()
def evaluate_accuracy(net, data_iter, device=None):
    device = device if device is not None else next(iter(net.parameters())).device
    mode = net.training
    net.eval()
    try:
        stats = torch.zeros(2)
        for X, y in data_iter:
            pred = net(X.to(device)).argmax(-1)
            stats += torch.tensor([float((pred == y.to(device)).sum()), float(y.shape[0])])
        return float(stats[0] / stats[1])
    finally:
        net.train(mode)
''',
    },
}

WRONG = {
    "lenet": {
        "ReLU instead of sigmoid": '''
def lenet():
    return nn.Sequential(
        nn.Conv2d(1, 6, kernel_size=5, padding=2), nn.ReLU(), nn.AvgPool2d(kernel_size=2, stride=2),
        nn.Conv2d(6, 16, kernel_size=5), nn.ReLU(), nn.AvgPool2d(kernel_size=2, stride=2),
        nn.Flatten(), nn.Linear(400, 120), nn.ReLU(), nn.Linear(120, 84), nn.ReLU(), nn.Linear(84, 10))
''',
        "max pooling instead of average pooling": '''
def lenet():
    return nn.Sequential(
        nn.Conv2d(1, 6, kernel_size=5, padding=2), nn.Sigmoid(), nn.MaxPool2d(kernel_size=2, stride=2),
        nn.Conv2d(6, 16, kernel_size=5), nn.Sigmoid(), nn.MaxPool2d(kernel_size=2, stride=2),
        nn.Flatten(), nn.Linear(400, 120), nn.Sigmoid(), nn.Linear(120, 84), nn.Sigmoid(), nn.Linear(84, 10))
''',
        "no padding in the first conv (flatten breaks)": '''
def lenet():
    return nn.Sequential(
        nn.Conv2d(1, 6, kernel_size=5), nn.Sigmoid(), nn.AvgPool2d(kernel_size=2, stride=2),
        nn.Conv2d(6, 16, kernel_size=5), nn.Sigmoid(), nn.AvgPool2d(kernel_size=2, stride=2),
        nn.Flatten(), nn.Linear(400, 120), nn.Sigmoid(), nn.Linear(120, 84), nn.Sigmoid(), nn.Linear(84, 10))
''',
        "no padding, first linear layer shrunk to 256 inputs to make it run": '''
def lenet():
    return nn.Sequential(
        nn.Conv2d(1, 6, kernel_size=5), nn.Sigmoid(), nn.AvgPool2d(kernel_size=2, stride=2),
        nn.Conv2d(6, 16, kernel_size=5), nn.Sigmoid(), nn.AvgPool2d(kernel_size=2, stride=2),
        nn.Flatten(), nn.Linear(256, 120), nn.Sigmoid(), nn.Linear(120, 84), nn.Sigmoid(), nn.Linear(84, 10))
''',
        "sigmoid on the output logits": '''
def lenet():
    return nn.Sequential(
        nn.Conv2d(1, 6, kernel_size=5, padding=2), nn.Sigmoid(), nn.AvgPool2d(kernel_size=2, stride=2),
        nn.Conv2d(6, 16, kernel_size=5), nn.Sigmoid(), nn.AvgPool2d(kernel_size=2, stride=2),
        nn.Flatten(), nn.Linear(400, 120), nn.Sigmoid(), nn.Linear(120, 84), nn.Sigmoid(), nn.Linear(84, 10),
        nn.Sigmoid())
''',
        "torchvision's Conv2dNormActivation blocks for the convolutions": '''
from torchvision.ops import Conv2dNormActivation


def lenet():
    return nn.Sequential(
        Conv2dNormActivation(1, 6, kernel_size=5, padding=2, norm_layer=None, activation_layer=nn.Sigmoid, inplace=None),
        nn.AvgPool2d(kernel_size=2, stride=2),
        Conv2dNormActivation(6, 16, kernel_size=5, padding=0, norm_layer=None, activation_layer=nn.Sigmoid, inplace=None),
        nn.AvgPool2d(kernel_size=2, stride=2),
        nn.Flatten(), nn.Linear(400, 120), nn.Sigmoid(), nn.Linear(120, 84), nn.Sigmoid(), nn.Linear(84, 10))
''',
        "features detached before the dense block (no gradient reaches the convolutions)": '''
class _LeNet(nn.Module):
    def __init__(self):
        super().__init__()
        self.features = nn.Sequential(
            nn.Conv2d(1, 6, kernel_size=5, padding=2), nn.Sigmoid(), nn.AvgPool2d(kernel_size=2, stride=2),
            nn.Conv2d(6, 16, kernel_size=5), nn.Sigmoid(), nn.AvgPool2d(kernel_size=2, stride=2), nn.Flatten())
        self.dense = nn.Sequential(nn.Linear(400, 120), nn.Sigmoid(), nn.Linear(120, 84), nn.Sigmoid(), nn.Linear(84, 10))

    def forward(self, x):
        return self.dense(self.features(x).detach())


def lenet():
    return _LeNet()
''',
        "every parameter initialised to zero (cannot learn)": '''
def lenet():
    net = nn.Sequential(
        nn.Conv2d(1, 6, kernel_size=5, padding=2), nn.Sigmoid(), nn.AvgPool2d(kernel_size=2, stride=2),
        nn.Conv2d(6, 16, kernel_size=5), nn.Sigmoid(), nn.AvgPool2d(kernel_size=2, stride=2),
        nn.Flatten(), nn.Linear(400, 120), nn.Sigmoid(), nn.Linear(120, 84), nn.Sigmoid(), nn.Linear(84, 10))
    for p in net.parameters():
        nn.init.zeros_(p)
    return net
''',
    },
    "evaluate_accuracy": {
        "mean of per-batch accuracies": '''
def evaluate_accuracy(net, data_iter, device=None):
    if device is None:
        device = next(net.parameters()).device
    was_training = net.training
    net.eval()
    accs = []
    with torch.no_grad():
        for X, y in data_iter:
            X, y = X.to(device), y.to(device)
            accs.append((net(X).argmax(dim=1) == y).float().mean().item())
    net.train(was_training)
    return sum(accs) / len(accs)
''',
        "training mode not restored": '''
def evaluate_accuracy(net, data_iter, device=None):
    if device is None:
        device = next(net.parameters()).device
    net.eval()
    correct, total = 0, 0
    with torch.no_grad():
        for X, y in data_iter:
            X, y = X.to(device), y.to(device)
            correct += (net(X).argmax(dim=1) == y).sum().item()
            total += y.numel()
    return correct / total
''',
        "always switches back to training mode": '''
def evaluate_accuracy(net, data_iter, device=None):
    if device is None:
        device = next(net.parameters()).device
    net.eval()
    correct, total = 0, 0
    with torch.no_grad():
        for X, y in data_iter:
            X, y = X.to(device), y.to(device)
            correct += (net(X).argmax(dim=1) == y).sum().item()
            total += y.numel()
    net.train()
    return correct / total
''',
        "returns the count of correct predictions": '''
def evaluate_accuracy(net, data_iter, device=None):
    if device is None:
        device = next(net.parameters()).device
    was_training = net.training
    net.eval()
    correct = 0
    with torch.no_grad():
        for X, y in data_iter:
            X, y = X.to(device), y.to(device)
            correct += (net(X).argmax(dim=1) == y).sum().item()
    net.train(was_training)
    return correct
''',
        "gradients recorded (no torch.no_grad)": '''
def evaluate_accuracy(net, data_iter, device=None):
    if device is None:
        device = next(net.parameters()).device
    was_training = net.training
    net.eval()
    correct, total = 0, 0
    for X, y in data_iter:
        X, y = X.to(device), y.to(device)
        correct += (net(X).argmax(dim=1) == y).sum().item()
        total += y.numel()
    net.train(was_training)
    return correct / total
''',
        "returns a tensor": '''
def evaluate_accuracy(net, data_iter, device=None):
    if device is None:
        device = next(net.parameters()).device
    was_training = net.training
    net.eval()
    correct, total = 0, 0
    with torch.no_grad():
        for X, y in data_iter:
            X, y = X.to(device), y.to(device)
            correct += (net(X).argmax(dim=1) == y).sum()
            total += y.numel()
    net.train(was_training)
    return correct / total
''',
        "batches never moved to device": '''
def evaluate_accuracy(net, data_iter, device=None):
    was_training = net.training
    net.eval()
    correct, total = 0, 0
    with torch.no_grad():
        for X, y in data_iter:
            correct += (net(X).argmax(dim=1) == y).sum().item()
            total += y.numel()
    net.train(was_training)
    return correct / total
''',
        "device=None means the CPU, not the parameters' device": '''
def evaluate_accuracy(net, data_iter, device=None):
    device = torch.device("cpu") if device is None else device
    was_training = net.training
    net.eval()
    correct, total = 0, 0
    with torch.no_grad():
        for X, y in data_iter:
            X, y = X.to(device), y.to(device)
            correct += (net(X).argmax(dim=1) == y).sum().item()
            total += y.numel()
    net.train(was_training)
    return correct / total
''',
        "reads data_iter twice (counts the examples first)": '''
def evaluate_accuracy(net, data_iter, device=None):
    if device is None:
        device = next(net.parameters()).device
    was_training = net.training
    net.eval()
    total = sum(y.numel() for _, y in data_iter)
    correct = 0
    with torch.no_grad():
        for X, y in data_iter:
            X, y = X.to(device), y.to(device)
            correct += (net(X).argmax(dim=1) == y).sum().item()
    net.train(was_training)
    return correct / total
''',
            "never switches to evaluation mode": '''
def evaluate_accuracy(net, data_iter, device=None):
    if device is None:
        device = next(net.parameters()).device
    correct, total = 0, 0
    with torch.no_grad():
        for X, y in data_iter:
            X, y = X.to(device), y.to(device)
            correct += (net(X).argmax(dim=1) == y).sum().item()
            total += y.numel()
    return correct / total
''',
        "the device argument ignored (always the parameters' device)": '''
def evaluate_accuracy(net, data_iter, device=None):
    device = next(net.parameters()).device
    was_training = net.training
    net.eval()
    correct, total = 0, 0
    with torch.no_grad():
        for X, y in data_iter:
            X, y = X.to(device), y.to(device)
            correct += (net(X).argmax(dim=1) == y).sum().item()
            total += y.numel()
    net.train(was_training)
    return correct / total
''',
        "the last batch dropped (zip with a lookahead)": '''
def evaluate_accuracy(net, data_iter, device=None):
    if device is None:
        device = next(net.parameters()).device
    was_training = net.training
    net.eval()
    correct, total, pending = 0, 0, None
    with torch.no_grad():
        for batch in data_iter:
            if pending is not None:
                X, y = pending[0].to(device), pending[1].to(device)
                correct += (net(X).argmax(dim=1) == y).sum().item()
                total += y.numel()
            pending = batch
    net.train(was_training)
    return correct / max(total, 1)
''',
    },
}
