"""The GraphQL documents the attendee app sends, read from its TypeScript sources, so the
tests and benchmarks that check them (validity, cost, bytes) use what the app sends."""

from __future__ import annotations

import posixpath
import re
from functools import cache

from server.settings import REPO_ROOT

SOURCES = REPO_ROOT / "web" / "src"
#: `const NAME = "…"` or `` export const NAME = `…` `` (documents hold no backtick).
CONSTANT = re.compile(r'(?:export\s+)?const\s+([A-Z_]+)\s*=\s*(?:`([^`]*)`|"([^"]*)")\s*;')
IMPORT = re.compile(r'import\s*\{([^}]*)\}\s*from\s*"(\.[^"]+)"')
PLACEHOLDER = re.compile(r"\$\{([A-Z_]+)\}")


@cache
def constants(module: str) -> dict[str, str]:
    """The string constants of `web/src/<module>.ts` whose `${NAME}` placeholders all
    resolve, from the module itself or from what it imports."""
    text = (SOURCES / f"{module}.ts").read_text(encoding="utf-8")
    raw = {m[1]: m[2] if m[2] is not None else m[3] for m in CONSTANT.finditer(text)}
    imported: dict[str, str] = {}
    for names, source in IMPORT.findall(text):
        target = posixpath.normpath(posixpath.join(posixpath.dirname(module), source))
        if (SOURCES / f"{target}.ts").is_file():
            for name in (n.strip() for n in names.split(",")):
                imported[name] = target

    def filled(name: str, seen: tuple[str, ...] = ()) -> str | None:
        if name in seen:
            return None
        if name not in raw:
            owner = imported.get(name)
            return constants(owner).get(name) if owner else None
        parts = PLACEHOLDER.split(raw[name])
        for i in range(1, len(parts), 2):
            value = filled(parts[i], (*seen, name))
            if value is None:
                return None
            parts[i] = value
        text = "".join(parts)
        return None if "${" in text else text

    resolved = {name: filled(name) for name in raw}
    return {name: value for name, value in resolved.items() if value is not None}


def app_document(module: str, name: str) -> str:
    """One document of the app, e.g. `app_document("lib/agenda-sync", "SYNC")`."""
    document = constants(module).get(name)
    if document is None:
        raise LookupError(f"web/src/{module}.ts has no constant {name} that resolves")
    return document
