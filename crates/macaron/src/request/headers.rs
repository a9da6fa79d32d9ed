//! A request's headers, as the record keeps them.
//!
//! Most requests never need their headers as text: the HTTP layer reads
//! the few it acts on in one pass. So the record keeps actix's map, moved
//! out of the request rather than copied (its values share the request's
//! buffer), and makes the `(name, value)` list only when something asks
//! for it (a handler's [`crate::Request`], a crash report, authentication).

use std::sync::{Arc, OnceLock};

use actix_web::http::header::HeaderMap;

/// A request's headers.
#[derive(Default)]
pub(crate) struct Headers {
    map: HeaderMap,
    list: OnceLock<Arc<Vec<(String, String)>>>,
    secrets: bool,
}

impl Headers {
    /// The headers of a request; `secrets` tells whether one of them may
    /// hold a secret (see [`crate::secrets::is_secret`]), found by the
    /// caller's own pass.
    pub fn new(map: HeaderMap, secrets: bool) -> Self {
        Headers { map, list: OnceLock::new(), secrets }
    }

    /// The headers as received.
    pub fn map(&self) -> &HeaderMap {
        &self.map
    }

    /// The header map, given back (an empty one left in its place).
    pub fn take_map(&mut self) -> HeaderMap {
        std::mem::take(&mut self.map)
    }

    /// Every header as received, names in lower case, values as text.
    pub fn list(&self) -> &Arc<Vec<(String, String)>> {
        self.list.get_or_init(|| {
            Arc::new(
                self.map
                    .iter()
                    .map(|(k, v)| (k.as_str().to_string(), String::from_utf8_lossy(v.as_bytes()).into_owned()))
                    .collect(),
            )
        })
    }

    /// The first value of a header (name in lower case), as text.
    pub fn get(&self, name: &str) -> Option<String> {
        self.map.get(name).map(|v| String::from_utf8_lossy(v.as_bytes()).into_owned())
    }

    /// True when the request carries a header that may hold a secret.
    pub fn has_secrets(&self) -> bool {
        self.secrets
    }
}
