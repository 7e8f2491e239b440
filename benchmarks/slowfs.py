"""A local filesystem with network-like latency, for benchmarks: ``slow:///path``.

Every metadata call and every open waits ``SLOWFS_LATENCY`` seconds (default 0.005), as a
round trip to object storage would.
"""

from __future__ import annotations

import os
import time
from typing import Any

from fsspec.implementations.local import LocalFileSystem


def _latency() -> None:
    time.sleep(float(os.environ.get("SLOWFS_LATENCY", "0.005")))


class SlowFileSystem(LocalFileSystem):
    """LocalFileSystem that pays a round trip per call."""

    protocol = ("slow",)
    root_marker = "/"

    @classmethod
    def _strip_protocol(cls, path: Any) -> Any:
        path = str(path)
        if path.startswith("slow://"):
            path = path[len("slow://") :]
        return super()._strip_protocol(path)

    def info(self, path: Any, **kwargs: Any) -> Any:
        _latency()
        return super().info(path, **kwargs)

    def _open(self, path: Any, mode: str = "rb", **kwargs: Any) -> Any:
        _latency()
        return super()._open(path, mode=mode, **kwargs)
