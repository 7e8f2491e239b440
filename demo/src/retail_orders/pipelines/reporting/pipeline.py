"""Reporting: order lines -> summary tables."""

from kedro.pipeline import Node, Pipeline

from .nodes import summarise_categories, summarise_regions


def create_pipeline(**kwargs) -> Pipeline:
    return Pipeline(
        [
            Node(
                summarise_categories,
                "order_lines",
                "category_summary",
                name="summarise_categories",
            ),
            Node(
                summarise_regions,
                ["order_lines", "params:top_n"],
                "region_summary",
                name="summarise_regions",
            ),
        ],
        namespace="reporting",
        inputs={"order_lines"},
        outputs={"category_summary", "region_summary"},
        tags="reporting",
    )
