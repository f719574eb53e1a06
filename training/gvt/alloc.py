"""Large tensors kept on the heap between steps.

glibc hands every block above its mmap threshold (which adapts, but never past 32 MB) back to the kernel when it is
freed, and the next step faults in fresh zeroed pages for it. A ViT's attention maps pass that size once the patch
grid grows (batch × heads × tokens²), and the step then spends most of its time in the kernel (training/README.md,
"Input size"). Raising the threshold keeps them on the heap, to be reused.
"""

import ctypes

M_TRIM_THRESHOLD, M_MMAP_THRESHOLD = -1, -3


def keep_large_blocks():
    try:
        libc = ctypes.CDLL("libc.so.6")
    except OSError:  # not glibc: its allocator decides
        return
    libc.mallopt(M_MMAP_THRESHOLD, 1 << 30)
    libc.mallopt(M_TRIM_THRESHOLD, (1 << 31) - 1)
