//! SPEC-VAN 16: X12 interchanges rewritten to the receiver's delimiters, refused when a new
//! delimiter occurs in the data.

use edigrid_edi::{Conflict, Delimiters, LineEnd, X12Delimiters, rewrite_x12_delimiters};

use crate::support::{only, with_delimiters, x12_850};

const STANDARD: X12Delimiters = X12Delimiters {
    element: b'*',
    sub_element: b'>',
    repetition: Some(b'^'),
    segment: b'~',
    line_end: LineEnd::None,
};

const PIPES: X12Delimiters = X12Delimiters {
    element: b'|',
    sub_element: b':',
    repetition: Some(b'!'),
    segment: b'\x1c',
    line_end: LineEnd::CrLf,
};

#[test]
fn rewriting_changes_the_delimiters_and_nothing_else() {
    let original = x12_850("000000001");
    let rewritten = rewrite_x12_delimiters(original.as_bytes(), STANDARD, PIPES).unwrap();
    assert_eq!(
        rewritten,
        with_delimiters(&original, b'|', b':', b'!', b"\x1c\r\n")
    );
    let before = only(original.as_bytes());
    let after = only(&rewritten);
    assert_eq!(after.delimiters, Some(Delimiters::X12(PIPES)));
    assert!(after.is_valid());
    assert_eq!(
        (&after.sender, &after.receiver, &after.control_number),
        (&before.sender, &before.receiver, &before.control_number)
    );
    assert_eq!(after.groups.len(), before.groups.len());
    assert_eq!(
        after.groups[0].transactions[0].segments,
        before.groups[0].transactions[0].segments
    );
    let back = rewrite_x12_delimiters(&rewritten, PIPES, STANDARD).unwrap();
    assert_eq!(back, original.as_bytes());
}

#[test]
fn swapping_two_delimiters_is_fine() {
    let original = x12_850("000000001");
    let swapped = X12Delimiters {
        element: b'>',
        sub_element: b'*',
        ..STANDARD
    };
    let rewritten = rewrite_x12_delimiters(original.as_bytes(), STANDARD, swapped).unwrap();
    assert_eq!(only(&rewritten).delimiters, Some(Delimiters::X12(swapped)));
}

#[test]
fn a_new_delimiter_in_the_data_is_refused_with_its_offset() {
    let original = x12_850("000000001").replace("PO-1", "PO|1");
    let offset = original.find('|').unwrap();
    let conflict = rewrite_x12_delimiters(original.as_bytes(), STANDARD, PIPES).unwrap_err();
    assert_eq!(
        conflict,
        Conflict::InData {
            offset,
            byte: b'|',
            delimiter: "element separator"
        }
    );
    assert_eq!(
        conflict.to_string(),
        format!("byte 0x7C at offset {offset} is data but would read as the new element separator")
    );
}

#[test]
fn a_line_break_in_the_data_conflicts_with_a_line_break_terminator() {
    let original = x12_850("000000001").replace("PO-1", "PO\n1");
    let to = X12Delimiters {
        segment: b'\n',
        line_end: LineEnd::None,
        ..STANDARD
    };
    let conflict = rewrite_x12_delimiters(original.as_bytes(), STANDARD, to).unwrap_err();
    assert!(matches!(
        conflict,
        Conflict::InData {
            byte: b'\n',
            delimiter: "segment terminator",
            ..
        }
    ));
}

#[test]
fn unusable_new_delimiters_are_refused() {
    let original = x12_850("000000001");
    let cases = [
        (
            X12Delimiters {
                element: b'>',
                ..STANDARD
            },
            "the new element separator and sub-element separator are the same byte 0x3E",
        ),
        (
            X12Delimiters {
                segment: b'A',
                ..STANDARD
            },
            "the new segment terminator 0x41 is a letter, digit or space",
        ),
        (
            X12Delimiters {
                element: b' ',
                ..STANDARD
            },
            "the new element separator 0x20 is a letter, digit or space",
        ),
        (
            X12Delimiters {
                segment: b'\n',
                line_end: LineEnd::Lf,
                ..STANDARD
            },
            "the new segment terminator and line end are the same byte 0x0A",
        ),
    ];
    for (to, text) in cases {
        let conflict = rewrite_x12_delimiters(original.as_bytes(), STANDARD, to).unwrap_err();
        assert_eq!(conflict.to_string(), text);
    }
    let cr_lf = X12Delimiters {
        segment: b'\r',
        line_end: LineEnd::Lf,
        ..STANDARD
    };
    let rewritten = rewrite_x12_delimiters(original.as_bytes(), STANDARD, cr_lf).unwrap();
    assert_eq!(only(&rewritten).delimiters, Some(Delimiters::X12(cr_lf)));
}

