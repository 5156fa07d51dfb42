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
    },
    "corr2d_multi_in_out_1x1": {
        "einsum": '''
def corr2d_multi_in_out_1x1(X, K):
    return torch.einsum("oc,chw->ohw", K[:, :, 0, 0], X)
''',
        "the loop version (accepted: only the result is tested)": '''
def corr2d_multi_in_out_1x1(X, K):
    return corr2d_multi_in_out(X, K)
''',
    },
    "conv_param_count": {
        "tuple normalisation, int(bias)": '''
def conv_param_count(c_in, c_out, kernel_size, bias=True):
    ks = tuple(kernel_size) if isinstance(kernel_size, (tuple, list)) else (kernel_size, kernel_size)
    weights = c_out * c_in * ks[0] * ks[1]
    return weights + int(bias) * c_out
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
    },
}
