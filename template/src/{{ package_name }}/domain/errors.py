"""Domain errors; each entrypoint maps them to its own status codes."""


class DomainError(Exception):
    """Base class of every error a use case reports to its caller."""


class NotFound(DomainError):
    def __init__(self, entity: str, key: object) -> None:
        super().__init__(f"{entity} {key} not found")
        self.entity = entity
        self.key = key


class EmailAlreadyRegistered(DomainError):
    def __init__(self, email: str) -> None:
        super().__init__(f"a user with email {email} already exists")
        self.email = email


class InvalidCursor(DomainError):
    def __init__(self) -> None:
        super().__init__("the pagination cursor is malformed or expired")


class Unavailable(DomainError):
    """A backend the use case needs did not answer; the caller may retry later."""

    def __init__(self, backend: str) -> None:
        super().__init__(f"the {backend} is unavailable, try again later")
        self.backend = backend
