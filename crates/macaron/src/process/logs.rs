//! Logs: `tracing` to stdout, written by a thread of their own, as text
//! (the default) or one JSON object per line (`log_format: json`, or
//! `MACARON_LOG_FORMAT=json`); and, when traces are on, the layer that
//! turns spans into OpenTelemetry spans.
//!
//! A worker must never wait on a `write` to stdout: a request's log line is
//! handed to the log thread, and lines logged while it writes go out
//! together. `RUST_LOG` wins over `--debug`; colours only on a terminal.
//! The log filter applies to log lines only: the spans a trace needs are
//! kept whatever `RUST_LOG` says, and Macaron's own spans stay out of the
//! text lines (their facts are on the request's line).

use serde_json::{Map, Value};
use tracing::field::{Field, Visit};
use tracing::{Event, Level, Subscriber};
use tracing_subscriber::filter::Targets;
#[cfg(feature = "otel")]
use tracing_subscriber::filter::{filter_fn, FilterExt};
use tracing_subscriber::fmt::format::Writer;
use tracing_subscriber::fmt::{FmtContext, FormatEvent, FormatFields};
use tracing_subscriber::layer::SubscriberExt;
use tracing_subscriber::registry::LookupSpan;
use tracing_subscriber::util::SubscriberInitExt;
#[cfg(feature = "otel")]
use tracing_subscriber::Layer;

#[cfg(feature = "otel")]
use crate::telemetry::spans;
use crate::telemetry::{self, Telemetry};

/// How log lines are written.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Format {
    Text,
    Json,
}

/// What keeps logs and traces going until the process ends.
pub(crate) struct Logging {
    guard: tracing_appender::non_blocking::WorkerGuard,
    telemetry: Option<Telemetry>,
}

impl Logging {
    /// Exports the spans still queued, then writes the lines still queued.
    pub fn finish(self) {
        if let Some(telemetry) = self.telemetry {
            telemetry.shutdown();
        }
        drop(self.guard);
    }
}

/// The log format: `MACARON_LOG_FORMAT`, else `log_format`, else text.
pub(crate) fn format(config: &macaron_config::Config, var: impl Fn(&str) -> Option<String>) -> Result<Format, String> {
    let (value, from) = match var("MACARON_LOG_FORMAT").filter(|v| !v.is_empty()) {
        Some(v) => (v, "MACARON_LOG_FORMAT"),
        None => match config.get_opt::<String>("log_format").map_err(|e| e.to_string())? {
            Some(v) => (v, "configuration key log_format"),
            None => return Ok(Format::Text),
        },
    };
    match value.as_str() {
        "text" => Ok(Format::Text),
        "json" => Ok(Format::Json),
        other => Err(format!("{from}: \"{other}\" is not a log format (text or json)")),
    }
}

/// Sets up logs once (`RUST_LOG` wins over `debug`), written to stdout by
/// a thread of their own, and traces when the configuration or the
/// `OTEL_*` variables ask for them. Nothing is dropped (a full queue
/// waits); [`Logging::finish`] flushes both, so it is held until the
/// process exits. A bad setting is an error naming it.
pub(crate) fn init_logs(debug: bool, config: &macaron_config::Config) -> Result<Logging, String> {
    let var = |name: &str| std::env::var(name).ok();
    let format = format(config, var)?;
    let filter = log_filter(var("RUST_LOG"), if debug { Level::DEBUG } else { Level::INFO })?;
    let (writer, guard) = tracing_appender::non_blocking::NonBlockingBuilder::default()
        .lossy(false)
        .thread_name("macaron-logs")
        .finish(std::io::BufWriter::new(std::io::stdout()));
    let traces = telemetry::start(config, var)?;
    // Colours for a terminal only: a log file or a collector gets plain text.
    let ansi = std::io::IsTerminal::is_terminal(&std::io::stdout());
    let Some((tracer, telemetry)) = traces else {
        // No traces: one global filter, so a disabled log line costs one
        // load of the maximum level and nothing else.
        // `fmt()` stops at INFO by itself: the filter alone decides.
        let builder =
            tracing_subscriber::fmt().with_max_level(tracing::level_filters::LevelFilter::TRACE).with_writer(writer);
        let _ = match format {
            Format::Text => builder.with_target(false).with_ansi(ansi).finish().with(filter).try_init(),
            Format::Json => builder.event_format(JsonLine).finish().with(filter).try_init(),
        };
        return Ok(Logging { guard, telemetry: None });
    };
    with_traces(tracer, telemetry, format, writer, filter, ansi, guard)
}

