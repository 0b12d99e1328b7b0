//! A source response kept exactly as received: the bytes (gzip-compressed), what was asked, who
//! answered, when, how long it took, and the SHA-256 of the uncompressed bytes.

use super::SourceId;
use chrono::{DateTime, Utc};
use flate2::read::GzDecoder;
use flate2::write::GzEncoder;
use flate2::Compression;
use serde::{Deserialize, Serialize};
use sha2::{Digest, Sha256};
use std::io::{Read, Write};

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Snapshot {
    pub source: SourceId,
    pub provider: String,
    /// The request as sent: method and URL (without credentials) or a description for local
    /// sources.
    pub request: String,
    /// HTTP status, or 200 for local sources.
    pub status: u16,
    pub content_type: String,
    pub fetched_at: DateTime<Utc>,
    pub latency_ms: u64,
    /// Hex SHA-256 of the uncompressed body.
    pub sha256: String,
    /// Length of the uncompressed body.
    pub size: u64,
    /// The body, gzip-compressed.
    #[serde(with = "hex_bytes")]
    pub compressed: Vec<u8>,
    /// The body as captured by this process, so that deciding reads it without inflating and
    /// hashing it again. Never stored: a snapshot read back from storage has none and is
    /// checked against its hash.
    #[serde(skip)]
    pub captured: Captured,
}

/// Uncompressed bytes held beside a fresh snapshot. Not part of its identity: two snapshots
/// are equal by their recorded fields whether or not one still holds its bytes.
#[derive(Clone, Default)]
pub struct Captured(pub Option<std::sync::Arc<[u8]>>);

impl PartialEq for Captured {
    fn eq(&self, _: &Self) -> bool {
        true
    }
}

impl Eq for Captured {}

impl std::fmt::Debug for Captured {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match &self.0 {
            Some(bytes) => write!(f, "Captured({} bytes)", bytes.len()),
            None => f.write_str("Captured(none)"),
        }
    }
}

/// The hash of a body, as stored in [`Snapshot::sha256`].
pub fn sha256_hex(body: &[u8]) -> String {
    hex::encode(Sha256::digest(body))
}

/// `body` as a gzip member (RFC 1952), deflated at the fast level: what [`GzEncoder`] writes,
/// without setting up a new deflate state (its window and hash tables, zeroed) for every
/// body, which cost about as much as deflating a typical answer. Each thread keeps one and
/// resets it.
fn gzip(body: &[u8]) -> Vec<u8> {
    use flate2::{Compress, FlushCompress, Status};
    thread_local! {
        static DEFLATE: std::cell::RefCell<Compress> =
            std::cell::RefCell::new(Compress::new(Compression::fast(), false));
    }
    // Magic, deflate, no flags, no time, "fastest" extra flags, unknown system.
    let mut out = vec![0x1f, 0x8b, 8, 0, 0, 0, 0, 0, 4, 255];
    out.reserve(body.len() / 4 + 64);
    let deflated = DEFLATE.with(|deflate| {
        let mut deflate = deflate.borrow_mut();
        deflate.reset();
        loop {
            let consumed = usize::try_from(deflate.total_in()).unwrap_or(body.len());
            let rest = body.get(consumed..).unwrap_or_default();
            match deflate.compress_vec(rest, &mut out, FlushCompress::Finish) {
                Ok(Status::StreamEnd) => return true,
                Ok(_) => out.reserve(out.capacity().max(1024)),
                Err(_) => return false,
            }
        }
    });
    if !deflated {
        // Not expected with a fresh state and room to write; the encoder never fails.
        let mut encoder = GzEncoder::new(Vec::new(), Compression::fast());
        return encoder
            .write_all(body)
            .and_then(|()| encoder.finish())
            .unwrap_or_default();
    }
    let mut crc = flate2::Crc::new();
    crc.update(body);
    out.extend_from_slice(&crc.sum().to_le_bytes());
    // ISIZE: the length modulo 2^32.
    out.extend_from_slice(&(body.len() as u32).to_le_bytes());
    out
}

/// A snapshot whose stored bytes do not match its hash.
#[derive(Debug, thiserror::Error)]
#[error("snapshot {sha256} of {source_id} is damaged: {problem}")]
pub struct DamagedSnapshot {
    pub source_id: SourceId,
    pub sha256: String,
    pub problem: String,
}

