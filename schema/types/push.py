"""Web Push inputs: what the browser's `PushSubscription.toJSON()` gives, plus a language."""

from __future__ import annotations

import strawberry

from schema.context import Info
from schema.types.enums import Lang
from server.domain.push_devices import DeviceInput, PushRules


@strawberry.input
class PushKeysInput:
    p256dh: str
    auth: str


@strawberry.input
class PushSubscriptionInput:
    endpoint: str
    expiration_time: float | None = None
    keys: PushKeysInput
    lang: Lang | None = strawberry.field(
        default=None,
        description="Language of the notifications on this device (default: the person's, "
        "else FR).",
    )

    def device(self, info: Info) -> DeviceInput:
        return DeviceInput(
            endpoint=self.endpoint,
            p256dh=self.keys.p256dh,
            auth=self.keys.auth,
            lang=info.context.text_lang(self.lang).value,
            expiration_ms=self.expiration_time,
        )


def push_rules(info: Info) -> PushRules:
    settings = info.context.settings
    return PushRules(
        allow_insecure=settings.push_allow_insecure, max_devices=settings.push_max_devices
    )
