//! Signed checkpoints: the tree's size and root at a moment, signed with the log's Ed25519 key.
//! A lender, its auditor or a regulator keeps them; any later log that does not extend one of
//! them (truncated, rewritten, forked) is then provably not the log they were given.
//!
//! The signed text follows the checkpoint format of transparency logs (C2SP `tlog-checkpoint`):
//! the origin, the tree size, the root hash in base64, each on its own line, then one extension
//! line with the time of signing in milliseconds:
//!
//! ```text
//! aval.example.com/audit
//! 4179
//! 3q2+7w…=
//! timestamp 1796711111123
//! ```
//!
//! The key's id is the first 8 bytes of SHA-256 over the public key, in hexadecimal.

use super::tree::Hash;
use base64::engine::general_purpose::STANDARD as B64;
use base64::Engine as _;
use chrono::{DateTime, SecondsFormat, TimeZone, Utc};
use ed25519_dalek::{Signature, Signer as _, SigningKey, Verifier as _, VerifyingKey};
use serde::{Deserialize, Serialize};
use sha2::{Digest, Sha256};

/// The signature algorithm, as published with the key.
pub const ALGORITHM: &str = "Ed25519";

/// A signed checkpoint: exactly one line of what `server audit verify --checkpoints` reads.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, utoipa::ToSchema)]
#[serde(deny_unknown_fields)]
pub struct Checkpoint {
    /// Names the log.
    pub origin: String,
    /// Records in the log when it was signed.
    pub tree_size: u64,
    /// The Merkle tree's root (RFC 9162), 64 hexadecimal characters.
    pub root_hash: String,
    /// When it was signed (RFC 3339, milliseconds, UTC).
    pub timestamp: String,
    /// The signing key's id.
    pub key_id: String,
    /// The Ed25519 signature of the signed text, base64.
    pub signature: String,
}

/// Why a checkpoint cannot be trusted.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum CheckpointError {
    #[error("it is not a checkpoint: {0}")]
    Malformed(String),
    #[error("it is signed by key {found}, not by key {expected}")]
    OtherKey { found: String, expected: String },
    #[error("its signature does not match its content")]
    BadSignature,
}

impl Checkpoint {
    /// The text the signature covers.
    pub fn signed_text(origin: &str, tree_size: u64, root: &Hash, timestamp_ms: i64) -> String {
        format!(
            "{origin}\n{tree_size}\n{}\ntimestamp {timestamp_ms}\n",
            B64.encode(root)
        )
    }

    /// The root as bytes.
    pub fn root(&self) -> Result<Hash, CheckpointError> {
        super::tree::decode_hash(&self.root_hash)
            .map_err(|e| CheckpointError::Malformed(format!("root_hash is {e}")))
    }

    /// When it was signed.
    pub fn signed_at(&self) -> Result<DateTime<Utc>, CheckpointError> {
        DateTime::parse_from_rfc3339(&self.timestamp)
            .map(|t| t.with_timezone(&Utc))
            .map_err(|e| CheckpointError::Malformed(format!("timestamp: {e}")))
    }

    /// Checks the signature with `key`.
    pub fn verify(&self, key: &PublicKey) -> Result<(), CheckpointError> {
        if self.key_id != key.id {
            return Err(CheckpointError::OtherKey {
                found: self.key_id.clone(),
                expected: key.id.clone(),
            });
        }
        let root = self.root()?;
        let at = self.signed_at()?.timestamp_millis();
        let signature = B64
            .decode(&self.signature)
            .map_err(|e| CheckpointError::Malformed(format!("signature is not base64: {e}")))
            .and_then(|b| {
                Signature::from_slice(&b)
                    .map_err(|e| CheckpointError::Malformed(format!("signature: {e}")))
            })?;
        let text = Self::signed_text(&self.origin, self.tree_size, &root, at);
        key.key
            .verify(text.as_bytes(), &signature)
            .map_err(|_| CheckpointError::BadSignature)
    }

    /// One line of JSON, as kept outside.
    pub fn to_line(&self) -> String {
        serde_json::to_string(self).expect("a checkpoint serialises")
    }

