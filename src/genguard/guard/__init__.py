"""Guardrails: policies that run scorers on prompts, outputs and training data, and train the models."""
