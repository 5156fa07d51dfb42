"""03_channels: other correct answers (full marks) and planted bugs (must lose points)."""

CORRECT = {
    "corr2d_multi_in": {
        "broadcast over shifted slices, no corr2d": '''
def corr2d_multi_in(X, K):
    c, kh, kw = K.shape
    oh, ow = X.shape[1] - kh + 1, X.shape[2] - kw + 1
    Y = 0
    for a in range(kh):
        for b in range(kw):
            Y = Y + (X[:, a:a + oh, b:b + ow] * K[:, a:a + 1, b:b + 1]).sum(dim=0)
    return Y
''',
        "unfold and einsum": '''
def corr2d_multi_in(inputs, kernel):
    kh, kw = kernel.shape[1:]
    windows = inputs.unfold(1, kh, 1).unfold(2, kw, 1)   # (c, oh, ow, kh, kw)
    return torch.einsum("cijab,cab->ij", windows, kernel)
''',
        "torch.stack of corr2d, then sum over the channel axis": '''
def corr2d_multi_in(X, K):
    return torch.stack([corr2d(X[c], K[c]) for c in range(X.shape[0])]).sum(dim=0)
''',
    },
    "corr2d_multi_in_out": {
        "explicit loop filling a preallocated tensor": '''
def corr2d_multi_in_out(X, K):
    c_o, c_i, kh, kw = K.shape
    Y = torch.zeros((c_o, X.shape[1] - kh + 1, X.shape[2] - kw + 1), dtype=torch.result_type(X, K))
    for o in range(c_o):
        Y[o] = corr2d_multi_in(X, K[o])
    return Y
''',
        "vectorised with unfold, no helper": '''
def corr2d_multi_in_out(X, K):
    kh, kw = K.shape[2:]
    windows = X.unfold(1, kh, 1).unfold(2, kw, 1)        # (c_i, oh, ow, kh, kw)
    return torch.einsum("cijab,ocab->oij", windows, K)
''',
        "torch.cat of unsqueezed channels": '''
def corr2d_multi_in_out(X, K):
    return torch.cat([corr2d_multi_in(X, K[o]).unsqueeze(0) for o in range(K.shape[0])], dim=0)
''',
    },
    "corr2d_multi_in_out_1x1": {
        "einsum": '''
def corr2d_multi_in_out_1x1(X, K):
    return torch.einsum("oc,chw->ohw", K[:, :, 0, 0], X)
''',
        "F.linear on the pixels as rows": '''
def corr2d_multi_in_out_1x1(X, K):
    c_i, h, w = X.shape
    pixels = X.reshape(c_i, h * w).T                     # (h*w, c_i)
    return F.linear(pixels, K.reshape(K.shape[0], c_i)).T.reshape(-1, h, w)
''',
        "torch.tensordot over the input channels": '''
def corr2d_multi_in_out_1x1(X, K):
    return torch.tensordot(K.flatten(1), X, dims=([1], [0]))
''',
        "torch.mm of views, unflatten back to the image": '''
def corr2d_multi_in_out_1x1(X, K):
    Y = torch.mm(K.view(K.shape[0], -1), X.flatten(1))
    return Y.unflatten(1, X.shape[1:])
''',
    },
    "conv_param_count": {
        "tuple normalisation, int(bias)": '''
def conv_param_count(c_in, c_out, kernel_size, bias=True):
    ks = tuple(kernel_size) if isinstance(kernel_size, (tuple, list)) else (kernel_size, kernel_size)
    weights = c_out * c_in * ks[0] * ks[1]
    return weights + int(bias) * c_out
''',
        "torch's _pair and math.prod": '''
import math
from torch.nn.modules.utils import _pair

def conv_param_count(c_in, c_out, kernel_size, bias=True):
    return c_in * c_out * math.prod(_pair(kernel_size)) + (c_out if bias else 0)
''',
    },
}

