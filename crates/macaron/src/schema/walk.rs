//! The built-in validator's second stage: a document walked against a
//! compiled schema, where it stands on its tape.
//!
//! The walk stops at the first failing keyword. Subschemas whose failures
//! are not reported as such (`anyOf`, `oneOf`, `not`, `if`, `contains`)
//! are walked without building a message; the path to the failing value is
//! kept as borrowed names and indices and written out only on failure.

use std::cmp::Ordering;
use std::fmt::Write as _;

use macaron_tape::{Node, Shape};
use serde_json::{Number, Value};

use super::keywords::{types, Additional, Check, Compiled, Id, Properties};

/// How deep `$ref`s and subschemas may go on one value before the walk
/// gives up (a schema such as `A: {allOf: [$ref: A]}` never ends).
const MAX_DEPTH: u32 = 256;

/// A failed check: where in the document, and why.
#[derive(Debug, PartialEq)]
pub(crate) struct Failure {
    /// A JSON pointer into the document, empty for the top.
    pub pointer: String,
    pub message: String,
}

/// One step of the path to the value being checked.
#[derive(Clone, Copy)]
enum Step<'a> {
    Name(&'a str),
    Index(usize),
}

/// A failure, with its message when the walk explains.
type Outcome = Result<(), Option<Failure>>;

/// Checks `node` against schema `id`: the first failure, if any.
pub(crate) fn first_failure(compiled: &Compiled, id: Id, node: Node<'_>) -> Option<Failure> {
    let mut walk = Walk { compiled, explain: true, path: Vec::new(), depth: 0 };
    walk.check(id, node)
        .err()
        .map(|f| f.unwrap_or_else(|| Failure { pointer: String::new(), message: "the value is not valid".to_string() }))
}

struct Walk<'c, 'a> {
    compiled: &'c Compiled,
    explain: bool,
    path: Vec<Step<'a>>,
    depth: u32,
}

