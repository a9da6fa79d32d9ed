//! The HTTP server: a listening socket and actix-server with actix-http.
//!
//! actix-server accepts the connections and actix-http speaks HTTP/1.1 on
//! them; every request goes straight to the dispatch, with no actix-web
//! `App` in between: Macaron routes and extracts itself, so the `App` layer
//! (its request object, router and extractor plumbing) was work every
//! request paid for nothing (docs/performance.md). The protocol settings
//! are the service's limits (`http::limits`).

use std::net::TcpListener;
use std::time::Duration;

use actix_http::error::DispatchError;
use actix_http::{HttpService, KeepAlive};
use actix_service::{fn_factory, fn_service, ServiceFactoryExt as _};
use futures_util::future::ready;
use tokio::net::TcpStream;

use super::dispatch::dispatch;
use super::ui::ui_app;
use super::wire::Wire;
use crate::service::Api;

/// How long in-flight requests may take to finish after a shutdown signal.
const SHUTDOWN_GRACE: Duration = Duration::from_secs(30);

/// The listening socket. With `MACARON_REUSE_PORT=1` it is opened with
/// `SO_REUSEPORT`: a new instance of the service listens on the port while
/// the old one still does, and the old one is stopped once the new one is
/// ready (what `macaron deploy` does on a single host). Off by default, so
/// a port already taken is an error.
pub(crate) fn listen(host: &str, port: u16) -> std::io::Result<TcpListener> {
    if std::env::var("MACARON_REUSE_PORT").as_deref() != Ok("1") {
        return TcpListener::bind((host, port));
    }
    let addr = std::net::ToSocketAddrs::to_socket_addrs(&(host, port))?
        .next()
        .ok_or_else(|| std::io::Error::other(format!("{host}: no address")))?;
    let socket = socket2::Socket::new(socket2::Domain::for_address(addr), socket2::Type::STREAM, None)?;
    socket.set_reuse_address(true)?;
    socket.set_reuse_port(true)?;
    socket.bind(&addr.into())?;
    socket.listen(1024)?;
    Ok(socket.into())
}

/// The actix server for a service on a bound listener (not yet running).
///
/// actix-server accepts the connections and actix-http speaks HTTP/1.1 on
/// them; the requests go straight to [`dispatch`], with no actix-web `App`
/// in between: Macaron routes and extracts itself, so the `App` layer
/// (its request object, router and extractor plumbing) was work every
/// request paid for nothing (docs/performance.md). The protocol's limits
/// (head timeout, keep-alive, connections per worker) are the service's
/// [`Limits`](super::limits::Limits).
/// Only Swagger UI's assets, which the `swagger-ui-dist` crate ships as an
/// actix-web scope, are served by an `App` (see [`dispatch`]). The settings
pub(crate) fn http_server(api: &Api, listener: TcpListener, workers: usize) -> std::io::Result<actix_server::Server> {
    let addr = listener.local_addr()?;
    let _ = api.service.instance.port.set(addr.port());
    let service = api.service.clone();
    let limits = service.limits;
    let mut builder = actix_server::Server::build()
        .workers(workers)
        .backlog(1024)
        .max_concurrent_connections(limits.connections_per_worker)
        .disable_signals()
        .shutdown_timeout(SHUTDOWN_GRACE.as_secs());
    let closing = builder.graceful_shutdown_signal();
    builder = builder.listen("macaron", listener, move || {
        let service = service.clone();
        let closing = closing.clone();
        let keep_alive =
            if limits.keep_alive.is_zero() { KeepAlive::Disabled } else { KeepAlive::Timeout(limits.keep_alive) };
        let h1 = HttpService::build()
            .graceful_shutdown_signal(move || {
                let closing = closing.clone();
                async move { closing.notified().await }
            })
            .keep_alive(keep_alive)
            .client_request_timeout(limits.header_timeout)
            .client_disconnect_timeout(Duration::from_secs(1))
            .local_addr(addr)
            .h1(fn_factory({
                let service = service.clone();
                move || {
                    let service = service.clone();
                    async move {
                        let assets = ui_app().await?;
                        Ok::<_, ()>(fn_service(move |req| dispatch(req, service.clone(), assets.clone())))
                    }
                }
            }));
        // Each connection wrapped, so that the protocol layer's own
        // refusals leave as JSON (see `wire`).
        fn_service(move |io: TcpStream| {
            let peer = io.peer_addr().ok();
            ready(Ok::<_, DispatchError>((Wire::new(io, service.clone(), limits.header_timeout), peer)))
        })
        .and_then(h1)
    })?;
    Ok(builder.run())
}
