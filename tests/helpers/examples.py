"""The README's orchestrator examples: where their code lives, and the blocks the README shows."""

from __future__ import annotations

import re
from pathlib import Path

REPO_ROOT = Path(__file__).resolve().parents[2]
README = REPO_ROOT / "README.md"
DAGSTER_JOB = REPO_ROOT / "docs" / "examples" / "dagster_job.py"

# A project whose nodes run in separate processes shares data through persisted datasets only:
# the toy project's one in-memory intermediate between two nodes becomes a file.
PERSISTED_INTERMEDIATE = """
prep.clean_orders:
  type: pickle.PickleDataset
  filepath: data/02_intermediate/clean_orders.pkl
"""


def readme_python_blocks() -> list[str]:
    """The text of every ```python block of the README, in order."""
    return re.findall(r"^```python\n(.*?)^```$", README.read_text(), flags=re.S | re.M)


def readme_block_containing(marker: str) -> str:
    """The one ```python block of the README that contains ``marker``."""
    found = [block for block in readme_python_blocks() if marker in block]
    assert len(found) == 1, f"{len(found)} README python blocks contain {marker!r}"
    return found[0]
