"""Clean the raw CSV extracts and join them into one table of order lines."""

from __future__ import annotations

import logging

import pandas as pd

logger = logging.getLogger(__name__)


def clean_orders(raw_orders: pd.DataFrame) -> pd.DataFrame:
    """Parse dates, drop cancelled lines (quantity 0) and duplicate order ids."""
    orders = raw_orders.copy()
    orders["order_date"] = pd.to_datetime(orders["order_date"])
    orders["quantity"] = orders["quantity"].astype("int64")
    kept = orders[orders["quantity"] > 0].drop_duplicates("order_id")
    logger.info("Kept %d of %d order lines", len(kept), len(orders))
    return kept.reset_index(drop=True)


def clean_customers(raw_customers: pd.DataFrame, unknown_region: str) -> pd.DataFrame:
    """Keep one row per customer and fill in a missing region."""
    customers = raw_customers.drop_duplicates("customer_id", keep="first").copy()
    customers["region"] = customers["region"].fillna(unknown_region).replace("", unknown_region)
    customers["signup_date"] = pd.to_datetime(customers["signup_date"])
    return customers.reset_index(drop=True)


def clean_products(raw_products: pd.DataFrame) -> pd.DataFrame:
    """Make prices numeric and category names tidy."""
    products = raw_products.copy()
    products["unit_price"] = pd.to_numeric(products["unit_price"])
    products["category"] = products["category"].str.strip().str.title()
    return products


def build_order_lines(
    orders: pd.DataFrame, customers: pd.DataFrame, products: pd.DataFrame
) -> pd.DataFrame:
    """Join orders with customers and products and compute the line amount."""
    lines = orders.merge(products, on="product_id", how="inner").merge(
        customers[["customer_id", "region", "signup_date"]], on="customer_id", how="left"
    )
    lines["region"] = lines["region"].fillna("Unknown")
    lines["amount"] = (lines["quantity"] * lines["unit_price"]).round(2)
    return lines.sort_values(["order_date", "order_id"]).reset_index(drop=True)
