"""Implementations of the service layer's ports."""
