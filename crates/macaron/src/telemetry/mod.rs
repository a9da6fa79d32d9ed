//! Traces: OpenTelemetry spans for requests, outgoing calls, background
//! tasks and [`monitor`]ed sections, exported over OTLP.
//!
//! Off unless asked for (`OTEL_EXPORTER_OTLP_ENDPOINT`, or the same keys
//! under `otel:` in `macaron.yaml`: see `settings`), and then the request
//! path makes no span at all: one relaxed load decides. When on, every
//! request gets a server span named after its operation, a child of the
//! caller's W3C `traceparent`; the generated clients send the current
//! span's `traceparent` on; a task scheduled during a request keeps it in
//! its envelope and runs in a span of the same trace. Spans are `tracing`
//! spans (so a handler's own `tracing` spans nest under them) exported by
//! `tracing-opentelemetry` through a batch processor, flushed at shutdown.
//!
//! The room's files: `settings` (the `OTEL_*` keys), `export` (OTLP over
//! HTTP or gRPC), `spans` (the spans Macaron makes and the context they
//! carry), `monitor` (timing a section of a handler).

use std::collections::BTreeMap;
use std::sync::atomic::{AtomicBool, Ordering};
#[cfg(feature = "otel")]
use std::time::Duration;

#[cfg(feature = "otel")]
use opentelemetry::trace::TracerProvider as _;
#[cfg(feature = "otel")]
use opentelemetry::KeyValue;
#[cfg(feature = "otel")]
pub(crate) use opentelemetry_sdk::trace::Tracer;
#[cfg(feature = "otel")]
use opentelemetry_sdk::trace::{Sampler as SdkSampler, SdkTracerProvider};
#[cfg(feature = "otel")]
use opentelemetry_sdk::Resource;

/// What the log layer exports spans with: none in a build without the
/// feature `otel` (no value of it exists).
#[cfg(not(feature = "otel"))]
pub(crate) type Tracer = std::convert::Infallible;

#[cfg(feature = "otel")]
mod export;
mod monitor;
pub(crate) mod settings;
pub(crate) mod spans;

pub use monitor::monitor;

/// Whether traces are on in this process.
static ON: AtomicBool = AtomicBool::new(false);

/// True when this process exports traces (read on every request: one
/// relaxed load).
#[inline]
pub(crate) fn on() -> bool {
    ON.load(Ordering::Relaxed)
}

#[cfg(feature = "otel")]
/// The exporter's machinery, kept until the process ends: dropping it
/// (or [`Telemetry::shutdown`]) exports the spans still queued.
pub(crate) struct Telemetry {
    provider: SdkTracerProvider,
    /// Where the exporter's network work runs.
    runtime: Option<tokio::runtime::Runtime>,
}

#[cfg(feature = "otel")]
impl Telemetry {
    /// Exports what is queued and stops the exporter (within 5 s).
    pub fn shutdown(mut self) {
        self.stop();
    }

    fn stop(&mut self) {
        if let Some(runtime) = self.runtime.take() {
            ON.store(false, Ordering::Relaxed);
            if let Err(e) = self.provider.shutdown_with_timeout(Duration::from_secs(5)) {
                eprintln!("macaron: traces: spans may be lost at shutdown: {e}");
            }
            runtime.shutdown_timeout(Duration::from_secs(1));
        }
    }
}

#[cfg(feature = "otel")]
impl Drop for Telemetry {
    fn drop(&mut self) {
        self.stop();
    }
}

/// The telemetry of a build without the feature `otel`: nothing to stop.
#[cfg(not(feature = "otel"))]
pub(crate) struct Telemetry;

#[cfg(not(feature = "otel"))]
impl Telemetry {
    pub fn shutdown(self) {}
}

/// Reads the trace settings (the environment through `var`, then the
/// configuration's `otel:` mapping) and, when traces are asked for, starts
/// the exporter: the tracer for the `tracing` layer, and the guard that
/// flushes at shutdown. `Ok(None)`: traces are off.
pub(crate) fn start(
    config: &macaron_config::Config,
    var: impl Fn(&str) -> Option<String>,
) -> Result<Option<(Tracer, Telemetry)>, String> {
    let file: BTreeMap<String, serde_json::Value> =
        config.get_opt("otel").map_err(|e| e.to_string())?.unwrap_or_default();
    let mut texts = BTreeMap::new();
    for (key, value) in file {
        let text = match value {
            serde_json::Value::String(s) => s,
            serde_json::Value::Number(n) => n.to_string(),
            serde_json::Value::Bool(b) => b.to_string(),
            _ => return Err(format!("configuration key otel.{key}: expected a string, a number or true/false")),
        };
        texts.insert(key, text);
    }
    let Some(settings) = settings::read(&var, &texts)? else {
        return Ok(None);
    };
    exporting(config, &var, settings)
}

