//! Parameters as they travel: a value written in its OpenAPI `style`.
//!
//! This is the inverse of the server's reading (`inputs::params`): what a
//! [`Param`] writes, a Macaron service declaring the same parameter reads
//! back as the same value. Values are percent-encoded per piece, so a
//! delimiter inside a value (`,` in `a,b` of a `simple` array) is encoded
//! and the delimiters between values are not. A value a style has no way
//! to carry (a `|` inside an item of a `pipeDelimited` array, a `,` inside
//! an item of a header array, a line break in a header) is refused with a
//! 400 `INVALID_PARAMETER` naming the parameter, rather than sent as
//! something else.
//!
//! | location | style | explode | `"a b"` | `["a", "b"]` | `{"r": "1", "g": "2"}` |
//! |---|---|---|---|---|---|
//! | query | form | true | `id=a%20b` | `id=a&id=b` | `r=1&g=2` |
//! | query | form | false | `id=a%20b` | `id=a,b` | `id=r,1,g,2` |
//! | query | spaceDelimited | false | | `id=a%20b` | `id=r%201%20g%202` |
//! | query | pipeDelimited | false | | `id=a%7Cb` | `id=r%7C1%7Cg%7C2` |
//! | query | deepObject | true | | | `id%5Br%5D=1&id%5Bg%5D=2` |
//! | path | simple | false | `a%20b` | `a,b` | `r,1,g,2` |
//! | path | simple | true | `a%20b` | `a,b` | `r=1,g=2` |
//! | path | label | false | `.a%20b` | `.a,b` | `.r,1,g,2` |
//! | path | label | true | `.a%20b` | `.a.b` | `.r=1.g=2` |
//! | path | matrix | false | `;id=a%20b` | `;id=a,b` | `;id=r,1,g,2` |
//! | path | matrix | true | `;id=a%20b` | `;id=a;id=b` | `;r=1;g=2` |
//! | header | simple | false | `a b` | `a,b` | `r,1,g,2` |
//! | header | simple | true | `a b` | `a,b` | `r=1,g=2` |
//! | cookie | form | true | `id=a%20b` | `id=a; id=b` | `r=1; g=2` |
//! | cookie | form | false | `id=a%20b` | `id=a,b` | `id=r,1,g,2` |
//!
//! Header values are not percent-encoded (servers do not decode them):
//! text beyond ASCII is sent as its UTF-8 bytes.

use std::fmt::Write as _;

use percent_encoding::{percent_decode_str, utf8_percent_encode, AsciiSet, CONTROLS, NON_ALPHANUMERIC};
use serde::Serialize;
use serde_json::Value;

use crate::error::codes::InvalidParameter;
use crate::error::Error;

pub use macaron_spec::{ParamLocation, ParamStyle};

/// Everything but RFC 3986's unreserved characters (`A-Z a-z 0-9 - . _ ~`).
const STRICT: &AsciiSet = &NON_ALPHANUMERIC.remove(b'-').remove(b'.').remove(b'_').remove(b'~');
/// [`STRICT`], and `.` (the delimiter of an exploded label).
const STRICT_DOT: &AsciiSet = &NON_ALPHANUMERIC.remove(b'-').remove(b'_').remove(b'~');
/// `allowReserved`: RFC 3986's reserved characters go as they are, except
/// those that would change what the query says: `&` (a new pair), `#` (the
/// end of the URL) and `+` (a space to form decoders).
const RESERVED: &AsciiSet = &CONTROLS
    .add(b' ')
    .add(b'"')
    .add(b'%')
    .add(b'<')
    .add(b'>')
    .add(b'\\')
    .add(b'^')
    .add(b'`')
    .add(b'{')
    .add(b'|')
    .add(b'}')
    .add(b'#')
    .add(b'&')
    .add(b'+');

