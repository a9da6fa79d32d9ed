//! What the trace exporter is told: the standard `OTEL_*` variables, or
//! the same keys under `otel:` in `macaron.yaml` (the environment wins, as
//! every OpenTelemetry SDK does). Read once at start; a bad value stops the
//! start with the key named, never a silent default.

use std::collections::BTreeMap;
use std::time::Duration;

/// The keys read, without their `OTEL_` prefix, lower case.
pub(crate) const KEYS: [&str; 12] = [
    "sdk_disabled",
    "service_name",
    "resource_attributes",
    "traces_exporter",
    "traces_sampler",
    "traces_sampler_arg",
    "exporter_otlp_endpoint",
    "exporter_otlp_traces_endpoint",
    "exporter_otlp_protocol",
    "exporter_otlp_traces_protocol",
    "exporter_otlp_headers",
    "exporter_otlp_timeout",
];

/// How spans leave the process.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Protocol {
    /// `http/protobuf` (the default).
    HttpProtobuf,
    /// `http/json`.
    HttpJson,
    /// `grpc`.
    Grpc,
}

/// Which traces are kept.
#[derive(Debug, Clone, Copy, PartialEq)]
pub(crate) enum Sampler {
    AlwaysOn,
    AlwaysOff,
    Ratio(f64),
    ParentBasedOn,
    ParentBasedOff,
    ParentBasedRatio(f64),
}

/// The exporter's settings, when traces are on.
#[derive(Clone, PartialEq)]
pub(crate) struct Settings {
    pub service_name: Option<String>,
    /// `OTEL_RESOURCE_ATTRIBUTES`: `key=value` pairs.
    pub resource: Vec<(String, String)>,
    pub protocol: Protocol,
    /// The full URL spans are sent to (`.../v1/traces` for HTTP).
    pub endpoint: String,
    /// Sent with every export; their values are secrets (API keys).
    pub headers: Vec<(String, String)>,
    pub timeout: Duration,
    pub sampler: Sampler,
}

impl std::fmt::Debug for Settings {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        let headers: Vec<&str> = self.headers.iter().map(|(k, _)| k.as_str()).collect();
        f.debug_struct("Settings")
            .field("service_name", &self.service_name)
            .field("protocol", &self.protocol)
            .field("endpoint", &self.endpoint)
            .field("headers (values not shown)", &headers)
            .field("timeout", &self.timeout)
            .field("sampler", &self.sampler)
            .finish_non_exhaustive()
    }
}

