//! The edigrid server: configuration, the HTTP application, and the command line.

mod app;
mod body_limits;
pub mod callbacks;
pub mod cli;
mod demo;
mod fixture;
mod ops;
mod settings;
mod telemetry;
mod upload_budget;

pub use app::{Application, build_core};
pub use settings::{FlagOverrides, Settings};
