"""Reads one EDIFACT interchange with pydifact (an EDIFACT library that shares no code with
edigrid) and checks its envelope, for edigrid's acknowledgment tests.

    python edifact_check.py FILE

Prints one JSON object, then a line `pass` when the envelope is sound; exits 1 with the
problems (also in the JSON) when it is not, or when pydifact cannot read the file:

    {"una": str | null, "unb": [...], "unz": [...],
     "messages": [{"unh": [...], "unt": [...], "segments": int}],
     "uci": [[...]], "ucf": [[...]], "ucm": [[...]], "errors": [str]}

Elements are as pydifact reads them, release characters removed: a simple element is a
string, a composite a list of strings. `segments` is pydifact's count from UNH to UNT, both
included. The checks, made here rather than trusted from the file: each UNT 0074 equals that
count and UNT 0062 equals UNH 0062; UNZ 0036 equals the number of messages (or of groups,
when there are UNG groups); UNZ 0020 equals UNB 0020.
"""

import json
import sys
import warnings

from pydifact.parser import Parser
from pydifact.segmentcollection import Interchange


def first(element):
    """The first component of an element, whether pydifact made it a string or a list."""
    return element[0] if isinstance(element, list) else element


def check(text):
    # pydifact's Interchange checks the UNB against its syntax version and splits the
    # messages, but writes its own UNB and UNZ back (its footer counts what it found): the
    # segments as the file has them come from its parser.
    Interchange.from_str(text)
    segments = [s for s in Parser().parse(text) if s.tag != "UNA"]
    if not segments or segments[0].tag != "UNB":
        raise ValueError("the file does not begin with UNA or UNB")
    header = segments[0]
    footer = segments[-1] if segments[-1].tag == "UNZ" else None
    report = {
        "una": text[3:9] if text.startswith("UNA") else None,
        "unb": header.elements,
        "unz": footer.elements if footer is not None else None,
        "messages": [],
        "uci": [],
        "ucf": [],
        "ucm": [],
        "errors": [],
    }
    errors = report["errors"]
    groups = 0
    message = None
    for segment in segments[1 : len(segments) - (footer is not None)]:
        tag = segment.tag
        if tag == "UNH":
            if message is not None:
                errors.append(f"UNH {first(segment.elements[0])} before UNT of the previous message")
            message = {"unh": segment.elements, "unt": None, "segments": 1}
            report["messages"].append(message)
            continue
        if tag == "UNG":
            groups += 1
        if message is None:
            if tag not in ("UNG", "UNE"):
                errors.append(f"segment {tag} outside a message")
            continue
        message["segments"] += 1
        if tag == "UNT":
            message["unt"] = segment.elements
            message = None
        elif tag in ("UCI", "UCF", "UCM"):
            report[tag.lower()].append(segment.elements)
    if message is not None:
        errors.append(f"message {first(message['unh'][0])} has no UNT")
    for m in report["messages"]:
        unt = m["unt"]
        if unt is None:
            continue
        if str(unt[0]) != str(m["segments"]):
            errors.append(f"UNT 0074 {unt[0]} but {m['segments']} segments in the message")
        if len(unt) < 2 or unt[1] != m["unh"][0]:
            errors.append(f"UNT 0062 {unt[1:2]} differs from UNH 0062 {m['unh'][0]}")
    if footer is None:
        errors.append("no UNZ")
    else:
        expected = groups or len(report["messages"])
        if str(footer.elements[0]) != str(expected):
            errors.append(f"UNZ 0036 {footer.elements[0]} but {expected} found")
        if len(footer.elements) < 2 or footer.elements[1] != header.elements[4]:
            errors.append(f"UNZ 0020 {footer.elements[1:2]} differs from UNB 0020 {header.elements[4]}")
    return report


def main():
    if len(sys.argv) != 2:
        raise SystemExit(__doc__)
    # pydifact warns that it has no segment directory to validate against; the envelope is
    # what is checked here.
    warnings.simplefilter("ignore")
    with open(sys.argv[1], "rb") as f:
        text = f.read().decode("iso8859-1")
    try:
        report = check(text)
    except Exception as e:  # pydifact raises plain exceptions on syntax errors
        print(json.dumps({"errors": [f"pydifact cannot read the file: {e!r}"]}))
        return 1
    print(json.dumps(report, indent=1))
    if report["errors"]:
        for error in report["errors"]:
            print(f"error: {error}", file=sys.stderr)
        return 1
    print("pass")
    return 0


if __name__ == "__main__":
    sys.exit(main())
