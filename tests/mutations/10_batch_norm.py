"""10_batch_norm: other correct answers (full marks) and planted bugs (must lose points)."""

_BN_OK = '''
def batch_norm(X, gamma, beta, moving_mean, moving_var, eps, momentum, training):
    assert X.dim() in (2, 4)
    if not training:
        return gamma * (X - moving_mean) / torch.sqrt(moving_var + eps) + beta, moving_mean, moving_var
    dims = (0,) if X.dim() == 2 else (0, 2, 3)
    mean = X.mean(dim=dims, keepdim=True)
    var = ((X - mean) ** 2).mean(dim=dims, keepdim=True)
    n = X.numel() // X.shape[1]
    with torch.no_grad():
        moving_mean = momentum * moving_mean + (1 - momentum) * mean
        moving_var = momentum * moving_var + (1 - momentum) * var * n / (n - 1)
    return gamma * (X - mean) / torch.sqrt(var + eps) + beta, moving_mean, moving_var
'''

CORRECT = {
    "batch_norm": {
        "var_mean, reshape-based dims, detached statistics": '''
def batch_norm(X, gamma, beta, moving_mean, moving_var, eps, momentum, training):
    if X.dim() not in (2, 4):
        raise ValueError("X must be 2-D or 4-D")
    if training:
        dims = [0] if X.dim() == 2 else [0, 2, 3]
        var, mean = torch.var_mean(X, dim=dims, keepdim=True, correction=0)
        count = X.numel() / X.shape[1]
        new_mean = momentum * moving_mean + (1 - momentum) * mean.detach()
        new_var = momentum * moving_var + (1 - momentum) * var.detach() * count / (count - 1)
        out = (X - mean) * torch.rsqrt(var + eps)
        return gamma * out + beta, new_mean, new_var
    return gamma * (X - moving_mean) / (moving_var + eps).sqrt() + beta, moving_mean, moving_var
''',
        "torch.var with correction 0 and 1, statistics broadcast by view, detach instead of no_grad": '''
def batch_norm(X, gamma, beta, moving_mean, moving_var, eps, momentum, training):
    assert X.ndim == 2 or X.ndim == 4, "2-D or 4-D input only"
    if not training:
        return (X - moving_mean) / torch.sqrt(moving_var + eps) * gamma + beta, moving_mean, moving_var
    C = X.shape[1]
    view = (1, C) if X.ndim == 2 else (1, C, 1, 1)
    Xc = X.transpose(0, 1).reshape(C, -1)          # (C, values per channel)
    mean = Xc.mean(dim=1).view(view)
    var = torch.var(Xc, dim=1, correction=0).view(view)
    var_unbiased = torch.var(Xc.detach(), dim=1, correction=1).view(view)
    Y = (X - mean) / torch.sqrt(var + eps) * gamma + beta
    return Y, momentum * moving_mean + (1 - momentum) * mean.detach(), momentum * moving_var + (1 - momentum) * var_unbiased
''',
        "reduced dims listed as every dim but 1, rsqrt, count from the shape, ValueError, statistics from detached copies": '''
import math


def batch_norm(X, gamma, beta, moving_mean, moving_var, eps, momentum, training):
    if X.dim() != 2 and X.dim() != 4:
        raise ValueError(f"expected a 2-D or 4-D input, got {X.dim()}-D")
    if training:
        dims = [d for d in range(X.dim()) if d != 1]
        mean = X.mean(dim=dims, keepdim=True)
        centred = X - mean
        var = (centred * centred).mean(dim=dims, keepdim=True)
        count = X.shape[0] * math.prod(X.shape[2:])
        m, v = mean.detach(), var.detach()
        new_mean = moving_mean * momentum + m * (1 - momentum)
        new_var = moving_var * momentum + v * (count / (count - 1)) * (1 - momentum)
        return centred * torch.rsqrt(var + eps) * gamma + beta, new_mean, new_var
    return (X - moving_mean) * torch.rsqrt(moving_var + eps) * gamma + beta, moving_mean, moving_var
''',
    },
    "BatchNorm": {
        "register_parameter, shape built with view, in-place lerp of buffers": '''
class BatchNorm(nn.Module):
    def __init__(self, num_features, num_dims):
        super().__init__()
        shape = [1, num_features] + [1] * (num_dims - 2)
        self.register_parameter("gamma", nn.Parameter(torch.ones(*shape)))
        self.register_parameter("beta", nn.Parameter(torch.zeros(*shape)))
        self.register_buffer("moving_mean", torch.zeros(*shape))
        self.register_buffer("moving_var", torch.ones(*shape))

    def forward(self, X):
        out, mm, mv = batch_norm(X, self.gamma, self.beta, self.moving_mean, self.moving_var,
                                 1e-5, 0.9, self.training)
        if self.training:
            self.moving_mean.data.copy_(mm.detach())
            self.moving_var.data.copy_(mv.detach())
        return out
''',
        "buffer reassigned (stays a buffer) from detached statistics": '''
class BatchNorm(nn.Module):
    def __init__(self, num_features, num_dims):
        super().__init__()
        shape = (1, num_features) if num_dims == 2 else (1, num_features, 1, 1)
        self.gamma = nn.Parameter(torch.ones(shape))
        self.beta = nn.Parameter(torch.zeros(shape))
        self.register_buffer("moving_mean", torch.zeros(shape))
        self.register_buffer("moving_var", torch.ones(shape))

    def forward(self, X):
        Y, self.moving_mean, self.moving_var = batch_norm(
            X, self.gamma, self.beta, self.moving_mean, self.moving_var,
            eps=1e-5, momentum=0.9, training=self.training)
        return Y
''',
        "positional arguments, buffers updated by slice assignment under no_grad": '''
class BatchNorm(nn.Module):
    def __init__(self, num_features, num_dims):
        super().__init__()
        shape = [1, num_features] if num_dims == 2 else [1, num_features, 1, 1]
        self.gamma = nn.Parameter(torch.ones(*shape))
        self.beta = nn.Parameter(torch.zeros(*shape))
        self.register_buffer("moving_mean", torch.zeros(*shape))
        self.register_buffer("moving_var", torch.ones(*shape))

    def forward(self, X):
        Y, mean, var = batch_norm(X, self.gamma, self.beta, self.moving_mean, self.moving_var, 1e-5, 0.9, self.training)
        if self.training:
            with torch.no_grad():
                self.moving_mean[...] = mean
                self.moving_var[...] = var
        return Y
''',
    },
    "lenet_bn": {
        "a class with named attributes": '''
class _LeNetBN(nn.Module):
    def __init__(self):
        super().__init__()
        self.c1, self.n1 = nn.Conv2d(1, 6, 5, padding=2), BatchNorm(6, 4)
        self.c2, self.n2 = nn.Conv2d(6, 16, 5), BatchNorm(16, 4)
        self.f1, self.n3 = nn.Linear(400, 120), BatchNorm(120, 2)
        self.f2, self.n4 = nn.Linear(120, 84), BatchNorm(84, 2)
        self.f3 = nn.Linear(84, 10)
        self.pool = nn.AvgPool2d(2, 2)

    def forward(self, x):
        x = self.pool(torch.sigmoid(self.n1(self.c1(x))))
        x = self.pool(torch.sigmoid(self.n2(self.c2(x))))
        x = torch.flatten(x, 1)
        x = torch.sigmoid(self.n3(self.f1(x)))
        x = torch.sigmoid(self.n4(self.f2(x)))
        return self.f3(x)

def lenet_bn():
    return _LeNetBN()
''',
        "stages in an OrderedDict, BatchNorm with positional arguments, nn.Flatten(1)": '''
from collections import OrderedDict


def lenet_bn():
    return nn.Sequential(OrderedDict([
        ("conv1", nn.Conv2d(1, 6, 5, padding=2)), ("bn1", BatchNorm(6, 4)), ("act1", nn.Sigmoid()), ("pool1", nn.AvgPool2d(2)),
        ("conv2", nn.Conv2d(6, 16, 5)), ("bn2", BatchNorm(16, 4)), ("act2", nn.Sigmoid()), ("pool2", nn.AvgPool2d(2)),
        ("flat", nn.Flatten(1)),
        ("fc1", nn.Linear(400, 120)), ("bn3", BatchNorm(120, 2)), ("act3", nn.Sigmoid()),
        ("fc2", nn.Linear(120, 84)), ("bn4", BatchNorm(84, 2)), ("act4", nn.Sigmoid()),
        ("fc3", nn.Linear(84, 10))]))
''',
        "stages built in a loop (ModuleList), functional sigmoid and pooling in forward": '''
class _LeNetBNLoop(nn.Module):
    def __init__(self):
        super().__init__()
        self.convs = nn.ModuleList([nn.Conv2d(1, 6, 5, padding=2), nn.Conv2d(6, 16, 5)])
        self.conv_norms = nn.ModuleList([BatchNorm(c, num_dims=4) for c in (6, 16)])
        self.fcs = nn.ModuleList([nn.Linear(400, 120), nn.Linear(120, 84)])
        self.fc_norms = nn.ModuleList([BatchNorm(f, num_dims=2) for f in (120, 84)])
        self.out = nn.Linear(84, 10)

    def forward(self, x):
        for conv, norm in zip(self.convs, self.conv_norms):
            x = F.avg_pool2d(torch.sigmoid(norm(conv(x))), kernel_size=2, stride=2)
        x = x.reshape(x.shape[0], -1)
        for fc, norm in zip(self.fcs, self.fc_norms):
            x = torch.sigmoid(norm(fc(x)))
        return self.out(x)


def lenet_bn():
    return _LeNetBNLoop()
''',
    },
}

