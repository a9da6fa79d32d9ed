//! The task queue on Redis: a stream read by a consumer group, so any
//! number of worker processes share the work.
//!
//! Keys, under `macaron:<service>:tasks`:
//! - `:stream`, a Redis Stream of runnable tasks (field `envelope`), read
//!   by the consumer group `workers`; an entry a worker has read sits in the
//!   group's pending list until the worker acknowledges it;
//! - `:delayed`, a sorted set of envelopes by due time (delayed tasks and
//!   retries waiting for their backoff), moved into the stream by a script
//!   when due, so waiting tasks live in Redis, not in a process's memory;
//! - `:failed` (hash by id) and `:failed_at` (sorted by time): tasks that
//!   gave up.
//!
//! A worker extends its claim while a task runs (a script that re-claims
//! the entry only if the worker still owns it). An entry whose owner has
//! been silent longer than the visibility timeout (a worker killed with
//! SIGKILL, a machine gone) is taken over by another worker with
//! `XAUTOCLAIM`. A task is acknowledged and deleted only after it ran.

use std::sync::atomic::{AtomicI64, Ordering};
use std::time::Duration;

use redis::aio::{ConnectionManager, ConnectionManagerConfig};
use redis::{AsyncCommands, Script, Value};

use crate::clock::now_millis;
use crate::stats::{FailedTask, Stats};

const GROUP: &str = "workers";

/// How long a blocking read waits for a new task before the worker looks
/// at delayed and abandoned tasks again.
const BLOCK: Duration = Duration::from_millis(500);

/// How often (at most) a worker moves due delayed tasks and reclaims abandoned ones.
const HOUSEKEEPING_MS: i64 = 200;

/// Redis' side of the queue.
pub(crate) struct RedisQueue {
    commands: ConnectionManager,
    /// For the blocking read only, which would hold up every other command.
    reads: ConnectionManager,
    stream: String,
    delayed: String,
    failed: String,
    failed_at: String,
    last_housekeeping: AtomicI64,
    move_due: Script,
    extend: Script,
}

/// A claimed stream entry.
pub(crate) struct Entry {
    pub stream_id: String,
    pub envelope: String,
}

fn unavailable(url: &str, e: &redis::RedisError) -> String {
    format!("Redis at {url} is unavailable: {e}")
}

impl RedisQueue {
    /// Connects and creates the consumer group if needed. `shown_url` is
    /// the URL without its password, for messages.
    pub async fn connect(url: &str, shown_url: &str, service: &str) -> Result<Self, String> {
        let client = redis::Client::open(url).map_err(|e| format!("bad Redis URL {shown_url}: {e}"))?;
        let config = ConnectionManagerConfig::new().set_number_of_retries(2);
        let commands = ConnectionManager::new_with_config(
            client.clone(),
            config.clone().set_response_timeout(Some(Duration::from_secs(5))),
        )
        .await
        .map_err(|e| unavailable(shown_url, &e))?;
        let reads = ConnectionManager::new_with_config(
            client,
            config.set_response_timeout(Some(BLOCK + Duration::from_secs(5))),
        )
        .await
        .map_err(|e| unavailable(shown_url, &e))?;
        let base = format!("macaron:{service}:tasks");
        let queue = RedisQueue {
            commands,
            reads,
            stream: format!("{base}:stream"),
            delayed: format!("{base}:delayed"),
            failed: format!("{base}:failed"),
            failed_at: format!("{base}:failed_at"),
            last_housekeeping: AtomicI64::new(0),
            move_due: Script::new(
                r"local due = redis.call('ZRANGEBYSCORE', KEYS[1], '-inf', ARGV[1], 'LIMIT', 0, 100)
                  for _, e in ipairs(due) do
                    redis.call('ZREM', KEYS[1], e)
                    redis.call('XADD', KEYS[2], '*', 'envelope', e)
                  end
                  return #due",
            ),
            extend: Script::new(
                r"local p = redis.call('XPENDING', KEYS[1], ARGV[1], ARGV[3], ARGV[3], 1)
                  if p[1] and p[1][2] == ARGV[2] then
                    redis.call('XCLAIM', KEYS[1], ARGV[1], ARGV[2], 0, ARGV[3], 'JUSTID')
                    return 1
                  end
                  return 0",
            ),
        };
        queue.create_group().await.map_err(|e| unavailable(shown_url, &e))?;
        Ok(queue)
    }