/// In a build without the feature `otel`: traces configured are a
/// startup error, so a deployment never believes it exports what it drops.
#[cfg(not(feature = "otel"))]
fn exporting(
    _config: &macaron_config::Config,
    _var: &impl Fn(&str) -> Option<String>,
    _settings: settings::Settings,
) -> Result<Option<(Tracer, Telemetry)>, String> {
    Err("traces are configured (OTEL_* variables or `otel` in macaron.yaml), but this service is built without \
         them: enable macaron's feature \"otel\""
        .into())
}

/// Starts the exporter, its thread and the tracer.
#[cfg(feature = "otel")]
fn exporting(
    config: &macaron_config::Config,
    var: &impl Fn(&str) -> Option<String>,
    settings: settings::Settings,
) -> Result<Option<(Tracer, Telemetry)>, String> {
    let runtime = tokio::runtime::Builder::new_multi_thread()
        .worker_threads(1)
        .thread_name("macaron-traces")
        .enable_all()
        .build()
        .map_err(|e| format!("cannot start the trace exporter's thread: {e}"))?;
    let exporter = export::exporter(&settings, &runtime)?;
    let name = settings
        .service_name
        .clone()
        .or_else(|| config.name.clone())
        .or_else(|| std::env::current_exe().ok()?.file_stem()?.to_str().map(str::to_string))
        .unwrap_or_else(|| "unknown_service".to_string());
    let mut attributes: Vec<KeyValue> =
        settings.resource.iter().map(|(k, v)| KeyValue::new(k.clone(), v.clone())).collect();
    attributes.push(KeyValue::new("deployment.environment.name", config.env.clone()));
    // The service is not built yet: the version an image or a deploy set.
    if let Some(version) = var("MACARON_VERSION").filter(|v| !v.is_empty()) {
        attributes.push(KeyValue::new("service.version", version));
    }
    let resource = Resource::builder().with_service_name(name).with_attributes(attributes).build();
    let provider = SdkTracerProvider::builder()
        .with_batch_exporter(exporter)
        .with_sampler(sampler(settings.sampler))
        .with_resource(resource)
        .build();
    let tracer = provider.tracer("macaron");
    opentelemetry::global::set_text_map_propagator(opentelemetry_sdk::propagation::TraceContextPropagator::new());
    opentelemetry::global::set_tracer_provider(provider.clone());
    ON.store(true, Ordering::Relaxed);
    Ok(Some((tracer, Telemetry { provider, runtime: Some(runtime) })))
}

#[cfg(feature = "otel")]
fn sampler(sampler: settings::Sampler) -> SdkSampler {
    use settings::Sampler as S;
    let parent = |root: SdkSampler| SdkSampler::ParentBased(Box::new(root));
    match sampler {
        S::AlwaysOn => SdkSampler::AlwaysOn,
        S::AlwaysOff => SdkSampler::AlwaysOff,
        S::Ratio(r) => SdkSampler::TraceIdRatioBased(r),
        S::ParentBasedOn => parent(SdkSampler::AlwaysOn),
        S::ParentBasedOff => parent(SdkSampler::AlwaysOff),
        S::ParentBasedRatio(r) => parent(SdkSampler::TraceIdRatioBased(r)),
    }
}

#[cfg(all(test, feature = "otel"))]
mod tests {
    use super::*;

    #[test]
    fn the_configuration_mapping_is_read_and_checked() {
        let load = |text: &str| macaron_config::Loader::new().load_str("macaron.yaml", text).unwrap();
        let off = load("otel:\n  exporter_otlp_endpoint: http://c:4318\n  traces_exporter: none\n");
        assert!(start(&off, |_| None).unwrap().is_none());
        let nested = load("otel:\n  exporter_otlp_endpoint: {url: http://c}\n");
        let e = start(&nested, |_| None).err().unwrap();
        assert_eq!(e, "configuration key otel.exporter_otlp_endpoint: expected a string, a number or true/false");
        let bad = load("otel:\n  exporter_otlp_timeout: soon\n  exporter_otlp_endpoint: http://c\n");
        let e = start(&bad, |_| None).err().unwrap();
        assert!(e.starts_with("configuration key otel.exporter_otlp_timeout: \"soon\""), "{e}");
        assert!(start(&macaron_config::Config::default(), |_| None).unwrap().is_none(), "nothing set: off");
    }
}
