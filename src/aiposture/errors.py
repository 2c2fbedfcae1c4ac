"""Exceptions that carry a user-facing message (the CLI prints them without a traceback)."""


class AiPostureError(Exception):
    """A problem the user can fix (bad input, bad config). Exit code 2."""


class RuleError(AiPostureError):
    """A rule file is invalid. ``where`` names file, rule id and field."""

    def __init__(self, file: str, message: str, rule_id: str | None = None, field: str | None = None):
        self.file, self.rule_id, self.field = file, rule_id, field
        where = file
        if rule_id:
            where += f" [{rule_id}]"
        if field:
            where += f" at {field}"
        super().__init__(f"{where}: {message}")


class InventoryError(AiPostureError):
    """An inventory document is unreadable or does not match the schema.

    The message is one line; ``problems`` lists every schema violation found (for
    ``aiposture inventory validate``).
    """

    def __init__(self, message: str, problems: list[str] | None = None):
        super().__init__(message)
        self.problems = problems or []


class ConfigError(AiPostureError):
    """The configuration file is invalid."""


class OutputError(AiPostureError):
    """A report or inventory cannot be written where the user asked (exit 2)."""
