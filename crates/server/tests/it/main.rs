//! Integration tests: each starts a real edigrid on port 0 with a fresh database and talks
//! to it over HTTP. One test binary, to keep link time down.
#![allow(clippy::unwrap_used, clippy::expect_used)]

mod admin_cli;
mod bad_input;
mod binding;
mod brute_force;
mod cap;
mod cli;
mod clients;
mod concurrency;
mod crash_safety;
mod deployed;
mod deployed_directory;
mod deployed_wsdl;
mod directory_cli;
mod directory_clients;
mod directory_permissions;
mod expiry;
mod faults;
mod lockout;
mod log_secrets;
mod nodes;
mod ops;
mod resource_bounds;
mod rest_auth;
mod rest_clients;
mod rest_keys;
mod rest_shared;
mod rest_tokens;
mod restart;
mod secrets_at_rest;
mod session_events;
mod session_log;
mod smoke;
mod soap_body;
mod tls;
