"""02_padding_stride: other correct answers (full marks) and planted bugs (must lose points)."""

CORRECT = {
    "conv_output_shape": {
        "math.floor, per-axis helper": '''
import math

def conv_output_shape(input_size, kernel_size, padding=0, stride=1):
    def as_pair(x):
        if isinstance(x, int):
            return [x, x]
        h, w = x
        return [h, w]

    out = []
    for n, k, p, s in zip(as_pair(input_size), as_pair(kernel_size), as_pair(padding), as_pair(stride)):
        if n <= 0 or k <= 0 or s <= 0 or p < 0:
            raise ValueError("sizes and strides must be positive, padding non-negative")
        if n + 2 * p - k < 0:
            raise ValueError("kernel larger than the padded input")
        out.append(int(math.floor((n + 2 * p - k) / s)) + 1)
    return tuple(out)
''',
        "d2l's formula with total padding": '''
def conv_output_shape(input_size, kernel_size, padding=0, stride=1):
    n_h, n_w = (input_size, input_size) if isinstance(input_size, int) else input_size
    k_h, k_w = (kernel_size, kernel_size) if isinstance(kernel_size, int) else kernel_size
    p, q = (padding, padding) if isinstance(padding, int) else padding
    s_h, s_w = (stride, stride) if isinstance(stride, int) else stride
    p_h, p_w = 2 * p, 2 * q          # d2l counts both sides
    if any(v < 1 for v in (n_h, n_w, k_h, k_w, s_h, s_w)) or min(p_h, p_w) < 0:
        raise ValueError("bad argument")
    if k_h > n_h + p_h or k_w > n_w + p_w:
        raise ValueError("empty output")
    return ((n_h - k_h + p_h + s_h) // s_h, (n_w - k_w + p_w + s_w) // s_w)
''',
    },
    "corr2d_padded_strided": {
        "F.pad, stride-1 corr2d, then slicing": '''
def corr2d_padded_strided(X, K, padding=0, stride=1):
    ph, pw = (padding, padding) if isinstance(padding, int) else padding
    sh, sw = (stride, stride) if isinstance(stride, int) else stride
    Xp = F.pad(X, (pw, pw, ph, ph))
    return corr2d(Xp, K)[::sh, ::sw]
''',
        "unfold with step, torch.cat padding": '''
def corr2d_padded_strided(X, K, padding=0, stride=1):
    pad = tuple(padding) if isinstance(padding, (list, tuple)) else (padding,) * 2
    st = tuple(stride) if isinstance(stride, (list, tuple)) else (stride,) * 2
    rows = torch.zeros(pad[0], X.shape[1], dtype=X.dtype)
    Xp = torch.cat([rows, X, rows], dim=0)
    cols = torch.zeros(Xp.shape[0], pad[1], dtype=X.dtype)
    Xp = torch.cat([cols, Xp, cols], dim=1)
    windows = Xp.unfold(0, K.shape[0], st[0]).unfold(1, K.shape[1], st[1])
    return (windows * K).sum(dim=(-2, -1))
''',
    },
    "halving_conv": {
        "pairs spelled out, no bias": '''
def halving_conv():
    return nn.Conv2d(in_channels=1, out_channels=1, kernel_size=(3, 3), stride=(2, 2), padding=(1, 1), bias=False)
''',
    },
}

