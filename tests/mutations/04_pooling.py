"""04_pooling: other correct answers (full marks) and planted bugs (must lose points)."""

CORRECT = {
    "pool2d": {
        "vectorised with F.pad and unfold": '''
def pool2d(X, pool_size, mode='max', stride=1, padding=0):
    from torch.nn.modules.utils import _pair
    kh, kw = _pair(pool_size)
    sh, sw = _pair(stride)
    ph, pw = _pair(padding)
    Xp = F.pad(X, (pw, pw, ph, ph), value=float("-inf") if mode == "max" else 0.0)
    windows = Xp.unfold(-2, kh, sh).unfold(-2, kw, sw)     # (..., h_out, w_out, kh, kw)
    return windows.amax(dim=(-2, -1)) if mode == "max" else windows.mean(dim=(-2, -1))
''',
        "loops over channels, torch.full padding, stacked rows": '''
def pool2d(inp, pool_size, mode='max', stride=1, padding=0):
    if isinstance(pool_size, int): pool_size = (pool_size, pool_size)
    if isinstance(stride, int): stride = (stride, stride)
    if isinstance(padding, int): padding = (padding, padding)
    two_d = inp.ndim == 2
    chans = [inp] if two_d else list(inp)
    out = []
    for ch in chans:
        H, W = ch.shape
        big = torch.full((H + 2 * padding[0], W + 2 * padding[1]),
                         -float("inf") if mode == "max" else 0.0, dtype=ch.dtype)
        big = big.index_put((torch.arange(padding[0], padding[0] + H)[:, None],
                             torch.arange(padding[1], padding[1] + W)[None, :]), ch)
        rows = []
        for r in range(0, big.shape[0] - pool_size[0] + 1, stride[0]):
            row = []
            for c in range(0, big.shape[1] - pool_size[1] + 1, stride[1]):
                win = big[r:r + pool_size[0], c:c + pool_size[1]]
                row.append(win.max() if mode == "max" else win.sum() / (pool_size[0] * pool_size[1]))
            rows.append(torch.stack(row))
        out.append(torch.stack(rows))
    return out[0] if two_d else torch.stack(out)
''',
        "isinstance(v, int) else tuple(v), finfo.min padding, reshape and max over each window": '''
def pool2d(X, pool_size, mode='max', stride=1, padding=0):
    pair = lambda v: (v, v) if isinstance(v, int) else tuple(v)
    (kh, kw), (sh, sw), (ph, pw) = pair(pool_size), pair(stride), pair(padding)
    fill = torch.finfo(X.dtype).min if mode == "max" else 0.0
    Xp = F.pad(X, (pw, pw, ph, ph), value=fill)
    windows = Xp.unfold(-2, kh, sh).unfold(-2, kw, sw)
    flat = windows.reshape(*windows.shape[:-2], kh * kw)
    if mode == "max":
        return flat.max(dim=-1).values
    return flat.sum(dim=-1) / (kh * kw)
''',
        "a 2-D input pooled by recursion on X[None], one channel at a time, sum / (k_h * k_w)": '''
def pool2d(X, pool_size, mode='max', stride=1, padding=0):
    if X.dim() == 2:
        return pool2d(X[None], pool_size, mode, stride, padding)[0]
    kh, kw = (pool_size, pool_size) if isinstance(pool_size, int) else tuple(pool_size)
    sh, sw = (stride, stride) if isinstance(stride, int) else tuple(stride)
    ph, pw = (padding, padding) if isinstance(padding, int) else tuple(padding)
    out = []
    for channel in X:
        Xp = F.pad(channel, (pw, pw, ph, ph), value=float("-inf") if mode == "max" else 0.0)
        windows = Xp.unfold(0, kh, sh).unfold(1, kw, sw)
        out.append(windows.amax(dim=(2, 3)) if mode == "max" else windows.sum(dim=(2, 3)) / (kh * kw))
    return torch.stack(out)
''',
    },
}

