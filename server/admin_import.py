"""POST /admin/import: an organiser uploads a schedule or an exhibitor sheet.

A multipart form: `file` (the file, named as it is on the organiser's computer: the
refusals name it; its format is told from its content), and optionally `dry_run` and
`prune` (true/false). The answer is JSON, `{"applied", "refusals", "report"}`, its
texts in the request's language (Accept-Language, French unless English comes first):

- 200: applied, or simulated (`dry_run`: `applied` false, the report says what would be);
- 422: the file is refused, every refusal with its file, line and column, nothing written;
- 400 a malformed form, 401 not signed in, 403 not an organiser or another site's page,
  413 over the size (counted as the body arrives, `server/body_limit.py`).

Same origin only: no CORS headers are sent, and a browser's page from another origin is
refused even before the token is read.
"""

from __future__ import annotations

import logging
from pathlib import PureWindowsPath
from typing import Any
from urllib.parse import urlsplit

from starlette.datastructures import UploadFile
from starlette.exceptions import HTTPException
from starlette.requests import Request
from starlette.responses import JSONResponse, Response

from server import unavailable
from server.auth.viewer import authenticate
from server.domain.errors import DomainError, ErrorCode
from server.domain.imports.files import import_file
from server.domain.imports.formats.limits import MAX_FILE_BYTES
from server.domain.imports.model import ImportRefused, Refusal
from server.domain.viewer import require_role
from server.domain.wording import Text
from server.runtime import runtime_of

log = logging.getLogger("salon")

PATH = "/admin/import"
#: The body may pass the file's own cap by this much: the form's boundaries and fields.
FORM_OVERHEAD = 64 * 1024
MAX_BODY_BYTES = MAX_FILE_BYTES + FORM_OVERHEAD
MAX_NAME = 255
_TRUE, _FALSE = ("1", "true", "on", "yes"), ("", "0", "false", "off", "no")


class Malformed(Exception):
    def __init__(self, fr: str, en: str) -> None:
        super().__init__(en)
        self.text = Text(fr=fr, en=en)


#: What a refused person reads, in either language (the domain's words are English).
_REFUSED = {
    ErrorCode.UNAUTHENTICATED: Text(
        fr="Connectez-vous d'abord avec un compte d'organisateur.",
        en="Sign in with an organiser's account first.",
    ),
    ErrorCode.FORBIDDEN: Text(
        fr="Seuls les organisateurs du salon importent des fichiers.",
        en="Only the fair's organisers import files.",
    ),
}
_UNAVAILABLE = Text(
    fr="Le service est brièvement indisponible ; rien n'a été changé. Réessayez.",
    en=unavailable.MESSAGE,
)
_OTHER_SITE = Text(
    fr="Un fichier s'envoie depuis les pages de ce serveur.",
    en="Files are sent from this server's own pages.",
)


async def admin_import(request: Request) -> Response:
    try:
        return await _admin_import(request)
    except unavailable.UNAVAILABLE as error:  # PostgreSQL away: nothing was changed
        log.warning("dependency unavailable: %r", error)
        lang = _lang(request.headers.get("accept-language"))
        return _error(503, unavailable.CODE, _UNAVAILABLE, lang)


async def _admin_import(request: Request) -> Response:
    lang = _lang(request.headers.get("accept-language"))
    if not _same_origin(request):
        return _error(403, ErrorCode.FORBIDDEN, _OTHER_SITE, lang)
    runtime = runtime_of(request)
    now = runtime.clock.now()
    try:
        viewer = await authenticate(runtime.pool, request.headers.get("authorization"), now)
        organiser = require_role(viewer, "ORGANISER")
    except DomainError as refused:
        status = 401 if refused.code is ErrorCode.UNAUTHENTICATED else 403
        return _error(
            status, refused.code, _REFUSED.get(refused.code, _REFUSED[ErrorCode.FORBIDDEN]), lang
        )
    try:
        name, data, dry_run, prune = await _read_form(request)
    except Malformed as malformed:
        return _error(400, ErrorCode.BAD_USER_INPUT, malformed.text, lang)
    try:
        report = await import_file(
            runtime.pool, organiser, name, data, now, dry_run=dry_run, prune=prune
        )
    except ImportRefused as refused:
        return _answer(422, applied=False, refusals=[_refusal(r, lang) for r in refused.refusals])
    log.info(
        "import %s",
        "simulated" if dry_run else "applied",
        extra={"file": name, "by": organiser.id, "counts": report.counts()},
    )
    return _answer(200, applied=not dry_run, report=report.as_json(lang))


