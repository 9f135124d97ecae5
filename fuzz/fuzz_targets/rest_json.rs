//! Arbitrary bytes as the JSON body of the REST requests that take one, decoded exactly as
//! the server does. Nothing may panic; every refusal is a 400 InvalidParameter whose message
//! stays proportionate to the input.
#![no_main]

use edigrid_rest::{LoginBody, PasswordBody, RefreshBody, decode_json};
use libfuzzer_sys::fuzz_target;
use serde::de::DeserializeOwned;

fuzz_target!(|data: &[u8]| {
    // The most lenient reading serde_json has: any one JSON value, contents unchecked.
    let valid_json = serde_json::from_slice::<serde::de::IgnoredAny>(data).is_ok();
    if let Some(login) = decode::<LoginBody>(data, valid_json) {
        // What the login handler checks next, before anything reaches the core.
        for (field, text) in [("login", &login.login), ("email", &login.email)] {
            if let Some(text) = text {
                let _ = edigrid_domain::parse_required_text(text, field);
            }
        }
        let _ = login.password.chars().count();
    }
    if let Some(refresh) = decode::<RefreshBody>(data, valid_json) {
        let _ = (refresh.token, refresh.refresh_token);
    }
    if let Some(password) = decode::<PasswordBody>(data, valid_json) {
        let _ = (password.current_password, password.new_password);
    }
});

fn decode<T: DeserializeOwned>(data: &[u8], valid_json: bool) -> Option<T> {
    match decode_json::<T>(data) {
        Ok(v) => {
            assert!(valid_json, "accepted a body that is not one JSON value");
            Some(v)
        }
        Err(e) => {
            assert_eq!(e.status.as_u16(), 400);
            assert_eq!(e.code, "InvalidParameter");
            assert!(!e.message.is_empty());
            // serde quotes offending strings with escapes (at most 10 bytes for one input
            // byte, `\u{10ffff}`), plus a fixed preamble.
            assert!(
                e.message.len() <= 10 * data.len() + 512,
                "message of {} bytes for {} bytes of input",
                e.message.len(),
                data.len()
            );
            None
        }
    }
}
