"""Fairness audits: group rates of predictive models with intervals, and constrained training."""
