//! The `Persistent` trait generated types implement, and `Record`.

use std::future::Future;
use std::ops::{Deref, DerefMut};

use serde::de::DeserializeOwned;
use serde::Serialize;
use serde_json::Value;

use crate::error::DbError;
use crate::query::ListQuery;
use crate::store::{Row, Store};

/// A stored object with the version it was loaded at. It derefs to the
/// object; [`Record::save`] writes it back only if nobody changed it since.
#[derive(Debug, Clone, PartialEq)]
pub struct Record<T> {
    value: T,
    version: i64,
    created_at: i64,
    updated_at: i64,
}

impl<T> Deref for Record<T> {
    type Target = T;
    fn deref(&self) -> &T {
        &self.value
    }
}

impl<T> DerefMut for Record<T> {
    fn deref_mut(&mut self) -> &mut T {
        &mut self.value
    }
}

impl<T: Persistent> Record<T> {
    fn from_row(row: Row) -> Result<Self, DbError> {
        let value = serde_json::from_value(row.data)
            .map_err(|e| DbError::Invalid(format!("stored {} \"{}\" does not fit the type: {e}", T::TABLE, row.key)))?;
        Ok(Record { value, version: row.version, created_at: row.created_at, updated_at: row.updated_at })
    }

    /// The object.
    pub fn into_inner(self) -> T {
        self.value
    }

    /// The version it was loaded (or last saved) at.
    pub fn version(&self) -> i64 {
        self.version
    }

    /// Creation time, Unix microseconds.
    pub fn created_at(&self) -> i64 {
        self.created_at
    }

    /// Last save, Unix microseconds.
    pub fn updated_at(&self) -> i64 {
        self.updated_at
    }

    /// Saves the changes; [`DbError::Conflict`] if the object changed since it
    /// was loaded, [`DbError::NotFound`] if it was deleted.
    pub async fn save(&mut self, store: &impl Store) -> Result<(), DbError> {
        let data = to_json(&self.value)?;
        self.version = store.update(T::TABLE, &self.value.key(), &data, Some(self.version)).await?;
        Ok(())
    }

    /// Saves the changes whatever happened since (last-write-wins).
    pub async fn save_overwrite(&mut self, store: &impl Store) -> Result<(), DbError> {
        let data = to_json(&self.value)?;
        self.version = store.update(T::TABLE, &self.value.key(), &data, None).await?;
        Ok(())
    }

    /// Deletes it.
    pub async fn delete(self, store: &impl Store) -> Result<bool, DbError> {
        T::delete(store, &self.value.key()).await
    }
}

fn to_json<T: Serialize>(value: &T) -> Result<Value, DbError> {
    serde_json::to_value(value).map_err(|e| DbError::Invalid(format!("cannot serialise: {e}")))
}

/// A type stored in its own table, keyed by one of its fields. Generated for
/// every schema with `x-persist: {table, key}`; can be implemented by hand.
pub trait Persistent: Serialize + DeserializeOwned + Send + Sync + Sized + 'static {
    /// The table.
    const TABLE: &'static str;

    /// The key of this object.
    fn key(&self) -> String;

    /// The object with that key, or [`DbError::NotFound`].
    fn load(store: &impl Store, key: &str) -> impl Future<Output = Result<Record<Self>, DbError>> + Send {
        async move {
            match store.get(Self::TABLE, key).await? {
                Some(row) => Record::from_row(row),
                None => Err(DbError::NotFound { table: Self::TABLE.into(), key: key.into() }),
            }
        }
    }

    /// The object with that key, if any.
    fn find(store: &impl Store, key: &str) -> impl Future<Output = Result<Option<Record<Self>>, DbError>> + Send {
        async move { store.get(Self::TABLE, key).await?.map(Record::from_row).transpose() }
    }

    /// Whether an object has that key.
    fn exists(store: &impl Store, key: &str) -> impl Future<Output = Result<bool, DbError>> + Send {
        async move { Ok(store.get(Self::TABLE, key).await?.is_some()) }
    }

    /// Deletes the object with that key; false when there was none.
    fn delete(store: &impl Store, key: &str) -> impl Future<Output = Result<bool, DbError>> + Send {
        async move { store.remove(Self::TABLE, key).await }
    }

    /// Objects matching a query.
    fn list(store: &impl Store, query: &ListQuery) -> impl Future<Output = Result<Vec<Record<Self>>, DbError>> + Send {
        async move { store.list(Self::TABLE, query).await?.into_iter().map(Record::from_row).collect() }
    }

    /// Stores a new object; [`DbError::Conflict`] if its key is taken (load
    /// the existing one and save that, or use [`Persistent::save_overwrite`]).
    fn save(&self, store: &impl Store) -> impl Future<Output = Result<Record<Self>, DbError>> + Send {
        async move {
            let data = to_json(self)?;
            store.insert(Self::TABLE, &self.key(), &data).await?;
            Self::load(store, &self.key()).await
        }
    }

    /// Stores the object, replacing any with the same key (last-write-wins).
    fn save_overwrite(&self, store: &impl Store) -> impl Future<Output = Result<Record<Self>, DbError>> + Send {
        async move {
            let data = to_json(self)?;
            store.update(Self::TABLE, &self.key(), &data, None).await?;
            Self::load(store, &self.key()).await
        }
    }
}
