//! `SandboxStore` on both databases (one SQL text, [`crate::sql`]): the operations, and
//! [`sandbox_store!`], which writes a store's impl as calls to them.

/// Implements `SandboxStore` for a store with a `pool` field whose type is a `Backend`.
macro_rules! sandbox_store {
    ($store:ty) => {
        const _: () = {
            use edigrid_core::store::SandboxStore;

            #[async_trait::async_trait]
            impl SandboxStore for $store {}
        };
    };
}
pub(crate) use sandbox_store;
