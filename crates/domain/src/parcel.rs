//! The vocabulary of parcels and interchanges (SPEC-VAN 15–17): their numbers, sides,
//! states and validity, as the ECGridOS enumerations name them.

use std::fmt;
use std::str::FromStr;

use serde::{Deserialize, Serialize};

use crate::directory::wire_enum;

macro_rules! long_id {
    ($(#[$doc:meta])* $name:ident) => {
        $(#[$doc])*
        #[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
        #[serde(transparent)]
        pub struct $name(pub i64);

        impl fmt::Display for $name {
            fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
                self.0.fmt(f)
            }
        }
    };
}

long_id!(
    /// A parcel's number: unique in the service, increasing with time (SPEC-VAN 16).
    ParcelId
);
long_id!(
    /// An interchange's number: unique in the service, increasing with time.
    InterchangeId
);

wire_enum!(
    /// Which side of the network a parcel is on (`Direction`; `NoDir` is never stored).
    Direction, "Direction" {
        NoDir = "NoDir",
        OutBox = "OutBox",
        InBox = "InBox",
    }
);

wire_enum!(
    /// A parcel's state (SPEC-VAN 17), named as the documented dialect and REST name it.
    /// Inbound parcels are `InBoxReady`, `InBoxTransferred` or `InBoxArchived`; outbound
    /// ones `outboxSent`, `outboxAcknowledged` or `outboxDeliveryError`; either side may be
    /// `Cancelled`.
    ParcelState, "ParcelStatus" {
        /// Delivered, not downloaded.
        InBoxReady = "InBoxReady",
        /// Downloaded by a status-changing download, not confirmed.
        InBoxTransferred = "InBoxTransferred",
        /// Download confirmed.
        InBoxArchived = "InBoxArchived",
        /// Every interchange delivered to an inbox.
        OutBoxSent = "outboxSent",
        /// Every inbound parcel made from it confirmed.
        OutBoxAcknowledged = "outboxAcknowledged",
        /// Some interchange invalid, of an unknown sender or without route.
        OutBoxDeliveryError = "outboxDeliveryError",
        Cancelled = "Cancelled",
    }
);

impl ParcelState {
    /// The side a state belongs to (`NoDir` for `Cancelled`, which both may take).
    pub fn direction(self) -> Direction {
        match self {
            ParcelState::InBoxReady
            | ParcelState::InBoxTransferred
            | ParcelState::InBoxArchived => Direction::InBox,
            ParcelState::OutBoxSent
            | ParcelState::OutBoxAcknowledged
            | ParcelState::OutBoxDeliveryError => Direction::OutBox,
            ParcelState::Cancelled => Direction::NoDir,
        }
    }

    /// A sentence for `StatusMessage`.
    pub fn message(self) -> &'static str {
        match self {
            ParcelState::InBoxReady => "Delivered to the inbox; not downloaded yet",
            ParcelState::InBoxTransferred => "Downloaded; waiting for the download to be confirmed",
            ParcelState::InBoxArchived => "Download confirmed",
            ParcelState::OutBoxSent => "Every interchange was delivered to an inbox",
            ParcelState::OutBoxAcknowledged => "Every delivery made from this parcel was confirmed",
            ParcelState::OutBoxDeliveryError => {
                "Some interchange was not delivered (invalid, unknown sender or no route)"
            }
            ParcelState::Cancelled => "Cancelled",
        }
    }
}

wire_enum!(
    /// What the network made of a parcel's content (`ParcelValid`, spelled as deployed).
    ParcelValid, "ParcelValid" {
        Pending = "Pending",
        /// The parcel as a whole is not a sequence of interchanges: nothing routed.
        Invalid = "Invalid",
        /// Every interchange valid and delivered (an inbound parcel is always this or
        /// `Duplicate`).
        Valid = "Valid",
        /// Some interchanges invalid, the others delivered.
        PartialValid = "PartialValid",
        /// Every interchange valid, none delivered (unknown sender or no route).
        ValidNoneRouted = "ValidNoneRouted",
        /// Delivered, with at least one interchange seen before (SPEC-VAN 16).
        Duplicate = "Duplicate",
        ZeroByte = "ZeroByte",
        VallidRouted = "VallidRouted",
        /// Every interchange valid, some delivered.
        ValidPartialRouted = "ValidPartialRouted",
        ValidNoneRoutedx = "ValidNoneRoutedx",
    }
);

wire_enum!(
    /// The standard of an interchange or of a document without envelope (`EDIStandard`).
    EdiStandard, "EDIStandard" {
        X12 = "X12",
        Edifact = "EDIFACT",
        Tradacoms = "TRADACOMS",
        Vda = "VDA",
        Xml = "XML",
        Txt = "TXT",
        Pdf = "PDF",
        Binary = "Binary",
        Peppol = "PEPPOL",
    }
);

wire_enum!(
    /// What became of one interchange of an upload (sender's side, SPEC-VAN 16).
    InterchangeStatus, "InterchangeStatus" {
        /// In an inbound parcel of the receiver's mailbox.
        Delivered = "Delivered",
        /// Its envelope is broken: not delivered.
        Invalid = "Invalid",
        /// Its sender ID is not an active ID of the uploading mailbox (or of one in scope).
        UnknownSender = "UnknownSender",
        /// No active ECGridID has its receiver ID.
        NoRoute = "NoRoute",
        /// Withdrawn before it was downloaded.
        Cancelled = "Cancelled",
    }
);

wire_enum!(
    /// Who wrote a manifest entry (`ManifestType`).
    ManifestType, "ManifestType" {
        System = "System",
        Error = "Error",
        Manual = "Manual",
        EcGridOs = "ECGridOS",
    }
);

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn states_parse_case_insensitively_and_know_their_side() {
        assert_eq!(
            "OUTBOXSENT".parse::<ParcelState>(),
            Ok(ParcelState::OutBoxSent)
        );
        assert_eq!(ParcelState::InBoxArchived.as_str(), "InBoxArchived");
        assert_eq!(ParcelState::OutBoxSent.direction(), Direction::OutBox);
        assert_eq!(ParcelState::Cancelled.direction(), Direction::NoDir);
        assert!("Lost".parse::<ParcelState>().is_err());
    }

    #[test]
    fn standards_read_as_the_wsdl_spells_them() {
        assert_eq!("edifact".parse::<EdiStandard>(), Ok(EdiStandard::Edifact));
        assert_eq!(EdiStandard::Edifact.as_str(), "EDIFACT");
        assert_eq!(ParcelId(7).to_string(), "7");
    }
}
