//! The protocol layer's own refusals, sent as the JSON error object.
//!
//! actix-http answers what never becomes a request by itself: a head that
//! does not parse (400), a head over its buffer or with too many headers
//! (431), a head not received in time (408). It writes those replies with
//! an empty body, straight to the connection, with no hook to change them.
//! So the connection is wrapped: [`Wire`] passes every byte through, except
//! a write that ends with one of those replies, whose reply it replaces by
//! the JSON error object with the same status (the decorator applied, a
//! request id, the security headers). Such a reply is recognised by its
//! exact shape: status 400, 408 or 431, no header but `content-length: 0`,
//! `connection` and `date`, at the very end of what is written (the
//! connection closes after it). No reply of the pipeline has that shape:
//! every error reply it sends has a JSON body.

use std::io;
use std::pin::Pin;
use std::sync::Arc;
use std::task::{ready, Context, Poll};
use std::time::Duration;

use tokio::io::{AsyncRead, AsyncWrite, ReadBuf};

use super::error_reply::error_bytes;
use crate::error::codes::{BadRequest, HeadTooLarge, RequestTimeout};
use crate::error::{Error, ErrorObject};
use crate::metrics::Label;
use crate::request::id::RequestId;
use crate::service::Service;

/// A connection whose protocol-level error replies are rewritten as JSON.
pub(crate) struct Wire<T> {
    io: T,
    service: Arc<Service>,
    header_timeout: Duration,
    /// Bytes still to write in place of what the protocol layer wrote,
    /// and how many of them are written.
    pending: Vec<u8>,
    written: usize,
}

impl<T> Wire<T> {
    pub(crate) fn new(io: T, service: Arc<Service>, header_timeout: Duration) -> Self {
        Wire { io, service, header_timeout, pending: Vec::new(), written: 0 }
    }
}

impl<T: AsyncWrite + Unpin> Wire<T> {
    /// Writes what is pending; ready when nothing is.
    fn drain(&mut self, cx: &mut Context<'_>) -> Poll<io::Result<()>> {
        while self.written < self.pending.len() {
            let n = ready!(Pin::new(&mut self.io).poll_write(cx, &self.pending[self.written..]))?;
            if n == 0 {
                return Poll::Ready(Err(io::ErrorKind::WriteZero.into()));
            }
            self.written += n;
        }
        if !self.pending.is_empty() {
            self.pending = Vec::new();
            self.written = 0;
        }
        Poll::Ready(Ok(()))
    }

    /// The JSON reply replacing the protocol layer's reply of `status`.
    fn json_reply(&self, status: u16, reason: &[u8], date: Option<&[u8]>) -> Vec<u8> {
        let error: Error = match status {
            408 => RequestTimeout::new(format!(
                "the request head was not received within {} s",
                self.header_timeout.as_secs_f64()
            )),
            431 => HeadTooLarge::new("the request head is over 128 KiB or has more than 96 headers"),
            _ => BadRequest::new("the request is not well-formed HTTP/1.1: its head cannot be read"),
        };
        let id = RequestId::new();
        let body = error_bytes(&self.service, ErrorObject::of(&error), &id);
        tracing::info!(request_id = %id, status, "connection refused by the protocol layer: {}", error.error_description);
        self.service.metrics.observe(Label::Other("protocol_error"), status, 0.0);
        let mut out = Vec::with_capacity(body.len() + 256);
        out.extend_from_slice(format!("HTTP/1.1 {status} ").as_bytes());
        out.extend_from_slice(reason);
        out.extend_from_slice(b"\r\ncontent-type: application/json\r\n");
        out.extend_from_slice(format!("content-length: {}\r\n", body.len()).as_bytes());
        out.extend_from_slice(b"connection: close\r\nx-content-type-options: nosniff\r\ncache-control: no-store\r\n");
        out.extend_from_slice(b"x-request-id: ");
        out.extend_from_slice(id.as_str().as_bytes());
        out.extend_from_slice(b"\r\n");
        if let Some(date) = date {
            out.extend_from_slice(b"date: ");
            out.extend_from_slice(date);
            out.extend_from_slice(b"\r\n");
        }
        out.extend_from_slice(b"\r\n");
        out.extend_from_slice(&body);
        out
    }
}

/// The protocol layer's error reply at the end of a write.
#[derive(Debug, PartialEq)]
struct Refusal<'a> {
    /// Where it starts in the write.
    start: usize,
    status: u16,
    reason: &'a [u8],
    date: Option<&'a [u8]>,
}

