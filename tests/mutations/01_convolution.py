"""01_convolution: other correct answers (full marks) and planted bugs (must lose points)."""

CORRECT = {
    "corr2d": {
        "vectorised with unfold": '''
def corr2d(X, K):
    kh, kw = K.shape
    patches = X.unfold(0, kh, 1).unfold(1, kw, 1)      # (oh, ow, kh, kw)
    return (patches * K).sum(dim=(-2, -1))
''',
        "einsum over strided windows, other names": '''
def corr2d(inp, kern):
    kh, kw = kern.shape
    oh, ow = inp.shape[0] - kh + 1, inp.shape[1] - kw + 1
    rows = [torch.stack([(inp[r:r + kh, c:c + kw] * kern).sum() for c in range(ow)]) for r in range(oh)]
    return torch.stack(rows)
''',
        "sum of shifted slices": '''
def corr2d(X, K):
    kh, kw = K.shape
    oh, ow = X.shape[0] - kh + 1, X.shape[1] - kw + 1
    Y = 0
    for a in range(kh):
        for b in range(kw):
            Y = Y + X[a:a + oh, b:b + ow] * K[a, b]
    return Y
''',
    },
    "conv2d_flip": {
        "rot90": '''
def conv2d_flip(X, K):
    return corr2d(X, torch.rot90(K, 2, dims=(0, 1)))
''',
        "flip twice, via unfold": '''
def conv2d_flip(X, K):
    Kf = K.flip(0).flip(1)
    kh, kw = Kf.shape
    return (X.unfold(0, kh, 1).unfold(1, kw, 1) * Kf).sum(dim=(-2, -1))
''',
    },
    "Conv2D": {
        "register_parameter, randn init": '''
class Conv2D(nn.Module):
    def __init__(self, kernel_size):
        super().__init__()
        self.register_parameter("weight", nn.Parameter(torch.randn(*kernel_size)))
        self.register_parameter("bias", nn.Parameter(torch.zeros(1)))

    def forward(self, x):
        return corr2d(x, self.weight) + self.bias
''',
    },
    "learn_kernel": {
        "nn.Conv2d and torch.optim.SGD": '''
def learn_kernel(X, Y, kernel_size, num_epochs=10, lr=3e-2):
    conv = nn.Conv2d(1, 1, kernel_size=kernel_size, bias=False)
    nn.init.zeros_(conv.weight)
    opt = torch.optim.SGD(conv.parameters(), lr=lr)
    X4, Y4 = X.reshape(1, 1, *X.shape), Y.reshape(1, 1, *Y.shape)
    for _ in range(num_epochs):
        opt.zero_grad()
        l = (conv(X4) - Y4) ** 2
        l.sum().backward()
        opt.step()
    return conv.weight.data.reshape(kernel_size)
''',
        "the student's Conv2D with the bias frozen at zero": '''
def learn_kernel(X, Y, kernel_size, num_epochs=10, lr=3e-2):
    layer = Conv2D(kernel_size)
    with torch.no_grad():
        layer.weight.zero_()
    layer.bias.requires_grad_(False)
    for i in range(num_epochs):
        loss = ((layer(X) - Y) ** 2).sum()
        layer.weight.grad = None
        loss.backward()
        layer.weight.data -= lr * layer.weight.grad
    return layer.weight.detach().clone()
''',
    },
}

