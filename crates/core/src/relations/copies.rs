//! Carbon copies made in an upload's transaction (SPEC-VAN 20): each delivered interchange
//! that an active rule matches is copied, its envelope's sender and receiver rewritten to
//! the rule's pair, into an inbound parcel of the rule's copy mailbox, added to the same
//! [`Upload`] the store writes at once.

use std::collections::HashMap;

use edigrid_domain::{
    Direction, EcGridId, Error, InterchangeId, MailboxId, ManifestType, ParcelState, ParcelValid,
    UserStatus,
};
use edigrid_edi::{Delimiters, read_parcel};
use sha2::{Digest, Sha256};

use super::CarbonCopy;
use crate::directory::model::TradingPartner;
use crate::parcels::model::{Interchange, ManifestEntry, NewParcel, Parcel, Upload};
use crate::service::{Core, internal};

/// What a rule's filters look at beyond the routing record: GS02/GS03 of each group and
/// ST01 of each transaction (read only when some rule has such a filter).
fn envelope_matches(rule: &CarbonCopy, bytes: &[u8]) -> bool {
    if rule.gs_from.is_empty() && rule.gs_to.is_empty() && rule.transaction_set.is_empty() {
        return true;
    }
    let reading = read_parcel(bytes);
    let Some(ic) = reading.interchanges.first() else {
        return false;
    };
    let same =
        |want: &str, got: &[u8]| want.is_empty() || want.as_bytes().eq_ignore_ascii_case(got);
    let groups_ok = rule.gs_from.is_empty() && rule.gs_to.is_empty()
        || ic.groups.iter().any(|g| {
            same(&rule.gs_from, g.app_sender.trimmed())
                && same(&rule.gs_to, g.app_receiver.trimmed())
        });
    let sets_ok = rule.transaction_set.is_empty()
        || ic
            .groups
            .iter()
            .flat_map(|g| g.transactions.iter())
            .chain(ic.transactions.iter())
            .any(|t| same(&rule.transaction_set, t.kind.trimmed()));
    groups_ok && sets_ok
}

/// Whether a rule copies this delivered interchange (by the routing record alone).
fn record_matches(rule: &CarbonCopy, ic: &Interchange) -> bool {
    let side = match rule.direction {
        Direction::OutBox => ic.mailbox_from == rule.mailbox_id,
        Direction::InBox => ic.mailbox_to == rule.mailbox_id,
        Direction::NoDir => ic.mailbox_from == rule.mailbox_id || ic.mailbox_to == rule.mailbox_id,
    };
    side && (rule.ecgrid_from.0 == 0 || rule.ecgrid_from == ic.ecgrid_from)
        && (rule.ecgrid_to.0 == 0 || rule.ecgrid_to == ic.ecgrid_to)
}

/// A segment's elements, split at `separator` except where the release character escapes it
/// (escapes are kept as they are).
fn split_released(segment: &[u8], separator: u8, release: Option<u8>) -> Vec<Vec<u8>> {
    let mut elements = vec![Vec::new()];
    let mut escaped = false;
    for &b in segment {
        if !escaped && b == separator {
            elements.push(Vec::new());
            continue;
        }
        escaped = !escaped && Some(b) == release;
        if let Some(last) = elements.last_mut() {
            last.push(b);
        }
    }
    elements
}

/// An X12 interchange with ISA05–ISA08 set to the two parties (qualifier, ID padded to 15),
/// or an EDIFACT one with UNB's S002 and S003 set; `None` when the envelope cannot take
/// them (an ID too long for X12, a header that cannot be split).
pub(crate) fn readdressed(
    bytes: &[u8],
    from: &TradingPartner,
    to: &TradingPartner,
) -> Option<Vec<u8>> {
    let reading = read_parcel(bytes);
    let ic = reading.interchanges.first()?;
    match ic.delimiters? {
        Delimiters::X12(d) => {
            let header = bytes.get(..106)?;
            let mut elements: Vec<Vec<u8>> = header[..105]
                .split(|b| *b == d.element)
                .map(<[u8]>::to_vec)
                .collect();
            if elements.len() != 17 || from.id.len() > 15 || to.id.len() > 15 {
                return None;
            }
            let pad = |s: &str, n: usize| format!("{s:<n$}").into_bytes();
            elements[5] = pad(&from.qualifier, 2);
            elements[6] = pad(&from.id, 15);
            elements[7] = pad(&to.qualifier, 2);
            elements[8] = pad(&to.id, 15);
            let mut out = elements.join(&d.element);
            if out.len() != 105 {
                return None;
            }
            out.push(header[105]);
            out.extend_from_slice(&bytes[106..]);
            Some(out)
        }
        Delimiters::Edifact(d) => {
            let start = if d.una { 9 } else { 0 };
            let rest = bytes.get(start..)?;
            let mut end = None;
            let mut i = 0;
            while i < rest.len() {
                if Some(rest[i]) == d.release {
                    i += 2;
                    continue;
                }
                if rest[i] == d.segment {
                    end = Some(i);
                    break;
                }
                i += 1;
            }
            let end = end?;
            let mut elements = split_released(&rest[..end], d.element, d.release);
            if elements.len() < 4 {
                return None;
            }
            let party = |p: &TradingPartner| {
                let mut v = p.id.clone().into_bytes();
                if !p.qualifier.is_empty() {
                    v.push(d.component);
                    v.extend_from_slice(p.qualifier.as_bytes());
                }
                v
            };
            elements[2] = party(from);
            elements[3] = party(to);
            let mut out = bytes[..start].to_vec();
            out.extend_from_slice(&elements.join(&d.element));
            out.extend_from_slice(&rest[end..]);
            Some(out)
        }
    }
}

