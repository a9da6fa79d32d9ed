//! The string formats the built-in validator checks (`format` is checked,
//! not only an annotation, as the `json-schema` feature's validator does);
//! a format it does not know (`int32` is turned into bounds before, `byte`,
//! `password`, ...) checks nothing, as JSON Schema says.

use std::net::{Ipv4Addr, Ipv6Addr};

/// A checked string format.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Format {
    Date,
    DateTime,
    Time,
    Duration,
    Email,
    Hostname,
    Ipv4,
    Ipv6,
    Uri,
    UriReference,
    Uuid,
    JsonPointer,
}

impl Format {
    /// The format a `format` keyword names, if this validator checks it.
    pub fn named(name: &str) -> Option<Format> {
        Some(match name {
            "date" => Format::Date,
            "date-time" => Format::DateTime,
            "time" => Format::Time,
            "duration" => Format::Duration,
            "email" | "idn-email" => Format::Email,
            "hostname" | "idn-hostname" => Format::Hostname,
            "ipv4" => Format::Ipv4,
            "ipv6" => Format::Ipv6,
            "uri" | "iri" => Format::Uri,
            "uri-reference" | "iri-reference" => Format::UriReference,
            "uuid" => Format::Uuid,
            "json-pointer" => Format::JsonPointer,
            _ => return None,
        })
    }

    /// The name messages give (`"x" is not a "date"`).
    pub fn name(self) -> &'static str {
        match self {
            Format::Date => "date",
            Format::DateTime => "date-time",
            Format::Time => "time",
            Format::Duration => "duration",
            Format::Email => "email",
            Format::Hostname => "hostname",
            Format::Ipv4 => "ipv4",
            Format::Ipv6 => "ipv6",
            Format::Uri => "uri",
            Format::UriReference => "uri-reference",
            Format::Uuid => "uuid",
            Format::JsonPointer => "json-pointer",
        }
    }

    /// Whether `s` is written in this format.
    pub fn accepts(self, s: &str) -> bool {
        match self {
            Format::Date => date(s),
            Format::DateTime => s.split_once(['T', 't']).is_some_and(|(d, t)| date(d) && time(t)),
            Format::Time => time(s),
            Format::Duration => duration(s),
            Format::Email => email(s),
            Format::Hostname => hostname(s),
            Format::Ipv4 => s.parse::<Ipv4Addr>().is_ok(),
            Format::Ipv6 => s.parse::<Ipv6Addr>().is_ok(),
            Format::Uri => uri(s),
            Format::UriReference => uri_characters(s),
            Format::Uuid => uuid(s),
            Format::JsonPointer => {
                (s.is_empty() || s.starts_with('/')) && s.split('~').skip(1).all(|r| r.starts_with(['0', '1']))
            }
        }
    }
}

/// `digits` ASCII digits, as a number.
fn digits(s: &str, count: usize) -> Option<u32> {
    (s.len() == count && s.bytes().all(|b| b.is_ascii_digit())).then(|| s.parse().ok())?
}

/// RFC 3339 `full-date`: `2024-02-29`.
fn date(s: &str) -> bool {
    let b = s.as_bytes();
    if b.len() != 10 || b[4] != b'-' || b[7] != b'-' {
        return false;
    }
    let (Some(year), Some(month), Some(day)) = (digits(&s[..4], 4), digits(&s[5..7], 2), digits(&s[8..], 2)) else {
        return false;
    };
    let leap = year % 4 == 0 && (year % 100 != 0 || year % 400 == 0);
    let days = match month {
        1 | 3 | 5 | 7 | 8 | 10 | 12 => 31,
        4 | 6 | 9 | 11 => 30,
        2 if leap => 29,
        2 => 28,
        _ => return false,
    };
    (1..=days).contains(&day)
}

