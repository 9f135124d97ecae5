//! `ReportStore` on both databases (one SQL text, [`crate::sql`]): the operations, and
//! [`reports_store!`], which writes a store's impl as calls to them.

/// Implements `ReportStore` for a store with a `pool` field whose type is a `Backend`.
macro_rules! reports_store {
    ($store:ty) => {
        const _: () = {
            use edigrid_core::store::ReportStore;

            #[async_trait::async_trait]
            impl ReportStore for $store {}
        };
    };
}
pub(crate) use reports_store;
