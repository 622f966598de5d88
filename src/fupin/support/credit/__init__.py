"""Microcredit (扶贫小额信贷): loans to registered households, repayments, the loans' state
and the overdue and default rates by region."""