impl<'a> Walk<'_, 'a> {
    fn fail(&self, message: impl FnOnce() -> String) -> Outcome {
        if !self.explain {
            return Err(None);
        }
        let mut pointer = String::new();
        for step in &self.path {
            pointer.push('/');
            match step {
                Step::Name(name) => pointer.push_str(&name.replace('~', "~0").replace('/', "~1")),
                Step::Index(n) => {
                    let _ = write!(pointer, "{n}");
                }
            }
        }
        Err(Some(Failure { pointer, message: message() }))
    }

    /// Whether `node` is valid against `id`, with no message built.
    fn is_valid(&mut self, id: Id, node: Node<'a>) -> bool {
        let explain = std::mem::replace(&mut self.explain, false);
        let valid = self.check(id, node).is_ok();
        self.explain = explain;
        valid
    }

    fn at<T>(&mut self, step: Step<'a>, f: impl FnOnce(&mut Self) -> T) -> T {
        self.path.push(step);
        let out = f(self);
        self.path.pop();
        out
    }

    fn check(&mut self, id: Id, node: Node<'a>) -> Outcome {
        if self.depth >= MAX_DEPTH {
            return self.fail(|| "the schema nests deeper than 256 levels on one value".to_string());
        }
        self.depth += 1;
        let compiled = self.compiled;
        let outcome = compiled
            .schemas
            .get(id)
            .map_or(Ok(()), |schema| schema.checks.iter().try_for_each(|check| self.keyword(check, node)));
        self.depth -= 1;
        outcome
    }

    fn keyword(&mut self, check: &Check, node: Node<'a>) -> Outcome {
        let shape = node.get();
        match (check, &shape) {
            (Check::False, _) => self.fail(|| format!("False schema does not allow {}", node.to_value())),
            (Check::Type(bits), _) => {
                if type_bits(&shape) & bits != 0 || (bits & types::INTEGER != 0 && is_integer(&shape)) {
                    return Ok(());
                }
                self.fail(|| type_message(node, *bits))
            }
            (Check::Enum(options), _) => {
                if options.iter().any(|o| equal(node, o)) {
                    return Ok(());
                }
                self.fail(|| enum_message(node, options))
            }
            (Check::Const(expected), _) => {
                if equal(node, expected) {
                    return Ok(());
                }
                self.fail(|| format!("{expected} was expected"))
            }
            (Check::Ref(target), _) => self.check(*target, node),
            (Check::AllOf(ids), _) => ids.iter().try_for_each(|id| self.check(*id, node)),
            (Check::AnyOf(ids), _) => {
                if ids.iter().any(|id| self.is_valid(*id, node)) {
                    return Ok(());
                }
                self.fail(|| {
                    format!("{} is not valid under any of the schemas listed in the 'anyOf' keyword", node.to_value())
                })
            }
            (Check::OneOf(ids), _) => match ids.iter().filter(|id| self.is_valid(**id, node)).take(2).count() {
                1 => Ok(()),
                0 => self.fail(|| {
                    format!("{} is not valid under any of the schemas listed in the 'oneOf' keyword", node.to_value())
                }),
                _ => self.fail(|| {
                    format!(
                        "{} is valid under more than one of the schemas listed in the 'oneOf' keyword",
                        node.to_value()
                    )
                }),
            },
            (Check::Not(id, schema), _) => {
                if !self.is_valid(*id, node) {
                    return Ok(());
                }
                self.fail(|| format!("{schema} is not allowed for {}", node.to_value()))
            }
            (Check::If { condition, then, otherwise }, _) => {
                let branch = if self.is_valid(*condition, node) { then } else { otherwise };
                branch.map_or(Ok(()), |id| self.check(id, node))
            }
            (_, Shape::String(s)) => self.string(check, node, s),
            (_, Shape::Number(n)) => self.number(check, n),
            (_, Shape::Object(_)) => self.object(check, node),
            (_, Shape::Array(_)) => self.array(check, node),
            _ => Ok(()),
        }
    }

    fn string(&mut self, check: &Check, node: Node<'a>, s: &str) -> Outcome {
        let quoted = || node.to_value();
        match check {
            Check::MinLength(min) if length_below(s, *min) => {
                self.fail(|| format!("{} is shorter than {min} character{}", quoted(), plural(*min)))
            }
            Check::MaxLength(max) if length_above(s, *max) => {
                self.fail(|| format!("{} is longer than {max} character{}", quoted(), plural(*max)))
            }
            Check::Pattern(regex, source) if !regex.is_match(s) => {
                self.fail(|| format!("{} does not match \"{source}\"", quoted()))
            }
            Check::Format(format) if !format.accepts(s) => {
                self.fail(|| format!("{} is not a \"{}\"", quoted(), format.name()))
            }
            _ => Ok(()),
        }
    }

    fn number(&mut self, check: &Check, n: &Number) -> Outcome {
        let failed = match check {
            Check::Minimum(limit) => (compare(n, limit) == Ordering::Less).then_some(("less than", limit)),
            Check::Maximum(limit) => (compare(n, limit) == Ordering::Greater).then_some(("greater than", limit)),
            Check::ExclusiveMinimum(limit) => {
                (compare(n, limit) != Ordering::Greater).then_some(("less than or equal to", limit))
            }
            Check::ExclusiveMaximum(limit) => {
                (compare(n, limit) != Ordering::Less).then_some(("greater than or equal to", limit))
            }
            Check::MultipleOf(m) if !is_multiple(n, m) => return self.fail(|| format!("{n} is not a multiple of {m}")),
            _ => None,
        };
        match failed {
            Some((how, limit)) => {
                let bound = if how.starts_with("less") { "minimum" } else { "maximum" };
                self.fail(|| format!("{n} is {how} the {bound} of {limit}"))
            }
            None => Ok(()),
        }
    }

    fn object(&mut self, check: &Check, node: Node<'a>) -> Outcome {
        let Shape::Object(members) = node.get() else { return Ok(()) };
        match check {
            Check::Required(names) => {
                for name in names {
                    if !members.clone().any(|(n, _)| n == name) {
                        return self.fail(|| format!("{} is a required property", Value::String(name.clone())));
                    }
                }
                Ok(())
            }
            Check::MinProperties(min) if (distinct_names(members.clone()) as u64) < *min => self.fail(|| {
                format!("{} has less than {min} propert{}", node.to_value(), if *min == 1 { "y" } else { "ies" })
            }),
            Check::MaxProperties(max) if (distinct_names(members.clone()) as u64) > *max => self.fail(|| {
                format!("{} has more than {max} propert{}", node.to_value(), if *max == 1 { "y" } else { "ies" })
            }),
            Check::PropertyNames(id) => members.into_iter().try_for_each(|(name, _)| self.check(*id, Node::name(name))),
            Check::DependentRequired(pairs) => {
                for (name, needed) in pairs {
                    if members.clone().any(|(n, _)| n == name) {
                        for other in needed {
                            if !members.clone().any(|(n, _)| n == other) {
                                return self.fail(|| {
                                    format!(
                                        "{} is a required property (because {name:?} is present)",
                                        Value::String(other.clone())
                                    )
                                });
                            }
                        }
                    }
                }
                Ok(())
            }
            Check::DependentSchemas(pairs) => {
                for (name, id) in pairs {
                    if members.clone().any(|(n, _)| n == name) {
                        self.check(*id, node)?;
                    }
                }
                Ok(())
            }
            Check::Properties(props) => self.properties(props, node),
            _ => Ok(()),
        }
    }

    fn properties(&mut self, props: &Properties, node: Node<'a>) -> Outcome {
        let Shape::Object(members) = node.get() else { return Ok(()) };
        let mut unexpected: Vec<&'a str> = Vec::new();
        for (name, value) in members {
            let mut named = false;
            if let Ok(at) = props.named.binary_search_by(|(n, _)| n.as_str().cmp(name)) {
                named = true;
                let id = props.named[at].1;
                self.at(Step::Name(name), |w| w.check(id, value))?;
            }
            for (regex, id) in &props.patterns {
                if regex.is_match(name) {
                    named = true;
                    self.at(Step::Name(name), |w| w.check(*id, value))?;
                }
            }
            if named {
                continue;
            }
            match props.additional {
                Additional::Any => {}
                Additional::None => {
                    if !self.explain {
                        return Err(None);
                    }
                    // The message names the first few (it is cut at 400 characters anyway).
                    if unexpected.len() < 10 && !unexpected.contains(&name) {
                        unexpected.push(name);
                    }
                }
                Additional::Schema(id) => self.at(Step::Name(name), |w| w.check(id, value))?,
            }
        }
        if unexpected.is_empty() {
            return Ok(());
        }
        self.fail(|| {
            let listed: Vec<String> = unexpected.iter().map(|n| format!("'{n}'")).collect();
            let verb = if unexpected.len() == 1 { "was" } else { "were" };
            format!("Additional properties are not allowed ({} {verb} unexpected)", listed.join(", "))
        })
    }

    fn array(&mut self, check: &Check, node: Node<'a>) -> Outcome {
        let Shape::Array(items) = node.get() else { return Ok(()) };
        let len = items.len() as u64;
        match check {
            Check::MinItems(min) if len < *min => {
                self.fail(|| format!("{} has less than {min} item{}", node.to_value(), plural(*min)))
            }
            Check::MaxItems(max) if len > *max => {
                self.fail(|| format!("{} has more than {max} item{}", node.to_value(), plural(*max)))
            }
            Check::UniqueItems if !all_different(node) => {
                self.fail(|| format!("{} has non-unique elements", node.to_value()))
            }
            Check::Items { prefix, rest } => {
                for (n, item) in items.enumerate() {
                    let id = match prefix.get(n) {
                        Some(id) => *id,
                        None => match rest {
                            Some(id) => *id,
                            None => break,
                        },
                    };
                    self.at(Step::Index(n), |w| w.check(id, item))?;
                }
                Ok(())
            }
            Check::Contains { schema, min, max } => {
                let mut found = 0u64;
                for item in items {
                    if self.is_valid(*schema, item) {
                        found += 1;
                    }
                }
                if found >= *min && max.is_none_or(|m| found <= m) {
                    return Ok(());
                }
                self.fail(|| {
                    if found == 0 {
                        format!("None of {} are valid under the given schema", node.to_value())
                    } else {
                        format!("{} has {found} items valid under the given schema in 'contains'", node.to_value())
                    }
                })
            }
            _ => Ok(()),
        }
    }
}

