//! Reading JSON answers (REST envelopes, the CLI's `--json`).

use serde_json::Value;

/// The values of `keys` in `v`, in order: several fields checked in one assertion.
pub(crate) fn pick(v: &Value, keys: &[&str]) -> Value {
    keys.iter().map(|k| v[k].clone()).collect()
}