impl Core {
    /// Adds to `upload` the carbon copies its deliveries call for: one inbound parcel per
    /// copy mailbox, and a manifest entry on the outbound parcel per copy. One indexed read
    /// of the active rules of the mailboxes involved; nothing more when none applies.
    pub(crate) async fn add_carbon_copies(&self, upload: &mut Upload) -> Result<(), Error> {
        let mut mailboxes: Vec<MailboxId> = upload
            .interchanges
            .iter()
            .filter(|i| i.delivered_in.is_some())
            .flat_map(|i| [i.interchange.mailbox_from, i.interchange.mailbox_to])
            .collect();
        if mailboxes.is_empty() {
            return Ok(());
        }
        mailboxes.sort_unstable();
        mailboxes.dedup();
        let store = &self.inner.store;
        let rules = store
            .active_carbon_copies(&mailboxes)
            .await
            .map_err(internal)?;
        if rules.is_empty() {
            return Ok(());
        }
        let mut partners: HashMap<EcGridId, Option<TradingPartner>> = HashMap::new();
        // Per copy mailbox, in the order of its first copy: the bytes and what they hold.
        let mut groups: Vec<(MailboxId, Vec<u8>, i32, EcGridId, EcGridId)> = Vec::new();
        let mut notes = Vec::new();
        let content = &upload.outbound.content;
        for (position, new) in upload.interchanges.iter().enumerate() {
            if new.delivered_in.is_none() {
                continue;
            }
            let ic = &new.interchange;
            let start = usize::try_from(ic.offset).unwrap_or(usize::MAX);
            let end = start.saturating_add(usize::try_from(ic.length).unwrap_or(0));
            let Some(bytes) = content.get(start..end) else {
                continue;
            };
            for rule in rules.iter().filter(|r| record_matches(r, ic)) {
                if !envelope_matches(rule, bytes) {
                    continue;
                }
                let (copy, from, to) = if rule.cc_from.0 != 0 && rule.cc_to.0 != 0 {
                    for id in [rule.cc_from, rule.cc_to] {
                        if let std::collections::hash_map::Entry::Vacant(e) = partners.entry(id) {
                            e.insert(store.partner(id).await.map_err(internal)?);
                        }
                    }
                    let pair = partners
                        .get(&rule.cc_from)
                        .cloned()
                        .flatten()
                        .zip(partners.get(&rule.cc_to).cloned().flatten());
                    match pair.as_ref().and_then(|(f, t)| readdressed(bytes, f, t)) {
                        Some(copy) => (copy, rule.cc_from, rule.cc_to),
                        None => {
                            notes.push((position, format!(
                                "carbon copy rule {} could not copy this interchange: its envelope cannot take the copy's IDs",
                                rule.id
                            )));
                            continue;
                        }
                    }
                } else {
                    (bytes.to_vec(), ic.ecgrid_from, ic.ecgrid_to)
                };
                match store.mailbox(rule.cc_mailbox_id).await.map_err(internal)? {
                    Some(m) if m.status == UserStatus::Active => {}
                    _ => {
                        notes.push((position, format!(
                            "carbon copy rule {} did not copy this interchange: mailbox {} is not active",
                            rule.id, rule.cc_mailbox_id
                        )));
                        continue;
                    }
                }
                notes.push((
                    position,
                    format!(
                        "copied to mailbox {} by carbon copy rule {}",
                        rule.cc_mailbox_id, rule.id
                    ),
                ));
                match groups.iter_mut().find(|g| g.0 == rule.cc_mailbox_id) {
                    Some(g) => {
                        g.1.extend_from_slice(&copy);
                        g.2 += 1;
                    }
                    None => groups.push((rule.cc_mailbox_id, copy, 1, from, to)),
                }
            }
        }
        let base = upload.outbound.parcel.clone();
        for (mailbox, bytes, count, from, to) in groups {
            let network = store
                .mailbox(mailbox)
                .await
                .map_err(internal)?
                .map_or(base.network_id, |m| m.network_id);
            upload.inbound.push(NewParcel {
                parcel: Parcel {
                    direction: Direction::InBox,
                    network_id: network,
                    mailbox_id: mailbox,
                    peer_network_id: base.network_id,
                    peer_mailbox_id: base.mailbox_id,
                    ecgrid_from: from,
                    ecgrid_to: to,
                    bytes: bytes.len() as i64,
                    declared_bytes: bytes.len() as i64,
                    sha256: Sha256::digest(&bytes).into(),
                    state: ParcelState::InBoxReady,
                    valid: ParcelValid::Valid,
                    problem: String::new(),
                    interchange_count: count,
                    ..base.clone()
                },
                content: bytes,
            });
        }
        for (position, message) in notes {
            upload.manifest.push(ManifestEntry {
                parcel_id: base.id,
                interchange_id: Some(InterchangeId(position as i64)),
                at: base.created,
                network_id: base.network_id,
                kind: ManifestType::System,
                status_code: "CarbonCopy".into(),
                message,
                user_id: base.uploaded_by,
            });
        }
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    #![allow(clippy::unwrap_used, clippy::expect_used)]

    use chrono::Utc;
    use edigrid_domain::{NetworkId, RoutingGroup, UserId};

    use super::*;

    fn partner(qualifier: &str, id: &str) -> TradingPartner {
        TradingPartner {
            ecgrid_id: EcGridId(1),
            network_id: NetworkId(1),
            mailbox_id: MailboxId(1),
            qualifier: qualifier.into(),
            id: id.into(),
            description: String::new(),
            status: UserStatus::Active,
            data_email: String::new(),
            routing_group: RoutingGroup::default(),
            is_default: false,
            owner: UserId(0),
            van: false,
            simulated: false,
            x12: Default::default(),
            created: Utc::now(),
            modified: Utc::now(),
        }
    }

    fn x12(set: &str) -> String {
        format!(
            "ISA*00*          *00*          *ZZ*SENDER         *ZZ*BUYER          *260101*1200*U*00401*000000001*0*P*>~\
             GS*PO*GSSEND*GSRECV*20260101*1200*1*X*004010~ST*{set}*0001~BEG*00*SA*1**20260101~SE*3*0001~GE*1*1~IEA*1*000000001~"
        )
    }

    #[test]
    fn x12_copies_name_the_copy_pair_in_the_interchange_envelope() {
        let data = x12("850");
        let copy = readdressed(
            data.as_bytes(),
            &partner("01", "AUDITFROM"),
            &partner("ZZ", "AUDITOR"),
        )
        .unwrap();
        let text = String::from_utf8(copy).unwrap();
        assert!(
            text.starts_with(
                "ISA*00*          *00*          *01*AUDITFROM      *ZZ*AUDITOR        *260101"
            ),
            "{text}"
        );
        assert_eq!(text.len(), data.len(), "the ISA keeps its 106 bytes");
        assert!(
            text.contains("GS*PO*GSSEND*GSRECV"),
            "groups keep their IDs"
        );
        assert!(
            readdressed(
                data.as_bytes(),
                &partner("ZZ", "MUCHTOOLONGFORX12"),
                &partner("ZZ", "A")
            )
            .is_none()
        );
    }

    #[test]
    fn edifact_copies_name_the_copy_pair_in_unb() {
        let data = "UNA:+.? 'UNB+UNOA:2+SEND?+ER:14+BUYER:ZZ+260101:1200+REF1'UNH+1+ORDERS:D:96A:UN'UNT+2+1'UNZ+1+REF1'";
        let copy = readdressed(
            data.as_bytes(),
            &partner("ZZZ", "COPYFROM"),
            &partner("", "COPYTO"),
        )
        .unwrap();
        let text = String::from_utf8(copy).unwrap();
        assert_eq!(
            text,
            "UNA:+.? 'UNB+UNOA:2+COPYFROM:ZZZ+COPYTO+260101:1200+REF1'UNH+1+ORDERS:D:96A:UN'UNT+2+1'UNZ+1+REF1'"
        );
    }

    #[test]
    fn filters_read_groups_and_transaction_sets() {
        let rule = |gs_from: &str, set: &str| CarbonCopy {
            id: 1,
            network_id: NetworkId(1),
            mailbox_id: MailboxId(1),
            direction: Direction::OutBox,
            ecgrid_from: EcGridId(0),
            ecgrid_to: EcGridId(0),
            cc_from: EcGridId(0),
            cc_to: EcGridId(0),
            cc_mailbox_id: MailboxId(2),
            gs_from: gs_from.into(),
            gs_to: String::new(),
            transaction_set: set.into(),
            status: UserStatus::Active,
            created_by: UserId(0),
            created: Utc::now(),
            modified: Utc::now(),
        };
        let data = x12("850");
        assert!(envelope_matches(&rule("", ""), data.as_bytes()));
        assert!(envelope_matches(&rule("gssend", "850"), data.as_bytes()));
        assert!(!envelope_matches(&rule("OTHER", ""), data.as_bytes()));
        assert!(!envelope_matches(&rule("", "810"), data.as_bytes()));
    }
}
