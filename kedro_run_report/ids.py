"""Kedro-Viz compatible ids for nodes and datasets.

Kedro-Viz keys its graph and ``/api/run-status`` by the first 8 hex digits of the sha1 of
``str(node)`` for nodes and of the dataset name (without a transcoding suffix) for datasets.
"""

from __future__ import annotations

import hashlib
from functools import lru_cache

TRANSCODING_SEPARATOR = "@"


def short_hash(value: str) -> str:
    """First 8 hex digits of the sha1 of ``value``, as Kedro-Viz computes ids.

    A lone surrogate (possible in a name built from undecodable bytes) is hashed as its
    UTF-8-like bytes instead of raising: ids are made for every name, whatever it holds.
    """
    return hashlib.sha1(value.encode("utf-8", "surrogatepass")).hexdigest()[:8]


def strip_transcoding(dataset_name: str) -> str:
    """``"data@pandas"`` -> ``"data"``: transcoded variants are one dataset in the graph."""
    return dataset_name.split(TRANSCODING_SEPARATOR, 1)[0]


@lru_cache(maxsize=1 << 16)
def dataset_id(dataset_name: str) -> str:
    """Kedro-Viz id of a dataset name (asked for many times per dataset by a report)."""
    return short_hash(strip_transcoding(dataset_name))


def node_id(node_repr: str) -> str:
    """Kedro-Viz id of a node, given ``str(node)``."""
    return short_hash(node_repr)


def is_parameter(dataset_name: str) -> bool:
    """Whether a node input is a parameter rather than a catalog dataset."""
    return dataset_name == "parameters" or dataset_name.startswith("params:")
