"""Web Push sending: VAPID keys (RFC 8292), aes128gcm messages (RFC 8291), delivery to a
push service over HTTP (RFC 8030). A leaf: bytes over HTTP, nothing of the product."""

from server.push.keys import generate_keypair, public_key_b64
from server.push.sender import (
    Device,
    Outcome,
    PushMessage,
    PushSender,
    Result,
    check_keys,
)
from server.push.vapid import VapidSigner

__all__ = [
    "Device",
    "Outcome",
    "PushMessage",
    "PushSender",
    "Result",
    "VapidSigner",
    "check_keys",
    "generate_keypair",
    "public_key_b64",
]
