"""The baseline of `bench.push`: the same encrypted POSTs as the push worker sends, from
a bare loop with the same HTTP client (`server.push.sender.new_session`: one aiohttp
session, as many connections as requests in flight, and its `post`) and the same
encryption (http_ece, a fresh key per message).

No database, no planning, no bookkeeping: `concurrency` coroutines take the devices
from one iterator, encrypt and post. Run by the driver in its own process pinned to
the server core:

    python -m bench.push_raw JOB.json    prints "ready", waits for "go" on stdin,
                                         sends, prints one JSON line and exits.
"""

from __future__ import annotations

import asyncio
import base64
import resource
import sys
from collections.abc import Iterator
from pathlib import Path

import http_ece  # type: ignore[import-untyped]
import orjson
from cryptography.hazmat.primitives.asymmetric import ec

from server.push.keys import b64url_decode
from server.push.sender import new_session, post
from server.push.vapid import VapidSigner


def cpu_seconds() -> float:
    usage = resource.getrusage(resource.RUSAGE_SELF)
    return usage.ru_utime + usage.ru_stime


async def send_all(job: dict[str, object]) -> dict[str, object]:
    devices: list[list[str]] = job["devices"]  # type: ignore[assignment]
    payload = base64.b64decode(job["payload"])  # type: ignore[arg-type]
    concurrency = int(job["concurrency"])  # type: ignore[call-overload]
    signer = VapidSigner(str(job["private_pem"]), str(job["subject"]))
    authorization = signer.authorization(devices[0][0])  # one origin: one JWT, as the worker
    headers = {
        "TTL": str(job["ttl"]),
        "Content-Encoding": "aes128gcm",
        "Content-Type": "application/octet-stream",
        "Urgency": str(job["urgency"]),
        "Authorization": authorization,
    }
    accepted = failed = 0
    async with new_session(concurrency, 10.0, public_only=False) as session:  # as the bench worker
        todo: Iterator[list[str]] = iter(devices)

        async def sender() -> None:
            nonlocal accepted, failed
            for endpoint, p256dh, auth in todo:
                receiver = ec.EllipticCurvePublicKey.from_encoded_point(
                    ec.SECP256R1(), b64url_decode(p256dh)
                )
                body = http_ece.encrypt(
                    payload,
                    private_key=ec.generate_private_key(ec.SECP256R1()),
                    dh=receiver,
                    auth_secret=b64url_decode(auth),
                    version="aes128gcm",
                    rs=4096,
                )
                status, _, _ = await post(session, endpoint, body, headers)
                if status == 201:
                    accepted += 1
                else:
                    failed += 1

        print("ready", flush=True)
        await asyncio.get_running_loop().run_in_executor(None, sys.stdin.readline)
        cpu_before = cpu_seconds()
        await asyncio.gather(*(sender() for _ in range(concurrency)))
        cpu = cpu_seconds() - cpu_before
    return {"accepted": accepted, "failed": failed, "cpu_seconds": cpu}


def main() -> None:
    job = orjson.loads(Path(sys.argv[1]).read_bytes())
    print(orjson.dumps(asyncio.run(send_all(job))).decode(), flush=True)


if __name__ == "__main__":
    main()
