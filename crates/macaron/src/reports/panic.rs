//! A panic's message and backtrace, kept for the request's crash report.
//!
//! `catch_unwind` gives back only the panic's payload; its location and
//! backtrace are known only inside the panic hook. So a hook, installed
//! once, records them in the record of the request being served (if any),
//! where the HTTP layer and the task executor find them when they report
//! the panic; panics outside a request go to the previous hook.

use std::backtrace::Backtrace;
use std::panic;
use std::sync::{Arc, Once};

use crate::request::record::{lock, with_current};
use crate::request::PanicNote;

/// Installs (once) the panic hook.
pub(crate) fn install_panic_hook() {
    static ONCE: Once = Once::new();
    ONCE.call_once(|| {
        let previous = panic::take_hook();
        panic::set_hook(Box::new(move |info| {
            let recorded = with_current(|current| {
                let message = match info.payload().downcast_ref::<&str>() {
                    Some(s) => (*s).to_string(),
                    None => info.payload().downcast_ref::<String>().cloned().unwrap_or_else(|| "panic".into()),
                };
                let location = info.location().map(|l| format!(" at {}:{}", l.file(), l.line())).unwrap_or_default();
                let note = PanicNote {
                    message: format!("{message}{location}"),
                    backtrace: Arc::new(Backtrace::force_capture()),
                };
                *lock(&current.panic) = Some(note);
            });
            if recorded.is_none() {
                previous(info);
            }
        }));
    });
}