/// RFC 3339 `full-time`: `23:59:60.5+01:00`, `12:00:00Z`.
fn time(s: &str) -> bool {
    let b = s.as_bytes();
    if b.len() < 9 || b[2] != b':' || b[5] != b':' || !s.is_char_boundary(8) {
        return false;
    }
    let (Some(hour), Some(minute), Some(second)) = (digits(&s[..2], 2), digits(&s[3..5], 2), digits(&s[6..8], 2))
    else {
        return false;
    };
    if hour > 23 || minute > 59 || second > 60 {
        return false;
    }
    let mut rest = &s[8..];
    if let Some(fraction) = rest.strip_prefix('.') {
        let end = fraction.find(|c: char| !c.is_ascii_digit()).unwrap_or(fraction.len());
        if end == 0 {
            return false;
        }
        rest = &fraction[end..];
    }
    let offset_minutes = match rest {
        "Z" | "z" => 0,
        _ => {
            let ob = rest.as_bytes();
            if ob.len() != 6 || !matches!(ob[0], b'+' | b'-') || ob[3] != b':' {
                return false;
            }
            let (Some(h), Some(m)) = (digits(&rest[1..3], 2), digits(&rest[4..], 2)) else { return false };
            if h > 23 || m > 59 {
                return false;
            }
            let sign = if ob[0] == b'+' { 1 } else { -1 };
            sign * i64::from(h * 60 + m)
        }
    };
    // A leap second is 23:59:60 in UTC only.
    second < 60 || (i64::from(hour * 60 + minute) - offset_minutes).rem_euclid(24 * 60) == 23 * 60 + 59
}

/// ISO 8601 durations as JSON Schema reads them: `P3D`, `PT1H30M`, `P2W`.
fn duration(s: &str) -> bool {
    let Some(rest) = s.strip_prefix('P') else { return false };
    let (date, time) = match rest.split_once('T') {
        Some((d, t)) => (d, Some(t)),
        None => (rest, None),
    };
    let units = |part: &str, allowed: &str| -> Option<usize> {
        let mut order = 0;
        let mut count = 0;
        let mut number = false;
        for c in part.chars() {
            if c.is_ascii_digit() {
                number = true;
            } else {
                let at = allowed.find(c)?;
                if !number || at < order {
                    return None;
                }
                order = at + 1;
                count += 1;
                number = false;
            }
        }
        (!number).then_some(count)
    };
    if date.contains('W') {
        return time.is_none() && date.len() > 1 && units(date, "W") == Some(1);
    }
    match (units(date, "YMD"), time.map(|t| units(t, "HMS"))) {
        (Some(_), Some(Some(t))) => t > 0,
        (Some(d), None) => d > 0,
        _ => false,
    }
}

/// `local@domain`, the domain a host name or an address in brackets.
fn email(s: &str) -> bool {
    let Some((local, domain)) = s.rsplit_once('@') else { return false };
    let local_ok = if let Some(quoted) = local.strip_prefix('"').and_then(|l| l.strip_suffix('"')) {
        !quoted.is_empty()
    } else {
        !local.is_empty()
            && !local.starts_with('.')
            && !local.ends_with('.')
            && !local.contains("..")
            && local.chars().all(|c| !c.is_whitespace() && !c.is_control() && !"()<>[]:;@\\,\"".contains(c))
    };
    let domain_ok = match domain.strip_prefix('[').and_then(|d| d.strip_suffix(']')) {
        Some(literal) => match literal.strip_prefix("IPv6:") {
            Some(v6) => v6.parse::<Ipv6Addr>().is_ok(),
            None => literal.parse::<Ipv4Addr>().is_ok(),
        },
        None => hostname(domain),
    };
    local.len() <= 64 && local_ok && domain_ok
}

/// RFC 1123 host names (letters beyond ASCII accepted, for `idn-hostname`).
fn hostname(s: &str) -> bool {
    let s = s.strip_suffix('.').unwrap_or(s);
    !s.is_empty()
        && s.len() <= 253
        && s.split('.').all(|label| {
            !label.is_empty()
                && label.len() <= 63
                && !label.starts_with('-')
                && !label.ends_with('-')
                && label.chars().all(|c| c.is_alphanumeric() || c == '-')
        })
}