WRONG = {
    "corr2d": {
        "always float64": '''
def corr2d(X, K):
    h, w = K.shape
    Y = torch.zeros((X.shape[0] - h + 1, X.shape[1] - w + 1), dtype=torch.float64)
    for i in range(Y.shape[0]):
        for j in range(Y.shape[1]):
            Y[i, j] = (X[i:i + h, j:j + w] * K).sum()
    return Y
''',
        "X detached (no gradient reaches X)": '''
def corr2d(X, K):
    X = X.detach()
    h, w = K.shape
    Y = torch.zeros((X.shape[0] - h + 1, X.shape[1] - w + 1), dtype=torch.result_type(X, K))
    for i in range(Y.shape[0]):
        for j in range(Y.shape[1]):
            Y[i, j] = (X[i:i + h, j:j + w] * K).sum()
    return Y
''',
        "kernel flipped (true convolution)": '''
def corr2d(X, K):
    K = K.flip(0, 1)
    h, w = K.shape
    Y = torch.zeros((X.shape[0] - h + 1, X.shape[1] - w + 1), dtype=torch.result_type(X, K))
    for i in range(Y.shape[0]):
        for j in range(Y.shape[1]):
            Y[i, j] = (X[i:i + h, j:j + w] * K).sum()
    return Y
''',
        "output one row short": '''
def corr2d(X, K):
    h, w = K.shape
    Y = torch.zeros((X.shape[0] - h, X.shape[1] - w + 1), dtype=torch.result_type(X, K))
    for i in range(Y.shape[0]):
        for j in range(Y.shape[1]):
            Y[i, j] = (X[i:i + h, j:j + w] * K).sum()
    return Y
''',
        "gradients cut by float()": '''
def corr2d(X, K):
    h, w = K.shape
    rows = [[float((X[i:i + h, j:j + w] * K).sum()) for j in range(X.shape[1] - w + 1)]
            for i in range(X.shape[0] - h + 1)]
    return torch.tensor(rows, dtype=torch.result_type(X, K))
''',
        "kernel width used for both axes (only right for square kernels)": '''
def corr2d(X, K):
    k = K.shape[1]
    Y = torch.zeros((X.shape[0] - k + 1, X.shape[1] - k + 1), dtype=torch.result_type(X, K))
    for i in range(Y.shape[0]):
        for j in range(Y.shape[1]):
            Y[i, j] = (X[i:i + k, j:j + k] * K).sum()
    return Y
''',
        "calls F.conv2d": '''
def corr2d(X, K):
    return F.conv2d(X[None, None], K[None, None])[0, 0]
''',
        "always float32": '''
def corr2d(X, K):
    h, w = K.shape
    Y = torch.zeros((X.shape[0] - h + 1, X.shape[1] - w + 1))
    for i in range(Y.shape[0]):
        for j in range(Y.shape[1]):
            Y[i, j] = (X[i:i + h, j:j + w] * K).sum()
    return Y
''',
    },
    "conv2d_flip": {
        "no flip": '''
def conv2d_flip(X, K):
    return corr2d(X, K)
''',
        "transpose instead of flip": '''
def conv2d_flip(X, K):
    return corr2d(X, K.t()) if K.shape[0] == K.shape[1] else corr2d(X, K.flip(0))
''',
        "flipped along one axis only": '''
def conv2d_flip(X, K):
    return corr2d(X, torch.flip(K, dims=(1,)))
''',
        "hard-coded worked example": '''
def conv2d_flip(X, K):
    return torch.tensor([[5.0, 11.0], [23.0, 29.0]])
''',
    },
    "Conv2D": {
        "random bias": '''
class Conv2D(nn.Module):
    def __init__(self, kernel_size):
        super().__init__()
        self.weight = nn.Parameter(torch.rand(kernel_size))
        self.bias = nn.Parameter(torch.rand(1))

    def forward(self, x):
        return corr2d(x, self.weight) + self.bias
''',
        "kernel_size as a tuple only": '''
class Conv2D(nn.Module):
    def __init__(self, kernel_size):
        super().__init__()
        self.weight = nn.Parameter(torch.rand(kernel_size + ()))
        self.bias = nn.Parameter(torch.zeros(1))

    def forward(self, x):
        return corr2d(x, self.weight) + self.bias
''',
        "bias ignored": '''
class Conv2D(nn.Module):
    def __init__(self, kernel_size):
        super().__init__()
        self.weight = nn.Parameter(torch.rand(kernel_size))
        self.bias = nn.Parameter(torch.zeros(1))

    def forward(self, x):
        return corr2d(x, self.weight)
''',
        "bias with the kernel's shape": '''
class Conv2D(nn.Module):
    def __init__(self, kernel_size):
        super().__init__()
        self.weight = nn.Parameter(torch.rand(kernel_size))
        self.bias = nn.Parameter(torch.zeros(kernel_size))

    def forward(self, x):
        return corr2d(x, self.weight) + self.bias[0, 0]
''',
        "weight not registered as a parameter": '''
class Conv2D(nn.Module):
    def __init__(self, kernel_size):
        super().__init__()
        self.weight = torch.rand(kernel_size, requires_grad=True)
        self.bias = nn.Parameter(torch.zeros(1))

    def forward(self, x):
        return corr2d(x, self.weight) + self.bias
''',
        "parameters named w and b": '''
class Conv2D(nn.Module):
    def __init__(self, kernel_size):
        super().__init__()
        self.w = nn.Parameter(torch.rand(kernel_size))
        self.b = nn.Parameter(torch.zeros(1))
        self.weight, self.bias = self.w, self.b

    def forward(self, x):
        return corr2d(x, self.w) + self.b
''',
    },
    "learn_kernel": {
        "num_epochs and lr hard-coded": '''
def learn_kernel(X, Y, kernel_size, num_epochs=10, lr=3e-2):
    W = torch.zeros(kernel_size, requires_grad=True)
    for _ in range(10):
        loss = ((corr2d(X, W) - Y) ** 2).sum()
        loss.backward()
        with torch.no_grad():
            W -= 3e-2 * W.grad
        W.grad.zero_()
    return W.detach()
''',
        "mean instead of sum of squared errors": '''
def learn_kernel(X, Y, kernel_size, num_epochs=10, lr=3e-2):
    W = torch.zeros(kernel_size, requires_grad=True)
    for _ in range(num_epochs):
        loss = ((corr2d(X, W) - Y) ** 2).mean()
        loss.backward()
        with torch.no_grad():
            W -= lr * W.grad
        W.grad.zero_()
    return W.detach()
''',
        "gradient never reset": '''
def learn_kernel(X, Y, kernel_size, num_epochs=10, lr=3e-2):
    W = torch.zeros(kernel_size, requires_grad=True)
    for _ in range(num_epochs):
        loss = ((corr2d(X, W) - Y) ** 2).sum()
        loss.backward()
        with torch.no_grad():
            W -= lr * W.grad
    return W.detach()
''',
        "a learned bias as well": '''
def learn_kernel(X, Y, kernel_size, num_epochs=10, lr=3e-2):
    W = torch.zeros(kernel_size, requires_grad=True)
    b = torch.zeros(1, requires_grad=True)
    for _ in range(num_epochs):
        loss = ((corr2d(X, W) + b - Y) ** 2).sum()
        loss.backward()
        with torch.no_grad():
            W -= lr * W.grad
            b -= lr * b.grad
        W.grad.zero_()
        b.grad.zero_()
    return W.detach()
''',
        "ignores num_epochs and lr (always 10 steps of 0.03)": '''
def learn_kernel(X, Y, kernel_size, num_epochs=10, lr=3e-2):
    W = torch.zeros(kernel_size, requires_grad=True)
    for _ in range(10):
        loss = ((corr2d(X, W) - Y) ** 2).sum()
        loss.backward()
        with torch.no_grad():
            W -= 3e-2 * W.grad
        W.grad.zero_()
    return W.detach()
''',
        "random initialisation": '''
def learn_kernel(X, Y, kernel_size, num_epochs=10, lr=3e-2):
    W = torch.rand(kernel_size, requires_grad=True)
    for _ in range(num_epochs):
        loss = ((corr2d(X, W) - Y) ** 2).sum()
        loss.backward()
        with torch.no_grad():
            W -= lr * W.grad
        W.grad.zero_()
    return W.detach()
''',
    },
}