/// Reads the settings from `var` (the environment) and `file` (the
/// `otel:` mapping of the configuration, keys with or without `OTEL_`, any
/// case). `Ok(None)`: traces are off (nothing asks for them, or
/// `OTEL_SDK_DISABLED=true`, or `OTEL_TRACES_EXPORTER=none`).
pub(crate) fn read(
    var: impl Fn(&str) -> Option<String>,
    file: &BTreeMap<String, String>,
) -> Result<Option<Settings>, String> {
    let mut values = BTreeMap::new();
    for (key, value) in file {
        let lower = key.to_ascii_lowercase();
        let short = lower.strip_prefix("otel_").unwrap_or(&lower).to_string();
        if !KEYS.contains(&short.as_str()) {
            return Err(format!(
                "configuration key otel.{key}: not an OpenTelemetry setting Macaron reads (one of {})",
                KEYS.join(", ")
            ));
        }
        values.insert(short, (value.clone(), format!("configuration key otel.{key}")));
    }
    for key in KEYS {
        let name = format!("OTEL_{}", key.to_ascii_uppercase());
        if let Some(value) = var(&name).filter(|v| !v.trim().is_empty()) {
            values.insert(key.to_string(), (value, name));
        }
    }
    let get = |key: &str| values.get(key).map(|(v, _)| v.trim());
    let bad = |key: &str, why: &str| {
        let (value, from) = &values[key];
        let shown = if key == "exporter_otlp_headers" { "..." } else { value.as_str() };
        if from.starts_with("OTEL_") {
            format!("{from}=\"{shown}\": {why}")
        } else {
            format!("{from}: \"{shown}\": {why}")
        }
    };

    if get("sdk_disabled").is_some_and(|v| v.eq_ignore_ascii_case("true")) {
        return Ok(None);
    }
    match get("traces_exporter") {
        Some("none") => return Ok(None),
        Some("otlp") | None => {}
        Some(_) => return Err(bad("traces_exporter", "Macaron exports traces with otlp (or none)")),
    }
    let asked = get("traces_exporter").is_some()
        || get("exporter_otlp_endpoint").is_some()
        || get("exporter_otlp_traces_endpoint").is_some();
    if !asked {
        return Ok(None);
    }

    let protocol_key = if get("exporter_otlp_traces_protocol").is_some() {
        "exporter_otlp_traces_protocol"
    } else {
        "exporter_otlp_protocol"
    };
    let protocol = match get(protocol_key) {
        None | Some("http/protobuf") => Protocol::HttpProtobuf,
        Some("http/json") => Protocol::HttpJson,
        Some("grpc") => Protocol::Grpc,
        Some(_) => return Err(bad(protocol_key, "expected http/protobuf, http/json or grpc")),
    };
    let endpoint = match (get("exporter_otlp_traces_endpoint"), get("exporter_otlp_endpoint")) {
        (Some(url), _) => url_of(url).map_err(|w| bad("exporter_otlp_traces_endpoint", &w))?,
        (None, Some(base)) => {
            let base = url_of(base).map_err(|w| bad("exporter_otlp_endpoint", &w))?;
            match protocol {
                Protocol::Grpc => base,
                _ => format!("{}/v1/traces", base.trim_end_matches('/')),
            }
        }
        (None, None) => match protocol {
            Protocol::Grpc => "http://localhost:4317".to_string(),
            _ => "http://localhost:4318/v1/traces".to_string(),
        },
    };
    let headers = match get("exporter_otlp_headers") {
        None => Vec::new(),
        Some(text) => pairs(text).ok_or_else(|| bad("exporter_otlp_headers", "expected key=value,key=value"))?,
    };
    let resource = match get("resource_attributes") {
        None => Vec::new(),
        Some(text) => pairs(text).ok_or_else(|| bad("resource_attributes", "expected key=value,key=value"))?,
    };
    let timeout = match get("exporter_otlp_timeout") {
        None => Duration::from_secs(10),
        Some(ms) => ms
            .parse::<u64>()
            .ok()
            .filter(|ms| *ms > 0)
            .map(Duration::from_millis)
            .ok_or_else(|| bad("exporter_otlp_timeout", "expected a number of milliseconds above 0"))?,
    };
    let ratio = || -> Result<f64, String> {
        match get("traces_sampler_arg") {
            None => Ok(1.0),
            Some(arg) => arg
                .parse::<f64>()
                .ok()
                .filter(|r| (0.0..=1.0).contains(r))
                .ok_or_else(|| bad("traces_sampler_arg", "expected a ratio between 0 and 1")),
        }
    };
    let sampler = match get("traces_sampler") {
        None | Some("parentbased_always_on") => Sampler::ParentBasedOn,
        Some("always_on") => Sampler::AlwaysOn,
        Some("always_off") => Sampler::AlwaysOff,
        Some("traceidratio") => Sampler::Ratio(ratio()?),
        Some("parentbased_always_off") => Sampler::ParentBasedOff,
        Some("parentbased_traceidratio") => Sampler::ParentBasedRatio(ratio()?),
        Some(_) => {
            return Err(bad(
                "traces_sampler",
                "expected always_on, always_off, traceidratio, parentbased_always_on, parentbased_always_off or parentbased_traceidratio",
            ))
        }
    };
    Ok(Some(Settings {
        service_name: get("service_name").map(str::to_string),
        resource,
        protocol,
        endpoint,
        headers,
        timeout,
        sampler,
    }))
}

/// An `http://` or `https://` URL, or why not.
fn url_of(url: &str) -> Result<String, String> {
    if url.starts_with("http://") || url.starts_with("https://") {
        Ok(url.to_string())
    } else {
        Err("expected a URL starting with http:// or https://".to_string())
    }
}

