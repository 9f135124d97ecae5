"""Independent EDIFACT samples, generated with pydifact (PyPI) for edigrid-edi's tests."""
import datetime

from pydifact.control import Characters
from pydifact.segmentcollection import Interchange, Message
from pydifact.segments import Segment

WHEN = datetime.datetime(2024, 3, 15, 9, 30)


def write(name, text, encoding="utf-8"):
    with open(f"out/{name}", "wb") as f:
        f.write(text.encode(encoding))
    print(name, len(text))


def orders(reference, note):
    m = Message(reference, ["ORDERS", "D", "96A", "UN"])
    m.add_segment(Segment("BGM", "220", f"PO-{reference}", "9"))
    m.add_segment(Segment("DTM", ["137", "20240315", "102"]))
    m.add_segment(Segment("FTX", "AAI", "", "", note))
    m.add_segment(Segment("NAD", "BY", ["5412345000013", "", "9"]))
    return m


# 1. Default service characters, no UNA; notes that need the release character.
i = Interchange(["PYDIFACTSENDER", "14"], ["RECIPIENT", "ZZ"], "REF+1", ("UNOC", 3), WHEN)
i.add_message(orders("M1", "It's 5+5: ok?"))
i.add_message(orders("M2", "plain"))
write("pydifact-orders-default.edi", i.serialize())

# 2. A UNA with other service characters, one segment per line.
chars = Characters(component_separator="|", data_separator="^", decimal_point=".",
                   escape_character="!", reserved=" ", segment_terminator="~")
i = Interchange(["PYDIFACTSENDER", "14"], ["RECIPIENT", "ZZ"], "UNA^REF2", ("UNOC", 3), WHEN,
                characters=chars)
i.has_una_segment = True
i.add_message(orders("M3", "carets ^ and pipes | and tildes ~ released"))
write("pydifact-orders-una-lines.edi", i.serialize(break_lines=True))

# 3. ISO 8859-1 content (not UTF-8) in names and notes, UNA with the default characters.
i = Interchange(["MÜLLERGMBH", "ZZ"], ["RECIPIENT", "ZZ"], "LATIN1", ("UNOC", 3), WHEN,
                extra_header_elements=["", "", "", "1", "", "1"])
i.has_una_segment = True
i.add_message(orders("M4", "Grüße aus Köln, 10.5 €"[:-1] + "EUR"))
write("pydifact-orders-latin1.edi", i.serialize(), encoding="iso8859-1")