/// Logs without the feature `otel`: there is no tracer to export with.
#[cfg(not(feature = "otel"))]
fn with_traces(
    tracer: telemetry::Tracer,
    _telemetry: Telemetry,
    _format: Format,
    _writer: tracing_appender::non_blocking::NonBlocking,
    _filter: Targets,
    _ansi: bool,
    _guard: tracing_appender::non_blocking::WorkerGuard,
) -> Result<Logging, String> {
    match tracer {}
}

/// Log lines, and spans exported through `tracer`.
#[cfg(feature = "otel")]
fn with_traces(
    tracer: telemetry::Tracer,
    telemetry: Telemetry,
    format: Format,
    writer: tracing_appender::non_blocking::NonBlocking,
    filter: Targets,
    ansi: bool,
    guard: tracing_appender::non_blocking::WorkerGuard,
) -> Result<Logging, String> {
    // Traces: the log filter applies to log lines only, and Macaron's own
    // spans stay out of them (their facts are on the request's line).
    let not_ours = filter_fn(|m| !(m.is_span() && m.target() == spans::TARGET));
    let lines = tracing_subscriber::fmt::layer().with_writer(writer);
    let lines = match format {
        Format::Text => lines.with_target(false).with_ansi(ansi).with_filter(filter.clone().and(not_ours)).boxed(),
        Format::Json => lines.event_format(JsonLine).with_filter(filter.clone().and(not_ours)).boxed(),
    };
    // Spans at info and above, whatever RUST_LOG says; events only as warnings and errors.
    let keep = filter_fn(|m| *m.level() <= Level::INFO && (m.is_span() || *m.level() <= Level::WARN));
    let otel = tracing_opentelemetry::layer()
        .with_tracer(tracer)
        .with_location(false)
        .with_threads(false)
        .with_target(false)
        .with_tracked_inactivity(false)
        .with_filter(keep);
    let _ = tracing_subscriber::registry().with(lines).with(otel).try_init();
    let telemetry = Some(telemetry);
    Ok(Logging { guard, telemetry })
}

/// One JSON object per line: `time`, `level`, `message`, the event's
/// fields (the request's line has `request_id`, `trace_id`, `operation`,
/// `status`, `duration_ms`), and, inside a request or task, its
/// `request_id` and `trace_id`.
struct JsonLine;

impl<S, N> FormatEvent<S, N> for JsonLine
where
    S: Subscriber + for<'a> LookupSpan<'a>,
    N: for<'a> FormatFields<'a> + 'static,
{
    fn format_event(&self, _ctx: &FmtContext<'_, S, N>, mut writer: Writer<'_>, event: &Event<'_>) -> std::fmt::Result {
        let mut fields = Map::new();
        fields.insert(
            "time".into(),
            Value::String(chrono::Utc::now().to_rfc3339_opts(chrono::SecondsFormat::Micros, true)),
        );
        fields.insert("level".into(), Value::String(event.metadata().level().as_str().to_ascii_lowercase()));
        fields.insert("message".into(), Value::String(String::new()));
        event.record(&mut Fields(&mut fields));
        fields.insert("target".into(), Value::String(event.metadata().target().to_string()));
        let _ = crate::request::record::with_current(|current| {
            fields.entry("request_id").or_insert_with(|| Value::String(current.request_id.to_string()));
            if let Some(trace) = &current.trace_id {
                fields.entry("trace_id").or_insert_with(|| Value::String(trace.clone()));
            }
        });
        writeln!(writer, "{}", Value::Object(fields))
    }
}

