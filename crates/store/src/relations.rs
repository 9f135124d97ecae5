//! `RelationStore` on both databases (one SQL text, [`crate::sql`]): the operations, and
//! [`relations_store!`], which writes a store's impl as calls to them.

/// Implements `RelationStore` for a store with a `pool` field whose type is a `Backend`.
macro_rules! relations_store {
    ($store:ty) => {
        const _: () = {
            use edigrid_core::store::RelationStore;

            #[async_trait::async_trait]
            impl RelationStore for $store {}
        };
    };
}
pub(crate) use relations_store;