/// One parameter of an operation, as its spec declares it: name, location,
/// `style`, `explode` and `allowReserved`.
///
/// [`Param::new`] gives the location's defaults (`form` and exploded in
/// the query and cookies, `simple` and not exploded in the path and
/// headers); [`Param::serialize`] shows the text a value becomes, and
/// [`Request::param`](super::Request::param) puts it in a request.
///
/// ```
/// use macaron::client::{Param, ParamLocation, ParamStyle};
///
/// let tags = Param::new("tags", ParamLocation::Query).explode(false);
/// assert_eq!(tags.serialize(&["a b", "c,d"]).unwrap().as_deref(), Some("tags=a%20b,c%2Cd"));
///
/// let id = Param::new("id", ParamLocation::Path).style(ParamStyle::Matrix).explode(true);
/// assert_eq!(id.serialize(&[1, 2]).unwrap().as_deref(), Some(";id=1;id=2"));
///
/// // Nothing is sent for `None`.
/// assert_eq!(tags.serialize(&None::<Vec<String>>).unwrap(), None);
///
/// // A value the style cannot carry is refused, naming the parameter.
/// let pipes = Param::new("ids", ParamLocation::Query).style(ParamStyle::PipeDelimited);
/// let err = pipes.serialize(&["a|b"]).unwrap_err();
/// assert_eq!((err.status, err.code.as_ref()), (400, "INVALID_PARAMETER"));
/// assert!(err.error_description.starts_with("query parameter `ids`"), "{err}");
/// ```
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Param<'a> {
    /// The name on the wire (`X-Trace`, `filter[]`).
    pub name: &'a str,
    /// Where it is sent.
    pub location: ParamLocation,
    /// How its value is written.
    pub style: ParamStyle,
    /// Whether arrays and objects are written as one piece per item.
    pub explode: bool,
    /// Whether a query value keeps RFC 3986's reserved characters
    /// (`:/?@!$'()*,;=[]`) as they are.
    pub allow_reserved: bool,
}

/// The text of a parameter, by location, before it joins a request.
#[derive(Debug)]
pub(crate) enum Wire {
    /// One path segment (or the part of one the parameter fills).
    Path(String),
    /// Query pairs, encoded (`name=value`).
    Query(Vec<String>),
    /// A header value.
    Header(String),
    /// Cookies (`name=value`, encoded).
    Cookie(Vec<String>),
}

/// A value, in the three shapes styles know.
enum Shape {
    Scalar(String),
    Array(Vec<String>),
    /// Properties in order; an array property is one pair per item.
    Object(Vec<(String, String)>),
}

/// A value as text: strings as they are, anything else as JSON.
fn text(value: &Value) -> String {
    match value {
        Value::String(s) => s.clone(),
        other => other.to_string(),
    }
}

fn shape(value: Value) -> Option<Shape> {
    Some(match value {
        Value::Null => return None,
        Value::Array(items) => Shape::Array(items.iter().map(text).collect()),
        Value::Object(properties) => {
            let mut pairs = Vec::with_capacity(properties.len());
            for (key, value) in properties {
                match value {
                    Value::Null => {}
                    Value::Array(items) => pairs.extend(items.iter().map(|item| (key.clone(), text(item)))),
                    other => pairs.push((key, text(&other))),
                }
            }
            Shape::Object(pairs)
        }
        other => Shape::Scalar(text(&other)),
    })
}

fn enc(text: &str, set: &'static AsciiSet) -> String {
    utf8_percent_encode(text, set).to_string()
}

/// Keys and values of an object one after the other (`r,1,g,2`).
fn flat(pairs: &[(String, String)]) -> Vec<&str> {
    pairs.iter().flat_map(|(k, v)| [k.as_str(), v.as_str()]).collect()
}

fn location_name(location: ParamLocation) -> &'static str {
    match location {
        ParamLocation::Path => "path",
        ParamLocation::Query => "query",
        ParamLocation::Header => "header",
        ParamLocation::Cookie => "cookie",
    }
}

