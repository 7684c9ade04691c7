//! Conversations that outlive a request and a restart: one JSON file per conversation under
//! the data directory, written atomically (temporary file, then rename), read back on demand.
//!
//! A conversation is a Slack thread (`slack:TEAM:CHANNEL:THREAD_TS`) or an API
//! `conversation_id`. Each expires after an idle time; the store also keeps at most a bounded
//! number of them (oldest dropped first), so memory and disk stay bounded however many threads
//! a busy workspace opens. Only what the next turn needs is kept — the messages, capped, not the
//! tool trace. Turns of one conversation run one at a time (a per-key lock), so two quick
//! follow-ups in a thread never race.
//!
//! Several replicas share conversations by sharing this directory (a ReadWriteMany volume):
//! files are replaced atomically and a conversation carries its own `updated_at`, so whichever
//! replica receives the next message of a thread picks it up; two replicas answering the same
//! thread at the same instant is last-writer-wins, as with any single-row store.

use std::collections::HashMap;
use std::path::{Path, PathBuf};
use std::sync::{Arc, Mutex};
use std::time::{Duration, SystemTime, UNIX_EPOCH};

use serde::{Deserialize, Serialize};
use sha2::{Digest, Sha256};

use crate::agent::{Conversation, Message};

/// Messages kept per conversation (the most recent).
const KEEP_MESSAGES: usize = 60;

#[derive(Serialize, Deserialize)]
struct Stored {
    key: String,
    id: String,
    turns: usize,
    updated_at: u64,
    messages: Vec<Message>,
}

/// The store.
pub struct Store {
    dir: PathBuf,
    ttl: Duration,
    max: usize,
    locks: Mutex<HashMap<String, Arc<tokio::sync::Mutex<()>>>>,
    saves: std::sync::atomic::AtomicUsize,
}

fn now() -> u64 {
    SystemTime::now().duration_since(UNIX_EPOCH).map_or(0, |d| d.as_secs())
}

impl Store {
    /// A store in `dir` (created if missing).
    pub fn open(dir: &Path, ttl: Duration, max: usize) -> std::io::Result<Store> {
        std::fs::create_dir_all(dir)?;
        Ok(Store {
            dir: dir.to_path_buf(),
            ttl,
            max: max.max(1),
            locks: Mutex::new(HashMap::new()),
            saves: std::sync::atomic::AtomicUsize::new(0),
        })
    }

    fn path(&self, key: &str) -> PathBuf {
        let digest = Sha256::digest(key.as_bytes());
        self.dir.join(format!("{}.json", hex::encode(&digest[..16])))
    }

    /// Waits until no other turn of this conversation runs; the guard releases it.
    pub async fn lock(&self, key: &str) -> tokio::sync::OwnedMutexGuard<()> {
        let m = {
            let mut locks = self.locks.lock().expect("lock map");
            if locks.len() > 4 * self.max {
                locks.retain(|_, m| Arc::strong_count(m) > 1);
            }
            locks.entry(key.to_string()).or_default().clone()
        };
        m.lock_owned().await
    }

    /// The stored conversation under `key`, if it exists and has not expired.
    fn live(&self, key: &str) -> Option<Stored> {
        let text = std::fs::read_to_string(self.path(key)).ok()?;
        let Ok(s) = serde_json::from_str::<Stored>(&text) else {
            tracing::warn!(key, "conversation file unreadable; starting afresh");
            return None;
        };
        (s.key == key && now().saturating_sub(s.updated_at) <= self.ttl.as_secs()).then_some(s)
    }

    /// The conversation, or a new one when there is none or it has expired.
    pub fn load(&self, key: &str) -> Conversation {
        if let Some(s) = self.live(key) {
            return Conversation { id: s.id, messages: s.messages, trace: Vec::new(), turns: s.turns };
        }
        let mut c = Conversation::new();
        if let Some(id) = key.strip_prefix("api:") {
            c.id = id.to_string();
        }
        c
    }

    /// Whether a live (not expired) conversation exists under this key.
    pub fn exists(&self, key: &str) -> bool {
        self.live(key).is_some()
    }

