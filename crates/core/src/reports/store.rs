//! The persistence boundary of this area. Every method is one atomic step.

use async_trait::async_trait;

#[async_trait]
pub trait ReportStore: Send + Sync {}