impl<'a> Param<'a> {
    /// A parameter with its location's default style and explode: `form`,
    /// exploded, in the query and cookies; `simple`, not exploded, in the
    /// path and headers.
    ///
    /// ```
    /// use macaron::client::{Param, ParamLocation, ParamStyle};
    /// let p = Param::new("limit", ParamLocation::Query);
    /// assert_eq!((p.style, p.explode, p.allow_reserved), (ParamStyle::Form, true, false));
    /// ```
    pub const fn new(name: &'a str, location: ParamLocation) -> Self {
        let style = match location {
            ParamLocation::Query | ParamLocation::Cookie => ParamStyle::Form,
            ParamLocation::Path | ParamLocation::Header => ParamStyle::Simple,
        };
        Param { name, location, style, explode: matches!(style, ParamStyle::Form), allow_reserved: false }
    }

    /// A path parameter, `simple` and not exploded: `Param::new(name, ParamLocation::Path)`.
    ///
    /// ```
    /// use macaron::client::Param;
    /// assert_eq!(Param::path("id").serialize("a/b").unwrap().as_deref(), Some("a%2Fb"));
    /// ```
    pub const fn path(name: &'a str) -> Self {
        Param::new(name, ParamLocation::Path)
    }

    /// A query parameter, `form` and exploded.
    ///
    /// ```
    /// use macaron::client::Param;
    /// assert_eq!(Param::query("id").serialize(&[1, 2]).unwrap().as_deref(), Some("id=1&id=2"));
    /// ```
    pub const fn query(name: &'a str) -> Self {
        Param::new(name, ParamLocation::Query)
    }

    /// A header parameter, `simple` and not exploded.
    ///
    /// ```
    /// use macaron::client::Param;
    /// assert_eq!(Param::header("X-Ids").serialize(&[1, 2]).unwrap().as_deref(), Some("1,2"));
    /// ```
    pub const fn header(name: &'a str) -> Self {
        Param::new(name, ParamLocation::Header)
    }

    /// A cookie parameter, `form` and exploded.
    ///
    /// ```
    /// use macaron::client::Param;
    /// assert_eq!(Param::cookie("ids").serialize(&[1, 2]).unwrap().as_deref(), Some("ids=1; ids=2"));
    /// ```
    pub const fn cookie(name: &'a str) -> Self {
        Param::new(name, ParamLocation::Cookie)
    }

    /// The style, and that style's default explode (true for `form`,
    /// false otherwise, as OpenAPI says): set [`Param::explode`] after it.
    /// (`deepObject` is written the same either way.)
    ///
    /// ```
    /// use macaron::client::{Param, ParamLocation, ParamStyle};
    /// let p = Param::new("color", ParamLocation::Query).style(ParamStyle::PipeDelimited);
    /// assert!(!p.explode);
    /// ```
    pub const fn style(mut self, style: ParamStyle) -> Self {
        self.style = style;
        self.explode = matches!(style, ParamStyle::Form);
        self
    }

    /// Whether arrays and objects are written one piece per item.
    ///
    /// ```
    /// use macaron::client::{Param, ParamLocation};
    /// let p = Param::new("id", ParamLocation::Query).explode(false);
    /// assert_eq!(p.serialize(&[3, 4]).unwrap().as_deref(), Some("id=3,4"));
    /// ```
    pub const fn explode(mut self, explode: bool) -> Self {
        self.explode = explode;
        self
    }

    /// Whether a query value keeps RFC 3986's reserved characters as they
    /// are (`&`, `#` and `+` are still encoded: they would change what the
    /// query says).
    ///
    /// ```
    /// use macaron::client::{Param, ParamLocation};
    /// let p = Param::new("next", ParamLocation::Query).allow_reserved(true);
    /// assert_eq!(p.serialize("/a/b?c=d&e").unwrap().as_deref(), Some("next=/a/b?c=d%26e"));
    /// ```
    pub const fn allow_reserved(mut self, allow: bool) -> Self {
        self.allow_reserved = allow;
        self
    }

