"""Retail Orders: the kedro-run-report demo project."""

__version__ = "0.1"
