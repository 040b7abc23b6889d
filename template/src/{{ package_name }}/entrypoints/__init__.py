"""Thin adapters that turn requests into service calls."""