/// `k=v,k2=v2` (values percent-decoded, as the specification says).
fn pairs(text: &str) -> Option<Vec<(String, String)>> {
    text.split(',')
        .filter(|p| !p.trim().is_empty())
        .map(|pair| {
            let (k, v) = pair.split_once('=')?;
            let k = k.trim();
            if k.is_empty() {
                return None;
            }
            let v = percent_encoding::percent_decode_str(v.trim()).decode_utf8().ok()?;
            Some((k.to_string(), v.into_owned()))
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    fn env(pairs: &'static [(&'static str, &'static str)]) -> impl Fn(&str) -> Option<String> {
        move |name| pairs.iter().find(|(k, _)| *k == name).map(|(_, v)| v.to_string())
    }

    #[test]
    fn nothing_set_is_off() {
        assert_eq!(read(env(&[]), &BTreeMap::new()), Ok(None));
        let off = env(&[("OTEL_EXPORTER_OTLP_ENDPOINT", "http://c:4318"), ("OTEL_SDK_DISABLED", "true")]);
        assert_eq!(read(off, &BTreeMap::new()), Ok(None));
        let none = env(&[("OTEL_EXPORTER_OTLP_ENDPOINT", "http://c:4318"), ("OTEL_TRACES_EXPORTER", "none")]);
        assert_eq!(read(none, &BTreeMap::new()), Ok(None));
    }

    #[test]
    fn the_environment_wins_over_the_file() {
        let file = BTreeMap::from([
            ("exporter_otlp_endpoint".to_string(), "http://file:4318".to_string()),
            ("OTEL_SERVICE_NAME".to_string(), "from-file".to_string()),
        ]);
        let s = read(env(&[("OTEL_EXPORTER_OTLP_ENDPOINT", "http://env:4318/")]), &file).unwrap().unwrap();
        assert_eq!(s.endpoint, "http://env:4318/v1/traces");
        assert_eq!(s.service_name.as_deref(), Some("from-file"));
        assert_eq!(
            (s.protocol, s.sampler, s.timeout),
            (Protocol::HttpProtobuf, Sampler::ParentBasedOn, Duration::from_secs(10))
        );
        let s = read(env(&[]), &file).unwrap().unwrap();
        assert_eq!(s.endpoint, "http://file:4318/v1/traces");
    }

    #[test]
    fn grpc_ratio_headers_and_signal_endpoint() {
        let vars = env(&[
            ("OTEL_EXPORTER_OTLP_ENDPOINT", "http://c:4317"),
            ("OTEL_EXPORTER_OTLP_PROTOCOL", "grpc"),
            ("OTEL_TRACES_SAMPLER", "parentbased_traceidratio"),
            ("OTEL_TRACES_SAMPLER_ARG", "0.25"),
            ("OTEL_EXPORTER_OTLP_HEADERS", "x-api-key=s%3Dcret,team=a"),
            ("OTEL_EXPORTER_OTLP_TIMEOUT", "500"),
        ]);
        let s = read(vars, &BTreeMap::new()).unwrap().unwrap();
        assert_eq!((s.protocol, s.endpoint.as_str()), (Protocol::Grpc, "http://c:4317"));
        assert_eq!(s.sampler, Sampler::ParentBasedRatio(0.25));
        assert_eq!(s.headers, [("x-api-key".to_string(), "s=cret".to_string()), ("team".into(), "a".into())]);
        assert_eq!(s.timeout, Duration::from_millis(500));
        assert!(!format!("{s:?}").contains("s=cret"), "header values are not shown");
        let s = read(env(&[("OTEL_EXPORTER_OTLP_TRACES_ENDPOINT", "https://c/x")]), &BTreeMap::new()).unwrap().unwrap();
        assert_eq!(s.endpoint, "https://c/x");
    }

    #[test]
    fn bad_values_name_their_key() {
        let e = read(env(&[("OTEL_EXPORTER_OTLP_ENDPOINT", "c:4318")]), &BTreeMap::new()).unwrap_err();
        assert_eq!(e, "OTEL_EXPORTER_OTLP_ENDPOINT=\"c:4318\": expected a URL starting with http:// or https://");
        let e = read(
            env(&[("OTEL_EXPORTER_OTLP_ENDPOINT", "http://c"), ("OTEL_EXPORTER_OTLP_PROTOCOL", "thrift")]),
            &BTreeMap::new(),
        )
        .unwrap_err();
        assert!(e.starts_with("OTEL_EXPORTER_OTLP_PROTOCOL=\"thrift\": expected"), "{e}");
        let e = read(
            env(&[
                ("OTEL_EXPORTER_OTLP_ENDPOINT", "http://c"),
                ("OTEL_TRACES_SAMPLER", "traceidratio"),
                ("OTEL_TRACES_SAMPLER_ARG", "2"),
            ]),
            &BTreeMap::new(),
        )
        .unwrap_err();
        assert!(e.contains("OTEL_TRACES_SAMPLER_ARG=\"2\""), "{e}");
        let e = read(
            env(&[("OTEL_EXPORTER_OTLP_ENDPOINT", "http://c"), ("OTEL_EXPORTER_OTLP_HEADERS", "secret-without-key")]),
            &BTreeMap::new(),
        )
        .unwrap_err();
        assert!(!e.contains("secret-without-key"), "{e}");
        let file = BTreeMap::from([("OTEL_TRACES_SAMPLER".to_string(), "sometimes".to_string())]);
        let e = read(env(&[("OTEL_EXPORTER_OTLP_ENDPOINT", "http://c")]), &file).unwrap_err();
        assert!(e.starts_with("configuration key otel.OTEL_TRACES_SAMPLER: \"sometimes\": expected"), "{e}");
        let file = BTreeMap::from([("endpoint".to_string(), "http://c".to_string())]);
        assert!(read(env(&[]), &file)
            .unwrap_err()
            .starts_with("configuration key otel.endpoint: not an OpenTelemetry setting"));
    }
}
