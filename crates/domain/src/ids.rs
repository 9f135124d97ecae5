use std::fmt;

use serde::{Deserialize, Serialize};

macro_rules! integer_id {
    ($(#[$doc:meta])* $name:ident) => {
        $(#[$doc])*
        #[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
        #[serde(transparent)]
        pub struct $name(pub i32);

        impl fmt::Display for $name {
            fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
                self.0.fmt(f)
            }
        }
    };
}

integer_id!(
    /// An ECGridOS user number.
    UserId
);
integer_id!(
    /// An ECGridOS network number.
    NetworkId
);
integer_id!(
    /// An ECGridOS mailbox number.
    MailboxId
);
integer_id!(
    /// A trading-partner ID's number (ECGridID), assigned by edigrid.
    EcGridId
);
