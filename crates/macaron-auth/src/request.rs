//! Finding the token in a request.

use crate::error::AuthError;

/// The token of a request, from its `Authorization` header or, when there is
/// none, from its `token` cookie (URL-encoded `Bearer <jwt>`). Anything but
/// exactly `Bearer <one token>` is [`AuthError::Invalid`].
///
/// ```
/// use macaron_auth::{token_from_request, AuthError};
/// assert_eq!(token_from_request(None, Some("Bearer%20abc.def.ghi")).unwrap(), "abc.def.ghi");
/// assert!(matches!(token_from_request(Some("Basic dXNlcg=="), None), Err(AuthError::Invalid(_))));
/// ```
pub fn token_from_request(authorization: Option<&str>, token_cookie: Option<&str>) -> Result<String, AuthError> {
    if let Some(header) = authorization {
        return bearer(header, "Authorization header");
    }
    if let Some(cookie) = token_cookie {
        let decoded = percent_encoding::percent_decode_str(cookie)
            .decode_utf8()
            .map_err(|_| AuthError::Invalid("the token cookie is not valid UTF-8 once decoded".into()))?;
        return bearer(&decoded.replace('+', " "), "token cookie");
    }
    Err(AuthError::Missing)
}

fn bearer(value: &str, source: &str) -> Result<String, AuthError> {
    let mut parts = value.split_whitespace();
    match (parts.next(), parts.next(), parts.next()) {
        (Some(scheme), Some(token), None) if scheme.eq_ignore_ascii_case("bearer") => Ok(token.to_string()),
        (Some(scheme), _, _) if !scheme.eq_ignore_ascii_case("bearer") => {
            Err(AuthError::Invalid(format!("the {source} must be `Bearer <token>`, not a {scheme} credential")))
        }
        _ => Err(AuthError::Invalid(format!("the {source} must be `Bearer <token>` with exactly one token"))),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn header_shapes() {
        assert_eq!(token_from_request(Some("Bearer a.b.c"), None).unwrap(), "a.b.c");
        assert_eq!(token_from_request(Some("bearer  a.b.c "), None).unwrap(), "a.b.c");
        for bad in ["Bearer", "Bearer a b", "Basic x", "", "a.b.c"] {
            assert!(matches!(token_from_request(Some(bad), None), Err(AuthError::Invalid(_))), "{bad}");
        }
        // The header wins over the cookie.
        assert!(token_from_request(Some("Basic x"), Some("Bearer%20a.b.c")).is_err());
        assert_eq!(token_from_request(None, Some("Bearer+a.b.c")).unwrap(), "a.b.c");
        assert!(matches!(token_from_request(None, Some("a.b.c")), Err(AuthError::Invalid(_))));
    }
}
