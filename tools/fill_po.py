"""Fill a catalogue's msgstrs from a JSON object {msgid: translation}; report what is missing.

    python tools/fill_po.py zh_Hans_CN new-strings.json   # fill, then compile with `make translations`
    python tools/fill_po.py zh_Hans_CN --missing          # list msgids still untranslated
"""

from __future__ import annotations

import json
import sys
from pathlib import Path

from babel.messages.pofile import read_po, write_po

ROOT = Path(__file__).resolve().parent.parent / "tracker" / "translations"


def main(argv: list[str]) -> int:
    locale, source = argv[0], argv[1]
    path = ROOT / locale / "LC_MESSAGES" / "messages.po"
    with path.open("rb") as fh:
        catalog = read_po(fh, locale=locale)
    if source == "--missing":
        missing = [m.id for m in catalog if m.id and not m.string]
        print(json.dumps({m if isinstance(m, str) else m[0]: "" for m in missing}, ensure_ascii=False, indent=1))
        return 1 if missing else 0
    strings = json.loads(Path(source).read_text(encoding="utf-8"))
    filled = 0
    for message in catalog:
        key = message.id if isinstance(message.id, str) else message.id[0]
        if key in strings and strings[key]:
            message.string = strings[key]
            message.flags.discard("fuzzy")
            filled += 1
    with path.open("wb") as fh:
        write_po(fh, catalog, width=100, omit_header=False, sort_output=True, include_lineno=False)
    print(f"filled {filled} of {len(strings)} strings in {path}")
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
