"""Ingestion: raw CSV files -> one clean table of order lines."""

from kedro.pipeline import Node, Pipeline

from .nodes import build_order_lines, clean_customers, clean_orders, clean_products


def create_pipeline(**kwargs) -> Pipeline:
    return Pipeline(
        [
            Node(clean_orders, "raw_orders", "orders", name="clean_orders"),
            Node(
                clean_customers,
                ["raw_customers", "params:unknown_region"],
                "customers",
                name="clean_customers",
            ),
            Node(clean_products, "raw_products", "products", name="clean_products"),
            Node(
                build_order_lines,
                ["orders", "customers", "products"],
                "order_lines",
                name="build_order_lines",
            ),
        ],
        namespace="ingestion",
        inputs={"raw_orders", "raw_customers", "raw_products"},
        outputs={"order_lines"},
        tags="ingestion",
    )
