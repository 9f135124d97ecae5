//! The rules of routing that need no store (SPEC-VAN 15–17): an interchange's record as its
//! envelope writes it, the delimiters a receiver wants and the rewrite to them, how the
//! deliveries of one upload are grouped, and the verdicts on the parcel as a whole.

use chrono::{DateTime, Utc};
use edigrid_domain::{
    EcGridId, EdiStandard, InterchangeId, InterchangeStatus, MailboxId, NetworkId, ParcelId,
    ParcelState, ParcelValid, X12Delimiters,
};
use edigrid_edi::{Delimiters, DocumentKind, Field, Standard, Verdict};

use super::model::Interchange;

/// Text of an envelope value (lossy where it is not UTF-8), without trailing spaces.
pub(crate) fn field_text(field: &Field) -> String {
    String::from_utf8_lossy(field.trimmed()).into_owned()
}

pub(crate) fn standard_of(standard: Standard) -> EdiStandard {
    match standard {
        Standard::X12 => EdiStandard::X12,
        Standard::Edifact => EdiStandard::Edifact,
    }
}

pub(crate) fn document_standard(kind: DocumentKind) -> EdiStandard {
    match kind {
        DocumentKind::Xml => EdiStandard::Xml,
        DocumentKind::Pdf => EdiStandard::Pdf,
        DocumentKind::Txt => EdiStandard::Txt,
        DocumentKind::Binary => EdiStandard::Binary,
    }
}

/// Where a problem is, and what it is, as a sender reads it.
pub(crate) fn at_offset(offset: usize, reason: &impl std::fmt::Display) -> String {
    format!("at byte {offset}: {reason}")
}

/// An interchange's record as its envelope writes it, not yet routed: status `Invalid`
/// with its reason when the envelope is broken, else `Delivered` until routing says
/// otherwise.
pub(crate) fn envelope_record(
    ic: &edigrid_edi::Interchange,
    data: &[u8],
    position: usize,
    at: DateTime<Utc>,
) -> Interchange {
    let party =
        |p: &edigrid_edi::Party| format!("{}:{}", field_text(&p.qualifier), field_text(&p.id));
    let (status, reason) = match &ic.verdict {
        Verdict::Valid => (InterchangeStatus::Delivered, String::new()),
        Verdict::Invalid { offset, reason } => {
            (InterchangeStatus::Invalid, at_offset(*offset, reason))
        }
    };
    let document_type = ic
        .groups
        .iter()
        .flat_map(|g| g.transactions.first())
        .chain(ic.transactions.first())
        .next()
        .map(|t| field_text(&t.kind))
        .unwrap_or_default();
    let findings: Vec<String> = ic
        .findings
        .iter()
        .chain(ic.groups.iter().flat_map(|g| {
            g.findings
                .iter()
                .chain(g.transactions.iter().flat_map(|t| t.findings.iter()))
        }))
        .chain(ic.transactions.iter().flat_map(|t| t.findings.iter()))
        .map(|f| at_offset(f.offset, &f.reason))
        .collect();
    Interchange {
        id: InterchangeId(0),
        outbound: ParcelId(0),
        position: i32::try_from(position).unwrap_or(i32::MAX),
        inbound: None,
        status,
        reason,
        duplicate: false,
        standard: standard_of(ic.standard),
        sender: party(&ic.sender),
        receiver: party(&ic.receiver),
        ecgrid_from: EcGridId(0),
        ecgrid_to: EcGridId(0),
        network_from: NetworkId(0),
        mailbox_from: MailboxId(0),
        network_to: NetworkId(0),
        mailbox_to: MailboxId(0),
        control_number: field_text(&ic.control_number),
        envelope_date: format!("{} {}", field_text(&ic.date), field_text(&ic.time))
            .trim()
            .to_string(),
        document_type,
        header: header_text(ic, data),
        findings: findings.join("\n"),
        offset: i64::try_from(ic.range.start).unwrap_or(i64::MAX),
        length: i64::try_from(ic.range.len()).unwrap_or(i64::MAX),
        created: at,
        status_changed: at,
    }
}

