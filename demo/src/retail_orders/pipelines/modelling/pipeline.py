"""Modelling: model input table -> fitted model (versioned pickle), metrics, predictions."""

from kedro.pipeline import Node, Pipeline

from .nodes import evaluate_model, predict_spend, split_data, train_model


def create_pipeline(**kwargs) -> Pipeline:
    return Pipeline(
        [
            Node(
                split_data,
                ["model_input_table", "params:model_options"],
                ["X_train", "X_test", "y_train", "y_test"],
                name="split_data",
                tags="training",
            ),
            Node(
                train_model,
                ["X_train", "y_train", "params:demo.fail_node"],
                "regressor",
                name="train_model",
                tags="training",
            ),
            Node(
                evaluate_model,
                ["regressor", "X_test", "y_test"],
                "model_metrics",
                name="evaluate_model",
                tags="training",
            ),
            Node(
                predict_spend,
                ["regressor", "model_input_table"],
                "spend_predictions",
                name="predict_spend",
            ),
        ],
        namespace="modelling",
        inputs={"model_input_table"},
        outputs={"regressor", "model_metrics", "spend_predictions"},
        # The demo's failure switch is a project-wide parameter, not a modelling one.
        parameters={"demo.fail_node"},
        tags="modelling",
    )
