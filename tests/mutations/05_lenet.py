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
    },
}
