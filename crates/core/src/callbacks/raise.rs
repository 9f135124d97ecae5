//! Which callback events an upload or a state change raises (SPEC-VAN 20). Pure functions:
//! the store calls them inside the transaction that stores the event, so that the
//! deliveries are queued with it or not at all.

use std::collections::HashSet;

use chrono::{DateTime, Utc};
use edigrid_domain::{EcGridId, MailboxId, NetworkId, ParcelId, ParcelState};

use super::model::{EventKind, Raised, ecgrid_key, mailbox_key, network_key};
use crate::parcels::model::{Parcel, Upload};

/// The scope keys an event of this mailbox and ID matches.
pub fn keys(network: NetworkId, mailbox: MailboxId, ecgrid: EcGridId) -> Vec<String> {
    let mut keys = vec![mailbox_key(mailbox), network_key(network)];
    if ecgrid.0 != 0 {
        keys.push(ecgrid_key(ecgrid));
    }
    keys
}

fn raised(kind: EventKind, parcel: &Parcel, id: ParcelId, ecgrid: EcGridId) -> Raised {
    Raised {
        kind,
        parcel: id,
        network_id: parcel.network_id,
        mailbox_id: parcel.mailbox_id,
        ecgrid_id: ecgrid,
        file_name: parcel.file_name.clone(),
        at: parcel.created,
        keys: keys(parcel.network_id, parcel.mailbox_id, ecgrid),
    }
}

/// The events of a stored upload: `InBox` for each inbound parcel's mailbox, `OutBox` or
/// `OutBoxError` for the sender, and `InBoxError` for each known receiving mailbox an
/// interchange was meant for and did not reach (named with the outbound parcel).
pub fn upload_events(upload: &Upload, outbound: ParcelId, inbound: &[ParcelId]) -> Vec<Raised> {
    let out = &upload.outbound.parcel;
    let mut events = Vec::with_capacity(inbound.len() + 1);
    let kind = if out.state == ParcelState::OutBoxDeliveryError {
        EventKind::OutBoxError
    } else {
        EventKind::OutBox
    };
    events.push(raised(kind, out, outbound, out.ecgrid_from));
    for (new, id) in upload.inbound.iter().zip(inbound) {
        events.push(raised(
            EventKind::InBox,
            &new.parcel,
            *id,
            new.parcel.ecgrid_to,
        ));
    }
    let mut missed = HashSet::new();
    for i in &upload.interchanges {
        let ic = &i.interchange;
        if i.delivered_in.is_none()
            && ic.mailbox_to.0 != 0
            && missed.insert((ic.network_to, ic.mailbox_to, ic.ecgrid_to))
        {
            events.push(Raised {
                kind: EventKind::InBoxError,
                parcel: outbound,
                network_id: ic.network_to,
                mailbox_id: ic.mailbox_to,
                ecgrid_id: ic.ecgrid_to,
                file_name: out.file_name.clone(),
                at: out.created,
                keys: keys(ic.network_to, ic.mailbox_to, ic.ecgrid_to),
            });
        }
    }
    events
}

/// Where an inbound parcel is and where it came from, as a state change reads it.
#[derive(Debug, Clone, PartialEq)]
pub struct Sides {
    pub parcel: ParcelId,
    pub own: (NetworkId, MailboxId, EcGridId),
    pub peer: (NetworkId, MailboxId, EcGridId),
    pub file_name: String,
}

/// The event of a state change, if it raises one: a confirmed download (`InBoxArchived`)
/// raises `ConfirmDelivery` for the receiving mailbox and for the sender.
pub fn change_event(sides: &Sides, to: ParcelState, at: DateTime<Utc>) -> Option<Raised> {
    if to != ParcelState::InBoxArchived {
        return None;
    }
    let (network_id, mailbox_id, ecgrid_id) = sides.own;
    let mut all = keys(network_id, mailbox_id, ecgrid_id);
    for key in keys(sides.peer.0, sides.peer.1, sides.peer.2) {
        if !all.contains(&key) {
            all.push(key);
        }
    }
    Some(Raised {
        kind: EventKind::ConfirmDelivery,
        parcel: sides.parcel,
        network_id,
        mailbox_id,
        ecgrid_id,
        file_name: sides.file_name.clone(),
        at,
        keys: all,
    })
}
