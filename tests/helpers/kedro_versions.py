"""The Kedro release under test, and the differences between the releases we support."""

from __future__ import annotations

from importlib.metadata import version

KEDRO_VERSION = tuple(int(part) for part in version("kedro").split(".")[:2])

# Kedro 1.0's DatasetError for a failed load names the dataset's class and file, not its catalog
# name; the catalog of 1.7 prefixes the name ("raw_orders: Failed while loading ...").
KEDRO_LOAD_ERRORS_OMIT_THE_DATASET_NAME = KEDRO_VERSION == (1, 0)

# Kedro 1.0's session ids are timestamps to the second ("2026-12-01T10.00.00"), so two sessions
# started in one second share their id; later releases add milliseconds.
KEDRO_SESSION_IDS_ARE_WHOLE_SECONDS = KEDRO_VERSION == (1, 0)