    /// Reads one line of JSON.
    pub fn from_line(line: &str) -> Result<Self, CheckpointError> {
        serde_json::from_str(line).map_err(|e| CheckpointError::Malformed(e.to_string()))
    }
}

/// The key id of a public key.
pub fn key_id(key: &VerifyingKey) -> String {
    hex::encode(&Sha256::digest(key.as_bytes())[..8])
}

/// The public half, as published.
#[derive(Debug, Clone)]
pub struct PublicKey {
    pub key: VerifyingKey,
    pub id: String,
}

/// The public key as `GET /api/v1/audit/public-key` gives it, and as `verify-proof` reads it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, utoipa::ToSchema)]
pub struct PublicKeyDocument {
    /// Always `Ed25519`.
    pub algorithm: String,
    pub key_id: String,
    /// The 32-byte public key, base64.
    pub public_key: String,
    /// The checkpoints' origin line.
    pub origin: String,
}

impl PublicKey {
    pub fn new(key: VerifyingKey) -> Self {
        let id = key_id(&key);
        Self { key, id }
    }

    pub fn document(&self, origin: &str) -> PublicKeyDocument {
        PublicKeyDocument {
            algorithm: ALGORITHM.into(),
            key_id: self.id.clone(),
            public_key: B64.encode(self.key.as_bytes()),
            origin: origin.into(),
        }
    }

    /// Reads a public key: the JSON document the API publishes, or the key alone in base64.
    pub fn parse(text: &str) -> Result<Self, String> {
        let text = text.trim();
        let b64 = if text.starts_with('{') {
            let doc: PublicKeyDocument = serde_json::from_str(text)
                .map_err(|e| format!("not a public-key document: {e}"))?;
            if doc.algorithm != ALGORITHM {
                return Err(format!("the key is {}, not {ALGORITHM}", doc.algorithm));
            }
            doc.public_key
        } else {
            text.to_owned()
        };
        let bytes = B64
            .decode(b64.trim())
            .map_err(|e| format!("the public key is not base64: {e}"))?;
        let bytes: [u8; 32] = bytes.try_into().map_err(|b: Vec<u8>| {
            format!("the public key is {} bytes; Ed25519's is 32", b.len())
        })?;
        VerifyingKey::from_bytes(&bytes)
            .map(Self::new)
            .map_err(|e| format!("not an Ed25519 public key: {e}"))
    }
}

/// The log's signing key. Never printed.
pub struct SigningIdentity {
    key: SigningKey,
    pub public: PublicKey,
    pub origin: String,
}

impl std::fmt::Debug for SigningIdentity {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("SigningIdentity")
            .field("key_id", &self.public.id)
            .field("origin", &self.origin)
            .finish_non_exhaustive()
    }
}

impl SigningIdentity {
    pub fn from_seed(seed: &[u8; 32], origin: String) -> Self {
        let key = SigningKey::from_bytes(seed);
        let public = PublicKey::new(key.verifying_key());
        Self {
            key,
            public,
            origin,
        }
    }

    /// Signs the tree of `tree_size` records with root `root` at `at` (kept to the millisecond).
    pub fn sign(&self, tree_size: u64, root: &Hash, at: DateTime<Utc>) -> Checkpoint {
        let ms = at.timestamp_millis();
        let at = Utc.timestamp_millis_opt(ms).single().unwrap_or(at);
        let text = Checkpoint::signed_text(&self.origin, tree_size, root, ms);
        let signature = self.key.sign(text.as_bytes());
        Checkpoint {
            origin: self.origin.clone(),
            tree_size,
            root_hash: hex::encode(root),
            timestamp: at.to_rfc3339_opts(SecondsFormat::Millis, true),
            key_id: self.public.id.clone(),
            signature: B64.encode(signature.to_bytes()),
        }
    }
}

/// The purpose a sealed signing key is bound to.
const SEALED_PURPOSE: &str = "audit-signing-key";

/// The file the generated signing key is kept in (sealed), in the data directory.
pub const KEY_FILE: &str = "audit-signing.key";