fn plural(n: u64) -> &'static str {
    if n == 1 {
        ""
    } else {
        "s"
    }
}

/// Whether `s` has fewer than `min` code points, counting them only when
/// the byte length leaves it in doubt (a code point is one to four bytes).
fn length_below(s: &str, min: u64) -> bool {
    let bytes = s.len() as u64;
    if bytes < min {
        return true;
    }
    bytes.div_ceil(4) < min && (s.chars().count() as u64) < min
}

/// Whether `s` has more than `max` code points.
fn length_above(s: &str, max: u64) -> bool {
    let bytes = s.len() as u64;
    if bytes <= max {
        return false;
    }
    bytes.div_ceil(4) > max || (s.chars().count() as u64) > max
}

fn type_bits(shape: &Shape<'_>) -> u8 {
    match shape {
        Shape::Null => types::NULL,
        Shape::Bool(_) => types::BOOLEAN,
        Shape::Number(_) => types::NUMBER,
        Shape::String(_) => types::STRING,
        Shape::Array(_) => types::ARRAY,
        Shape::Object(_) => types::OBJECT,
    }
}

/// An integer, or a number with no fractional part (`1.0`), as JSON Schema says.
fn is_integer(shape: &Shape<'_>) -> bool {
    match shape {
        Shape::Number(n) => n.is_i64() || n.is_u64() || n.as_f64().is_some_and(|f| f.fract() == 0.0),
        _ => false,
    }
}

