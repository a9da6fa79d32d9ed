//! The adoption, a background task run with the identity of the caller who
//! asked for it.
//!
//! The handler schedules it with `adopt_pet_async(id, delay).schedule()`,
//! which returns once the task is stored (the embedded SQLite file by
//! default, Redis with `REDIS_URL`); a worker (the server itself, or a
//! `petstore --worker` process) runs it later, as the caller.

use std::time::Duration;

use macaron::db::{DbError, Persistent};

use crate::Pet;

/// The task: waits `delay_ms`, then marks the pet adopted by the caller
/// (`macaron::auth::current_user()`, the user of the request that
/// scheduled it). A pet deleted meanwhile is nothing to adopt; a pet
/// adopted by the caller already is left as it is (the queue delivers at
/// least once: a task may run again after its effect).
#[macaron::task(max_attempts = 5, backoff_ms = 500)]
pub async fn adopt_pet(pet_id: String, delay_ms: u64) -> macaron::Result<()> {
    let user = macaron::auth::current_user()
        .ok_or_else(|| macaron::Error::new(500, "SERVER_ERROR", "the adoption task runs without a caller"))?;
    tokio::time::sleep(Duration::from_millis(delay_ms)).await;
    let db = macaron::db()?;
    // Optimistic saves: reload and retry if someone changed the pet meanwhile.
    for _ in 0..5 {
        let Some(mut pet) = Pet::find(&db, &pet_id).await? else {
            tracing::info!("pet {pet_id} was deleted before its adoption");
            return Ok(());
        };
        if pet.adopted && pet.adopted_by.as_deref() == Some(user.id.as_str()) {
            // Done already: this run repeats one whose end the queue never
            // heard of (its worker was killed after the save, or the queue
            // was down): the effect is applied once.
            return Ok(());
        }
        pet.adopted = true;
        pet.adopted_by = Some(user.id.clone());
        match pet.save(&db).await {
            Err(DbError::Conflict { .. }) => continue,
            done => return Ok(done.map(|_| ())?),
        }
    }
    Err(macaron::Error::new(500, "SERVER_ERROR", format!("pet {pet_id} kept changing during its adoption")))
}