    /// Creates the stream and its consumer group, unless they exist.
    async fn create_group(&self) -> redis::RedisResult<()> {
        let mut con = self.commands.clone();
        let created: redis::RedisResult<()> = redis::cmd("XGROUP")
            .arg("CREATE")
            .arg(&self.stream)
            .arg(GROUP)
            .arg("0")
            .arg("MKSTREAM")
            .query_async(&mut con)
            .await;
        match created {
            Err(e) if e.code() == Some("BUSYGROUP") => Ok(()),
            other => other,
        }
    }

    /// Adds a task, runnable from `run_at` (Unix ms).
    pub async fn push(&self, envelope: &str, run_at: i64) -> redis::RedisResult<()> {
        let mut con = self.commands.clone();
        if run_at > now_millis() {
            con.zadd::<_, _, _, ()>(&self.delayed, envelope, run_at).await
        } else {
            redis::cmd("XADD").arg(&self.stream).arg("*").arg("envelope").arg(envelope).query_async(&mut con).await
        }
    }

    /// Moves due delayed tasks into the stream and takes over one entry
    /// abandoned for longer than `lease`, at most every few hundred ms.
    async fn housekeeping(&self, consumer: &str, lease: Duration) -> redis::RedisResult<Option<Entry>> {
        let now = now_millis();
        let last = self.last_housekeeping.load(Ordering::Relaxed);
        if now - last < HOUSEKEEPING_MS
            || self.last_housekeeping.compare_exchange(last, now, Ordering::Relaxed, Ordering::Relaxed).is_err()
        {
            return Ok(None);
        }
        let mut con = self.commands.clone();
        let _: i64 = self.move_due.key(&self.delayed).key(&self.stream).arg(now).invoke_async(&mut con).await?;
        let idle = u64::try_from(lease.as_millis()).unwrap_or(u64::MAX);
        let reply: Value = redis::cmd("XAUTOCLAIM")
            .arg(&self.stream)
            .arg(GROUP)
            .arg(consumer)
            .arg(idle)
            .arg("0-0")
            .arg("COUNT")
            .arg(1)
            .query_async(&mut con)
            .await?;
        // [next-cursor, [[id, [field, value, ...]], ...], [deleted ids]]
        let Value::Array(parts) = reply else { return Ok(None) };
        Ok(parts.get(1).and_then(first_entry))
    }

    /// Claims one task: a due delayed or abandoned one first, else a new
    /// one, waiting up to a short block for it.
    pub async fn claim(&self, consumer: &str, lease: Duration, max: usize) -> redis::RedisResult<Vec<Entry>> {
        if let Some(entry) = self.housekeeping(consumer, lease).await? {
            return Ok(vec![entry]);
        }
        let mut con = self.reads.clone();
        let reply: Value = redis::cmd("XREADGROUP")
            .arg("GROUP")
            .arg(GROUP)
            .arg(consumer)
            .arg("COUNT")
            .arg(max.max(1))
            .arg("BLOCK")
            .arg(u64::try_from(BLOCK.as_millis()).unwrap_or(500))
            .arg("STREAMS")
            .arg(&self.stream)
            .arg(">")
            .query_async(&mut con)
            .await?;
        // [[stream, [[id, [field, value]]]]] or nil; RESP3 may give a map.
        let streams = match reply {
            Value::Array(streams) => streams.into_iter().next().and_then(|s| match s {
                Value::Array(mut pair) if pair.len() == 2 => pair.pop(),
                _ => None,
            }),
            Value::Map(pairs) => pairs.into_iter().next().map(|(_, entries)| entries),
            _ => None,
        };
        Ok(streams.as_ref().map(all_entries).unwrap_or_default())
    }

    /// Extends the claim; `false` if another worker owns the entry now.
    pub async fn heartbeat(&self, consumer: &str, stream_id: &str) -> redis::RedisResult<bool> {
        let mut con = self.commands.clone();
        let kept: i64 =
            self.extend.key(&self.stream).arg(GROUP).arg(consumer).arg(stream_id).invoke_async(&mut con).await?;
        Ok(kept == 1)
    }

