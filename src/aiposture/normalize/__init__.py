"""From provider configuration shapes to inventory attributes.

Every source first brings its data to the provider's *API shape* with
snake_case keys (Terraform arguments, CloudFormation properties and REST
responses mostly are that shape already, modulo case); the functions here
turn that shape into normalised ``attrs``. One mapping per resource type,
shared by live collectors and IaC readers, so live and pre-deploy agree.

Values may be :data:`UNKNOWN` (unknown after apply, unresolvable reference):
the mapping turns them into ``None`` in attrs, which rules treat as "could
not be checked".
"""

from aiposture.normalize.values import UNKNOWN, first, get, is_unknown, snake_keys

__all__ = ["UNKNOWN", "first", "get", "is_unknown", "snake_keys"]