/// The protocol layer's error reply `buf` ends with, if it ends with one.
fn protocol_error(buf: &[u8]) -> Option<Refusal<'_>> {
    if !buf.ends_with(b"\r\n\r\n") {
        return None;
    }
    let start = buf.windows(7).rposition(|w| w == b"HTTP/1.")?;
    let reply = &buf[start..buf.len() - 4];
    let mut lines = reply.split(|&b| b == b'\n').map(|l| l.strip_suffix(b"\r").unwrap_or(l));
    let status_line = lines.next()?;
    let status = status_line.get(9..12)?;
    let status = match status {
        b"400" => 400,
        b"408" => 408,
        b"431" => 431,
        _ => return None,
    };
    if status_line.get(8) != Some(&b' ') || status_line.get(12) != Some(&b' ') {
        return None;
    }
    let reason = &status_line[13..];
    let (mut empty, mut date) = (false, None);
    for line in lines {
        let colon = line.iter().position(|&b| b == b':')?;
        let (name, value) = (&line[..colon], line[colon + 1..].trim_ascii());
        if name.eq_ignore_ascii_case(b"content-length") && value == b"0" {
            empty = true;
        } else if name.eq_ignore_ascii_case(b"date") {
            date = Some(value);
        } else if !name.eq_ignore_ascii_case(b"connection") {
            return None;
        }
    }
    empty.then_some(Refusal { start, status, reason, date })
}

impl<T: AsyncRead + Unpin> AsyncRead for Wire<T> {
    fn poll_read(mut self: Pin<&mut Self>, cx: &mut Context<'_>, buf: &mut ReadBuf<'_>) -> Poll<io::Result<()>> {
        Pin::new(&mut self.io).poll_read(cx, buf)
    }
}

impl<T: AsyncWrite + Unpin> AsyncWrite for Wire<T> {
    fn poll_write(mut self: Pin<&mut Self>, cx: &mut Context<'_>, buf: &[u8]) -> Poll<io::Result<usize>> {
        let this = &mut *self;
        ready!(this.drain(cx))?;
        if let Some(refusal) = protocol_error(buf) {
            let mut out = buf[..refusal.start].to_vec();
            out.extend(this.json_reply(refusal.status, refusal.reason, refusal.date));
            this.pending = out;
            // Taken whole: what is not written yet goes out on the next
            // write, flush or shutdown.
            if let Poll::Ready(Err(e)) = this.drain(cx) {
                return Poll::Ready(Err(e));
            }
            return Poll::Ready(Ok(buf.len()));
        }
        Pin::new(&mut this.io).poll_write(cx, buf)
    }

    fn poll_flush(mut self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<io::Result<()>> {
        ready!(self.drain(cx))?;
        Pin::new(&mut self.io).poll_flush(cx)
    }

    fn poll_shutdown(mut self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<io::Result<()>> {
        ready!(self.drain(cx))?;
        Pin::new(&mut self.io).poll_shutdown(cx)
    }
}

#[cfg(test)]
mod tests {
    use super::protocol_error;

    #[test]
    fn recognises_the_protocol_layers_empty_refusals_only() {
        let bad = b"HTTP/1.1 400 Bad Request\r\ncontent-length: 0\r\nconnection: close\r\ndate: Fri, 04 Dec 2026 19:00:00 GMT\r\n\r\n";
        let refusal = protocol_error(bad).unwrap();
        assert_eq!((refusal.start, refusal.status, refusal.reason), (0, 400, &b"Bad Request"[..]));
        assert_eq!(refusal.date, Some(&b"Fri, 04 Dec 2026 19:00:00 GMT"[..]));
        // After a pipelined reply with a body.
        let mut two = b"HTTP/1.1 200 OK\r\ncontent-length: 2\r\n\r\nok".to_vec();
        two.extend_from_slice(b"HTTP/1.1 431 Request Header Fields Too Large\r\ncontent-length: 0\r\n\r\n");
        assert_eq!(protocol_error(&two).map(|p| (p.start, p.status)), Some((40, 431)));
        // A reply of the pipeline: a body, or other headers.
        assert!(protocol_error(b"HTTP/1.1 400 Bad Request\r\ncontent-length: 2\r\n\r\n").is_none());
        assert!(protocol_error(b"HTTP/1.1 400 Bad Request\r\ncontent-length: 0\r\nx-request-id: a\r\n\r\n").is_none());
        assert!(protocol_error(b"HTTP/1.1 404 Not Found\r\ncontent-length: 0\r\n\r\n").is_none());
        assert!(protocol_error(b"HTTP/1.1 400 Bad Request\r\nconnection: close\r\n\r\n").is_none());
        assert!(protocol_error(b"{\"a\": 1}").is_none());
    }
}
