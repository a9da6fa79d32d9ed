//! `multipart/form-data` bodies: text fields typed by the schema, files kept.
//!
//! The body is already read whole (within the size limit) when this runs:
//! actix's multipart reader parses it from memory. Text fields are coerced
//! to their schema's types like query parameters; parts with a file name
//! are files, handed to the handler as they came.

use actix_web::http::header::HeaderMap;
use actix_web::web::Bytes;
#[cfg(feature = "multipart")]
use futures_util::StreamExt;
#[cfg(feature = "multipart")]
use serde_json::Map;
use serde_json::Value;

#[cfg(feature = "multipart")]
use super::coerce;
#[cfg(feature = "multipart")]
use crate::error::codes::InvalidParameter;
use crate::error::Result;
#[cfg(feature = "multipart")]
use crate::handler::FilePart;
use crate::handler::Multipart;
use crate::schema::LoadedApi;

/// Without the feature `multipart` no operation taking such a body starts
/// (the binding says which and why), so this is never reached.
#[cfg(not(feature = "multipart"))]
pub(crate) async fn read(_api: &LoadedApi, _schema: &Value, _headers: &HeaderMap, _bytes: Bytes) -> Result<Multipart> {
    Err(crate::error::codes::UnsupportedMediaType::new(
        "multipart/form-data: this service is built without macaron's feature \"multipart\"",
    ))
}

/// Reads a multipart body into its fields and files.
#[cfg(feature = "multipart")]
pub(crate) async fn read(api: &LoadedApi, schema: &Value, headers: &HeaderMap, bytes: Bytes) -> Result<Multipart> {
    let malformed = |e: &dyn std::fmt::Display| InvalidParameter::new(format!("body: malformed multipart: {e}"));
    let stream = futures_util::stream::once(async move { Ok::<_, actix_web::error::PayloadError>(bytes) });
    let mut parts = actix_multipart::Multipart::new(headers, stream);
    let mut texts: Vec<(String, String)> = Vec::new();
    let mut files = Vec::new();
    while let Some(field) = parts.next().await {
        let mut field = field.map_err(|e| malformed(&e))?;
        let name = field.name().unwrap_or_default().to_string();
        let filename = field.content_disposition().and_then(|cd| cd.get_filename()).map(str::to_string);
        let content_type = field.content_type().map(|m| m.to_string());
        let mut content = Vec::new();
        while let Some(chunk) = field.next().await {
            content.extend_from_slice(&chunk.map_err(|e| malformed(&e))?);
        }
        if filename.is_some() {
            files.push(FilePart { name, filename, content_type, bytes: Bytes::from(content) });
        } else {
            texts.push((name, String::from_utf8_lossy(&content).into_owned()));
        }
    }
    let fields = match coerce::object(&api.spec, schema, &texts) {
        Value::Object(map) => map,
        _ => Map::new(),
    };
    Ok(Multipart { fields, files })
}
