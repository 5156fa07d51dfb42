"""10_batch_norm: other correct answers (full marks) and planted bugs (must lose points)."""

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
    },
}