    /// Acknowledges and deletes an entry, then runs `then` in the same transaction.
    async fn finish(&self, stream_id: &str, then: impl FnOnce(&mut redis::Pipeline)) -> redis::RedisResult<()> {
        let mut pipe = redis::pipe();
        pipe.atomic().cmd("XACK").arg(&self.stream).arg(GROUP).arg(stream_id).ignore();
        pipe.cmd("XDEL").arg(&self.stream).arg(stream_id).ignore();
        then(&mut pipe);
        let mut con = self.commands.clone();
        pipe.query_async(&mut con).await
    }

    /// The task ran.
    pub async fn complete(&self, stream_id: &str) -> redis::RedisResult<()> {
        self.finish(stream_id, |_| {}).await
    }

    /// The task runs again from `run_at` with its new envelope.
    pub async fn retry(&self, stream_id: &str, envelope: &str, run_at: i64) -> redis::RedisResult<()> {
        let (delayed, stream) = (self.delayed.clone(), self.stream.clone());
        self.finish(stream_id, |pipe| {
            if run_at > now_millis() {
                pipe.zadd(&delayed, envelope, run_at).ignore();
            } else {
                pipe.cmd("XADD").arg(&stream).arg("*").arg("envelope").arg(envelope).ignore();
            }
        })
        .await
    }

    /// The task gave up.
    pub async fn fail(&self, stream_id: &str, id: &str, record: &str) -> redis::RedisResult<()> {
        let (failed, failed_at) = (self.failed.clone(), self.failed_at.clone());
        self.finish(stream_id, |pipe| {
            pipe.hset(&failed, id, record).ignore();
            pipe.zadd(&failed_at, id, now_millis()).ignore();
        })
        .await
    }

    /// Gives an entry back for another worker at once (shutdown).
    pub async fn abandon(&self, stream_id: &str, envelope: &str) -> redis::RedisResult<()> {
        self.retry(stream_id, envelope, 0).await
    }

    /// `PING`: `Ok` when Redis answers.
    pub async fn ping(&self) -> redis::RedisResult<()> {
        let mut con = self.commands.clone();
        redis::cmd("PING").query_async::<()>(&mut con).await
    }

    /// Counts.
    pub async fn stats(&self) -> redis::RedisResult<Stats> {
        let mut con = self.commands.clone();
        let (len, delayed, failed): (u64, u64, u64) = redis::pipe()
            .cmd("XLEN")
            .arg(&self.stream)
            .cmd("ZCARD")
            .arg(&self.delayed)
            .cmd("HLEN")
            .arg(&self.failed)
            .query_async(&mut con)
            .await?;
        let pending: Value = redis::cmd("XPENDING").arg(&self.stream).arg(GROUP).query_async(&mut con).await?;
        let running = match pending {
            Value::Array(parts) => match parts.first() {
                Some(Value::Int(n)) => u64::try_from(*n).unwrap_or(0),
                _ => 0,
            },
            _ => 0,
        };
        let queued = len.saturating_sub(running);
        let oldest_due_at = if queued == 0 { None } else { self.oldest_undelivered(&mut con).await? };
        Ok(Stats { queued, delayed, running, failed, oldest_due_at })
    }

