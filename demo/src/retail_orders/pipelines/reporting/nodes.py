"""Summary tables for people."""

from __future__ import annotations

import pandas as pd


def summarise_categories(order_lines: pd.DataFrame) -> pd.DataFrame:
    """Revenue, items and distinct customers per product category."""
    summary = order_lines.groupby("category", as_index=False).agg(
        revenue=("amount", "sum"),
        items=("quantity", "sum"),
        customers=("customer_id", "nunique"),
    )
    summary["revenue"] = summary["revenue"].round(2)
    return summary.sort_values("revenue", ascending=False).reset_index(drop=True)


def summarise_regions(order_lines: pd.DataFrame, top_n: int) -> pd.DataFrame:
    """Revenue per region, with its best-selling products."""
    by_product = (
        order_lines.groupby(["region", "product_name"], as_index=False)["amount"]
        .sum()
        .sort_values(["region", "amount"], ascending=[True, False])
    )
    top = (
        by_product.groupby("region")
        .head(top_n)
        .groupby("region")["product_name"]
        .agg(", ".join)
        .rename("top_products")
    )
    revenue = order_lines.groupby("region")["amount"].sum().round(2).rename("revenue")
    return pd.concat([revenue, top], axis=1).reset_index()