/// Collects an event's fields as JSON values.
struct Fields<'a>(&'a mut Map<String, Value>);

impl Visit for Fields<'_> {
    fn record_str(&mut self, field: &Field, value: &str) {
        self.0.insert(field.name().into(), Value::String(value.into()));
    }

    fn record_bool(&mut self, field: &Field, value: bool) {
        self.0.insert(field.name().into(), Value::Bool(value));
    }

    fn record_i64(&mut self, field: &Field, value: i64) {
        self.0.insert(field.name().into(), Value::from(value));
    }

    fn record_u64(&mut self, field: &Field, value: u64) {
        self.0.insert(field.name().into(), Value::from(value));
    }

    fn record_f64(&mut self, field: &Field, value: f64) {
        self.0.insert(field.name().into(), Value::from(value));
    }

    fn record_debug(&mut self, field: &Field, value: &dyn std::fmt::Debug) {
        self.0.insert(field.name().into(), Value::String(format!("{value:?}")));
    }
}

/// The log filter: `RUST_LOG` when set (`warn`, `info,my_service=debug`:
/// levels by target, as `tracing_subscriber::filter::Targets` reads them),
/// else `default` for everything. A `RUST_LOG` it cannot read is an error
/// naming it, not a silent default.
fn log_filter(rust_log: Option<String>, default: Level) -> Result<Targets, String> {
    match rust_log.filter(|v| !v.trim().is_empty()) {
        Some(v) => v.parse::<Targets>().map_err(|e| {
            format!("RUST_LOG: \"{v}\" is not a log filter ({e}); write a level, then levels by target: `warn,my_service=debug`")
        }),
        None => Ok(Targets::new().with_default(default)),
    }
}

/// Logs for tests: warnings only (unless `RUST_LOG`), captured by the test harness.
#[cfg(feature = "test")]
pub(crate) fn init_test_logs() {
    let filter = log_filter(std::env::var("RUST_LOG").ok(), Level::WARN)
        .unwrap_or_else(|_| Targets::new().with_default(Level::WARN));
    let _ = tracing_subscriber::fmt()
        .with_max_level(tracing::level_filters::LevelFilter::TRACE)
        .with_target(false)
        .with_test_writer()
        .finish()
        .with(filter)
        .try_init();
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_format_comes_from_the_environment_then_the_file() {
        let config = macaron_config::Loader::new().load_str("m.yaml", "log_format: json").unwrap();
        assert_eq!(format(&config, |_| None), Ok(Format::Json));
        assert_eq!(format(&config, |_| Some("text".into())), Ok(Format::Text));
        assert_eq!(format(&macaron_config::Config::default(), |_| None), Ok(Format::Text));
        let bad = format(&config, |_| Some("xml".into())).unwrap_err();
        assert_eq!(bad, "MACARON_LOG_FORMAT: \"xml\" is not a log format (text or json)");
    }

    #[test]
    fn rust_log_sets_levels_by_target_and_a_bad_one_is_an_error() {
        let filter = log_filter(Some("warn,my_service=debug".into()), Level::INFO).unwrap();
        assert_eq!(filter.default_level(), Some(Level::WARN.into()));
        assert!(filter.would_enable("my_service::api", &Level::DEBUG));
        assert!(!filter.would_enable("other", &Level::INFO));
        assert_eq!(log_filter(None, Level::DEBUG).unwrap().default_level(), Some(Level::DEBUG.into()));
        let bad = log_filter(Some("debug,a=loud".into()), Level::INFO).unwrap_err();
        assert!(bad.starts_with("RUST_LOG: \"debug,a=loud\" is not a log filter"), "{bad}");
    }
}
