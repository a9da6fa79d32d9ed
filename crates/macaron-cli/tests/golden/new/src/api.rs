//! The handlers: one plain async function per operation, bound by the
//! spec's `x-bind-server`. Inputs arrive validated and typed; replies are
//! checked against the spec. The caller of a protected operation is
//! `macaron::auth::current_user()`.

use macaron::chrono::Utc;
use macaron::db::{ListQuery, Persistent};
use macaron::uuid::Uuid;

use crate::{Item, ItemList, ItemNotFound, NewItem};

/// The default of `limit` in `GET /items`.
const DEFAULT_LIMIT: i64 = 20;

/// The caller of an operation the spec protects (the framework has
/// verified the token before the handler runs).
fn caller() -> macaron::Result<macaron::auth::User> {
    macaron::auth::current_user().ok_or_else(|| macaron::codes::AuthorizationHeaderMissing::new("no token"))
}

/// `POST /v1/items`: a new item (201).
pub async fn create_item(body: NewItem) -> macaron::Result<Item> {
    let item = Item {
        id: Uuid::new_v4(),
        name: body.name,
        owner: caller()?.id,
        processed: false,
        created_at: Utc::now().fixed_offset(),
    };
    item.save(&macaron::db()?).await?;
    crate::tasks::process_item_async(item.id.to_string()).schedule().await?;
    Ok(item)
}

/// `GET /v1/items`: newest first, at most `limit`.
pub async fn list_items(limit: Option<i64>) -> macaron::Result<ItemList> {
    let limit = u32::try_from(limit.unwrap_or(DEFAULT_LIMIT)).unwrap_or(1);
    let query = ListQuery::new().newest_first().limit(limit);
    let items: Vec<Item> = Item::list(&macaron::db()?, &query).await?.into_iter().map(|r| r.into_inner()).collect();
    Ok(ItemList { count: items.len() as i64, items })
}

/// `GET /v1/items/{item_id}`: the item, or 404 `ITEM_NOT_FOUND`.
pub async fn get_item(item_id: Uuid) -> macaron::Result<Item> {
    match Item::find(&macaron::db()?, &item_id.to_string()).await? {
        Some(item) => Ok(item.into_inner()),
        None => Err(ItemNotFound::new(format!("no item {item_id}"))),
    }
}
