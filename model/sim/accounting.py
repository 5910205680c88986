"""ODD 7.4, accounting: the week's ledger. Every payment leaves one balance and enters another
or a named outside sink; the agency's subsidies (programme) enter as income. Reads scenario
blocks: market, export, sharing, district, programme.
"""

from __future__ import annotations

import numpy as np

from . import export, programme
from .rows import row_dot, row_sum, zeros
from .world import World


def weekly_fixed_cost(w: World) -> np.ndarray:
    """Fixed cost plus depreciation per week, per firm."""
    return row_dot(w.capacity, w.fixed_rate + w.capital_rate * w.depreciation_rate)


def account_phase(w: World) -> None:
    """Every payment leaves one balance and enters another or a named outside sink."""
    p = w.scenario
    act = w.active
    n = w.n_firms
    buyers, sellers = w.trade_buyer, w.trade_seller
    pay = w.trade_units * w.trade_price
    coord = (w.trade_units + w.trade_failed) * w.trade_coord_rate
    transport = w.trade_units * p.sharing.transport_cost
    home_units = w.output - w.export_units
    fl: dict[str, np.ndarray] = {}
    fl["sales"] = home_units * p.market.price + w.export_units * p.export.price
    fl["export_sales"] = w.export_units * p.export.price
    fl["service_income"] = np.bincount(sellers, pay, minlength=n)
    fl["service_purchases"] = np.bincount(buyers, pay, minlength=n)
    fl["variable_cost"] = row_sum((w.own_use + w.sold) * w.var_cost)
    fl["fixed_cost"] = np.where(act, row_dot(w.capacity, w.fixed_rate), 0.0)
    fl["depreciation"] = np.where(act, row_dot(w.capacity * w.capital_rate, w.depreciation_rate), 0.0)
    fl["investment"] = fl["depreciation"].copy()  # maintenance capex keeps capacity intact
    fl["coordination"] = np.bincount(buyers, coord, minlength=n)
    fl["transport"] = np.bincount(buyers, transport, minlength=n)
    fl["membership_fee"] = np.where(act & w.member, p.district.membership_fee * w.fee_scale, 0.0)
    if p.district.membership == "choice":  # the association's running cost, shared by size among members
        weight = np.where(act & w.member, w.fee_scale, 0.0)
        total = w.of_run(w.run_sum(weight))  # per run; where it is 0, every weight is 0
        fl["membership_fee"] = fl["membership_fee"] + p.district.association_cost * weight / np.where(
            total > 0, total, 1.0
        )
    fl["consortium_fee"] = np.where(act & w.member & w.mech.export, p.export.consortium_fee * w.fee_scale, 0.0)
    w.capacity_traded = zeros(n, w.n_stages)
    for name in ("asset_sales", "assets_sold", "write_off", "equity_in", "assets_in"):
        fl[name] = np.zeros(n)
    if p.district.membership == "choice":
        fl["joining_cost"] = np.zeros(n)  # paid at a membership review (membership.decide)
    if p.programme.instruments:
        programme.pay(w, fl)  # the agency's subsidies: income of the firms that receive them
    fl["profit"] = (
        fl["sales"]
        + fl["service_income"]
        - fl["service_purchases"]
        - fl["variable_cost"]
        - fl["fixed_cost"]
        - fl["depreciation"]
        - fl["coordination"]
        - fl["transport"]
        - fl["membership_fee"]
        - fl["consortium_fee"]
    )
    if p.programme.instruments:
        fl["profit"] = fl["profit"] + fl["subsidy"] - fl.get("centre_fee", 0.0)
    fl["cash_change"] = fl["profit"] + fl["depreciation"] - fl["investment"]
    w.cash = w.cash + fl["cash_change"]
    w.flows = fl
    export.update_reputation(w)
