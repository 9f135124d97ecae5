//! Times on the wire as everywhere in edigrid: UTC, whole seconds, `Z`
//! (`2026-05-07T10:00:00Z`). Truncating never reports an expiry later than the real one.

use chrono::{DateTime, SecondsFormat, Utc};
use serde::Serializer;

pub fn whole_seconds<S: Serializer>(t: &DateTime<Utc>, s: S) -> Result<S::Ok, S::Error> {
    s.serialize_str(&t.to_rfc3339_opts(SecondsFormat::Secs, true))
}

pub fn optional_whole_seconds<S: Serializer>(
    t: &Option<DateTime<Utc>>,
    s: S,
) -> Result<S::Ok, S::Error> {
    match t {
        Some(t) => whole_seconds(t, s),
        None => s.serialize_none(),
    }
}
