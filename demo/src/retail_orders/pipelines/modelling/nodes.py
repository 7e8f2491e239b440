"""A small linear model of each customer's spend in the target window.

Plain least squares with NumPy (which pandas already needs), so the demo needs no ML library.
"""

from __future__ import annotations

import logging
from typing import Any

import numpy as np
import pandas as pd

logger = logging.getLogger(__name__)


class DemoFailure(RuntimeError):
    """Raised on purpose by the demo's failure switch."""


def split_data(
    model_input_table: pd.DataFrame, options: dict[str, Any]
) -> tuple[pd.DataFrame, pd.DataFrame, pd.Series, pd.Series]:
    """Split the table into train and test sets, reproducibly."""
    table = model_input_table.set_index("customer_id")
    features = list(options["features"])
    test = table.sample(frac=options["test_size"], random_state=options["random_state"])
    train = table.drop(index=test.index)
    target = options["target"]
    return train[features], test[features], train[target], test[target]


def train_model(x_train: pd.DataFrame, y_train: pd.Series, fail_node: Any) -> dict[str, Any]:
    """Fit least-squares coefficients; raise instead when the demo's failure switch is on."""
    if str(fail_node).strip().lower() in {"true", "1", "yes"}:
        raise DemoFailure(
            "modelling.train_model failed on purpose: the demo was run with "
            "--params demo.fail_node=true"
        )
    design = np.column_stack([np.ones(len(x_train)), x_train.to_numpy(dtype="float64")])
    coef, *_ = np.linalg.lstsq(design, y_train.to_numpy(dtype="float64"), rcond=None)
    logger.info("Fitted %d coefficients on %d customers", len(coef), len(x_train))
    return {
        "features": list(x_train.columns),
        "intercept": float(coef[0]),
        "coefficients": dict(zip(x_train.columns, map(float, coef[1:]), strict=True)),
    }


def _predict(regressor: dict[str, Any], x: pd.DataFrame) -> np.ndarray:
    weights = np.array([regressor["coefficients"][c] for c in regressor["features"]])
    values = x.reindex(columns=regressor["features"], fill_value=0.0).to_numpy(dtype="float64")
    return regressor["intercept"] + values @ weights


def evaluate_model(
    regressor: dict[str, Any], x_test: pd.DataFrame, y_test: pd.Series
) -> pd.DataFrame:
    """Mean absolute error and R² on the test set."""
    predicted = _predict(regressor, x_test)
    actual = y_test.to_numpy(dtype="float64")
    residual = actual - predicted
    total = float(((actual - actual.mean()) ** 2).sum()) or 1.0
    metrics = pd.DataFrame(
        {
            "metric": ["mae", "r2", "n_test"],
            "value": [
                round(float(np.abs(residual).mean()), 4),
                round(1.0 - float((residual**2).sum()) / total, 4),
                float(len(actual)),
            ],
        }
    )
    logger.info("Test MAE %.2f", metrics["value"].iloc[0])
    return metrics


def predict_spend(regressor: dict[str, Any], model_input_table: pd.DataFrame) -> pd.DataFrame:
    """Predicted spend for every customer, clipped at zero."""
    table = model_input_table.set_index("customer_id")
    predicted = np.clip(_predict(regressor, table), 0.0, None).round(2)
    return pd.DataFrame(
        {
            "customer_id": table.index,
            "predicted_spend": predicted,
            "actual_spend": table["future_spend"].to_numpy(),
        }
    )
