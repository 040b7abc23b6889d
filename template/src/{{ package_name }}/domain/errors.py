"""Domain errors; each entrypoint maps them to its own status codes."""


class DomainError(Exception):
    """Base class of every error a use case reports to its caller."""


class NotFound(DomainError):
    def __init__(self, entity: str, key: object) -> None:
        super().__init__(f"{entity} {key} not found")
        self.entity = entity
        self.key = key


class AlreadyExists(DomainError):
    """A value that must be unique is taken (each entrypoint says so as a conflict)."""

    def __init__(self, entity: str, field: str, value: object) -> None:
        super().__init__(f"a {entity} with {field} {value} already exists")
        self.entity = entity
        self.field = field
        self.value = value


class EmailAlreadyRegistered(AlreadyExists):
    def __init__(self, email: str) -> None:
        super().__init__("user", "email", email)
        self.email = email


class InUse(DomainError):
    """What others still refer to cannot go before they do (a conflict, as for a taken
    value)."""

    def __init__(self, entity: str, key: object, by: str) -> None:
        super().__init__(f"{entity} {key} is still referred to by {by}: remove those first")
        self.entity = entity
        self.key = key
        self.by = by


class InvalidCursor(DomainError):
    def __init__(self) -> None:
        super().__init__("the pagination cursor is malformed or expired")


class Unavailable(DomainError):
    """A backend the use case needs did not answer; the caller may retry later."""

    def __init__(self, backend: str) -> None:
        super().__init__(f"the {backend} is unavailable, try again later")
        self.backend = backend