    /// Saves a conversation, then enforces the bounds.
    pub fn save(&self, key: &str, c: &Conversation) -> std::io::Result<()> {
        let skip = c.messages.len().saturating_sub(KEEP_MESSAGES);
        let stored = Stored {
            key: key.to_string(),
            id: c.id.clone(),
            turns: c.turns,
            updated_at: now(),
            messages: c.messages[skip..].to_vec(),
        };
        let path = self.path(key);
        let tmp = path.with_extension(format!("tmp{}", std::process::id()));
        std::fs::write(&tmp, serde_json::to_vec(&stored)?)?;
        std::fs::rename(&tmp, &path)?;
        // Listing the directory on every save would cost O(conversations) per answer; every
        // 32nd save (and the first) keeps the bound within 32 of `max`.
        if self.saves.fetch_add(1, std::sync::atomic::Ordering::Relaxed).is_multiple_of(32) {
            self.sweep();
        }
        Ok(())
    }

    /// Removes expired conversations, then the oldest beyond the bound.
    pub fn sweep(&self) {
        let Ok(entries) = std::fs::read_dir(&self.dir) else { return };
        let mut files: Vec<(SystemTime, PathBuf)> = entries
            .flatten()
            .filter(|e| e.path().extension().is_some_and(|x| x == "json"))
            .filter_map(|e| Some((e.metadata().ok()?.modified().ok()?, e.path())))
            .collect();
        let cutoff = SystemTime::now().checked_sub(self.ttl).unwrap_or(UNIX_EPOCH);
        files.retain(|(t, p)| {
            if *t < cutoff {
                let _ = std::fs::remove_file(p);
                false
            } else {
                true
            }
        });
        if files.len() > self.max {
            files.sort();
            for (_, p) in &files[..files.len() - self.max] {
                let _ = std::fs::remove_file(p);
            }
        }
    }

    /// Number of stored conversations.
    pub fn len(&self) -> usize {
        std::fs::read_dir(&self.dir)
            .map_or(0, |d| d.flatten().filter(|e| e.path().extension().is_some_and(|x| x == "json")).count())
    }

    /// Whether the store is empty.
    pub fn is_empty(&self) -> bool {
        self.len() == 0
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::agent::Role;

    fn msg(text: &str) -> Message {
        Message { role: Role::User, content: text.into(), tool_calls: vec![], tool_call_id: None }
    }

    #[test]
    fn conversations_survive_a_new_store_on_the_same_directory() {
        let dir = tempfile::tempdir().unwrap();
        let store = Store::open(dir.path(), Duration::from_secs(3600), 10).unwrap();
        let mut c = store.load("slack:T:C:1.2");
        c.messages.push(msg("why is grafana down?"));
        c.turns = 1;
        store.save("slack:T:C:1.2", &c).unwrap();
        let again = Store::open(dir.path(), Duration::from_secs(3600), 10).unwrap().load("slack:T:C:1.2");
        assert_eq!(again.id, c.id);
        assert_eq!(again.turns, 1);
        assert_eq!(again.messages[0].content, "why is grafana down?");
        assert!(store.load("slack:T:C:other").messages.is_empty());
    }

    #[test]
    fn expired_and_excess_conversations_go() {
        let dir = tempfile::tempdir().unwrap();
        let store = Store::open(dir.path(), Duration::from_secs(3600), 3).unwrap();
        for i in 0..6 {
            store.save(&format!("k{i}"), &Conversation::new()).unwrap();
            std::thread::sleep(Duration::from_millis(15));
        }
        store.sweep();
        assert_eq!(store.len(), 3, "bounded");
        assert!(store.exists("k5") && !store.exists("k0"));
        let short = Store::open(dir.path(), Duration::from_secs(0), 3).unwrap();
        std::thread::sleep(Duration::from_millis(1100));
        assert!(short.load("k5").messages.is_empty() && !short.exists("k5"), "expired");
    }

    #[test]
    fn api_conversations_keep_their_id() {
        let dir = tempfile::tempdir().unwrap();
        let store = Store::open(dir.path(), Duration::from_secs(60), 3).unwrap();
        assert_eq!(store.load("api:abc").id, "abc");
    }
}
