"""Refuse abusive documents before they run: size, depth, aliases."""

from __future__ import annotations

from collections.abc import Callable

from graphql import ASTValidationRule
from strawberry.extensions import AddValidationRules, MaxTokensLimiter, SchemaExtension
from strawberry.extensions.max_aliases import create_validator as aliases_rule
from strawberry.extensions.query_depth_limiter import create_validator as depth_rule

from server.settings import Settings


def limit_rules(settings: Settings) -> list[type[ASTValidationRule]]:
    """Validation rules for depth and aliases, built once per schema: the validation
    cache is keyed by the rule classes, and a new class per operation would make
    every lookup a miss."""
    return [depth_rule(settings.max_query_depth, None), aliases_rule(settings.max_query_aliases)]


def limit_extensions(settings: Settings) -> list[Callable[[], SchemaExtension]]:
    """The same limits for Strawberry's own execution path (websocket operations)."""
    rules = limit_rules(settings)
    return [
        lambda: MaxTokensLimiter(max_token_count=settings.max_query_tokens),
        lambda: AddValidationRules(rules),
    ]