/// The header segment (ISA, or UNB after any UNA) as text, at most 512 bytes.
fn header_text(ic: &edigrid_edi::Interchange, data: &[u8]) -> String {
    let bytes = data.get(ic.range.clone()).unwrap_or_default();
    let (start, terminator) = match ic.delimiters {
        Some(Delimiters::X12(d)) => (0, d.segment),
        Some(Delimiters::Edifact(d)) => (if d.una { 9 } else { 0 }, d.segment),
        None => (0, b'~'),
    };
    let rest = bytes.get(start..).unwrap_or_default();
    let end = rest
        .iter()
        .position(|&b| b == terminator)
        .map_or(rest.len(), |i| i + 1)
        .min(512);
    String::from_utf8_lossy(&rest[..end]).into_owned()
}

/// The X12 delimiters a receiving ID wants: each set byte of its own, else its mailbox's,
/// else its network's; `None` when none of them sets any.
pub(crate) fn wanted_delimiters(
    partner: X12Delimiters,
    mailbox: X12Delimiters,
    network: X12Delimiters,
) -> Option<X12Delimiters> {
    let pick =
        |own: u8, mbx: u8, net: u8| [own, mbx, net].into_iter().find(|&b| b != 0).unwrap_or(0);
    let wanted = X12Delimiters {
        segment: pick(partner.segment, mailbox.segment, network.segment),
        element: pick(partner.element, mailbox.element, network.element),
        sub_element: pick(
            partner.sub_element,
            mailbox.sub_element,
            network.sub_element,
        ),
    };
    wanted.is_set().then_some(wanted)
}

/// What happened to an interchange's bytes on their way to the receiver.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) enum Rewrite {
    /// Delivered as uploaded (no delimiters wanted, not X12, or already those).
    Unchanged,
    /// Rewritten to the receiver's delimiters.
    Rewritten(Vec<u8>),
    /// The receiver wants other delimiters, but the interchange cannot take them: it goes
    /// as uploaded, for this reason.
    Refused(String),
}

/// Rewrites one X12 interchange to the delimiters its receiver wants (SPEC-VAN 16); bytes
/// the receiver does not set keep the interchange's own.
pub(crate) fn rewrite_for(
    ic: &edigrid_edi::Interchange,
    bytes: &[u8],
    wanted: Option<X12Delimiters>,
) -> Rewrite {
    let (Some(wanted), Some(Delimiters::X12(own))) = (wanted, ic.delimiters) else {
        return Rewrite::Unchanged;
    };
    let pick = |want: u8, have: u8| if want != 0 { want } else { have };
    let target = edigrid_edi::X12Delimiters {
        element: pick(wanted.element, own.element),
        sub_element: pick(wanted.sub_element, own.sub_element),
        segment: pick(wanted.segment, own.segment),
        ..own
    };
    if target == own {
        return Rewrite::Unchanged;
    }
    match edigrid_edi::rewrite_x12_delimiters(bytes, own, target) {
        Ok(rewritten) => Rewrite::Rewritten(rewritten),
        Err(conflict) => Rewrite::Refused(format!(
            "delivered with its own delimiters, not the receiver's: {conflict}"
        )),
    }
}

/// The positions of the interchanges one receiving mailbox gets, in upload order.
pub(crate) type Delivery = (MailboxId, Vec<usize>);

/// The deliveries of one upload: for each interchange (in upload order) the receiving
/// mailbox it goes to, if any; the answer is, per receiving mailbox in the order of its first
/// interchange, the positions it receives, and for each interchange the index of its group.
pub(crate) fn group_by_mailbox(
    targets: &[Option<MailboxId>],
) -> (Vec<Delivery>, Vec<Option<usize>>) {
    let mut groups: Vec<Delivery> = Vec::new();
    let mut index = Vec::with_capacity(targets.len());
    for (position, target) in targets.iter().enumerate() {
        let Some(mailbox) = target else {
            index.push(None);
            continue;
        };
        let at = match groups.iter().position(|(m, _)| m == mailbox) {
            Some(at) => at,
            None => {
                groups.push((*mailbox, Vec::new()));
                groups.len() - 1
            }
        };
        groups[at].1.push(position);
        index.push(Some(at));
    }
    (groups, index)
}

