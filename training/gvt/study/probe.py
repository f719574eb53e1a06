"""Linear probes on a frozen tokenizer, to tell what the tokenizer itself knows from what stage 2's
LM learned: image-level, the count of each shape and of each colour (ten 10-way classifiers on CLS
and the mean patch token, the mean of their accuracies); patch-level, the label (shape and colour)
covering most of each patch, scored on the patches an object covers most of."""

import numpy as np
import torch
import torch.nn.functional as F
from torch import nn

from ..stage1 import image_targets
from ..stage2 import cache_features


def _fit(x, y, classes, steps=300, lr=1e-2):
    """A linear classifier [D -> heads × classes] trained full-batch; y [N, heads]."""
    torch.manual_seed(0)
    layer = nn.Linear(x.shape[1], y.shape[1] * classes)
    opt = torch.optim.Adam(layer.parameters(), lr=lr, weight_decay=1e-4)
    for _ in range(steps):
        loss = F.cross_entropy(layer(x).reshape(-1, classes), y.reshape(-1))
        opt.zero_grad()
        loss.backward()
        opt.step()
    return layer


def _standardise(train, test):
    mean, std = train.mean(0), train.std(0) + 1e-6
    return (train - mean) / std, (test - mean) / std


@torch.no_grad()
def _tokens(vit, data, cfg):
    return cache_features(vit, data["pixels"], cfg).float()


def image_probe(train_tok, test_tok, train_objects, test_objects):
    pooled = lambda t: torch.cat([t[:, 0], t[:, 1:].mean(1)], -1)
    x_train, x_test = _standardise(pooled(train_tok), pooled(test_tok))
    counts = lambda objs: torch.cat(image_targets(objs)[1:3], 1)  # [N, 4 shapes + 6 colours], each 0-9
    y_train, y_test = counts(train_objects), counts(test_objects)
    layer = _fit(x_train, y_train, 10)
    with torch.no_grad():
        pred = layer(x_test).reshape(len(x_test), -1, 10).argmax(-1)
    return int((pred == y_test).sum()), pred.numel()


def patch_probe(train_tok, test_tok, train_cover, test_cover):
    w = train_tok.shape[-1]
    x_train, x_test = _standardise(train_tok[:, 1:].reshape(-1, w), test_tok[:, 1:].reshape(-1, w))
    label = lambda cover: torch.from_numpy(cover.reshape(-1, cover.shape[-1]).argmax(-1).astype(np.int64))[:, None]
    y_train, y_test = label(train_cover), label(test_cover)
    layer = _fit(x_train, y_train, train_cover.shape[-1])
    with torch.no_grad():
        pred = layer(x_test).argmax(-1)
    objects = y_test[:, 0] > 0
    return int((pred[objects] == y_test[objects, 0]).sum()), int(objects.sum())


def probe(vit, cfg, train, test):
    """-> ((right, n) of the image-level probe, (right, n) of the patch-level one) on `test` after fitting on `train`."""
    vit.eval()
    train_tok, test_tok = _tokens(vit, train, cfg), _tokens(vit, test, cfg)
    return (image_probe(train_tok, test_tok, train["objects"], test["objects"]),
            patch_probe(train_tok, test_tok, train["cover"], test["cover"]))
