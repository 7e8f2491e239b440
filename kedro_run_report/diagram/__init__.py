"""The diagram layer: RunStatus -> DOT -> SVG, the workflow diagram of every HTML report.

``render`` builds the DOT source (with ``marks`` for what it highlights and ``collapsed`` for
the namespace overview of large pipelines) and is the one caller of ``layout``, which runs the
Graphviz layout program; ``layout_cache`` keeps its results; ``svg_clean`` and ``paint`` make
the SVG small and colour it by status; ``ns_summary`` adds the collapsible namespace boxes.
"""