/// `ParcelValid` of an outbound parcel from the fate of its interchanges (`Duplicate` is
/// the store's to set).
pub(crate) fn parcel_valid(whole_invalid: bool, statuses: &[InterchangeStatus]) -> ParcelValid {
    let total = statuses.len();
    let invalid = statuses
        .iter()
        .filter(|s| **s == InterchangeStatus::Invalid)
        .count();
    let delivered = statuses
        .iter()
        .filter(|s| **s == InterchangeStatus::Delivered)
        .count();
    if whole_invalid || total == 0 || invalid == total {
        ParcelValid::Invalid
    } else if invalid > 0 {
        ParcelValid::PartialValid
    } else if delivered == total {
        ParcelValid::Valid
    } else if delivered == 0 {
        ParcelValid::ValidNoneRouted
    } else {
        ParcelValid::ValidPartialRouted
    }
}

/// An outbound parcel is sent when every interchange was delivered, else in error.
pub(crate) fn outbound_state(whole_invalid: bool, statuses: &[InterchangeStatus]) -> ParcelState {
    let all_delivered =
        !statuses.is_empty() && statuses.iter().all(|s| *s == InterchangeStatus::Delivered);
    if whole_invalid || !all_delivered {
        ParcelState::OutBoxDeliveryError
    } else {
        ParcelState::OutBoxSent
    }
}

#[cfg(test)]
pub(crate) mod tests {
    #![allow(clippy::unwrap_used, clippy::expect_used)]

    use chrono::TimeZone;
    use edigrid_domain::{Direction, UserId};
    use edigrid_edi::read_parcel;

    use super::*;
    use crate::parcels::model::{Parcel, PartyNames};

    pub(crate) fn sample_parcel(direction: Direction) -> Parcel {
        let at = Utc.with_ymd_and_hms(2026, 1, 2, 3, 4, 5).unwrap();
        Parcel {
            id: ParcelId(1),
            direction,
            network_id: NetworkId(1),
            mailbox_id: MailboxId(10),
            peer_network_id: NetworkId(0),
            peer_mailbox_id: MailboxId(0),
            ecgrid_from: EcGridId(0),
            ecgrid_to: EcGridId(0),
            file_name: String::new(),
            bytes: 0,
            declared_bytes: 0,
            sha256: [0; 32],
            standard: EdiStandard::X12,
            state: ParcelState::InBoxReady,
            valid: ParcelValid::Valid,
            problem: String::new(),
            mailbag_control_id: String::new(),
            source: None,
            uploaded_by: UserId(0),
            created: at,
            state_changed: at,
            downloaded: None,
            archived: None,
            content_removed: false,
            local_status: 0,
            local_status_changed: None,
            interchange_count: 0,
            names: PartyNames::default(),
        }
    }

    pub(crate) fn x12(sender: &str, receiver: &str, control: &str) -> String {
        format!(
            "ISA*00*          *00*          *ZZ*{sender:<15}*ZZ*{receiver:<15}*260101*1200*U*00401*{control}*0*P*>~\
             GS*PO*{sender}*{receiver}*20260101*1200*1*X*004010~ST*850*0001~BEG*00*SA*PO1**20260101~SE*3*0001~\
             GE*1*1~IEA*1*{control}~"
        )
    }

    #[test]
    fn a_record_carries_what_the_envelope_says() {
        let data = x12("SENDER", "BUYER", "000000007");
        let reading = read_parcel(data.as_bytes());
        let at = Utc.with_ymd_and_hms(2026, 1, 1, 0, 0, 0).unwrap();
        let r = envelope_record(&reading.interchanges[0], data.as_bytes(), 0, at);
        assert_eq!(r.sender, "ZZ:SENDER");
        assert_eq!(r.receiver, "ZZ:BUYER");
        assert_eq!(r.control_number, "000000007");
        assert_eq!(r.document_type, "850");
        assert_eq!(r.envelope_date, "260101 1200");
        assert_eq!(r.header.len(), 106);
        assert!(r.header.starts_with("ISA*") && r.header.ends_with('~'));
        assert_eq!(r.status, InterchangeStatus::Delivered);
        assert_eq!(r.length, data.len() as i64);

        let broken = data.replace("IEA*1*000000007", "IEA*1*000000008");
        let reading = read_parcel(broken.as_bytes());
        let r = envelope_record(&reading.interchanges[0], broken.as_bytes(), 0, at);
        assert_eq!(r.status, InterchangeStatus::Invalid);
        assert!(r.reason.starts_with("at byte "), "{}", r.reason);
        assert!(r.reason.contains("IEA02"), "{}", r.reason);
    }

