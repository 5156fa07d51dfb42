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
        "torch's _pair (tuples and lists), errors checked axis by axis": '''
from torch.nn.modules.utils import _pair

def conv_output_shape(input_size, kernel_size, padding=0, stride=1):
    n, k, p, s = _pair(input_size), _pair(kernel_size), _pair(padding), _pair(stride)
    out = []
    for axis in range(2):
        if n[axis] < 1 or k[axis] < 1 or s[axis] < 1:
            raise ValueError(f"axis {axis}: sizes and strides must be >= 1")
        if p[axis] < 0:
            raise ValueError(f"axis {axis}: padding must be >= 0")
        if k[axis] > n[axis] + 2 * p[axis]:
            raise ValueError(f"axis {axis}: the kernel does not fit")
        out.append((n[axis] + 2 * p[axis] - k[axis]) // s[axis] + 1)
    return (out[0], out[1])
''',
        "isinstance(v, int) else tuple(v), as the hint says": '''
def conv_output_shape(input_size, kernel_size, padding=0, stride=1):
    as_pair = lambda v: (v, v) if isinstance(v, int) else tuple(v)
    (nh, nw), (kh, kw), (ph, pw), (sh, sw) = map(as_pair, (input_size, kernel_size, padding, stride))
    if min(nh, nw, kh, kw, sh, sw) < 1 or min(ph, pw) < 0 or kh > nh + 2 * ph or kw > nw + 2 * pw:
        raise ValueError("argument out of range, or the kernel does not fit the padded input")
    return (nh + 2 * ph - kh) // sh + 1, (nw + 2 * pw - kw) // sw + 1
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
        "isinstance(v, int) else tuple(v), einsum over unfolded windows": '''
def corr2d_padded_strided(X, K, padding=0, stride=1):
    pair = lambda v: (v, v) if isinstance(v, int) else tuple(v)
    (ph, pw), (sh, sw) = pair(padding), pair(stride)
    Xp = F.pad(X, (pw, pw, ph, ph))
    windows = Xp.unfold(0, K.shape[0], sh).unfold(1, K.shape[1], sw)
    return torch.einsum("ijab,ab->ij", windows, K.to(windows.dtype))
''',
    },
    "halving_conv": {
        "pairs spelled out, no bias": '''
def halving_conv():
    return nn.Conv2d(in_channels=1, out_channels=1, kernel_size=(3, 3), stride=(2, 2), padding=(1, 1), bias=False)
''',
        "lists for kernel, stride and padding, padding_mode spelled out": '''
def halving_conv():
    return nn.Conv2d(1, 1, [3, 3], stride=[2, 2], padding=[1, 1], padding_mode="zeros")
''',
        "positional stride and padding, dilation=1 and groups=1 spelled out": '''
def halving_conv():
    return nn.Conv2d(1, 1, 3, 2, 1, dilation=1, groups=1, bias=True)
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
        "pairs as tuples only (a list fails)": '''
def conv_output_shape(input_size, kernel_size, padding=0, stride=1):
    pair = lambda v: v if isinstance(v, tuple) else (v, v)
    n, k, p, s = pair(input_size), pair(kernel_size), pair(padding), pair(stride)
    if min(n) < 1 or min(k) < 1 or min(s) < 1 or min(p) < 0:
        raise ValueError("bad argument")
    if k[0] > n[0] + 2 * p[0] or k[1] > n[1] + 2 * p[1]:
        raise ValueError("empty")
    return tuple((n[i] + 2 * p[i] - k[i]) // s[i] + 1 for i in range(2))
''',
        "returns a list, not a tuple": '''
def conv_output_shape(input_size, kernel_size, padding=0, stride=1):
    pair = lambda v: tuple(v) if isinstance(v, (tuple, list)) else (v, v)
    n, k, p, s = pair(input_size), pair(kernel_size), pair(padding), pair(stride)
    if min(n) < 1 or min(k) < 1 or min(s) < 1 or min(p) < 0:
        raise ValueError("bad argument")
    if k[0] > n[0] + 2 * p[0] or k[1] > n[1] + 2 * p[1]:
        raise ValueError("empty")
    return [(n[i] + 2 * p[i] - k[i]) // s[i] + 1 for i in range(2)]
''',
        "stride 0 not rejected (ZeroDivisionError instead of ValueError)": '''
def conv_output_shape(input_size, kernel_size, padding=0, stride=1):
    pair = lambda v: tuple(v) if isinstance(v, (tuple, list)) else (v, v)
    n, k, p, s = pair(input_size), pair(kernel_size), pair(padding), pair(stride)
    if min(n) < 1 or min(k) < 1 or min(p) < 0:
        raise ValueError("bad argument")
    if k[0] > n[0] + 2 * p[0] or k[1] > n[1] + 2 * p[1]:
        raise ValueError("empty")
    return tuple((n[i] + 2 * p[i] - k[i]) // s[i] + 1 for i in range(2))
''',
        "negative padding accepted": '''
def conv_output_shape(input_size, kernel_size, padding=0, stride=1):
    pair = lambda v: tuple(v) if isinstance(v, (tuple, list)) else (v, v)
    n, k, p, s = pair(input_size), pair(kernel_size), pair(padding), pair(stride)
    if min(n) < 1 or min(k) < 1 or min(s) < 1:
        raise ValueError("bad argument")
    if k[0] > n[0] + 2 * p[0] or k[1] > n[1] + 2 * p[1]:
        raise ValueError("empty")
    return tuple((n[i] + 2 * p[i] - k[i]) // s[i] + 1 for i in range(2))
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
        "pairs as tuples only (a list padding fails)": '''