/// An absolute URI: a scheme, `:`, then characters a URI may hold.
fn uri(s: &str) -> bool {
    let Some((scheme, _)) = s.split_once(':') else { return false };
    let mut chars = scheme.chars();
    chars.next().is_some_and(|c| c.is_ascii_alphabetic())
        && chars.all(|c| c.is_ascii_alphanumeric() || "+-.".contains(c))
        && uri_characters(s)
}

/// No spaces, controls or characters RFC 3986 excludes; `%` followed by two hex digits.
fn uri_characters(s: &str) -> bool {
    let b = s.as_bytes();
    let mut i = 0;
    while i < b.len() {
        match b[i] {
            b'%' => {
                if !(b.get(i + 1).is_some_and(u8::is_ascii_hexdigit) && b.get(i + 2).is_some_and(u8::is_ascii_hexdigit))
                {
                    return false;
                }
                i += 3;
                continue;
            }
            b' ' | b'"' | b'<' | b'>' | b'\\' | b'^' | b'`' | b'{' | b'|' | b'}' => return false,
            c if c.is_ascii_control() => return false,
            _ => {}
        }
        i += 1;
    }
    true
}

/// `8-4-4-4-12` hexadecimal digits.
fn uuid(s: &str) -> bool {
    let b = s.as_bytes();
    b.len() == 36
        && b.iter()
            .enumerate()
            .all(|(i, c)| if matches!(i, 8 | 13 | 18 | 23) { *c == b'-' } else { c.is_ascii_hexdigit() })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn formats_accept_and_refuse() {
        let cases: [(Format, &[&str], &[&str]); 9] = [
            (Format::Date, &["2024-02-29", "1999-12-31"], &["2023-02-29", "2024-13-01", "2024-1-01", "20240101"]),
            (
                Format::DateTime,
                &["2024-01-01T12:00:00Z", "2024-01-01t12:00:00.123+01:00", "1998-12-31T23:59:60Z"],
                &["2024-01-01 12:00:00Z", "2024-01-01T12:00:00", "2024-01-01T25:00:00Z", "1998-12-31T22:59:60Z"],
            ),
            (Format::Time, &["08:30:06Z", "23:59:60+00:00"], &["08:30:06", "8:30:06Z", "08:30:06.Z"]),
            (Format::Duration, &["P3D", "PT1H30M", "P2W", "P1Y2M3DT4H5M6S"], &["P", "PT", "P1D2Y", "P1W2D", "3D"]),
            (
                Format::Email,
                &["a@b.co", "first.last@example.com", "x@[127.0.0.1]"],
                &["a", "@b.co", "a@", "a b@c.d", "a..b@c.d"],
            ),
            (Format::Hostname, &["example.com", "a-b.c", "localhost"], &["-a.com", "a..b", "a_b.com", ""]),
            (
                Format::Uri,
                &["https://example.com/a?b=c#d", "urn:isbn:0451450523"],
                &["/relative", "http://a b", "1http://x"],
            ),
            (Format::Uuid, &["123e4567-e89b-12d3-a456-426614174000"], &["nope", "123e4567e89b12d3a456426614174000"]),
            (Format::JsonPointer, &["", "/a/b~0c~1d"], &["a", "/a~2"]),
        ];
        for (format, good, bad) in cases {
            for s in good {
                assert!(format.accepts(s), "{} should accept {s:?}", format.name());
            }
            for s in bad {
                assert!(!format.accepts(s), "{} should refuse {s:?}", format.name());
            }
        }
        assert!(Format::Ipv4.accepts("10.0.0.1") && !Format::Ipv4.accepts("256.0.0.1"));
        assert!(Format::Ipv6.accepts("::1") && !Format::Ipv6.accepts("12345::"));
        assert_eq!(Format::named("int32"), None);
    }
}
