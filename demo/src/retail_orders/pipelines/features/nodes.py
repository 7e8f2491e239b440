"""Per-customer features and the model input table."""

from __future__ import annotations

import pandas as pd


def compute_customer_features(
    order_lines: pd.DataFrame, reference_date: str, target_window_days: int
) -> pd.DataFrame:
    """Summarise each customer's orders before the target window starts."""
    cutoff = pd.Timestamp(reference_date) - pd.Timedelta(days=target_window_days)
    history = order_lines[order_lines["order_date"] < cutoff]
    features = history.groupby("customer_id").agg(
        n_orders=("order_id", "nunique"),
        n_items=("quantity", "sum"),
        total_spend=("amount", "sum"),
        last_order=("order_date", "max"),
        region=("region", "first"),
        signup_date=("signup_date", "first"),
    )
    features["avg_basket"] = (features["total_spend"] / features["n_orders"]).round(2)
    features["days_since_last_order"] = (cutoff - features["last_order"]).dt.days
    features["tenure_days"] = (cutoff - features["signup_date"]).dt.days
    return features.drop(columns=["last_order", "signup_date"]).reset_index()


def compute_daily_sales(order_lines: pd.DataFrame) -> pd.DataFrame:
    """Revenue and item count per day and category."""
    daily = (
        order_lines.assign(day=order_lines["order_date"].dt.strftime("%Y-%m-%d"))
        .groupby(["day", "category"], as_index=False)
        .agg(revenue=("amount", "sum"), items=("quantity", "sum"))
    )
    daily["revenue"] = daily["revenue"].round(2)
    return daily


def build_model_input(
    customer_features: pd.DataFrame,
    order_lines: pd.DataFrame,
    reference_date: str,
    target_window_days: int,
) -> pd.DataFrame:
    """Add the target (spend inside the window) and one-hot encode the region."""
    end = pd.Timestamp(reference_date)
    start = end - pd.Timedelta(days=target_window_days)
    in_window = order_lines[
        (order_lines["order_date"] >= start) & (order_lines["order_date"] <= end)
    ]
    target = in_window.groupby("customer_id")["amount"].sum().rename("future_spend")
    table = customer_features.merge(target, on="customer_id", how="left")
    table["future_spend"] = table["future_spend"].fillna(0.0).round(2)
    regions = pd.get_dummies(table["region"], prefix="region", dtype="float64")
    return pd.concat([table.drop(columns=["region"]), regions], axis=1)