WRONG = {
    "pool2d": {
        "max pooling pads with zeros": '''
def pool2d(X, pool_size, mode='max', stride=1, padding=0):
    from torch.nn.modules.utils import _pair
    kh, kw = _pair(pool_size)
    sh, sw = _pair(stride)
    ph, pw = _pair(padding)
    Xp = F.pad(X, (pw, pw, ph, ph))
    windows = Xp.unfold(-2, kh, sh).unfold(-2, kw, sw)
    return windows.amax(dim=(-2, -1)) if mode == "max" else windows.mean(dim=(-2, -1))
''',
        "stride ignored (always 1)": '''
def pool2d(X, pool_size, mode='max', stride=1, padding=0):
    from torch.nn.modules.utils import _pair
    kh, kw = _pair(pool_size)
    ph, pw = _pair(padding)
    Xp = F.pad(X, (pw, pw, ph, ph), value=float("-inf") if mode == "max" else 0.0)
    windows = Xp.unfold(-2, kh, 1).unfold(-2, kw, 1)
    return windows.amax(dim=(-2, -1)) if mode == "max" else windows.mean(dim=(-2, -1))
''',
        "channels mixed (max over all channels)": '''
def pool2d(X, pool_size, mode='max', stride=1, padding=0):
    from torch.nn.modules.utils import _pair
    kh, kw = _pair(pool_size)
    sh, sw = _pair(stride)
    ph, pw = _pair(padding)
    Xp = F.pad(X, (pw, pw, ph, ph), value=float("-inf") if mode == "max" else 0.0)
    windows = Xp.unfold(-2, kh, sh).unfold(-2, kw, sw)
    Y = windows.amax(dim=(-2, -1)) if mode == "max" else windows.mean(dim=(-2, -1))
    if X.dim() == 3:
        Y = (Y.amax(dim=0) if mode == "max" else Y.mean(dim=0)).expand_as(Y)
    return Y
''',
        "average over the real entries only (count_include_pad=False)": '''
def pool2d(X, pool_size, mode='max', stride=1, padding=0):
    from torch.nn.modules.utils import _pair
    kh, kw = _pair(pool_size)
    sh, sw = _pair(stride)
    ph, pw = _pair(padding)
    if mode == "max":
        Xp = F.pad(X, (pw, pw, ph, ph), value=float("-inf"))
        return Xp.unfold(-2, kh, sh).unfold(-2, kw, sw).amax(dim=(-2, -1))
    Xp = F.pad(X, (pw, pw, ph, ph))
    ones = F.pad(torch.ones_like(X), (pw, pw, ph, ph))
    s = Xp.unfold(-2, kh, sh).unfold(-2, kw, sw).sum(dim=(-2, -1))
    n = ones.unfold(-2, kh, sh).unfold(-2, kw, sw).sum(dim=(-2, -1))
    return s / n
''',
        "stride defaults to the window size (nn.MaxPool2d's convention)": '''
def pool2d(X, pool_size, mode='max', stride=None, padding=0):
    from torch.nn.modules.utils import _pair
    kh, kw = _pair(pool_size)
    sh, sw = _pair(stride if stride is not None else pool_size)
    ph, pw = _pair(padding)
    Xp = F.pad(X, (pw, pw, ph, ph), value=float("-inf") if mode == "max" else 0.0)
    windows = Xp.unfold(-2, kh, sh).unfold(-2, kw, sw)
    return windows.amax(dim=(-2, -1)) if mode == "max" else windows.mean(dim=(-2, -1))
''',
        "calls F.max_pool2d / F.avg_pool2d": '''
def pool2d(X, pool_size, mode='max', stride=1, padding=0):
    fn = F.max_pool2d if mode == "max" else F.avg_pool2d
    return fn(X.unsqueeze(0), pool_size, stride=stride, padding=padding)[0]
''',
        "average pooling ignores the padding (max pooling right)": '''
def pool2d(X, pool_size, mode='max', stride=1, padding=0):
    from torch.nn.modules.utils import _pair
    kh, kw = _pair(pool_size)
    sh, sw = _pair(stride)
    ph, pw = _pair(padding)
    if mode == "max":
        X = F.pad(X, (pw, pw, ph, ph), value=float("-inf"))
    windows = X.unfold(-2, kh, sh).unfold(-2, kw, sw)
    return windows.amax(dim=(-2, -1)) if mode == "max" else windows.mean(dim=(-2, -1))
''',
        "pairs as tuples only (a list fails)": '''
def pool2d(X, pool_size, mode='max', stride=1, padding=0):
    pair = lambda v: v if isinstance(v, tuple) else (v, v)
    (kh, kw), (sh, sw), (ph, pw) = pair(pool_size), pair(stride), pair(padding)
    Xp = F.pad(X, (pw, pw, ph, ph), value=float("-inf") if mode == "max" else 0.0)
    windows = Xp.unfold(-2, kh, sh).unfold(-2, kw, sw)
    return windows.amax(dim=(-2, -1)) if mode == "max" else windows.mean(dim=(-2, -1))
''',
        "window height used for both axes (square windows only)": '''
def pool2d(X, pool_size, mode='max', stride=1, padding=0):
    from torch.nn.modules.utils import _pair
    k = _pair(pool_size)[0]
    sh, sw = _pair(stride)
    ph, pw = _pair(padding)
    Xp = F.pad(X, (pw, pw, ph, ph), value=float("-inf") if mode == "max" else 0.0)
    windows = Xp.unfold(-2, k, sh).unfold(-2, k, sw)
    return windows.amax(dim=(-2, -1)) if mode == "max" else windows.mean(dim=(-2, -1))
''',
        "always float32 (output preallocated without a dtype)": '''
def pool2d(X, pool_size, mode='max', stride=1, padding=0):
    pair = lambda v: (v, v) if isinstance(v, int) else tuple(v)
    (p_h, p_w), (s_h, s_w), (pad_h, pad_w) = pair(pool_size), pair(stride), pair(padding)
    squeeze = X.dim() == 2
    if squeeze:
        X = X.unsqueeze(0)
    X = F.pad(X, (pad_w, pad_w, pad_h, pad_h), value=float("-inf") if mode == "max" else 0.0)
    h_out, w_out = (X.shape[1] - p_h) // s_h + 1, (X.shape[2] - p_w) // s_w + 1
    Y = torch.zeros((X.shape[0], h_out, w_out))
    for i in range(h_out):
        for j in range(w_out):
            window = X[:, i * s_h:i * s_h + p_h, j * s_w:j * s_w + p_w]
            Y[:, i, j] = window.amax(dim=(1, 2)) if mode == "max" else window.mean(dim=(1, 2))
    return Y[0] if squeeze else Y
''',
        "always float64 (output preallocated as float64)": '''
def pool2d(X, pool_size, mode='max', stride=1, padding=0):
    pair = lambda v: (v, v) if isinstance(v, int) else tuple(v)
    (p_h, p_w), (s_h, s_w), (pad_h, pad_w) = pair(pool_size), pair(stride), pair(padding)
    squeeze = X.dim() == 2
    if squeeze:
        X = X.unsqueeze(0)
    X = F.pad(X, (pad_w, pad_w, pad_h, pad_h), value=float("-inf") if mode == "max" else 0.0)
    h_out, w_out = (X.shape[1] - p_h) // s_h + 1, (X.shape[2] - p_w) // s_w + 1
    Y = torch.zeros((X.shape[0], h_out, w_out), dtype=torch.float64)
    for i in range(h_out):
        for j in range(w_out):
            window = X[:, i * s_h:i * s_h + p_h, j * s_w:j * s_w + p_w]
            Y[:, i, j] = window.amax(dim=(1, 2)) if mode == "max" else window.mean(dim=(1, 2))
    return Y[0] if squeeze else Y
''',
        "squeeze(0) at the end (a (1, h, w) input loses its channel axis)": '''
def pool2d(X, pool_size, mode='max', stride=1, padding=0):
    from torch.nn.modules.utils import _pair
    kh, kw = _pair(pool_size)
    sh, sw = _pair(stride)
    ph, pw = _pair(padding)
    if X.dim() == 2:
        X = X.unsqueeze(0)
    Xp = F.pad(X, (pw, pw, ph, ph), value=float("-inf") if mode == "max" else 0.0)
    windows = Xp.unfold(-2, kh, sh).unfold(-2, kw, sw)
    Y = windows.amax(dim=(-2, -1)) if mode == "max" else windows.mean(dim=(-2, -1))
    return Y.squeeze(0)
''',
        "gradients cut by .tolist()": '''
def pool2d(X, pool_size, mode='max', stride=1, padding=0):
    from torch.nn.modules.utils import _pair
    kh, kw = _pair(pool_size)
    sh, sw = _pair(stride)
    ph, pw = _pair(padding)
    Xp = F.pad(X, (pw, pw, ph, ph), value=float("-inf") if mode == "max" else 0.0)
    windows = Xp.unfold(-2, kh, sh).unfold(-2, kw, sw)
    Y = windows.amax(dim=(-2, -1)) if mode == "max" else windows.mean(dim=(-2, -1))
    return torch.tensor(Y.tolist(), dtype=X.dtype)
''',
        "a 2-D input comes back with a channel axis": '''
def pool2d(X, pool_size, mode='max', stride=1, padding=0):
    from torch.nn.modules.utils import _pair
    kh, kw = _pair(pool_size)
    sh, sw = _pair(stride)
    ph, pw = _pair(padding)
    if X.dim() == 2:
        X = X[None]
    Xp = F.pad(X, (pw, pw, ph, ph), value=float("-inf") if mode == "max" else 0.0)
    windows = Xp.unfold(-2, kh, sh).unfold(-2, kw, sw)
    return windows.amax(dim=(-2, -1)) if mode == "max" else windows.mean(dim=(-2, -1))
''',
    },
}
