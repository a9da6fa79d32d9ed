//! The adoption, a background task run with the identity of the caller who
//! asked for it.
//!
//! `adopt_pet` is the task. When `macaron-tasks` lands it becomes
//! `#[macaron::task] pub async fn adopt_pet(..)`, scheduled by the handler
//! with `adopt_pet_async(id, delay).schedule().await?`, and
//! [`schedule_adoption`] goes away.

use std::time::Duration;

use macaron::db::{DbError, Persistent};

use crate::{Pet, PetNotFound};

/// The task: waits `delay_ms`, then marks the pet adopted by the caller
/// (`macaron::auth::current_user()`, the user of the request that
/// scheduled it).
pub async fn adopt_pet(pet_id: String, delay_ms: u64) -> macaron::Result<()> {
    let user = macaron::auth::current_user()
        .ok_or_else(|| macaron::Error::new(500, "SERVER_ERROR", "the adoption task runs without a caller"))?;
    adopt(pet_id, delay_ms, user.id).await
}

async fn adopt(pet_id: String, delay_ms: u64, user_id: String) -> macaron::Result<()> {
    tokio::time::sleep(Duration::from_millis(delay_ms)).await;
    let db = macaron::db()?;
    // Optimistic saves: reload and retry if someone changed the pet meanwhile.
    for _ in 0..5 {
        let mut pet = Pet::find(&db, &pet_id).await?.ok_or_else(|| PetNotFound::new(format!("no pet {pet_id}")))?;
        pet.adopted = true;
        pet.adopted_by = Some(user_id.clone());
        match pet.save(&db).await {
            Err(DbError::Conflict { .. }) => continue,
            done => return Ok(done?),
        }
    }
    Err(macaron::Error::new(500, "SERVER_ERROR", format!("pet {pet_id} kept changing during its adoption")))
}

// TEMPORARY until macaron-tasks: runs the task in-process with the
// caller's id passed explicitly (not durable).
pub async fn schedule_adoption(pet_id: String, delay_ms: u64) -> macaron::Result<()> {
    let user = macaron::auth::current_user().ok_or_else(|| macaron::codes::AuthorizationHeaderMissing::new("no token"))?;
    tokio::spawn(async move {
        if let Err(e) = adopt(pet_id.clone(), delay_ms, user.id).await {
            tracing::error!("adoption of pet {pet_id} failed: {e}");
        }
    });
    Ok(())
}
