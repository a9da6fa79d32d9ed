//! Secrets: which headers hold them, and hiding them in any text.
//!
//! A crash report, a log line or an error reply may quote a request's
//! token, a cookie, a connection string or a configured secret. Rather than
//! trust every writer to leave them out, every such text passes through
//! [`redact`] with the secrets known at that point (the service's, from its
//! configuration, and the request's own, from its headers), longest first,
//! so a secret that contains another is hidden whole.

use actix_web::http::header::HeaderName;

/// Headers whose values never appear in a report or a log.
const SECRET_HEADERS: [&str; 5] = ["authorization", "cookie", "set-cookie", "proxy-authorization", "x-api-key"];

/// True for a header that may hold a secret.
pub(crate) fn is_secret(name: &HeaderName) -> bool {
    SECRET_HEADERS.contains(&name.as_str())
}

/// A header list with the values of secret headers replaced by `***`.
pub(crate) fn redact_headers(headers: &[(String, String)]) -> Vec<(String, String)> {
    headers
        .iter()
        .map(
            |(k, v)| {
                if SECRET_HEADERS.contains(&k.as_str()) {
                    (k.clone(), "***".into())
                } else {
                    (k.clone(), v.clone())
                }
            },
        )
        .collect()
}

/// The secret values a request carries: its authorization header (and the
/// token in it) and its cookies' values.
pub(crate) fn request_secrets(headers: &[(String, String)]) -> Vec<String> {
    let mut out = Vec::new();
    for (k, v) in headers {
        match k.as_str() {
            "authorization" | "proxy-authorization" | "x-api-key" => {
                out.push(v.clone());
                if let Some((_, token)) = v.split_once(' ') {
                    out.push(token.trim().to_string());
                }
            }
            "cookie" => {
                for c in v.split(';') {
                    if let Some((_, value)) = c.split_once('=') {
                        out.push(value.trim().to_string());
                        let decoded = percent_encoding::percent_decode_str(value.trim()).decode_utf8_lossy();
                        if let Some((_, token)) = decoded.split_once(' ') {
                            out.push(token.to_string());
                        }
                    }
                }
            }
            _ => {}
        }
    }
    out.retain(|s| s.len() >= 4);
    out
}

/// Replaces every secret (of 4 characters or more) in a text by `***`, longest first.
pub(crate) fn redact(text: &str, secrets: &[String]) -> String {
    let mut sorted: Vec<&str> = secrets.iter().map(String::as_str).filter(|s| s.len() >= 4).collect();
    sorted.sort_by_key(|s| std::cmp::Reverse(s.len()));
    sorted.iter().fold(text.to_string(), |acc, s| acc.replace(s, "***"))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn secrets_are_hidden() {
        let headers = vec![
            ("authorization".to_string(), "Bearer abc.def.ghi".to_string()),
            ("cookie".to_string(), "token=Bearer%20xyz.123; theme=dark".to_string()),
            ("accept".to_string(), "*/*".to_string()),
        ];
        let secrets = request_secrets(&headers);
        assert_eq!(redact("got abc.def.ghi and xyz.123 and dark", &secrets), "got *** and *** and ***");
        let hidden = redact_headers(&headers);
        assert_eq!(hidden[0].1, "***");
        assert_eq!(hidden[1].1, "***");
        assert_eq!(hidden[2].1, "*/*");
    }
}
