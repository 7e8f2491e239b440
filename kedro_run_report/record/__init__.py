"""The record layer: what runs inside ``kedro run`` and writes the event log.

``hook`` holds the Kedro hook methods and nothing else; each delegates to a ``Recorder`` (one per
process), to ``run`` (starting and ending a recorded run), to ``interrupts`` (Ctrl-C and exit),
to ``active_run`` (how worker processes join the run), to ``snapshot`` (the planned pipeline)
and to ``sizes`` (dataset size probes).
"""