    /// When the oldest entry no worker has read yet was added to the
    /// stream (a stream id starts with its Unix milliseconds; a delayed
    /// task is added when it becomes due).
    async fn oldest_undelivered(&self, con: &mut ConnectionManager) -> redis::RedisResult<Option<i64>> {
        let groups: Value = redis::cmd("XINFO").arg("GROUPS").arg(&self.stream).query_async(con).await?;
        let Value::Array(groups) = groups else { return Ok(None) };
        let last = groups.iter().find_map(|group| {
            let fields = match group {
                Value::Array(items) => items.chunks(2).map(|p| (p.first(), p.get(1))).collect::<Vec<_>>(),
                Value::Map(pairs) => pairs.iter().map(|(k, v)| (Some(k), Some(v))).collect(),
                _ => return None,
            };
            let text = |v: Option<&Value>| match v {
                Some(Value::BulkString(b)) => Some(String::from_utf8_lossy(b).into_owned()),
                Some(Value::SimpleString(s)) => Some(s.clone()),
                _ => None,
            };
            let field =
                |name: &str| fields.iter().find(|(k, _)| text(*k).as_deref() == Some(name)).and_then(|(_, v)| text(*v));
            (field("name").as_deref() == Some(GROUP)).then(|| field("last-delivered-id")).flatten()
        });
        let Some(last) = last else { return Ok(None) };
        let next: Value = redis::cmd("XRANGE")
            .arg(&self.stream)
            .arg(format!("({last}"))
            .arg("+")
            .arg("COUNT")
            .arg(1)
            .query_async(con)
            .await?;
        let id = match next {
            Value::Array(entries) => match entries.first() {
                Some(Value::Array(entry)) => match entry.first() {
                    Some(Value::BulkString(id)) => String::from_utf8_lossy(id).into_owned(),
                    _ => return Ok(None),
                },
                _ => return Ok(None),
            },
            _ => return Ok(None),
        };
        Ok(id.split('-').next().and_then(|ms| ms.parse().ok()))
    }

    /// The newest failed tasks.
    pub async fn failed(&self, limit: u32) -> redis::RedisResult<Vec<FailedTask>> {
        let mut con = self.commands.clone();
        let ids: Vec<String> =
            con.zrevrange(&self.failed_at, 0, isize::try_from(limit).unwrap_or(100).saturating_sub(1)).await?;
        let mut out = Vec::new();
        for id in ids {
            let record: Option<String> = con.hget(&self.failed, &id).await?;
            if let Some(task) = record.and_then(|r| serde_json::from_str::<FailedTask>(&r).ok()) {
                out.push(task);
            }
        }
        Ok(out)
    }

    /// Puts a failed task back.
    pub async fn requeue(&self, id: &str) -> redis::RedisResult<bool> {
        let mut con = self.commands.clone();
        let record: Option<String> = con.hget(&self.failed, id).await?;
        let Some(task) = record.and_then(|r| serde_json::from_str::<FailedTask>(&r).ok()) else { return Ok(false) };
        redis::pipe()
            .atomic()
            .hdel(&self.failed, id)
            .ignore()
            .zrem(&self.failed_at, id)
            .ignore()
            .cmd("XADD")
            .arg(&self.stream)
            .arg("*")
            .arg("envelope")
            .arg(&task.envelope)
            .ignore()
            .query_async::<()>(&mut con)
            .await?;
        Ok(true)
    }

    /// Deletes the queue's keys (tests and tools).
    pub async fn clear(&self) -> redis::RedisResult<()> {
        let mut con = self.commands.clone();
        con.del::<_, ()>(&[&self.stream, &self.delayed, &self.failed, &self.failed_at]).await?;
        self.create_group().await
    }
}

/// The first `[id, [field, value, ...]]` of a list of entries, with its `envelope` field.
fn first_entry(entries: &Value) -> Option<Entry> {
    all_entries(entries).into_iter().next()
}

/// Every `[id, [field, value, ...]]` of a list of entries that has an `envelope` field.
fn all_entries(entries: &Value) -> Vec<Entry> {
    let Value::Array(entries) = entries else { return Vec::new() };
    entries.iter().filter_map(entry).collect()
}

fn entry(entry: &Value) -> Option<Entry> {
    let Value::Array(entry) = entry else { return None };
    let stream_id = text(entry.first()?)?;
    let fields = match entry.get(1)? {
        Value::Array(fields) => fields.clone(),
        Value::Map(pairs) => pairs.iter().flat_map(|(k, v)| [k.clone(), v.clone()]).collect(),
        _ => return None,
    };
    let envelope =
        fields.chunks(2).find(|kv| kv.first().and_then(text).as_deref() == Some("envelope"))?.get(1).and_then(text)?;
    Some(Entry { stream_id, envelope })
}

fn text(value: &Value) -> Option<String> {
    match value {
        Value::BulkString(bytes) => String::from_utf8(bytes.clone()).ok(),
        Value::SimpleString(s) => Some(s.clone()),
        _ => None,
    }
}
