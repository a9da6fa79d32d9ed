//! The handlers, one plain async function per operation, bound by the
//! spec's `x-bind-server`. Inputs arrive validated and typed; the caller of
//! a protected operation is `macaron::auth::current_user()`.

use std::collections::BTreeMap;

use macaron::auth::User;
use macaron::chrono::Utc;
use macaron::db::{ListQuery, Persistent};
use macaron::uuid::Uuid;

use crate::apis::petstore::{AddNoteBody, Ok as OkReply, ScheduledStatus};
use crate::{adoption, Credentials, InvalidUser, NewPet, NotOwner, Note, Pet, PetList, PetNotFound, Scheduled, Token};

/// The default of `limit` in `GET /pets`.
const DEFAULT_LIMIT: i64 = 20;

/// Compares two byte strings in time that depends only on their lengths.
fn constant_time_eq(a: &[u8], b: &[u8]) -> bool {
    let mut diff = u8::from(a.len() != b.len());
    for i in 0..a.len().max(b.len()) {
        diff |= a.get(i).copied().unwrap_or(0) ^ b.get(i).copied().unwrap_or(0);
    }
    std::hint::black_box(diff) == 0
}

/// The caller of an operation the spec protects (the framework has
/// verified the token before the handler runs).
fn caller() -> macaron::Result<User> {
    macaron::auth::current_user().ok_or_else(|| macaron::codes::AuthorizationHeaderMissing::new("no token"))
}

/// The tag of a new pet: absent and `null` both mean none (whatever the
/// generated field's shape for a property both optional and nullable).
fn tag_of(tag: &impl serde::Serialize) -> Option<String> {
    serde_json::to_value(tag).ok().and_then(|v| v.as_str().map(str::to_string))
}

fn not_found(pet_id: &Uuid) -> macaron::Error {
    PetNotFound::new(format!("no pet {pet_id}"))
}

/// `POST /v1/login`: a token for a known user with the right password.
pub async fn do_login(body: Credentials) -> macaron::Result<Token> {
    let users: BTreeMap<String, String> = macaron::config().get_opt("users")?.unwrap_or_default();
    // Always compare against something, so an unknown name takes as long as a wrong password.
    let expected = users.get(&body.username);
    let matches = constant_time_eq(expected.map_or(b"", |p| p.as_bytes()), body.password.as_bytes());
    if expected.is_none() || !matches {
        return Err(InvalidUser::new(format!("bad credentials for '{}'", body.username))
            .with_user_message("Sorry, we don't know you"));
    }
    let token = macaron::auth::generate_token(&body.username)?;
    Ok(Token { token, user_id: body.username })
}

/// `GET /v1/pets`: newest first, at most `limit`, only `tag` if given.
pub async fn list_pets(limit: Option<i64>, tag: Option<String>) -> macaron::Result<PetList> {
    let limit = u32::try_from(limit.unwrap_or(DEFAULT_LIMIT)).unwrap_or(1);
    let mut query = ListQuery::new().newest_first().limit(limit);
    if let Some(tag) = tag {
        query = query.filter("tag", tag);
    }
    let pets: Vec<Pet> = Pet::list(&macaron::db()?, &query).await?.into_iter().map(|r| r.into_inner()).collect();
    Ok(PetList { count: pets.len() as i64, pets })
}

/// `POST /v1/pets`: a new pet owned by the caller (201).
pub async fn create_pet(body: NewPet) -> macaron::Result<Pet> {
    let pet = Pet {
        id: Uuid::new_v4(),
        name: body.name,
        tag: tag_of(&body.tag),
        birth_date: body.birth_date,
        weight_kg: body.weight_kg,
        owner: caller()?.id,
        adopted: false,
        adopted_by: None,
        created_at: Utc::now().fixed_offset(),
    };
    pet.save(&macaron::db()?).await?;
    Ok(pet)
}

/// `GET /v1/pets/{pet_id}`
pub async fn get_pet(pet_id: Uuid) -> macaron::Result<Pet> {
    // The object alone (no version: it is not saved back).
    Pet::get(&macaron::db()?, &pet_id.to_string()).await?.ok_or_else(|| not_found(&pet_id))
}

/// `DELETE /v1/pets/{pet_id}`: only by its owner (204).
pub async fn delete_pet(pet_id: Uuid) -> macaron::Result<()> {
    let db = macaron::db()?;
    let pet = Pet::find(&db, &pet_id.to_string()).await?.ok_or_else(|| not_found(&pet_id))?;
    let user = caller()?;
    if pet.owner != user.id {
        return Err(NotOwner::new(format!("pet {pet_id} belongs to someone else, not to '{}'", user.id)));
    }
    if !pet.delete(&db).await? {
        return Err(not_found(&pet_id));
    }
    Ok(())
}

/// `POST /v1/pets/{pet_id}/adopt`: schedules the adoption task (202).
pub async fn adopt_pet(pet_id: Uuid, delay_ms: Option<i64>) -> macaron::Result<Scheduled> {
    if !Pet::exists(&macaron::db()?, &pet_id.to_string()).await? {
        return Err(not_found(&pet_id));
    }
    let delay_ms = u64::try_from(delay_ms.unwrap_or(0)).unwrap_or(0);
    adoption::adopt_pet_async(pet_id.to_string(), delay_ms).schedule().await?;
    Ok(Scheduled { status: ScheduledStatus::Scheduled })
}

/// `POST /v1/pets/{pet_id}/notes` (an HTML form): 201 with the note.
pub async fn add_note(body: AddNoteBody, pet_id: Uuid) -> macaron::Result<Note> {
    if !Pet::exists(&macaron::db()?, &pet_id.to_string()).await? {
        return Err(not_found(&pet_id));
    }
    Ok(Note { pet_id, text: body.text })
}

/// `GET /v1/crash`: panics (the framework replies 500 and reports it).
pub async fn do_crash() -> macaron::Result<OkReply> {
    panic!("crash requested")
}

/// `GET /v1/warn`: reports a non-fatal error, then succeeds.
pub async fn do_warn() -> macaron::Result<OkReply> {
    let trouble = std::io::Error::other("the warn endpoint was called");
    macaron::report_error("warning requested", &trouble);
    Ok(OkReply { ok: Some("warned".into()) })
}

#[cfg(test)]
mod tests {
    use super::constant_time_eq;

    #[test]
    fn constant_time_eq_compares() {
        assert!(constant_time_eq(b"secret", b"secret"));
        assert!(!constant_time_eq(b"secret", b"secreT"));
        assert!(!constant_time_eq(b"secret", b"secret2"));
        assert!(!constant_time_eq(b"", b"x"));
        assert!(constant_time_eq(b"", b""));
    }
}