WRONG = {
    "conv_output_shape": {
        "padding counted once (d2l's p_h read as per side)": '''
def conv_output_shape(input_size, kernel_size, padding=0, stride=1):
    pair = lambda v: tuple(v) if isinstance(v, (tuple, list)) else (v, v)
    n, k, p, s = pair(input_size), pair(kernel_size), pair(padding), pair(stride)
    if min(n) < 1 or min(k) < 1 or min(s) < 1 or min(p) < 0:
        raise ValueError("bad argument")
    if k[0] > n[0] + p[0] or k[1] > n[1] + p[1]:
        raise ValueError("empty")
    return tuple((n[i] + p[i] - k[i]) // s[i] + 1 for i in range(2))
''',
        "ceil instead of floor": '''
import math

def conv_output_shape(input_size, kernel_size, padding=0, stride=1):
    pair = lambda v: tuple(v) if isinstance(v, (tuple, list)) else (v, v)
    n, k, p, s = pair(input_size), pair(kernel_size), pair(padding), pair(stride)
    if min(n) < 1 or min(k) < 1 or min(s) < 1 or min(p) < 0:
        raise ValueError("bad argument")
    if k[0] > n[0] + 2 * p[0] or k[1] > n[1] + 2 * p[1]:
        raise ValueError("empty")
    return tuple(math.ceil((n[i] + 2 * p[i] - k[i]) / s[i]) + 1 for i in range(2))
''',
        "no ValueError for an empty output": '''
def conv_output_shape(input_size, kernel_size, padding=0, stride=1):
    pair = lambda v: tuple(v) if isinstance(v, (tuple, list)) else (v, v)
    n, k, p, s = pair(input_size), pair(kernel_size), pair(padding), pair(stride)
    if min(n) < 1 or min(k) < 1 or min(s) < 1 or min(p) < 0:
        raise ValueError("bad argument")
    return tuple((n[i] + 2 * p[i] - k[i]) // s[i] + 1 for i in range(2))
''',
        "padding=0 rejected (padding must be positive)": '''
def conv_output_shape(input_size, kernel_size, padding=0, stride=1):
    pair = lambda v: tuple(v) if isinstance(v, (tuple, list)) else (v, v)
    n, k, p, s = pair(input_size), pair(kernel_size), pair(padding), pair(stride)
    if min(n) < 1 or min(k) < 1 or min(s) < 1 or min(p) < 1:
        raise ValueError("bad argument")
    if k[0] > n[0] + 2 * p[0] or k[1] > n[1] + 2 * p[1]:
        raise ValueError("empty")
    return tuple((n[i] + 2 * p[i] - k[i]) // s[i] + 1 for i in range(2))
''',
        "height stride used for both axes": '''
def conv_output_shape(input_size, kernel_size, padding=0, stride=1):
    pair = lambda v: tuple(v) if isinstance(v, (tuple, list)) else (v, v)
    n, k, p, s = pair(input_size), pair(kernel_size), pair(padding), pair(stride)
    if min(n) < 1 or min(k) < 1 or min(s) < 1 or min(p) < 0:
        raise ValueError("bad argument")
    if k[0] > n[0] + 2 * p[0] or k[1] > n[1] + 2 * p[1]:
        raise ValueError("empty")
    return tuple((n[i] + 2 * p[i] - k[i]) // s[0] + 1 for i in range(2))
''',
    },
    "corr2d_padded_strided": {
        "padding on one side only (top/left)": '''
def corr2d_padded_strided(X, K, padding=0, stride=1):
    ph, pw = (padding, padding) if isinstance(padding, int) else padding
    sh, sw = (stride, stride) if isinstance(stride, int) else stride
    Xp = F.pad(X, (pw, 0, ph, 0))
    return corr2d(Xp, K)[::sh, ::sw]
''',
        "stride ignored along the width": '''
def corr2d_padded_strided(X, K, padding=0, stride=1):
    ph, pw = (padding, padding) if isinstance(padding, int) else padding
    sh, sw = (stride, stride) if isinstance(stride, int) else stride
    Xp = F.pad(X, (pw, pw, ph, ph))
    return corr2d(Xp, K)[::sh, :]
''',
        "padding pair swapped (F.pad takes the last axis first)": '''
def corr2d_padded_strided(X, K, padding=0, stride=1):
    ph, pw = (padding, padding) if isinstance(padding, int) else padding
    sh, sw = (stride, stride) if isinstance(stride, int) else stride
    Xp = F.pad(X, (ph, ph, pw, pw))
    return corr2d(Xp, K)[::sh, ::sw]
''',
        "windows that stick out are kept (ceil, padded again at the end)": '''
def corr2d_padded_strided(X, K, padding=0, stride=1):
    ph, pw = (padding, padding) if isinstance(padding, int) else padding
    sh, sw = (stride, stride) if isinstance(stride, int) else stride
    kh, kw = K.shape
    Xp = F.pad(X, (pw, pw + kw, ph, ph + kh))
    oh = -(-(X.shape[0] + 2 * ph - kh) // sh) + 1
    ow = -(-(X.shape[1] + 2 * pw - kw) // sw) + 1
    return corr2d(Xp, K)[::sh, ::sw][:oh, :ow]
''',
        "calls F.conv2d": '''
def corr2d_padded_strided(X, K, padding=0, stride=1):
    return F.conv2d(X[None, None], K[None, None], padding=padding, stride=stride)[0, 0]
''',
    },
    "halving_conv": {
        "no padding": '''
def halving_conv():
    return nn.Conv2d(1, 1, kernel_size=3, stride=2)
''',
        "padding 2, stride 3 (8 -> 4 but not every size halved)": '''
def halving_conv():
    return nn.Conv2d(1, 1, kernel_size=3, padding=2, stride=3)
''',
        "2x2 kernel": '''
def halving_conv():
    return nn.Conv2d(1, 1, kernel_size=2, stride=2)
''',
        "stride 2 along the height only": '''
def halving_conv():
    return nn.Conv2d(1, 1, kernel_size=3, padding=1, stride=(2, 1))
''',
    },
}