WRONG = {
    "batch_norm": {
        "momentum convention swapped (PyTorch's)": '''
def batch_norm(X, gamma, beta, moving_mean, moving_var, eps, momentum, training):
    assert X.dim() in (2, 4)
    if not training:
        return gamma * (X - moving_mean) / torch.sqrt(moving_var + eps) + beta, moving_mean, moving_var
    dims = (0,) if X.dim() == 2 else (0, 2, 3)
    mean = X.mean(dim=dims, keepdim=True)
    var = ((X - mean) ** 2).mean(dim=dims, keepdim=True)
    n = X.numel() // X.shape[1]
    with torch.no_grad():
        moving_mean = (1 - momentum) * moving_mean + momentum * mean
        moving_var = (1 - momentum) * moving_var + momentum * var * n / (n - 1)
    return gamma * (X - mean) / torch.sqrt(var + eps) + beta, moving_mean, moving_var
''',
        "unbiased variance used for normalisation": '''
def batch_norm(X, gamma, beta, moving_mean, moving_var, eps, momentum, training):
    assert X.dim() in (2, 4)
    if not training:
        return gamma * (X - moving_mean) / torch.sqrt(moving_var + eps) + beta, moving_mean, moving_var
    dims = (0,) if X.dim() == 2 else (0, 2, 3)
    mean = X.mean(dim=dims, keepdim=True)
    var = X.var(dim=dims, keepdim=True)
    with torch.no_grad():
        moving_mean = momentum * moving_mean + (1 - momentum) * mean
        moving_var = momentum * moving_var + (1 - momentum) * var
    return gamma * (X - mean) / torch.sqrt(var + eps) + beta, moving_mean, moving_var
''',
        "batch statistics in evaluation": '''
def batch_norm(X, gamma, beta, moving_mean, moving_var, eps, momentum, training):
    assert X.dim() in (2, 4)
    dims = (0,) if X.dim() == 2 else (0, 2, 3)
    mean = X.mean(dim=dims, keepdim=True)
    var = ((X - mean) ** 2).mean(dim=dims, keepdim=True)
    if training:
        n = X.numel() // X.shape[1]
        with torch.no_grad():
            moving_mean = momentum * moving_mean + (1 - momentum) * mean
            moving_var = momentum * moving_var + (1 - momentum) * var * n / (n - 1)
    return gamma * (X - mean) / torch.sqrt(var + eps) + beta, moving_mean, moving_var
''',
        "statistics per pixel instead of per channel": '''
def batch_norm(X, gamma, beta, moving_mean, moving_var, eps, momentum, training):
    assert X.dim() in (2, 4)
    if not training:
        return gamma * (X - moving_mean) / torch.sqrt(moving_var + eps) + beta, moving_mean, moving_var
    mean = X.mean(dim=0, keepdim=True)
    var = ((X - mean) ** 2).mean(dim=0, keepdim=True)
    n = X.shape[0]
    with torch.no_grad():
        moving_mean = momentum * moving_mean + (1 - momentum) * mean.mean(dim=tuple(range(2, X.dim())), keepdim=True)
        moving_var = momentum * moving_var + (1 - momentum) * (var * n / (n - 1)).mean(dim=tuple(range(2, X.dim())), keepdim=True)
    return gamma * (X - mean) / torch.sqrt(var + eps) + beta, moving_mean, moving_var
''',
        "moving statistics keep the graph": '''
def batch_norm(X, gamma, beta, moving_mean, moving_var, eps, momentum, training):
    assert X.dim() in (2, 4)
    if not training:
        return gamma * (X - moving_mean) / torch.sqrt(moving_var + eps) + beta, moving_mean, moving_var
    dims = (0,) if X.dim() == 2 else (0, 2, 3)
    mean = X.mean(dim=dims, keepdim=True)
    var = ((X - mean) ** 2).mean(dim=dims, keepdim=True)
    n = X.numel() // X.shape[1]
    moving_mean = momentum * moving_mean + (1 - momentum) * mean
    moving_var = momentum * moving_var + (1 - momentum) * var * n / (n - 1)
    return gamma * (X - mean) / torch.sqrt(var + eps) + beta, moving_mean, moving_var
''',
        "calls F.batch_norm (with PyTorch's momentum: the right numbers, but not from scratch)": '''
def batch_norm(X, gamma, beta, moving_mean, moving_var, eps, momentum, training):
    assert X.dim() in (2, 4)
    C = X.shape[1]
    rm, rv = moving_mean.reshape(C).clone(), moving_var.reshape(C).clone()
    Y = F.batch_norm(X, rm, rv, gamma.reshape(C), beta.reshape(C), training=training, momentum=1 - momentum, eps=eps)
    return Y, rm.reshape(moving_mean.shape), rv.reshape(moving_var.shape)
''',
        "eps ignored (1e-5 written in)": _BN_OK.replace("torch.sqrt(var + eps)", "torch.sqrt(var + 1e-5)").replace(
            "torch.sqrt(moving_var + eps)", "torch.sqrt(moving_var + 1e-5)"),
        "moving statistics updated in place (the tensors passed in change)": _BN_OK.replace(
            "        moving_mean = momentum * moving_mean + (1 - momentum) * mean\n"
            "        moving_var = momentum * moving_var + (1 - momentum) * var * n / (n - 1)\n",
            "        moving_mean.mul_(momentum).add_((1 - momentum) * mean)\n"
            "        moving_var.mul_(momentum).add_((1 - momentum) * var * n / (n - 1))\n"),
        "always float32 (X converted with .float())": _BN_OK.replace("    assert X.dim() in (2, 4)\n",
                                                                     "    assert X.dim() in (2, 4)\n    X = X.float()\n"),
        "4-D mean without keepdim (the notes' bug)": _BN_OK.replace(
            "    mean = X.mean(dim=dims, keepdim=True)\n    var = ((X - mean) ** 2).mean(dim=dims, keepdim=True)\n",
            "    mean = X.mean(dim=dims)\n    var = ((X - X.mean(dim=dims, keepdim=True)) ** 2).mean(dim=dims, keepdim=True)\n"),
        "no check of the number of dimensions (3-D input accepted)": _BN_OK.replace("    assert X.dim() in (2, 4)\n", "").replace(
            "dims = (0,) if X.dim() == 2 else (0, 2, 3)", "dims = (0,) if X.dim() == 2 else tuple(d for d in range(X.dim()) if d != 1)"),
        "computed in float64 (X.double()): float32 in, float64 out": _BN_OK.replace(
            "    assert X.dim() in (2, 4)\n", "    assert X.dim() in (2, 4)\n    X = X.double()\n"),
        "batch statistics detached in Y (the gradient for X misses the paths through the mean and variance)": _BN_OK.replace(
            "    return gamma * (X - mean) / torch.sqrt(var + eps) + beta, moving_mean, moving_var",
            "    return gamma * (X - mean.detach()) / torch.sqrt(var.detach() + eps) + beta, moving_mean, moving_var"),
    },
    "BatchNorm": {
        "plain-attribute statistics (not buffers), as in the notes": '''
class BatchNorm(nn.Module):
    def __init__(self, num_features, num_dims):
        super().__init__()
        shape = (1, num_features) if num_dims == 2 else (1, num_features, 1, 1)
        self.gamma = nn.Parameter(torch.ones(shape))
        self.beta = nn.Parameter(torch.zeros(shape))
        self.moving_mean = torch.zeros(shape)
        self.moving_var = torch.ones(shape)

    def forward(self, X):
        if self.moving_mean.device != X.device:
            self.moving_mean = self.moving_mean.to(X.device)
            self.moving_var = self.moving_var.to(X.device)
        Y, self.moving_mean, self.moving_var = batch_norm(
            X, self.gamma, self.beta, self.moving_mean, self.moving_var, eps=1e-5, momentum=0.9, training=self.training)
        return Y
''',
        "PyTorch's momentum 0.1 passed to the notes' convention": '''
class BatchNorm(nn.Module):
    def __init__(self, num_features, num_dims):
        super().__init__()
        shape = (1, num_features) if num_dims == 2 else (1, num_features, 1, 1)
        self.gamma = nn.Parameter(torch.ones(shape))
        self.beta = nn.Parameter(torch.zeros(shape))
        self.register_buffer("moving_mean", torch.zeros(shape))
        self.register_buffer("moving_var", torch.ones(shape))

    def forward(self, X):
        Y, mm, mv = batch_norm(X, self.gamma, self.beta, self.moving_mean, self.moving_var,
                               eps=1e-5, momentum=0.1, training=self.training)
        if self.training:
            with torch.no_grad():
                self.moving_mean.copy_(mm)
                self.moving_var.copy_(mv)
        return Y
''',
        "mode from torch.is_grad_enabled() (batch statistics in eval)": '''
class BatchNorm(nn.Module):
    def __init__(self, num_features, num_dims):
        super().__init__()
        shape = (1, num_features) if num_dims == 2 else (1, num_features, 1, 1)
        self.gamma = nn.Parameter(torch.ones(shape))
        self.beta = nn.Parameter(torch.zeros(shape))
        self.register_buffer("moving_mean", torch.zeros(shape))
        self.register_buffer("moving_var", torch.ones(shape))

    def forward(self, X):
        training = torch.is_grad_enabled()
        Y, mm, mv = batch_norm(X, self.gamma, self.beta, self.moving_mean, self.moving_var,
                               eps=1e-5, momentum=0.9, training=training)
        if training:
            with torch.no_grad():
                self.moving_mean.copy_(mm)
                self.moving_var.copy_(mv)
        return Y
''',
        "statistics as nn.Parameter": '''
class BatchNorm(nn.Module):
    def __init__(self, num_features, num_dims):
        super().__init__()
        shape = (1, num_features) if num_dims == 2 else (1, num_features, 1, 1)
        self.gamma = nn.Parameter(torch.ones(shape))
        self.beta = nn.Parameter(torch.zeros(shape))
        self.moving_mean = nn.Parameter(torch.zeros(shape), requires_grad=False)
        self.moving_var = nn.Parameter(torch.ones(shape), requires_grad=False)

    def forward(self, X):
        Y, mm, mv = batch_norm(X, self.gamma, self.beta, self.moving_mean, self.moving_var,
                               eps=1e-5, momentum=0.9, training=self.training)
        if self.training:
            with torch.no_grad():
                self.moving_mean.copy_(mm)
                self.moving_var.copy_(mv)
        return Y
''',
        "inline statistics that keep the graph": '''
class BatchNorm(nn.Module):
    def __init__(self, num_features, num_dims):
        super().__init__()
        shape = (1, num_features) if num_dims == 2 else (1, num_features, 1, 1)
        self.gamma = nn.Parameter(torch.ones(shape))
        self.beta = nn.Parameter(torch.zeros(shape))
        self.register_buffer("moving_mean", torch.zeros(shape))
        self.register_buffer("moving_var", torch.ones(shape))

    def forward(self, X):
        if not self.training:
            return self.gamma * (X - self.moving_mean) / torch.sqrt(self.moving_var + 1e-5) + self.beta
        dims = (0,) if X.dim() == 2 else (0, 2, 3)
        mean = X.mean(dim=dims, keepdim=True)
        var = ((X - mean) ** 2).mean(dim=dims, keepdim=True)
        n = X.numel() // X.shape[1]
        self.moving_mean = 0.9 * self.moving_mean + 0.1 * mean
        self.moving_var = 0.9 * self.moving_var + 0.1 * var * n / (n - 1)
        return self.gamma * (X - mean) / torch.sqrt(var + 1e-5) + self.beta
''',
        'calls F.batch_norm itself (the right numbers, but not built on batch_norm)': '''
class BatchNorm(nn.Module):
    def __init__(self, num_features, num_dims):
        super().__init__()
        shape = (1, num_features) if num_dims == 2 else (1, num_features, 1, 1)
        self.gamma = nn.Parameter(torch.ones(shape))
        self.beta = nn.Parameter(torch.zeros(shape))
        self.register_buffer("moving_mean", torch.zeros(shape))
        self.register_buffer("moving_var", torch.ones(shape))

    def forward(self, X):
        C = X.shape[1]
        return F.batch_norm(X, self.moving_mean.view(C), self.moving_var.view(C), self.gamma.view(C), self.beta.view(C),
                            training=self.training, momentum=0.1, eps=1e-5)
''',
        'eps=1e-3': '''
class BatchNorm(nn.Module):
    def __init__(self, num_features, num_dims):
        super().__init__()
        shape = (1, num_features) if num_dims == 2 else (1, num_features, 1, 1)
        self.gamma = nn.Parameter(torch.ones(shape))
        self.beta = nn.Parameter(torch.zeros(shape))
        self.register_buffer("moving_mean", torch.zeros(shape))
        self.register_buffer("moving_var", torch.ones(shape))

    def forward(self, X):
        Y, mm, mv = batch_norm(X, self.gamma, self.beta, self.moving_mean, self.moving_var,
                               eps=1e-3, momentum=0.9, training=self.training)
        if self.training:
            with torch.no_grad():
                self.moving_mean.copy_(mm)
                self.moving_var.copy_(mv)
        return Y
''',
        'gamma and beta of shape (num_features,) (wrong for 4-D input)': '''
class BatchNorm(nn.Module):
    def __init__(self, num_features, num_dims):
        super().__init__()
        shape = (num_features,)
        self.gamma = nn.Parameter(torch.ones(shape))
        self.beta = nn.Parameter(torch.zeros(shape))
        self.register_buffer("moving_mean", torch.zeros((1, num_features) if num_dims == 2 else (1, num_features, 1, 1)))
        self.register_buffer("moving_var", torch.ones((1, num_features) if num_dims == 2 else (1, num_features, 1, 1)))

    def forward(self, X):
        Y, mm, mv = batch_norm(X, self.gamma, self.beta, self.moving_mean, self.moving_var,
                               eps=1e-5, momentum=0.9, training=self.training)
        if self.training:
            with torch.no_grad():
                self.moving_mean.copy_(mm)
                self.moving_var.copy_(mv)
        return Y
''',
        'the new moving statistics never stored': '''
class BatchNorm(nn.Module):
    def __init__(self, num_features, num_dims):
        super().__init__()
        shape = (1, num_features) if num_dims == 2 else (1, num_features, 1, 1)
        self.gamma = nn.Parameter(torch.ones(shape))
        self.beta = nn.Parameter(torch.zeros(shape))
        self.register_buffer("moving_mean", torch.zeros(shape))
        self.register_buffer("moving_var", torch.ones(shape))

    def forward(self, X):
        Y, mm, mv = batch_norm(X, self.gamma, self.beta, self.moving_mean, self.moving_var,
                               eps=1e-5, momentum=0.9, training=self.training)
        if self.training:
            with torch.no_grad():
                pass
        return Y
''',
        'statistics registered as non-persistent buffers (not in state_dict)': '''
class BatchNorm(nn.Module):
    def __init__(self, num_features, num_dims):
        super().__init__()
        shape = (1, num_features) if num_dims == 2 else (1, num_features, 1, 1)
        self.gamma = nn.Parameter(torch.ones(shape))
        self.beta = nn.Parameter(torch.zeros(shape))
        self.register_buffer("moving_mean", torch.zeros(shape), persistent=False)
        self.register_buffer("moving_var", torch.ones(shape), persistent=False)

    def forward(self, X):
        Y, mm, mv = batch_norm(X, self.gamma, self.beta, self.moving_mean, self.moving_var,
                               eps=1e-5, momentum=0.9, training=self.training)
        if self.training:
            with torch.no_grad():
                self.moving_mean.copy_(mm)
                self.moving_var.copy_(mv)
        return Y
''',
        "parameters and buffers created in float64 (float32 in, float64 out)": '''
class BatchNorm(nn.Module):
    def __init__(self, num_features, num_dims):
        super().__init__()
        shape = (1, num_features) if num_dims == 2 else (1, num_features, 1, 1)
        self.gamma = nn.Parameter(torch.ones(shape, dtype=torch.float64))
        self.beta = nn.Parameter(torch.zeros(shape, dtype=torch.float64))
        self.register_buffer("moving_mean", torch.zeros(shape, dtype=torch.float64))
        self.register_buffer("moving_var", torch.ones(shape, dtype=torch.float64))

    def forward(self, X):
        Y, mm, mv = batch_norm(X, self.gamma, self.beta, self.moving_mean, self.moving_var,
                               eps=1e-5, momentum=0.9, training=self.training)
        if self.training:
            with torch.no_grad():
                self.moving_mean.copy_(mm)
                self.moving_var.copy_(mv)
        return Y
''',
        "always in training mode (training=True: batch statistics in eval mode too)": '''
class BatchNorm(nn.Module):
    def __init__(self, num_features, num_dims):
        super().__init__()
        shape = (1, num_features) if num_dims == 2 else (1, num_features, 1, 1)
        self.gamma = nn.Parameter(torch.ones(shape))
        self.beta = nn.Parameter(torch.zeros(shape))
        self.register_buffer("moving_mean", torch.zeros(shape))
        self.register_buffer("moving_var", torch.ones(shape))

    def forward(self, X):
        Y, mm, mv = batch_norm(X, self.gamma, self.beta, self.moving_mean, self.moving_var,
                               eps=1e-5, momentum=0.9, training=True)
        if True:
            with torch.no_grad():
                self.moving_mean.copy_(mm)
                self.moving_var.copy_(mv)
        return Y
''',
    },
    "lenet_bn": {
        "BatchNorm after the sigmoid": '''
def lenet_bn():
    return nn.Sequential(
        nn.Conv2d(1, 6, kernel_size=5, padding=2), nn.Sigmoid(), BatchNorm(6, num_dims=4),
        nn.AvgPool2d(kernel_size=2, stride=2),
        nn.Conv2d(6, 16, kernel_size=5), nn.Sigmoid(), BatchNorm(16, num_dims=4),
        nn.AvgPool2d(kernel_size=2, stride=2), nn.Flatten(),
        nn.Linear(16 * 5 * 5, 120), nn.Sigmoid(), BatchNorm(120, num_dims=2),
        nn.Linear(120, 84), nn.Sigmoid(), BatchNorm(84, num_dims=2),
        nn.Linear(84, 10))
''',
        "no padding in the first conv (d2l's original)": '''
def lenet_bn():
    return nn.Sequential(
        nn.Conv2d(1, 6, kernel_size=5), BatchNorm(6, num_dims=4), nn.Sigmoid(),
        nn.AvgPool2d(kernel_size=2, stride=2),
        nn.Conv2d(6, 16, kernel_size=5), BatchNorm(16, num_dims=4), nn.Sigmoid(),
        nn.AvgPool2d(kernel_size=2, stride=2), nn.Flatten(),
        nn.Linear(16 * 4 * 4, 120), BatchNorm(120, num_dims=2), nn.Sigmoid(),
        nn.Linear(120, 84), BatchNorm(84, num_dims=2), nn.Sigmoid(),
        nn.Linear(84, 10))
''',
        "nn.BatchNorm2d/1d instead of the scratch layer": '''
def lenet_bn():
    return nn.Sequential(
        nn.Conv2d(1, 6, kernel_size=5, padding=2), nn.BatchNorm2d(6), nn.Sigmoid(),
        nn.AvgPool2d(kernel_size=2, stride=2),
        nn.Conv2d(6, 16, kernel_size=5), nn.BatchNorm2d(16), nn.Sigmoid(),
        nn.AvgPool2d(kernel_size=2, stride=2), nn.Flatten(),
        nn.Linear(16 * 5 * 5, 120), nn.BatchNorm1d(120), nn.Sigmoid(),
        nn.Linear(120, 84), nn.BatchNorm1d(84), nn.Sigmoid(),
        nn.Linear(84, 10))
''',
        "ReLU and max pooling instead of sigmoid and average pooling": '''
def lenet_bn():
    return nn.Sequential(
        nn.Conv2d(1, 6, kernel_size=5, padding=2), BatchNorm(6, num_dims=4), nn.ReLU(),
        nn.MaxPool2d(kernel_size=2, stride=2),
        nn.Conv2d(6, 16, kernel_size=5), BatchNorm(16, num_dims=4), nn.ReLU(),
        nn.MaxPool2d(kernel_size=2, stride=2), nn.Flatten(),
        nn.Linear(16 * 5 * 5, 120), BatchNorm(120, num_dims=2), nn.ReLU(),
        nn.Linear(120, 84), BatchNorm(84, num_dims=2), nn.ReLU(),
        nn.Linear(84, 10))
''',
        'conv-BatchNorm-sigmoid stages from torchvision.ops.Conv2dNormActivation (the same numbers, not torch.nn layers)': '''
from torchvision.ops import Conv2dNormActivation


def lenet_bn():
    return nn.Sequential(
        Conv2dNormActivation(1, 6, 5, padding=2, norm_layer=lambda c: BatchNorm(c, num_dims=4), activation_layer=nn.Sigmoid,
                             inplace=None, bias=True),
        nn.AvgPool2d(kernel_size=2, stride=2),
        Conv2dNormActivation(6, 16, 5, padding=0, norm_layer=lambda c: BatchNorm(c, num_dims=4), activation_layer=nn.Sigmoid,
                             inplace=None, bias=True),
        nn.AvgPool2d(kernel_size=2, stride=2), nn.Flatten(),
        nn.Linear(16 * 5 * 5, 120), BatchNorm(120, num_dims=2), nn.Sigmoid(),
        nn.Linear(120, 84), BatchNorm(84, num_dims=2), nn.Sigmoid(),
        nn.Linear(84, 10))
''',
        'no BatchNorm after the second hidden linear layer': '''
def lenet_bn():
    return nn.Sequential(
        nn.Conv2d(1, 6, kernel_size=5, padding=2), BatchNorm(6, num_dims=4), nn.Sigmoid(),
        nn.AvgPool2d(kernel_size=2, stride=2),
        nn.Conv2d(6, 16, kernel_size=5), BatchNorm(16, num_dims=4), nn.Sigmoid(),
        nn.AvgPool2d(kernel_size=2, stride=2), nn.Flatten(),
        nn.Linear(16 * 5 * 5, 120), BatchNorm(120, num_dims=2), nn.Sigmoid(),
        nn.Linear(120, 84), nn.Sigmoid(),
        nn.Linear(84, 10))
''',
        'a sigmoid after the last linear layer': '''
def lenet_bn():
    return nn.Sequential(
        nn.Conv2d(1, 6, kernel_size=5, padding=2), BatchNorm(6, num_dims=4), nn.Sigmoid(),
        nn.AvgPool2d(kernel_size=2, stride=2),
        nn.Conv2d(6, 16, kernel_size=5), BatchNorm(16, num_dims=4), nn.Sigmoid(),
        nn.AvgPool2d(kernel_size=2, stride=2), nn.Flatten(),
        nn.Linear(16 * 5 * 5, 120), BatchNorm(120, num_dims=2), nn.Sigmoid(),
        nn.Linear(120, 84), BatchNorm(84, num_dims=2), nn.Sigmoid(),
        nn.Linear(84, 10), nn.Sigmoid())
''',
        "num_dims=4 for the BatchNorm of the hidden linear layers": '''
def lenet_bn():
    return nn.Sequential(
        nn.Conv2d(1, 6, kernel_size=5, padding=2), BatchNorm(6, num_dims=4), nn.Sigmoid(),
        nn.AvgPool2d(kernel_size=2, stride=2),
        nn.Conv2d(6, 16, kernel_size=5), BatchNorm(16, num_dims=4), nn.Sigmoid(),
        nn.AvgPool2d(kernel_size=2, stride=2), nn.Flatten(),
        nn.Linear(16 * 5 * 5, 120), BatchNorm(120, num_dims=4), nn.Sigmoid(),
        nn.Linear(120, 84), BatchNorm(84, num_dims=4), nn.Sigmoid(),
        nn.Linear(84, 10))
''',
    },
}
