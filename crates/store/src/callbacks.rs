//! `CallbackStore` on both databases (one SQL text, [`crate::sql`]): the operations, and
//! [`callbacks_store!`], which writes a store's impl as calls to them.

/// Implements `CallbackStore` for a store with a `pool` field whose type is a `Backend`.
macro_rules! callbacks_store {
    ($store:ty) => {
        const _: () = {
            use edigrid_core::store::CallbackStore;

            #[async_trait::async_trait]
            impl CallbackStore for $store {}
        };
    };
}
pub(crate) use callbacks_store;
