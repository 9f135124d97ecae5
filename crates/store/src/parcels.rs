//! Parcels and interchanges on both backends (issue 13: being written).

macro_rules! parcel_store {
    ($store:ty) => {
        const _: () = {
            use chrono::{DateTime, Utc};
            use edigrid_core::ParcelStore;
            use edigrid_core::parcels::model::*;
            use edigrid_core::store::{Page, Paged, StoreError, StoreResult};
            use edigrid_domain::{InterchangeId, ParcelId};

            fn unwritten<T>() -> StoreResult<T> {
                Err(StoreError::Backend(
                    "issue 13: parcel store not written yet".into(),
                ))
            }

            #[async_trait::async_trait]
            #[allow(unused_variables)]
            impl ParcelStore for $store {
                async fn accept_upload(&self, upload: &Upload) -> StoreResult<Accepted> {
                    unwritten()
                }
                async fn parcel(&self, id: ParcelId) -> StoreResult<Option<Parcel>> {
                    unwritten()
                }
                async fn parcel_content(&self, id: ParcelId) -> StoreResult<Option<Content>> {
                    unwritten()
                }
                async fn list_parcels(
                    &self,
                    filter: &ParcelFilter,
                    page: Page,
                ) -> StoreResult<Paged<Parcel>> {
                    unwritten()
                }
                async fn interchange(&self, id: InterchangeId) -> StoreResult<Option<Interchange>> {
                    unwritten()
                }
                async fn parcel_interchanges(
                    &self,
                    parcel: ParcelId,
                ) -> StoreResult<Vec<Interchange>> {
                    unwritten()
                }
                async fn list_interchanges(
                    &self,
                    filter: &InterchangeFilter,
                    page: Page,
                ) -> StoreResult<Paged<Interchange>> {
                    unwritten()
                }
                async fn change_state(&self, change: &StateChange) -> StoreResult<bool> {
                    unwritten()
                }
                async fn return_timed_out(&self, now: DateTime<Utc>) -> StoreResult<u64> {
                    unwritten()
                }
                async fn remove_content_before(&self, cutoff: DateTime<Utc>) -> StoreResult<u64> {
                    unwritten()
                }
                async fn add_manifest_entry(&self, entry: &ManifestEntry) -> StoreResult<()> {
                    unwritten()
                }
                async fn manifest(&self, parcel: ParcelId) -> StoreResult<Vec<ManifestEntry>> {
                    unwritten()
                }
                async fn add_note(&self, note: &ParcelNote) -> StoreResult<i64> {
                    unwritten()
                }
                async fn notes(&self, parcel: ParcelId) -> StoreResult<Vec<ParcelNote>> {
                    unwritten()
                }
                async fn set_mailbag_control_id(
                    &self,
                    parcel: ParcelId,
                    control_id: &str,
                ) -> StoreResult<()> {
                    unwritten()
                }
                async fn set_local_status(
                    &self,
                    parcel: ParcelId,
                    status: i16,
                    at: DateTime<Utc>,
                ) -> StoreResult<()> {
                    unwritten()
                }
            }
        };
    };
}
pub(crate) use parcel_store;
