//! Prepares Stripe's spec for the benchmark service, in `OUT_DIR`:
//!
//! - `stripe.yaml`: `apis/stripe.yaml` without its top-level `security`
//!   requirement (HTTP basic or bearer on every operation). Served as it is,
//!   every operation would need a verified token; the benchmark measures
//!   what the size of the spec costs, not a token check the items spec does
//!   not have. Nothing else changes.
//! - `operations.rs`: the `operationId` of every operation, as a slice, so
//!   the service binds a handler to each (Macaron refuses to start with an
//!   operation nobody serves).
//!
//! Both by reading lines: Stripe's file is block YAML with one
//! `operationId: Name` line per operation and `security:` at column 0.
//! A line missed would show at startup (an operation without a handler).

use std::fmt::Write as _;
use std::path::PathBuf;

fn main() {
    let spec = "apis/stripe.yaml";
    println!("cargo:rerun-if-changed={spec}");
    let text = std::fs::read_to_string(spec).unwrap_or_else(|e| panic!("reading {spec}: {e}"));
    let out = PathBuf::from(std::env::var("OUT_DIR").unwrap_or_else(|e| panic!("OUT_DIR: {e}")));

    let mut served = String::with_capacity(text.len());
    let mut operations = String::from("&[\n");
    let mut in_security = false;
    let mut removed = 0;
    for line in text.split_inclusive('\n') {
        let top_level = !line.starts_with([' ', '\n', '\r', '#']);
        if top_level {
            in_security = line.trim_end() == "security:";
        }
        if in_security {
            removed += 1;
            continue;
        }
        if let Some(id) = line.trim_start().strip_prefix("operationId: ") {
            let _ = writeln!(operations, "    {:?},", id.trim().trim_matches(['\'', '"']));
        }
        served.push_str(line);
    }
    operations.push(']');
    assert!(removed > 0, "{spec}: no top-level `security:` block to remove");
    std::fs::write(out.join("stripe.yaml"), served).unwrap_or_else(|e| panic!("writing stripe.yaml: {e}"));
    std::fs::write(out.join("operations.rs"), operations).unwrap_or_else(|e| panic!("writing operations.rs: {e}"));
}