fn type_message(node: Node<'_>, bits: u8) -> String {
    let names: Vec<&str> = types::NAMES.iter().filter(|(bit, _)| bits & bit != 0).map(|(_, name)| *name).collect();
    match names.as_slice() {
        [one] => format!("{} is not of type \"{one}\"", node.to_value()),
        many => {
            let listed: Vec<String> = many.iter().map(|n| format!("\"{n}\"")).collect();
            format!("{} is not of types {}", node.to_value(), listed.join(", "))
        }
    }
}

fn enum_message(node: Node<'_>, options: &[Value]) -> String {
    let mut message = format!("{} is not one of ", node.to_value());
    let shown = options.len().min(10);
    for (i, option) in options.iter().take(shown).enumerate() {
        let sep = if i == 0 {
            ""
        } else if i + 1 == options.len() {
            " or "
        } else {
            ", "
        };
        let _ = write!(message, "{sep}{option}");
    }
    if options.len() > shown {
        let _ = write!(message, " or {} other candidates", options.len() - shown);
    }
    message
}

fn as_integer(n: &Number) -> Option<i128> {
    n.as_i64().map(i128::from).or_else(|| n.as_u64().map(i128::from))
}

/// Numbers compared by value: integers exactly, others as `f64`.
fn compare(a: &Number, b: &Number) -> Ordering {
    if let (Some(x), Some(y)) = (as_integer(a), as_integer(b)) {
        return x.cmp(&y);
    }
    let (x, y) = (a.as_f64().unwrap_or(f64::NAN), b.as_f64().unwrap_or(f64::NAN));
    x.partial_cmp(&y).unwrap_or(Ordering::Equal)
}

