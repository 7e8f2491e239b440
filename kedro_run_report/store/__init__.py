"""The store layer: where events live, and the files written beside them.

``files`` opens local paths and fsspec URLs alike and writes whole files atomically;
``writer`` appends one process's events to its own stream; ``runs`` creates, lists, finds and
prunes run directories; ``reading`` reads events back; ``locate`` finds the events of whatever
the user points at; ``viz_events`` converts to and from Kedro-Viz's events file.
"""