    /// The text `value` is sent as: for the path, what fills the
    /// parameter's place (`.a.b`); for the query, the pairs joined with `&`
    /// (`id=1&id=2`); for a header, its value; for cookies, the cookies
    /// joined with `; `. `None` (or JSON `null`) sends nothing.
    ///
    /// ```
    /// use macaron::client::{Param, ParamLocation, ParamStyle};
    /// use std::collections::BTreeMap;
    ///
    /// let color = BTreeMap::from([("g", 200), ("r", 100)]);
    /// let deep = Param::new("color", ParamLocation::Query).style(ParamStyle::DeepObject);
    /// assert_eq!(deep.serialize(&color).unwrap().as_deref(), Some("color%5Bg%5D=200&color%5Br%5D=100"));
    /// let label = Param::new("color", ParamLocation::Path).style(ParamStyle::Label).explode(true);
    /// assert_eq!(label.serialize(&color).unwrap().as_deref(), Some(".g=200.r=100"));
    /// let header = Param::new("X-Color", ParamLocation::Header);
    /// assert_eq!(header.serialize(&color).unwrap().as_deref(), Some("g,200,r,100"));
    /// ```
    pub fn serialize<T: Serialize + ?Sized>(&self, value: &T) -> Result<Option<String>, Error> {
        Ok(self.wire(value)?.map(|wire| match wire {
            Wire::Path(text) | Wire::Header(text) => text,
            Wire::Query(pairs) => pairs.join("&"),
            Wire::Cookie(cookies) => cookies.join("; "),
        }))
    }

    /// The value's text by location; `None` when nothing is sent.
    pub(crate) fn wire<T: Serialize + ?Sized>(&self, value: &T) -> Result<Option<Wire>, Error> {
        let value = serde_json::to_value(value).map_err(|e| self.refuse(format!("cannot be written as JSON: {e}")))?;
        let Some(shape) = shape(value) else { return Ok(None) };
        Ok(Some(match self.location {
            ParamLocation::Path => Wire::Path(self.path_text(shape)?),
            ParamLocation::Query => Wire::Query(self.query_pairs(shape)?),
            ParamLocation::Header => Wire::Header(self.header_value(shape)?),
            ParamLocation::Cookie => Wire::Cookie(self.cookie_pairs(shape)),
        }))
    }

    fn refuse(&self, problem: impl std::fmt::Display) -> Error {
        InvalidParameter::new(format!("{} parameter `{}`: {problem}", location_name(self.location), self.name))
    }