    #[test]
    fn receivers_get_their_delimiters_unless_the_data_holds_them() {
        let none = X12Delimiters::default();
        assert_eq!(wanted_delimiters(none, none, none), None);
        let net = X12Delimiters {
            segment: b'\n',
            element: b'|',
            sub_element: 0,
        };
        let own = X12Delimiters {
            element: b'^',
            ..none
        };
        let wanted = wanted_delimiters(none, own, net).unwrap();
        assert_eq!(
            (wanted.segment, wanted.element, wanted.sub_element),
            (b'\n', b'^', 0)
        );
        // The receiving ID's own set bytes come first, then its mailbox's, then the network's.
        let id = X12Delimiters {
            element: b'!',
            sub_element: b'@',
            ..none
        };
        let by_id = wanted_delimiters(id, own, net).unwrap();
        assert_eq!(
            (by_id.segment, by_id.element, by_id.sub_element),
            (b'\n', b'!', b'@')
        );
        let id_only = wanted_delimiters(id, none, none).unwrap();
        assert_eq!(
            (id_only.segment, id_only.element, id_only.sub_element),
            (0, b'!', b'@')
        );

        let data = x12("SENDER", "BUYER", "000000001");
        let ic = &read_parcel(data.as_bytes()).interchanges[0];
        let Rewrite::Rewritten(bytes) = rewrite_for(ic, data.as_bytes(), Some(wanted)) else {
            panic!("want a rewrite");
        };
        let text = String::from_utf8(bytes).unwrap();
        assert!(text.starts_with("ISA^00^"), "{text}");
        assert!(
            text.contains("^>\nGS^PO"),
            "sub-element kept, segment rewritten: {text}"
        );
        assert_eq!(rewrite_for(ic, data.as_bytes(), None), Rewrite::Unchanged);

        let holding = data.replace("PO1", "P^1");
        let ic = &read_parcel(holding.as_bytes()).interchanges[0];
        match rewrite_for(ic, holding.as_bytes(), Some(wanted)) {
            Rewrite::Refused(reason) => assert!(reason.contains("own delimiters"), "{reason}"),
            other => panic!("want a refusal, got {other:?}"),
        }
    }

    #[test]
    fn deliveries_group_by_mailbox_in_first_seen_order() {
        let (m1, m2) = (Some(MailboxId(7)), Some(MailboxId(3)));
        let (groups, index) = group_by_mailbox(&[m1, None, m2, m1]);
        assert_eq!(
            groups,
            vec![(MailboxId(7), vec![0, 3]), (MailboxId(3), vec![2])]
        );
        assert_eq!(index, vec![Some(0), None, Some(1), Some(0)]);
    }

    #[test]
    fn verdicts_follow_the_interchanges() {
        use InterchangeStatus::*;
        let cases: [(&[InterchangeStatus], ParcelValid, ParcelState); 6] = [
            (
                &[Delivered, Delivered],
                ParcelValid::Valid,
                ParcelState::OutBoxSent,
            ),
            (
                &[Delivered, Invalid],
                ParcelValid::PartialValid,
                ParcelState::OutBoxDeliveryError,
            ),
            (
                &[Invalid],
                ParcelValid::Invalid,
                ParcelState::OutBoxDeliveryError,
            ),
            (
                &[NoRoute, UnknownSender],
                ParcelValid::ValidNoneRouted,
                ParcelState::OutBoxDeliveryError,
            ),
            (
                &[Delivered, NoRoute],
                ParcelValid::ValidPartialRouted,
                ParcelState::OutBoxDeliveryError,
            ),
            (&[], ParcelValid::Invalid, ParcelState::OutBoxDeliveryError),
        ];
        for (statuses, valid, state) in cases {
            assert_eq!(parcel_valid(false, statuses), valid, "{statuses:?}");
            assert_eq!(outbound_state(false, statuses), state, "{statuses:?}");
        }
        assert_eq!(parcel_valid(true, &[Delivered]), ParcelValid::Invalid);
        assert_eq!(
            outbound_state(true, &[Delivered]),
            ParcelState::OutBoxDeliveryError
        );
    }
}
