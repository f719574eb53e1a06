"""Pre-training from the scenes' labels: image-level heads on CLS (DeiT's role, supervised) and the
patch-level targets of GVT-tiny's stage 1 (patch-level supervision)."""

from torch import nn

from ..pixels import to_pixels
from ..stage1 import Stage1Heads, stage1_loss


class LabelObjective(nn.Module):
    def __init__(self, cfg, targets, object_weight=10.0):
        super().__init__()
        self.cfg, self.targets, self.object_weight = cfg, targets, object_weight
        self.heads = Stage1Heads(cfg.vit_width)

    def loss(self, vit, batch, g):
        x = to_pixels(batch["pixels"], self.cfg)
        loss, loss_img = stage1_loss(self.heads, vit(x), batch["objects"], batch["cover"], batch["centre"],
                                     float(self.cfg.patch_size**2), self.targets, self.object_weight)
        return loss, {"loss_img": float(loss_img)}