impl Snapshot {
    /// Keeps `body` as received.
    #[allow(clippy::too_many_arguments)]
    pub fn capture(
        source: SourceId,
        provider: &str,
        request: String,
        status: u16,
        content_type: &str,
        fetched_at: DateTime<Utc>,
        latency_ms: u64,
        body: &[u8],
    ) -> Snapshot {
        let compressed = gzip(body);
        Snapshot {
            source,
            provider: provider.to_owned(),
            request,
            status,
            content_type: content_type.to_owned(),
            fetched_at,
            latency_ms,
            sha256: sha256_hex(body),
            size: body.len() as u64,
            compressed,
            captured: Captured(Some(std::sync::Arc::from(body))),
        }
    }

    /// The body exactly as received, checked against its hash: borrowed from a fresh
    /// snapshot, inflated from a stored one.
    pub fn body(&self) -> Result<std::borrow::Cow<'_, [u8]>, DamagedSnapshot> {
        if let Some(bytes) = &self.captured.0 {
            return Ok(std::borrow::Cow::Borrowed(bytes));
        }
        let damaged = |problem: String| DamagedSnapshot {
            source_id: self.source,
            sha256: self.sha256.clone(),
            problem,
        };
        let mut body = Vec::with_capacity(usize::try_from(self.size).unwrap_or(0).min(1 << 26));
        GzDecoder::new(self.compressed.as_slice())
            .read_to_end(&mut body)
            .map_err(|e| damaged(e.to_string()))?;
        if sha256_hex(&body) != self.sha256 {
            return Err(damaged("hash mismatch".to_owned()));
        }
        Ok(std::borrow::Cow::Owned(body))
    }
}

mod hex_bytes {
    use serde::{Deserialize, Deserializer, Serializer};
    pub fn serialize<S: Serializer>(bytes: &[u8], s: S) -> Result<S::Ok, S::Error> {
        s.serialize_str(&hex::encode(bytes))
    }
    pub fn deserialize<'de, D: Deserializer<'de>>(d: D) -> Result<Vec<u8>, D::Error> {
        let text = String::deserialize(d)?;
        hex::decode(text).map_err(serde::de::Error::custom)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn snap(body: &[u8]) -> Snapshot {
        Snapshot::capture(
            SourceId::Bodacc,
            "test",
            "GET /x".into(),
            200,
            "application/json",
            Utc::now(),
            3,
            body,
        )
    }

    #[test]
    fn a_snapshot_returns_the_exact_bytes_it_was_given_and_hashes_them() {
        let body = "{\"é\": [1, 2, 3]}\r\n\u{feff}".repeat(100).into_bytes();
        let s = snap(&body);
        assert_eq!(*s.body().unwrap(), *body);
        assert_eq!(s.size, body.len() as u64);
        assert_eq!(s.sha256.len(), 64);
        assert!(s.compressed.len() < body.len());
        // The well-known digest of the empty string.
        assert_eq!(
            snap(b"").sha256,
            "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855"
        );
    }

    #[test]
    fn each_body_is_compressed_as_from_a_fresh_state_whatever_came_before() {
        // The deflate state is reused from body to body (a large one, then small and empty
        // ones): each must come out as it does from a new state on another thread, and read
        // back exactly.
        let large: Vec<u8> = (0..300_000_u32)
            .flat_map(|i| (i % 251).to_le_bytes())
            .collect();
        let bodies: [&[u8]; 5] = [&large, b"{\"a\": 1}", b"", &large[..1000], b"x"];
        for body in bodies {
            let reused = gzip(body);
            let owned = body.to_vec();
            let fresh = std::thread::spawn(move || gzip(&owned)).join().unwrap();
            assert_eq!(reused, fresh, "{} bytes", body.len());
            let mut read = Vec::new();
            GzDecoder::new(reused.as_slice())
                .read_to_end(&mut read)
                .unwrap();
            assert_eq!(read, body);
        }
    }

    #[test]
    fn a_tampered_snapshot_is_detected() {
        let mut s = snap(b"original");
        let other = snap(b"altered!");
        s.compressed = other.compressed;
        // As read back from storage: only the stored bytes.
        s.captured = Captured::default();
        assert!(s.body().unwrap_err().to_string().contains("hash mismatch"));
    }

    #[test]
    fn a_snapshot_survives_a_json_round_trip() {
        let s = snap(b"abc");
        let back: Snapshot = serde_json::from_str(&serde_json::to_string(&s).unwrap()).unwrap();
        assert_eq!(back, s);
        assert!(
            back.captured.0.is_none(),
            "the raw bytes are never serialised"
        );
        assert_eq!(
            &*back.body().unwrap(),
            b"abc",
            "read back from the stored bytes"
        );
    }
}