#[test]
fn the_old_delimiters_must_be_those_of_the_interchange() {
    let original = x12_850("000000001");
    let wrong = X12Delimiters {
        element: b'|',
        ..STANDARD
    };
    assert_eq!(
        rewrite_x12_delimiters(original.as_bytes(), wrong, PIPES),
        Err(Conflict::NotFromDelimiters)
    );
    assert_eq!(
        rewrite_x12_delimiters(b"ISA*", STANDARD, PIPES),
        Err(Conflict::NotFromDelimiters)
    );
}

#[test]
fn before_00501_isa11_is_not_a_separator_and_stays() {
    let original = x12_850("000000001")
        .replace("*^*00501*", "*U*00401*")
        .replace("A>B^C", "A>B^^C");
    let from = X12Delimiters {
        repetition: None,
        ..STANDARD
    };
    let rewritten = rewrite_x12_delimiters(original.as_bytes(), from, PIPES).unwrap();
    let after = only(&rewritten);
    assert_eq!(
        after.delimiters,
        Some(Delimiters::X12(X12Delimiters {
            repetition: None,
            ..PIPES
        }))
    );
    assert_eq!(&rewritten[82..83], b"U");
    assert!(
        rewritten.windows(6).any(|w| w == b"A:B^^C"),
        "a ^ that was data stays data"
    );
}

#[test]
fn without_a_new_repetition_separator_the_old_one_stays() {
    let original = x12_850("000000001");
    let to = X12Delimiters {
        repetition: None,
        ..PIPES
    };
    let rewritten = rewrite_x12_delimiters(original.as_bytes(), STANDARD, to).unwrap();
    assert_eq!(
        only(&rewritten).delimiters,
        Some(Delimiters::X12(X12Delimiters {
            repetition: Some(b'^'),
            ..PIPES
        }))
    );
}

#[test]
fn old_delimiters_that_could_be_data_are_refused() {
    // ISA16 a digit: every 5 of the data would be taken for a separator.
    let original = x12_850("000000001")
        .replace("*T*>~", "*T*5~")
        .replace("A>B", "A5B");
    let from = X12Delimiters {
        sub_element: b'5',
        ..STANDARD
    };
    let reading = only(original.as_bytes());
    assert_eq!(reading.delimiters, Some(Delimiters::X12(from)));
    let conflict = rewrite_x12_delimiters(original.as_bytes(), from, PIPES).unwrap_err();
    assert_eq!(
        conflict.to_string(),
        "the old sub-element separator 0x35 is a letter, digit or space"
    );
}

#[test]
fn a_delimiter_byte_inside_an_isa_element_is_data() {
    // ISA05 `Z^` holds the repetition separator; the ISA is read by position, so it is data.
    let original = x12_850("000000001").replacen("*ZZ*", "*Z^*", 1);
    let before = only(original.as_bytes());
    assert_eq!(before.sender.qualifier, "Z^");
    let rewritten = rewrite_x12_delimiters(original.as_bytes(), STANDARD, PIPES).unwrap();
    let after = only(&rewritten);
    assert_eq!(after.sender, before.sender);
    assert_eq!(after.delimiters, Some(Delimiters::X12(PIPES)));
    let in_data = X12Delimiters {
        element: b'^',
        repetition: Some(b'!'),
        ..PIPES
    };
    let conflict = rewrite_x12_delimiters(original.as_bytes(), STANDARD, in_data).unwrap_err();
    assert_eq!(
        conflict,
        Conflict::InData {
            offset: 33,
            byte: b'^',
            delimiter: "element separator"
        }
    );
}