WRONG = {
    "corr2d_multi_in": {
        "channels not summed (stacked instead)": '''
def corr2d_multi_in(X, K):
    return torch.stack([corr2d(x, k) for x, k in zip(X, K)])
''',
        "mean over channels instead of sum": '''
def corr2d_multi_in(X, K):
    return torch.stack([corr2d(x, k) for x, k in zip(X, K)]).mean(dim=0)
''',
        "channels summed before correlating": '''
def corr2d_multi_in(X, K):
    return corr2d(X.sum(dim=0), K.sum(dim=0))
''',
        "only the first channel": '''
def corr2d_multi_in(X, K):
    return corr2d(X[0], K[0])
''',
        "calls F.conv2d": '''
def corr2d_multi_in(X, K):
    return F.conv2d(X[None], K[None])[0, 0]
''',
        "always float32 (accumulated in place into a float32 tensor)": '''
def corr2d_multi_in(X, K):
    Y = torch.zeros(X.shape[1] - K.shape[1] + 1, X.shape[2] - K.shape[2] + 1)
    for x, k in zip(X, K):
        Y = Y + corr2d(x, k).float()
    return Y
''',
        "always float64 (.double() on the sum)": '''
def corr2d_multi_in(X, K):
    return sum(corr2d(x, k) for x, k in zip(X, K)).double()
''',
        "gradients cut by float()": '''
def corr2d_multi_in(X, K):
    Y = sum(corr2d(x, k) for x, k in zip(X, K))
    return torch.tensor([[float(v) for v in row] for row in Y], dtype=Y.dtype)
''',
        "square kernels assumed (k_w used for both axes)": '''
def corr2d_multi_in(X, K):
    k = K.shape[-1]
    oh, ow = X.shape[1] - k + 1, X.shape[2] - k + 1
    Y = 0
    for a in range(K.shape[1]):
        for b in range(k):
            Y = Y + (X[:, a:a + oh, b:b + ow] * K[:, a:a + 1, b:b + 1]).sum(dim=0)
    return Y
''',
    },
    "corr2d_multi_in_out": {
        "concatenated instead of stacked": '''
def corr2d_multi_in_out(X, K):
    return torch.cat([corr2d_multi_in(X, k) for k in K], 0)
''',
        "zip over input channels and kernels": '''
def corr2d_multi_in_out(X, K):
    return torch.stack([corr2d(x, k[0]) for x, k in zip(X, K)], 0)
''',
        "squeezes the channel axis when c_o = 1": '''
def corr2d_multi_in_out(X, K):
    return torch.stack([corr2d_multi_in(X, k) for k in K], 0).squeeze(0)
''',
        "calls F.conv2d": '''
def corr2d_multi_in_out(X, K):
    return F.conv2d(X[None], K)[0]
''',
        "always float32 (preallocated output)": '''
def corr2d_multi_in_out(X, K):
    c_o, c_i, kh, kw = K.shape
    Y = torch.zeros((c_o, X.shape[1] - kh + 1, X.shape[2] - kw + 1))
    for o in range(c_o):
        Y[o] = corr2d_multi_in(X, K[o])
    return Y
''',
        "always float64 (output preallocated as float64)": '''
def corr2d_multi_in_out(X, K):
    c_o, c_i, kh, kw = K.shape
    Y = torch.zeros((c_o, X.shape[1] - kh + 1, X.shape[2] - kw + 1), dtype=torch.float64)
    for o in range(c_o):
        Y[o] = corr2d_multi_in(X, K[o])
    return Y
''',
        "gradients cut (rebuilt with torch.tensor)": '''
def corr2d_multi_in_out(X, K):
    Y = torch.stack([corr2d_multi_in(X, k) for k in K], 0)
    return torch.tensor(Y.tolist(), dtype=Y.dtype)
''',
    },
    "corr2d_multi_in_out_1x1": {
        "pixels as rows: X reshaped (h*w, c_i) without transposing": '''
def corr2d_multi_in_out_1x1(X, K):
    c_i, h, w = X.shape
    c_o = K.shape[0]
    Xm = X.reshape(h * w, c_i)
    return (Xm @ K.reshape(c_o, c_i).T).T.reshape(c_o, h, w)
''',
        "K reshaped (c_i, c_o) and transposed": '''
def corr2d_multi_in_out_1x1(X, K):
    c_i, h, w = X.shape
    c_o = K.shape[0]
    return (K.reshape(c_i, c_o).T @ X.reshape(c_i, h * w)).reshape(c_o, h, w)
''',
        "result reshaped as (h, w, c_o) then viewed": '''
def corr2d_multi_in_out_1x1(X, K):
    c_i, h, w = X.shape
    c_o = K.shape[0]
    Y = X.reshape(c_i, h * w).T @ K.reshape(c_o, c_i).T      # (h*w, c_o)
    return Y.reshape(c_o, h, w)
''',
        "square inputs assumed (h used for the width)": '''
def corr2d_multi_in_out_1x1(X, K):
    c_i, h, w = X.shape
    c_o = K.shape[0]
    Y = K.reshape(c_o, c_i) @ X.reshape(c_i, -1)
    return Y[:, :h * h].reshape(c_o, h, h)
''',
        "calls the loop version corr2d_multi_in_out (a Python loop over pixels)": '''
def corr2d_multi_in_out_1x1(X, K):
    return corr2d_multi_in_out(X, K)
''',
        "a matrix-vector product per pixel (a Python loop over pixels)": '''
def corr2d_multi_in_out_1x1(X, K):
    c_i, h, w = X.shape
    W = K.reshape(K.shape[0], c_i)
    return torch.stack([torch.stack([W @ X[:, i, j] for j in range(w)], dim=-1) for i in range(h)], dim=1)
''',
        "calls F.conv2d": '''
def corr2d_multi_in_out_1x1(X, K):
    return F.conv2d(X[None], K)[0]
''',
        "always float32 (output preallocated)": '''
def corr2d_multi_in_out_1x1(X, K):
    c_i, h, w = X.shape
    c_o = K.shape[0]
    Y = torch.zeros(c_o, h * w)
    Y = Y + (K.reshape(c_o, c_i) @ X.reshape(c_i, h * w)).float()
    return Y.reshape(c_o, h, w)
''',
        "always float64 (both factors cast with .double())": '''
def corr2d_multi_in_out_1x1(X, K):
    c_i, h, w = X.shape
    c_o = K.shape[0]
    return (K.reshape(c_o, c_i).double() @ X.reshape(c_i, h * w).double()).reshape(c_o, h, w)
''',
        "K.squeeze() as the weight matrix (breaks for one input channel)": '''
def corr2d_multi_in_out_1x1(X, K):
    c_i, h, w = X.shape
    return (K.squeeze() @ X.reshape(c_i, h * w)).reshape(-1, h, w)
''',
        "output .squeeze()d (one output channel loses its axis)": '''
def corr2d_multi_in_out_1x1(X, K):
    return torch.einsum("oc,chw->ohw", K[:, :, 0, 0], X).squeeze()
''',
        "gradients cut by .detach()": '''
def corr2d_multi_in_out_1x1(X, K):
    c_i, h, w = X.shape
    c_o = K.shape[0]
    return (K.reshape(c_o, c_i) @ X.reshape(c_i, h * w)).detach().reshape(c_o, h, w)
''',
    },
    "conv_param_count": {
        "bias counted per weight": '''
def conv_param_count(c_in, c_out, kernel_size, bias=True):
    k_h, k_w = (kernel_size, kernel_size) if isinstance(kernel_size, int) else kernel_size
    w = c_out * c_in * k_h * k_w
    return 2 * w if bias else w
''',
        "bias per input channel": '''
def conv_param_count(c_in, c_out, kernel_size, bias=True):
    k_h, k_w = (kernel_size, kernel_size) if isinstance(kernel_size, int) else kernel_size
    return c_out * c_in * k_h * k_w + (c_in if bias else 0)
''',
        "bias flag ignored": '''
def conv_param_count(c_in, c_out, kernel_size, bias=True):
    k_h, k_w = (kernel_size, kernel_size) if isinstance(kernel_size, int) else kernel_size
    return c_out * c_in * k_h * k_w + c_out
''',
        "first kernel side squared": '''
def conv_param_count(c_in, c_out, kernel_size, bias=True):
    k = kernel_size if isinstance(kernel_size, int) else kernel_size[0]
    return c_out * c_in * k * k + (c_out if bias else 0)
''',
        "input channels forgotten": '''
def conv_param_count(c_in, c_out, kernel_size, bias=True):
    k_h, k_w = (kernel_size, kernel_size) if isinstance(kernel_size, int) else kernel_size
    return c_out * k_h * k_w + (c_out if bias else 0)
''',
        "pairs as tuples only (a list fails)": '''
def conv_param_count(c_in, c_out, kernel_size, bias=True):
    k_h, k_w = kernel_size if isinstance(kernel_size, tuple) else (kernel_size, kernel_size)
    return c_out * c_in * k_h * k_w + (c_out if bias else 0)
''',
        "builds nn.Conv2d and counts its parameters": '''
def conv_param_count(c_in, c_out, kernel_size, bias=True):
    return sum(p.numel() for p in nn.Conv2d(c_in, c_out, kernel_size, bias=bias).parameters())
''',
        "returns a float": '''
def conv_param_count(c_in, c_out, kernel_size, bias=True):
    k_h, k_w = (kernel_size, kernel_size) if isinstance(kernel_size, int) else kernel_size
    return c_out * c_in * k_h * k_w * 1.0 + (c_out if bias else 0)
''',
    },
}
