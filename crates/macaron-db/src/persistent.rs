//! The `Persistent` trait generated types implement, and `Record`.

use std::future::Future;
use std::ops::{Deref, DerefMut};

use serde::de::DeserializeOwned;
use serde::Serialize;

use crate::error::DbError;
use crate::query::ListQuery;
use crate::store::{Store, TextRow, Written};

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
    /// The object decoded from the stored text straight into `T`.
    fn from_text(row: TextRow) -> Result<Self, DbError> {
        let value = parse(&row.key, &row.data)?;
        Ok(Record { value, version: row.version, created_at: row.created_at, updated_at: row.updated_at })
    }

    /// The object just written as `data`, with what the write left.
    fn written(key: &str, data: &str, written: Written) -> Result<Self, DbError> {
        let value = parse(key, data)?;
        Ok(Record { value, version: written.version, created_at: written.created_at, updated_at: written.updated_at })
    }

    /// Takes the version and timestamps a save of this record left.
    fn stamp(&mut self, written: Written) {
        self.version = written.version;
        self.created_at = written.created_at;
        self.updated_at = written.updated_at;
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
    /// was loaded, [`DbError::NotFound`] if it was deleted. The record then
    /// holds the new version and time of the save.
    pub async fn save(&mut self, store: &impl Store) -> Result<(), DbError> {
        let data = to_text(&self.value)?;
        let written = store.update_text(T::TABLE, &self.value.key(), &data, Some(self.version)).await?;
        self.stamp(written);
        Ok(())
    }

    /// Saves the changes whatever happened since (last-write-wins). The
    /// record then holds the new version and time of the save (and the
    /// stored creation time: a deleted object saved back is created anew).
    pub async fn save_overwrite(&mut self, store: &impl Store) -> Result<(), DbError> {
        let data = to_text(&self.value)?;
        let written = store.update_text(T::TABLE, &self.value.key(), &data, None).await?;
        self.stamp(written);
        Ok(())
    }

    /// Deletes it.
    pub async fn delete(self, store: &impl Store) -> Result<bool, DbError> {
        T::delete(store, &self.value.key()).await
    }
}

/// The object as the JSON text stored.
fn to_text<T: Persistent>(value: &T) -> Result<String, DbError> {
    serde_json::to_string(value).map_err(|e| DbError::Invalid(format!("cannot serialise a {} object: {e}", T::TABLE)))
}

/// The stored text of `key` decoded into `T`.
fn parse<T: Persistent>(key: &str, data: &str) -> Result<T, DbError> {
    serde_json::from_str(data)
        .map_err(|e| DbError::Invalid(format!("stored {} \"{key}\" does not fit the type: {e}", T::TABLE)))
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
            match store.get_text(Self::TABLE, key).await? {
                Some(row) => Record::from_text(row),
                None => Err(DbError::NotFound { table: Self::TABLE.into(), key: key.into() }),
            }
        }
    }

    /// The object with that key, if any.
    fn find(store: &impl Store, key: &str) -> impl Future<Output = Result<Option<Record<Self>>, DbError>> + Send {
        async move { store.get_text(Self::TABLE, key).await?.map(Record::from_text).transpose() }
    }

    /// The object with that key, if any, without its record (no version,
    /// no times: the row's object alone is read). For a read that will not
    /// be saved back, such as an endpoint returning the object; use
    /// [`Persistent::find`] to update it.
    ///
    /// ```
    /// # #[cfg(feature = "sqlite")]
    /// # tokio::runtime::Runtime::new().unwrap().block_on(async {
    /// use macaron_db::{Db, Persistent};
    /// #[derive(serde::Serialize, serde::Deserialize, Debug, PartialEq)]
    /// struct Note { id: String, text: String }
    /// impl Persistent for Note {
    ///     const TABLE: &'static str = "notes";
    ///     fn key(&self) -> String { self.id.clone() }
    /// }
    /// let db = Db::connect("sqlite::memory:").await.unwrap();
    /// Note { id: "n1".into(), text: "hi".into() }.save(&db).await.unwrap();
    /// assert_eq!(Note::get(&db, "n1").await.unwrap().unwrap().text, "hi");
    /// assert_eq!(Note::get(&db, "n2").await.unwrap(), None);
    /// # });
    /// ```
    fn get(store: &impl Store, key: &str) -> impl Future<Output = Result<Option<Self>, DbError>> + Send {
        async move {
            match store.get_data(Self::TABLE, key).await? {
                Some(data) => parse(key, &data).map(Some),
                None => Ok(None),
            }
        }
    }

    /// Whether an object has that key.
    fn exists(store: &impl Store, key: &str) -> impl Future<Output = Result<bool, DbError>> + Send {
        async move { Ok(store.get_data(Self::TABLE, key).await?.is_some()) }
    }

    /// Deletes the object with that key; false when there was none.
    fn delete(store: &impl Store, key: &str) -> impl Future<Output = Result<bool, DbError>> + Send {
        async move { store.remove(Self::TABLE, key).await }
    }

    /// Objects matching a query.
    fn list(store: &impl Store, query: &ListQuery) -> impl Future<Output = Result<Vec<Record<Self>>, DbError>> + Send {
        async move { store.list_text(Self::TABLE, query).await?.into_iter().map(Record::from_text).collect() }
    }

    /// Stores a new object; [`DbError::Conflict`] if its key is taken (load
    /// the existing one and save that, or use [`Persistent::save_overwrite`]).
    /// The record is the object as stored (decoded from the text written),
    /// at version 1, created and updated at the time of the insert: one
    /// statement, no read back.
    fn save(&self, store: &impl Store) -> impl Future<Output = Result<Record<Self>, DbError>> + Send {
        async move {
            let key = self.key();
            let data = to_text(self)?;
            let written = store.insert_text(Self::TABLE, &key, &data).await?;
            Record::written(&key, &data, written)
        }
    }

    /// Stores the object, replacing any with the same key (last-write-wins).
    /// The record holds the new version, the first save's creation time and
    /// this one's update time (one statement, no read back).
    fn save_overwrite(&self, store: &impl Store) -> impl Future<Output = Result<Record<Self>, DbError>> + Send {
        async move {
            let key = self.key();
            let data = to_text(self)?;
            let written = store.update_text(Self::TABLE, &key, &data, None).await?;
            Record::written(&key, &data, written)
        }
    }
}
