"""EDIFACT test corpus for edigrid's parcel tests, written by pydifact (an EDIFACT library that
shares no code with edigrid), and pydifact's reading of what edigrid delivered.

    python edifact_corpus.py generate OUT_DIR SEED SENDER RECEIVER[,RECEIVER...]
        Writes one file per service-character variant into OUT_DIR and prints a JSON manifest:
        {"files": [{"name", "bytes", "interchanges": [{"standard", "offset", "length",
        "sender", "receiver", "control"}]}]}. SENDER and RECEIVER are `qualifier:id`; a file
        with several interchanges sends them to the receivers in turn. The same SEED gives the
        same bytes.
    python edifact_corpus.py parse FILE
        Reads FILE's interchanges with pydifact and prints, as JSON, each one's segments with
        their elements unescaped, so that what edigrid delivered can be compared with what
        was sent.
"""

import datetime
import json
import os
import random
import sys
import warnings

from pydifact.control import Characters
from pydifact.segmentcollection import Interchange, Message
from pydifact.segments import Segment

# Each file of the corpus uses one variant: its service characters, whether a UNA says so,
# whether segments are on lines of their own, and how many interchanges it holds.
VARIANTS = [
    {"name": "edifact-default-no-una", "chars": None, "una": False, "lines": False, "count": 1,
     "syntax": ("UNOA", 2)},
    {"name": "edifact-default-una-lines", "chars": None, "una": True, "lines": True, "count": 2,
     "syntax": ("UNOC", 3)},
    {"name": "edifact-custom-una", "una": True, "lines": False, "count": 3, "syntax": ("UNOC", 3),
     "chars": dict(component_separator="|", data_separator="^", decimal_point=",",
                   escape_character="!", reserved=" ", segment_terminator="~")},
    {"name": "edifact-custom-una-lines-v4", "una": True, "lines": True, "count": 2,
     "syntax": ("UNOC", 4),
     "chars": dict(component_separator=":", data_separator="+", decimal_point=".",
                   escape_character="?", reserved="*", segment_terminator="'")},
    {"name": "edifact-control-chars-una", "una": True, "lines": False, "count": 2,
     "syntax": ("UNOB", 3),
     "chars": dict(component_separator="\x1f", data_separator="\x1d", decimal_point=".",
                   escape_character="?", reserved=" ", segment_terminator="\x1c")},
]

# Free text whose characters a serializer must release with the escape character.
NOTES = [
    "It's 5+5: ok?",
    "carets ^ pipes | tildes ~ bangs !",
    "plain words only",
    "quote ' plus + colon : question ?",
    "x\x1dy\x1fz",
]


def party(text):
    qualifier, _, ident = text.partition(":")
    if not qualifier or not ident:
        raise SystemExit(f"not qualifier:id: {text}")
    return qualifier, ident


def message(r, reference):
    m = Message(reference, ["ORDERS", "D", "96A", "UN"])
    m.add_segment(Segment("BGM", "220", f"PO{r.randrange(10**6):06d}", "9"))
    m.add_segment(Segment("DTM", ["137", f"2024{r.randrange(1, 13):02d}{r.randrange(1, 29):02d}", "102"]))
    m.add_segment(Segment("FTX", "AAI", "", "", r.choice(NOTES)))
    m.add_segment(Segment("NAD", "BY", [f"54{r.randrange(10**11):011d}", "", "9"]))
    for line in range(1, r.randrange(2, 5)):
        m.add_segment(Segment("LIN", str(line), "", [f"40{r.randrange(10**11):011d}", "EN"]))
        m.add_segment(Segment("QTY", ["21", str(r.randrange(1, 500))]))
    m.add_segment(Segment("UNS", "S"))
    return m


def interchange(r, variant, sender, receiver, control):
    kwargs = {}
    if variant["chars"] is not None:
        kwargs["characters"] = Characters(**variant["chars"])
    when = datetime.datetime(2024, r.randrange(1, 13), r.randrange(1, 29), r.randrange(24), r.randrange(60))
    i = Interchange([sender[1], sender[0]], [receiver[1], receiver[0]], control, variant["syntax"], when,
                    **kwargs)
    i.has_una_segment = variant["una"]
    for n in range(r.randrange(1, 4)):
        i.add_message(message(r, f"M{n + 1}"))
    return i.serialize(break_lines=variant["lines"])


def generate(out_dir, seed, sender_text, receiver_texts):
    r = random.Random(seed)
    sender = party(sender_text)
    receivers = [party(t) for t in receiver_texts.split(",")]
    os.makedirs(out_dir, exist_ok=True)
    control = r.randrange(10**5, 10**8)
    turn = 0
    files = []
    for variant in VARIANTS:
        data = b""
        interchanges = []
        for _ in range(variant["count"]):
            receiver = receivers[turn % len(receivers)]
            turn += 1
            control += r.randrange(1, 6)
            reference = f"R{control}"
            one = interchange(r, variant, sender, receiver, reference).encode("iso8859-1")
            interchanges.append({
                "standard": "EDIFACT", "offset": len(data), "length": len(one),
                "sender": f"{sender[0]}:{sender[1]}", "receiver": f"{receiver[0]}:{receiver[1]}",
                "control": reference,
            })
            data += one
        name = f"{variant['name']}.edi"
        with open(os.path.join(out_dir, name), "wb") as f:
            f.write(data)
        files.append({"name": name, "bytes": len(data), "interchanges": interchanges})
    print(json.dumps({"files": files}))


def split(text):
    """The interchanges of a text, each from its UNA or UNB to the terminator of its UNZ."""
    out = []
    at = 0
    while at < len(text):
        while at < len(text) and text[at].isspace():
            at += 1
        if at >= len(text):
            break
        start = at
        if text.startswith("UNA", at):
            terminator, release = text[at + 8], text[at + 6]
            at += 9
        elif text.startswith("UNB", at):
            terminator, release = "'", "?"
        else:
            raise SystemExit(f"no UNA or UNB at offset {at}")
        # The UNZ's terminator: the first unreleased terminator after an unreleased UNZ.
        found_unz = False
        while True:
            if at >= len(text):
                raise SystemExit(f"no UNZ after offset {start}")
            c = text[at]
            if c == release:
                at += 2
                continue
            if c == terminator:
                at += 1
                if found_unz:
                    break
                while at < len(text) and text[at] in "\r\n":
                    at += 1
                found_unz = text.startswith("UNZ", at)
                continue
            at += 1
        out.append(text[start:at])
    return out


def parse(path):
    with open(path, "rb") as f:
        text = f.read().decode("iso8859-1")
    result = []
    for one in split(text):
        parsed = Interchange.from_str(one)
        segments = [[parsed.get_header_segment().tag, parsed.get_header_segment().elements]]
        segments += [[s.tag, s.elements] for s in parsed.segments]
        segments.append([parsed.get_footer_segment().tag, parsed.get_footer_segment().elements])
        result.append(segments)
    print(json.dumps(result))


def main(argv):
    # pydifact warns that it has no segment directory to validate against; the envelope
    # is all that is compared here.
    warnings.simplefilter("ignore")
    if len(argv) == 5 and argv[0] == "generate":
        generate(argv[1], int(argv[2]), argv[3], argv[4])
    elif len(argv) == 2 and argv[0] == "parse":
        parse(argv[1])
    else:
        print("usage: edifact_corpus.py generate OUT_DIR SEED SENDER RECEIVER[,RECEIVER...] | parse FILE",
              file=sys.stderr)
        sys.exit(2)


if __name__ == "__main__":
    main(sys.argv[1:])
