//! `KeyStore` on both databases (one SQL text, [`crate::sql`]): the operations, and
//! [`keys_store!`], which writes a store's impl as calls to them.

/// Implements `KeyStore` for a store with a `pool` field whose type is a `Backend`.
macro_rules! keys_store {
    ($store:ty) => {
        const _: () = {
            use edigrid_core::store::KeyStore;

            #[async_trait::async_trait]
            impl KeyStore for $store {}
        };
    };
}
pub(crate) use keys_store;