def corr2d_padded_strided(X, K, padding=0, stride=1):
    ph, pw = padding if isinstance(padding, tuple) else (padding, padding)
    sh, sw = stride if isinstance(stride, tuple) else (stride, stride)
    Xp = F.pad(X, (pw, pw, ph, ph))
    return corr2d(Xp, K)[::sh, ::sw]
''',
        "always float32 (output preallocated without a dtype)": '''
def corr2d_padded_strided(X, K, padding=0, stride=1):
    pair = lambda v: (v, v) if isinstance(v, int) else tuple(v)
    (ph, pw), (sh, sw) = pair(padding), pair(stride)
    kh, kw = K.shape
    Xp = F.pad(X, (pw, pw, ph, ph))
    Y = torch.zeros(((Xp.shape[0] - kh) // sh + 1, (Xp.shape[1] - kw) // sw + 1))
    for i in range(Y.shape[0]):
        for j in range(Y.shape[1]):
            Y[i, j] = (Xp[i * sh:i * sh + kh, j * sw:j * sw + kw] * K).sum()
    return Y
''',
        "always float64 (output preallocated as float64)": '''
def corr2d_padded_strided(X, K, padding=0, stride=1):
    pair = lambda v: (v, v) if isinstance(v, int) else tuple(v)
    (ph, pw), (sh, sw) = pair(padding), pair(stride)
    kh, kw = K.shape
    Xp = F.pad(X, (pw, pw, ph, ph))
    Y = torch.zeros(((Xp.shape[0] - kh) // sh + 1, (Xp.shape[1] - kw) // sw + 1), dtype=torch.float64)
    for i in range(Y.shape[0]):
        for j in range(Y.shape[1]):
            Y[i, j] = (Xp[i * sh:i * sh + kh, j * sw:j * sw + kw] * K).sum()
    return Y
''',
        "gradients cut by float()": '''
def corr2d_padded_strided(X, K, padding=0, stride=1):
    pair = lambda v: (v, v) if isinstance(v, int) else tuple(v)
    (ph, pw), (sh, sw) = pair(padding), pair(stride)
    kh, kw = K.shape
    Xp = F.pad(X, (pw, pw, ph, ph))
    rows = [[float((Xp[i:i + kh, j:j + kw] * K).sum()) for j in range(0, Xp.shape[1] - kw + 1, sw)]
            for i in range(0, Xp.shape[0] - kh + 1, sh)]
    return torch.tensor(rows, dtype=torch.result_type(X, K))
''',
        "square kernels assumed (k_h used for both axes)": '''
def corr2d_padded_strided(X, K, padding=0, stride=1):
    pair = lambda v: (v, v) if isinstance(v, int) else tuple(v)
    (ph, pw), (sh, sw) = pair(padding), pair(stride)
    k = K.shape[0]
    Xp = F.pad(X, (pw, pw, ph, ph))
    windows = Xp.unfold(0, k, sh).unfold(1, k, sw)
    return (windows * K[:, :k]).sum(dim=(-2, -1))
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
        "reflect padding (8 -> 4, but not zero padding)": '''
def halving_conv():
    return nn.Conv2d(1, 1, kernel_size=3, padding=1, stride=2, padding_mode="reflect")
''',
        "dilation 2 (padding 2 and stride 2 halve every even size, but the kernel spans 5x5)": '''
def halving_conv():
    return nn.Conv2d(1, 1, kernel_size=3, padding=2, stride=2, dilation=2)
''',
        "three input channels": '''
def halving_conv():
    return nn.Conv2d(3, 1, kernel_size=3, padding=1, stride=2)
''',
        "wrapped in nn.Sequential": '''
def halving_conv():
    return nn.Sequential(nn.Conv2d(1, 1, kernel_size=3, padding=1, stride=2))
''',
    },
}
