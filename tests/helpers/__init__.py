"""Shared test helpers: the one event-log builder, the scenarios built with it, the golden-file
check, the layout stub, and the toy Kedro project of the integration tests.

``tests/`` is on ``sys.path`` (``pythonpath`` in pyproject.toml), so tests import these as
``from helpers.event_log import EventLog`` or ``from helpers import scenarios``. Test modules
never import from one another: anything two of them share lives here.
"""
