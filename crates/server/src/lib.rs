//! The edigrid server: configuration, the HTTP application, and the command line.

mod app;
pub mod cli;
mod demo;
mod ops;
mod settings;
mod telemetry;

pub use app::{Application, build_core};
pub use settings::{FlagOverrides, Settings};