/// The log's signing key: `audit.signing_key`, or the sealed one in the data directory —
/// generated there when `create` and absent. Re-seals a file sealed with a previous master key.
pub fn load_identity(
    settings: &crate::config::Settings,
    sealer: &crate::secrets::Sealer,
    create: bool,
) -> anyhow::Result<Option<SigningIdentity>> {
    use secrecy::ExposeSecret;
    let origin = settings.audit_origin();
    if let Some(seed) = &settings.audit.signing_key {
        let bytes = B64
            .decode(seed.expose_secret().trim())
            .map_err(|e| anyhow::anyhow!("audit.signing_key is not base64: {e}"))?;
        let seed: [u8; 32] = bytes.try_into().map_err(|b: Vec<u8>| {
            anyhow::anyhow!(
                "audit.signing_key is {} bytes; an Ed25519 seed is 32",
                b.len()
            )
        })?;
        return Ok(Some(SigningIdentity::from_seed(&seed, origin)));
    }
    let path = settings.data_dir.join(KEY_FILE);
    let sealed = match std::fs::read_to_string(&path) {
        Ok(text) => text,
        Err(e) if e.kind() == std::io::ErrorKind::NotFound && create => {
            std::fs::create_dir_all(&settings.data_dir)?;
            let sealed = sealer.seal(&crate::secrets::random::<32>(), SEALED_PURPOSE);
            match crate::secrets::write_private_new(&path, format!("{sealed}\n").as_bytes()) {
                Ok(()) => {
                    tracing::info!(path = %path.display(), "generated the audit log's signing key");
                    sealed
                }
                Err(e) if e.kind() == std::io::ErrorKind::AlreadyExists => {
                    std::fs::read_to_string(&path)?
                }
                Err(e) => return Err(anyhow::anyhow!("{}: {e}", path.display())),
            }
        }
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => return Ok(None),
        Err(e) => return Err(anyhow::anyhow!("{}: {e}", path.display())),
    };
    let (seed, old_key) = sealer
        .open(sealed.trim(), SEALED_PURPOSE)
        .map_err(|e| anyhow::anyhow!("{}: {e}", path.display()))?;
    let seed: [u8; 32] = seed
        .try_into()
        .map_err(|_| anyhow::anyhow!("{}: not an Ed25519 seed", path.display()))?;
    if old_key {
        let resealed = sealer.seal(&seed, SEALED_PURPOSE);
        let tmp = path.with_extension("key.new");
        let _ = std::fs::remove_file(&tmp);
        crate::secrets::write_private_new(&tmp, format!("{resealed}\n").as_bytes())?;
        std::fs::rename(&tmp, &path)?;
        tracing::info!(path = %path.display(), "sealed the audit signing key with the new master key");
    }
    Ok(Some(SigningIdentity::from_seed(&seed, origin)))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_signed_checkpoint_verifies_and_any_change_breaks_it() {
        let id = SigningIdentity::from_seed(&[3; 32], "aval.test/audit".into());
        let at = Utc.timestamp_millis_opt(1_796_711_111_123).unwrap();
        let cp = id.sign(42, &[9; 32], at);
        assert_eq!(cp.timestamp, "2026-12-08T06:25:11.123Z");
        cp.verify(&id.public).unwrap();
        let back = Checkpoint::from_line(&cp.to_line()).unwrap();
        assert_eq!(back, cp);
        let mut bigger = cp.clone();
        bigger.tree_size = 43;
        assert_eq!(
            bigger.verify(&id.public),
            Err(CheckpointError::BadSignature)
        );
        let mut later = cp.clone();
        later.timestamp = "2026-12-08T06:25:11.124Z".into();
        assert_eq!(later.verify(&id.public), Err(CheckpointError::BadSignature));
        let other = SigningIdentity::from_seed(&[4; 32], "aval.test/audit".into());
        assert!(matches!(
            cp.verify(&other.public),
            Err(CheckpointError::OtherKey { .. })
        ));
        let published = serde_json::to_string(&id.public.document(&id.origin)).unwrap();
        assert_eq!(PublicKey::parse(&published).unwrap().id, id.public.id);
    }
}
