"""The diagram layer: RunStatus -> DOT -> SVG, the workflow diagram of every HTML report.

``render`` builds the DOT source (``elements`` gives each task, dataset and stub its
attributes, ``marks`` what it highlights, ``frame`` the direction that fits the report's frame)
and is the one caller of ``layout``, which runs the Graphviz layout program; ``layout_cache``
keeps its results; ``svg_clean`` and ``paint`` make the SVG small and colour it by status;
``ns_summary`` adds the collapsible namespace boxes. Large runs are cut into a tree of views
(``views``), drawn as an overview of boxes and a diagram per box (``drill``).
"""