    /// Refuses an item containing a delimiter its style cannot escape.
    fn no_delimiter<'t>(&self, items: impl IntoIterator<Item = &'t str>, delimiters: &str) -> Result<(), Error> {
        for item in items {
            if let Some(d) = item.chars().find(|c| delimiters.contains(*c)) {
                return Err(self.refuse(format!(
                    "the item {item:?} contains {d:?}, which style {:?} has no way to escape",
                    self.style
                )));
            }
        }
        Ok(())
    }

    fn path_text(&self, shape: Shape) -> Result<String, Error> {
        let name = enc(self.name, STRICT);
        let joined = |items: &[&str], set, delimiter: &str| {
            items.iter().map(|i| enc(i, set)).collect::<Vec<_>>().join(delimiter)
        };
        let pairs = |pairs: &[(String, String)], set, delimiter: &str| {
            pairs.iter().map(|(k, v)| format!("{}={}", enc(k, set), enc(v, set))).collect::<Vec<_>>().join(delimiter)
        };
        let segment = match (self.style, shape) {
            (ParamStyle::Label, Shape::Scalar(v)) => format!(".{}", enc(&v, STRICT)),
            (ParamStyle::Label, Shape::Array(items)) => {
                let items: Vec<&str> = items.iter().map(String::as_str).collect();
                match self.explode {
                    true => format!(".{}", joined(&items, STRICT_DOT, ".")),
                    false => format!(".{}", joined(&items, STRICT, ",")),
                }
            }
            (ParamStyle::Label, Shape::Object(props)) => match self.explode {
                true => format!(".{}", pairs(&props, STRICT_DOT, ".")),
                false => format!(".{}", joined(&flat(&props), STRICT, ",")),
            },
            (ParamStyle::Matrix, Shape::Scalar(v)) => format!(";{name}={}", enc(&v, STRICT)),
            (ParamStyle::Matrix, Shape::Array(items)) => match self.explode {
                true => items.iter().fold(String::new(), |mut out, item| {
                    let _ = write!(out, ";{name}={}", enc(item, STRICT));
                    out
                }),
                false => {
                    let items: Vec<&str> = items.iter().map(String::as_str).collect();
                    format!(";{name}={}", joined(&items, STRICT, ","))
                }
            },
            (ParamStyle::Matrix, Shape::Object(props)) => match self.explode {
                true => format!(";{}", pairs(&props, STRICT, ";")),
                false => format!(";{name}={}", joined(&flat(&props), STRICT, ",")),
            },
            // Simple, and what the server reads as simple.
            (_, Shape::Scalar(v)) => enc(&v, STRICT),
            (_, Shape::Array(items)) => {
                let items: Vec<&str> = items.iter().map(String::as_str).collect();
                joined(&items, STRICT, ",")
            }
            (_, Shape::Object(props)) => match self.explode {
                true => pairs(&props, STRICT, ","),
                false => joined(&flat(&props), STRICT, ","),
            },
        };
        // URL parsers remove the segments `.` and `..` (and their encodings).
        let decoded = percent_decode_str(&segment).decode_utf8_lossy();
        if decoded == "." || decoded == ".." {
            return Err(self.refuse(format!("{segment:?} would be read as a relative path segment")));
        }
        Ok(segment)
    }

    fn query_pairs(&self, shape: Shape) -> Result<Vec<String>, Error> {
        let set = if self.allow_reserved { RESERVED } else { STRICT };
        let name = enc(self.name, STRICT);
        let one = |text: &str| format!("{name}={}", enc(text, set));
        let delimited = |items: &[&str], delimiter: &str| {
            format!("{name}={}", items.iter().map(|i| enc(i, set)).collect::<Vec<_>>().join(delimiter))
        };
        let exploded_form = |shape: Shape| match shape {
            Shape::Scalar(v) => vec![one(&v)],
            Shape::Array(items) => items.iter().map(|i| one(i)).collect(),
            Shape::Object(props) => props.iter().map(|(k, v)| format!("{}={}", enc(k, STRICT), enc(v, set))).collect(),
        };
        Ok(match (self.style, shape) {
            (ParamStyle::DeepObject, Shape::Object(props)) => props
                .iter()
                .map(|(k, v)| format!("{}={}", enc(&format!("{}[{k}]", self.name), STRICT), enc(v, set)))
                .collect(),
            (_, Shape::Scalar(v)) => vec![one(&v)],
            (_, shape) if self.explode => exploded_form(shape),
            (ParamStyle::SpaceDelimited | ParamStyle::PipeDelimited | ParamStyle::TabDelimited, shape) => {
                let (delimiter, encoded) = match self.style {
                    ParamStyle::SpaceDelimited => (" ", "%20"),
                    ParamStyle::PipeDelimited => ("|", "%7C"),
                    _ => ("\t", "%09"),
                };
                let items: Vec<&str> = match &shape {
                    Shape::Array(items) => items.iter().map(String::as_str).collect(),
                    Shape::Object(props) => flat(props),
                    Shape::Scalar(_) => Vec::new(),
                };
                self.no_delimiter(items.iter().copied(), delimiter)?;
                vec![delimited(&items, encoded)]
            }
            (_, Shape::Array(items)) => {
                let items: Vec<&str> = items.iter().map(String::as_str).collect();
                vec![delimited(&items, ",")]
            }
            (_, Shape::Object(props)) => vec![delimited(&flat(&props), ",")],
        })
    }

    fn header_value(&self, shape: Shape) -> Result<String, Error> {
        let value = match shape {
            Shape::Scalar(v) => v,
            Shape::Array(items) => {
                self.no_delimiter(items.iter().map(String::as_str), ",")?;
                items.join(",")
            }
            Shape::Object(props) if self.explode => {
                self.no_delimiter(props.iter().map(|(k, _)| k.as_str()), ",=")?;
                self.no_delimiter(props.iter().map(|(_, v)| v.as_str()), ",")?;
                props.iter().map(|(k, v)| format!("{k}={v}")).collect::<Vec<_>>().join(",")
            }
            Shape::Object(props) => {
                let items = flat(&props);
                self.no_delimiter(items.iter().copied(), ",")?;
                items.join(",")
            }
        };
        if value.chars().any(|c| (c.is_control() && c != '\t') || c == '\u{7f}') {
            return Err(self.refuse("a header value cannot hold control characters (line breaks included)"));
        }
        if value.starts_with([' ', '\t']) || value.ends_with([' ', '\t']) {
            return Err(self.refuse("a header value cannot start or end with white space (HTTP drops it)"));
        }
        Ok(value)
    }

    fn cookie_pairs(&self, shape: Shape) -> Vec<String> {
        let one = |name: &str, text: &str| format!("{name}={}", enc(text, STRICT));
        let joined = |items: &[&str]| items.iter().map(|i| enc(i, STRICT)).collect::<Vec<_>>().join(",");
        match shape {
            Shape::Scalar(v) => vec![one(self.name, &v)],
            Shape::Array(items) if self.explode => items.iter().map(|i| one(self.name, i)).collect(),
            Shape::Array(items) => {
                let items: Vec<&str> = items.iter().map(String::as_str).collect();
                vec![format!("{}={}", self.name, joined(&items))]
            }
            Shape::Object(props) if self.explode => props.iter().map(|(k, v)| one(k, v)).collect(),
            Shape::Object(props) => vec![format!("{}={}", self.name, joined(&flat(&props)))],
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    fn sent(param: Param<'_>, value: Value) -> String {
        param.serialize(&value).unwrap().unwrap()
    }

    /// OpenAPI's style examples (`color`: `"blue"`, `["blue", "black",
    /// "brown"]`, `{"R": 100, "G": 200, "B": 150}`), with RFC 6570's `,`
    /// for an unexploded label (as OpenAPI 3.1.1 corrected the table).
    #[test]
    fn the_style_examples_of_the_openapi_specification() {
        let (s, a, o) = (json!("blue"), json!(["blue", "black", "brown"]), json!({"R": 100, "G": 200, "B": 150}));
        let cases: [(ParamLocation, ParamStyle, bool, [&str; 3]); 12] = [
            (
                ParamLocation::Path,
                ParamStyle::Matrix,
                false,
                [";color=blue", ";color=blue,black,brown", ";color=R,100,G,200,B,150"],
            ),
            (
                ParamLocation::Path,
                ParamStyle::Matrix,
                true,
                [";color=blue", ";color=blue;color=black;color=brown", ";R=100;G=200;B=150"],
            ),
            (ParamLocation::Path, ParamStyle::Label, false, [".blue", ".blue,black,brown", ".R,100,G,200,B,150"]),
            (ParamLocation::Path, ParamStyle::Label, true, [".blue", ".blue.black.brown", ".R=100.G=200.B=150"]),
            (
                ParamLocation::Query,
                ParamStyle::Form,
                false,
                ["color=blue", "color=blue,black,brown", "color=R,100,G,200,B,150"],
            ),
            (
                ParamLocation::Query,
                ParamStyle::Form,
                true,
                ["color=blue", "color=blue&color=black&color=brown", "R=100&G=200&B=150"],
            ),
            (ParamLocation::Path, ParamStyle::Simple, false, ["blue", "blue,black,brown", "R,100,G,200,B,150"]),
            (ParamLocation::Path, ParamStyle::Simple, true, ["blue", "blue,black,brown", "R=100,G=200,B=150"]),
            (ParamLocation::Header, ParamStyle::Simple, true, ["blue", "blue,black,brown", "R=100,G=200,B=150"]),
            (
                ParamLocation::Query,
                ParamStyle::SpaceDelimited,
                false,
                ["color=blue", "color=blue%20black%20brown", "color=R%20100%20G%20200%20B%20150"],
            ),
            (
                ParamLocation::Query,
                ParamStyle::PipeDelimited,
                false,
                ["color=blue", "color=blue%7Cblack%7Cbrown", "color=R%7C100%7CG%7C200%7CB%7C150"],
            ),
            (
                ParamLocation::Cookie,
                ParamStyle::Form,
                false,
                ["color=blue", "color=blue,black,brown", "color=R,100,G,200,B,150"],
            ),
        ];
        for (location, style, explode, [scalar, array, object]) in cases {
            let p = Param::new("color", location).style(style).explode(explode);
            assert_eq!(sent(p, s.clone()), scalar, "{p:?}");
            assert_eq!(sent(p, a.clone()), array, "{p:?}");
            assert_eq!(sent(p, o.clone()), object, "{p:?}");
        }
        let deep = Param::new("color", ParamLocation::Query).style(ParamStyle::DeepObject);
        assert_eq!(sent(deep, o), "color%5BR%5D=100&color%5BG%5D=200&color%5BB%5D=150");
    }

    #[test]
    fn delimiters_inside_values_are_encoded() {
        let path = |style, explode| Param::new("id", ParamLocation::Path).style(style).explode(explode);
        assert_eq!(sent(path(ParamStyle::Simple, false), json!(["a,b", "c/d"])), "a%2Cb,c%2Fd");
        assert_eq!(sent(path(ParamStyle::Label, true), json!(["a.b", "c"])), ".a%2Eb.c");
        assert_eq!(sent(path(ParamStyle::Label, false), json!(["a.b", "c"])), ".a.b,c");
        assert_eq!(sent(path(ParamStyle::Matrix, true), json!({"k;=": "v;="})), ";k%3B%3D=v%3B%3D");
        let query = Param::new("q", ParamLocation::Query);
        assert_eq!(sent(query, json!("a b&c=d+e#f/g?h é")), "q=a%20b%26c%3Dd%2Be%23f%2Fg%3Fh%20%C3%A9");
        assert_eq!(sent(query.explode(false), json!(["a,b", "c"])), "q=a%2Cb,c");
        let cookie = Param::new("c", ParamLocation::Cookie);
        assert_eq!(sent(cookie, json!("a; b,c")), "c=a%3B%20b%2Cc");
        let header = Param::new("X-H", ParamLocation::Header);
        assert_eq!(sent(header, json!("a b; ü/é")), "a b; ü/é");
    }

    #[test]
    fn values_a_style_cannot_carry_are_refused() {
        let header = Param::new("X-H", ParamLocation::Header);
        for value in [json!(["a,b"]), json!("a\r\nb"), json!(" a"), json!({"k=": "v"})] {
            let err = header.explode(true).serialize(&value).unwrap_err();
            assert_eq!(err.status, 400, "{value}");
            assert!(err.error_description.starts_with("header parameter `X-H`: "), "{err}");
        }
        let space = Param::new("s", ParamLocation::Query).style(ParamStyle::SpaceDelimited);
        assert!(space.serialize(&["a b"]).is_err());
        let dot = Param::new("p", ParamLocation::Path);
        assert!(dot.serialize("..").is_err() && dot.serialize(".").is_err());
        assert_eq!(dot.serialize("...").unwrap().as_deref(), Some("..."));
    }

    #[test]
    fn nothing_empty_and_nested() {
        let q = Param::new("q", ParamLocation::Query);
        assert_eq!(q.serialize(&Value::Null).unwrap(), None);
        assert_eq!(q.serialize(&Vec::<i32>::new()).unwrap().as_deref(), Some(""));
        assert_eq!(q.explode(false).serialize(&Vec::<i32>::new()).unwrap().as_deref(), Some("q="));
        // An array property: one pair per item; a null property: none.
        let deep = q.style(ParamStyle::DeepObject);
        assert_eq!(sent(deep, json!({"t": ["a", "b"], "n": null})), "q%5Bt%5D=a&q%5Bt%5D=b");
        assert_eq!(sent(q, json!([true, 1.5])), "q=true&q=1.5");
    }
}
