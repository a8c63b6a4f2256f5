#!/usr/bin/env python3
"""Fail if the Welsh catalogue has an untranslated or fuzzy entry, or lacks the four-form plural header."""

from __future__ import annotations

import re
import sys

WELSH_PLURALS = "nplurals=4; plural=(n==1) ? 0 : (n==2) ? 1 : (n != 8 && n != 11) ? 2 : 3;"


def field(block: str, name: str) -> str:
    match = re.search(rf'^{name} ((?:".*"\n?)+)', block + "\n", re.M)
    return "".join(re.findall(r'"(.*)"', match.group(1))) if match else ""


def main(path: str) -> int:
    text = open(path, encoding="utf-8").read()
    blocks = [b for b in text.split("\n\n") if "msgid" in b]
    header = next((b for b in blocks if field(b, "msgid") == ""), "")
    problems = []
    if WELSH_PLURALS not in field(header, "msgstr").replace("\\n", ""):
        problems.append("the header lacks the four-form Welsh Plural-Forms")
    total = 0
    for block in blocks:
        msgid = field(block, "msgid")
        if msgid == "" or block.lstrip().startswith("#~"):
            continue
        total += 1
        if "#, fuzzy" in block:
            problems.append(f"fuzzy: {msgid!r}")
        plural_forms = [field(block, rf"msgstr\[{i}\]") for i in range(4)] if "msgid_plural" in block else [field(block, "msgstr")]
        if any(not form for form in plural_forms):
            problems.append(f"untranslated: {msgid!r}")
    print(f"Welsh catalogue: {total} strings, {len(problems)} problems")
    for problem in problems[:50]:
        print("  " + problem)
    return 1 if problems else 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1] if len(sys.argv) > 1 else "locale/cy/LC_MESSAGES/django.po"))