async def _read_form(request: Request) -> tuple[str, bytes, bool, bool]:
    if not request.headers.get("content-type", "").lower().startswith("multipart/form-data"):
        raise Malformed(
            "Envoyez le fichier en multipart/form-data, dans un champ nommé `file`.",
            "Send the file as multipart/form-data, in a field named `file`.",
        )
    try:
        form = await request.form(max_files=1, max_fields=4, max_part_size=1024)
    except HTTPException as refused:  # Starlette's word for a malformed multipart body
        raise Malformed(
            f"Le formulaire est illisible : {refused.detail}",
            f"The form cannot be read: {refused.detail}",
        ) from None
    try:
        upload = form.get("file")
        if not isinstance(upload, UploadFile):
            raise Malformed(
                "Le formulaire n'a pas de fichier dans un champ nommé `file`.",
                "The form has no file in a field named `file`.",
            )
        name = _file_name(upload.filename)
        data = await upload.read(MAX_FILE_BYTES + 1)
        if len(data) > MAX_FILE_BYTES:
            raise Malformed(
                f"Un fichier fait au plus {MAX_FILE_BYTES} octets.",
                f"A file may be at most {MAX_FILE_BYTES} bytes.",
            )
        return name, data, _flag(form.get("dry_run")), _flag(form.get("prune"))
    finally:
        await form.close()


def _file_name(filename: str | None) -> str:
    # Some clients send the whole path; only its last part names the format.
    name = PureWindowsPath(filename or "").name.strip()
    if not name:
        raise Malformed(
            "Le fichier n'a pas de nom : envoyez-le sous le nom qu'il a sur votre ordinateur.",
            "The file has no name: send it under the name it has on your computer.",
        )
    if len(name) > MAX_NAME or not name.isprintable():
        raise Malformed(
            f"Un nom de fichier a au plus {MAX_NAME} caractères imprimables.",
            f"A file name is at most {MAX_NAME} printable characters.",
        )
    return name


def _flag(value: Any) -> bool:
    if value is None:
        return False
    if not isinstance(value, str):
        raise Malformed(
            "`dry_run` et `prune` valent true ou false, ce ne sont pas des fichiers.",
            "`dry_run` and `prune` are true or false, not files.",
        )
    if value.strip().lower() in _TRUE:
        return True
    if value.strip().lower() in _FALSE:
        return False
    raise Malformed(
        "`dry_run` et `prune` valent true ou false.", "`dry_run` and `prune` are true or false."
    )


def _same_origin(request: Request) -> bool:
    """A browser names the page's origin; it must be this server's (its Host)."""
    origin = request.headers.get("origin")
    if origin is None:
        return True  # not a browser's cross-site request: a script, curl, the CLI
    try:
        return urlsplit(origin).netloc.lower() == request.headers.get("host", "").lower()
    except ValueError:
        return False


def _lang(accept_language: str | None) -> str:
    """en when the request prefers English to French, else fr (the fair's language)."""
    for part in (accept_language or "").split(","):
        tag = part.split(";")[0].strip().lower()
        if tag.startswith(("fr", "en")):
            return tag[:2]
    return "fr"


def _refusal(refusal: Refusal, lang: str) -> dict[str, Any]:
    where = refusal.where
    return {
        "file": where.file,
        "line": where.line,
        "column": where.column,
        "code": refusal.code,
        "message": refusal.en if lang == "en" else refusal.fr,
        "text": refusal.text(lang),
    }


def _answer(
    status: int,
    *,
    applied: bool,
    refusals: list[dict[str, Any]] | None = None,
    report: dict[str, Any] | None = None,
    error: dict[str, str] | None = None,
) -> Response:
    body = {"applied": applied, "refusals": refusals or [], "report": report}
    if error is not None:
        body["error"] = error
    return JSONResponse(body, status_code=status, headers={"Cache-Control": "no-store"})


def _error(status: int, code: str, text: Text, lang: str) -> Response:
    message = text.en if lang == "en" else text.fr
    return _answer(status, applied=False, error={"code": code, "message": message})
