"""Features: order lines -> per-customer features -> model input table."""

from kedro.pipeline import Node, Pipeline

from .nodes import build_model_input, compute_customer_features, compute_daily_sales


def create_pipeline(**kwargs) -> Pipeline:
    return Pipeline(
        [
            Node(
                compute_customer_features,
                ["order_lines", "params:reference_date", "params:target_window_days"],
                "customer_features",
                name="compute_customer_features",
            ),
            Node(
                compute_daily_sales,
                "order_lines",
                "daily_sales",
                name="compute_daily_sales",
                tags="reporting",
            ),
            Node(
                build_model_input,
                [
                    "customer_features",
                    "order_lines",
                    "params:reference_date",
                    "params:target_window_days",
                ],
                "model_input_table",
                name="build_model_input",
            ),
        ],
        namespace="features",
        inputs={"order_lines"},
        outputs={"customer_features", "model_input_table"},
        tags="features",
    )
