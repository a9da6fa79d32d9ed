//! A background task: `create_item` schedules it, a worker runs it later
//! (the server itself, or `shop --worker` processes). A task that
//! fails is retried with a backoff.

use macaron::db::{DbError, Persistent};

use crate::Item;

/// Marks the item processed. Runs with the identity of the request that
/// scheduled it (`macaron::auth::current_user()`).
#[macaron::task(max_attempts = 5, backoff_ms = 500)]
pub async fn process_item(item_id: String) -> macaron::Result<()> {
    let db = macaron::db()?;
    // Optimistic saves: reload and retry if someone changed the item meanwhile.
    for _ in 0..5 {
        let Some(mut item) = Item::find(&db, &item_id).await? else {
            tracing::info!("item {item_id} is gone: nothing to process");
            return Ok(());
        };
        item.processed = true;
        match item.save(&db).await {
            Err(DbError::Conflict { .. }) => continue,
            done => return Ok(done.map(|_| ())?),
        }
    }
    Err(macaron::Error::new(500, "SERVER_ERROR", format!("item {item_id} kept changing while it was processed")))
}
