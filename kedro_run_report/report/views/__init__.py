"""View models of the HTML report: everything the template prints, computed in Python.

``page`` assembles the page's view from ``rows`` (node and dataset tables), ``comparison``,
``time`` (the time breakdown) and ``timeline`` (the Gantt chart as SVG).
"""
