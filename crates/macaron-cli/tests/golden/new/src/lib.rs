//! shop: a Macaron service.
//!
//! The contract is `apis/shop.yaml`; `build.rs` generates its API
//! objects (`Item`, `NewItem`, `ItemList`) and binds every operation to the
//! plain async function its `x-bind-server` names in [`api`]. `Item` is
//! `x-persist`: it lives in `shop.db` (SQLite) unless `DATABASE_URL` names
//! a PostgreSQL database.
//! Creating an item schedules the background task in [`tasks`].

macaron::include_apis!();

pub mod api;
pub mod tasks;

pub use apis::shop::{Item, ItemList, NewItem};

macaron::errors! {
    /// No item with this id (declared in the spec as the 404 of `getItem`).
    pub ItemNotFound = (404, "ITEM_NOT_FOUND"),
}

/// The service's name, as `/version`, logs and crash reports show it.
pub const NAME: &str = "shop";

/// Builds the service (what `main` hands to `macaron::letsgo`).
pub fn start(opts: macaron::Options) -> macaron::Result<macaron::Api> {
    macaron::Api::builder().options(opts).name(NAME).version(macaron::build_version!()).apis(apis::all()).build()
}
