"""Funds and their allocations."""

from api.graphql.funds.loaders import load_fund
from api.graphql.funds.types import Allocation, Fund

__all__ = ["Allocation", "Fund", "load_fund"]