/// `multipleOf`: exact for integers; for others, the quotient within a few
/// units in the last place of a whole number (`0.3` is a multiple of `0.1`).
fn is_multiple(n: &Number, of: &Number) -> bool {
    if let (Some(x), Some(y)) = (as_integer(n), as_integer(of)) {
        return y != 0 && x % y == 0;
    }
    let (Some(x), Some(y)) = (n.as_f64(), of.as_f64()) else { return false };
    let quotient = x / y;
    quotient.is_finite() && (quotient - quotient.round()).abs() <= f64::EPSILON * 8.0 * quotient.abs().max(1.0)
}

/// How many different names an object has (a repeated name counts once).
fn distinct_names(members: macaron_tape::MembersIter<'_>) -> usize {
    let mut names: Vec<&str> = members.map(|(name, _)| name).collect();
    names.sort_unstable();
    names.dedup();
    names.len()
}

/// JSON equality of a node and a value: `1` equals `1.0`, members in any order.
fn equal(node: Node<'_>, value: &Value) -> bool {
    match (node.get(), value) {
        (Shape::Null, Value::Null) => true,
        (Shape::Bool(a), Value::Bool(b)) => a == *b,
        (Shape::Number(a), Value::Number(b)) => compare(a, b) == Ordering::Equal,
        (Shape::String(a), Value::String(b)) => a == b,
        (Shape::Array(items), Value::Array(values)) => {
            items.len() == values.len() && items.zip(values).all(|(item, value)| equal(item, value))
        }
        (Shape::Object(_), Value::Object(map)) => {
            let members = last_members(node);
            members.len() == map.len()
                && members.iter().all(|(name, member)| map.get(*name).is_some_and(|v| equal(*member, v)))
        }
        _ => false,
    }
}

/// An object's members, the last of a repeated name only (as a `Value` keeps them).
/// Sorted by name (a stable sort, so the last of a run is the last written).
fn last_members<'a>(node: Node<'a>) -> Vec<(&'a str, Node<'a>)> {
    let Shape::Object(members) = node.get() else { return Vec::new() };
    let mut all: Vec<(&str, Node<'_>)> = members.collect();
    all.sort_by(|a, b| a.0.cmp(b.0));
    let mut out: Vec<(&str, Node<'_>)> = Vec::with_capacity(all.len());
    for (name, value) in all {
        match out.last_mut() {
            Some(last) if last.0 == name => last.1 = value,
            _ => out.push((name, value)),
        }
    }
    out
}

/// `uniqueItems`: each item written in one canonical form (members sorted,
/// whole numbers as integers), then the forms sorted and compared: no
/// quadratic walk on a long array.
fn all_different(node: Node<'_>) -> bool {
    let Shape::Array(items) = node.get() else { return true };
    let mut forms: Vec<String> = items
        .map(|item| {
            let mut form = String::new();
            canonical(item, &mut form);
            form
        })
        .collect();
    forms.sort_unstable();
    forms.windows(2).all(|pair| pair[0] != pair[1])
}

fn canonical(node: Node<'_>, out: &mut String) {
    match node.get() {
        Shape::Null => out.push_str("null"),
        Shape::Bool(b) => out.push_str(if b { "true" } else { "false" }),
        Shape::Number(n) => match as_integer(n) {
            Some(i) => {
                let _ = write!(out, "{i}");
            }
            None => {
                let f = n.as_f64().unwrap_or(0.0);
                if f.fract() == 0.0 && f.abs() < 1e18 {
                    let _ = write!(out, "{}", f as i128);
                } else {
                    let _ = write!(out, "{f:e}");
                }
            }
        },
        Shape::String(s) => {
            let _ = write!(out, "{}", Value::String(s.to_string()));
        }
        Shape::Array(items) => {
            out.push('[');
            for item in items {
                canonical(item, out);
                out.push(',');
            }
            out.push(']');
        }
        Shape::Object(_) => {
            let members = last_members(node);
            out.push('{');
            for (name, value) in members {
                let _ = write!(out, "{}:", Value::String(name.to_string()));
                canonical(value, out);
                out.push(',');
            }
            out.push('}');
        }
    }
}
