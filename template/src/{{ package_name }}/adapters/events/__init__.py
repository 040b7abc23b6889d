"""The message broker that carries the domain events between services."""
