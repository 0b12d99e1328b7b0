//! Secrets at rest: what the server must keep but never store in clear (webhook signing secrets,
//! the audit log's signing key) is sealed with a master key (XChaCha20-Poly1305, an AEAD from
//! the RustCrypto project: 192-bit random nonces, so no nonce bookkeeping). Each sealed value is
//! bound to what it is (the associated data names its purpose and owner), so a sealed value moved
//! to another row does not open.
//!
//! The master key comes from `secrets.master_key` (32 bytes, base64). Without it, one is
//! generated at first start in the data directory (mode 0600), with a warning: the two commands
//! keep working, and a production deployment configures its own. Values sealed with a key listed
//! in `secrets.previous_master_keys` still open, and are sealed again with the current key at
//! start-up (rotation).

use base64::engine::general_purpose::STANDARD as B64;
use base64::Engine as _;
use chacha20poly1305::aead::{Aead, KeyInit, Payload};
use chacha20poly1305::{XChaCha20Poly1305, XNonce};
use secrecy::{ExposeSecret, SecretBox, SecretString};
use std::path::{Path, PathBuf};

/// What a sealed value starts with (and its format version).
pub const SEALED_PREFIX: &str = "sealed:v1:";

/// The file a generated master key is kept in, in the data directory.
pub const MASTER_KEY_FILE: &str = "master.key";

/// Why a secret could not be read.
#[derive(Debug, thiserror::Error)]
pub enum SecretError {
    #[error("{0}")]
    Key(String),
    #[error("a sealed value does not open with the master key (or any previous one): wrong key, or the value was altered or moved")]
    DoesNotOpen,
    #[error("a sealed value is malformed: {0}")]
    Malformed(String),
    #[error("{path}: {source}")]
    Io {
        path: PathBuf,
        source: std::io::Error,
    },
}

/// The master key and the previous ones.
pub struct Sealer {
    current: SecretBox<[u8; 32]>,
    previous: Vec<SecretBox<[u8; 32]>>,
    /// Where the key came from, for the start-up message.
    pub origin: KeyOrigin,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub enum KeyOrigin {
    Configured,
    /// Read from the generated file.
    File(PathBuf),
    /// Generated just now.
    Generated(PathBuf),
}

impl std::fmt::Debug for Sealer {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Sealer")
            .field("origin", &self.origin)
            .finish_non_exhaustive()
    }
}

/// Random bytes from the operating system.
pub fn random<const N: usize>() -> [u8; N] {
    let mut out = [0u8; N];
    getrandom::getrandom(&mut out).expect("the operating system gives random bytes");
    out
}

fn decode_key(text: &str, name: &str) -> Result<SecretBox<[u8; 32]>, SecretError> {
    let bytes = B64
        .decode(text.trim())
        .map_err(|e| SecretError::Key(format!("{name} is not base64: {e}")))?;
    let key: [u8; 32] = bytes.try_into().map_err(|b: Vec<u8>| {
        SecretError::Key(format!("{name} is {} bytes; a key is 32", b.len()))
    })?;
    Ok(SecretBox::new(Box::new(key)))
}

/// Writes `content` to a new file readable by its owner only; fails if the file exists.
pub fn write_private_new(path: &Path, content: &[u8]) -> std::io::Result<()> {
    use std::io::Write;
    let mut options = std::fs::OpenOptions::new();
    options.write(true).create_new(true);
    #[cfg(unix)]
    {
        use std::os::unix::fs::OpenOptionsExt;
        options.mode(0o600);
    }
    let mut file = options.open(path)?;
    file.write_all(content)?;
    file.sync_all()
}

impl Sealer {
    /// The configured master key, or the one in the data directory (generated when absent).
    pub fn load(
        configured: Option<&SecretString>,
        previous: &[SecretString],
        data_dir: &Path,
    ) -> Result<Self, SecretError> {
        let previous = previous
            .iter()
            .enumerate()
            .map(|(i, k)| {
                decode_key(
                    k.expose_secret(),
                    &format!("secrets.previous_master_keys[{i}]"),
                )
            })
            .collect::<Result<Vec<_>, _>>()?;
        if let Some(key) = configured {
            return Ok(Self {
                current: decode_key(key.expose_secret(), "secrets.master_key")?,
                previous,
                origin: KeyOrigin::Configured,
            });
        }
        let path = data_dir.join(MASTER_KEY_FILE);
        let io = |source| SecretError::Io {
            path: path.clone(),
            source,
        };
        let (text, origin) = match std::fs::read_to_string(&path) {
            Ok(text) => (text, KeyOrigin::File(path.clone())),
            Err(e) if e.kind() == std::io::ErrorKind::NotFound => {
                std::fs::create_dir_all(data_dir).map_err(io)?;
                let text = B64.encode(random::<32>());
                match write_private_new(&path, format!("{text}\n").as_bytes()) {
                    Ok(()) => (text, KeyOrigin::Generated(path.clone())),
                    // Another process made it first: read theirs.
                    Err(e) if e.kind() == std::io::ErrorKind::AlreadyExists => (
                        std::fs::read_to_string(&path).map_err(io)?,
                        KeyOrigin::File(path.clone()),
                    ),
                    Err(e) => return Err(io(e)),
                }
            }
            Err(e) => return Err(io(e)),
        };
        Ok(Self {
            current: decode_key(&text, &path.display().to_string())?,
            previous,
            origin,
        })
    }

    /// A sealer with a given key (tests and tools).
    pub fn with_key(key: [u8; 32]) -> Self {
        Self {
            current: SecretBox::new(Box::new(key)),
            previous: Vec::new(),
            origin: KeyOrigin::Configured,
        }
    }

    /// Seals `plaintext` for `purpose` (what it is and whose: the associated data).
    pub fn seal(&self, plaintext: &[u8], purpose: &str) -> String {
        let cipher = XChaCha20Poly1305::new(self.current.expose_secret().into());
        let nonce = random::<24>();
        let sealed = cipher
            .encrypt(
                XNonce::from_slice(&nonce),
                Payload {
                    msg: plaintext,
                    aad: purpose.as_bytes(),
                },
            )
            .expect("sealing in memory does not fail");
        let mut out = nonce.to_vec();
        out.extend(sealed);
        format!("{SEALED_PREFIX}{}", B64.encode(out))
    }

    /// Opens a sealed value; also says whether it was sealed with a previous key (and so should
    /// be sealed again).
    pub fn open(&self, sealed: &str, purpose: &str) -> Result<(Vec<u8>, bool), SecretError> {
        let body = sealed.strip_prefix(SEALED_PREFIX).ok_or_else(|| {
            SecretError::Malformed(format!("it does not start with {SEALED_PREFIX}"))
        })?;
        let bytes = B64
            .decode(body)
            .map_err(|e| SecretError::Malformed(e.to_string()))?;
        if bytes.len() < 24 + 16 {
            return Err(SecretError::Malformed("it is too short".into()));
        }
        let (nonce, ciphertext) = bytes.split_at(24);
        let keys = std::iter::once(&self.current).chain(self.previous.iter());
        for (i, key) in keys.enumerate() {
            let cipher = XChaCha20Poly1305::new(key.expose_secret().into());
            if let Ok(plain) = cipher.decrypt(
                XNonce::from_slice(nonce),
                Payload {
                    msg: ciphertext,
                    aad: purpose.as_bytes(),
                },
            ) {
                return Ok((plain, i > 0));
            }
        }
        Err(SecretError::DoesNotOpen)
    }

    /// Whether a stored value is sealed (rather than a value stored in clear before sealing).
    pub fn is_sealed(stored: &str) -> bool {
        stored.starts_with(SEALED_PREFIX)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_sealed_value_opens_only_for_its_purpose_and_key() {
        let sealer = Sealer::with_key([7; 32]);
        let sealed = sealer.seal(b"whsec_abc", "webhook-secret:ep_1");
        assert!(Sealer::is_sealed(&sealed));
        assert!(!sealed.contains("whsec_abc"));
        let (plain, old) = sealer.open(&sealed, "webhook-secret:ep_1").unwrap();
        assert_eq!(plain, b"whsec_abc");
        assert!(!old);
        assert!(matches!(
            sealer.open(&sealed, "webhook-secret:ep_2"),
            Err(SecretError::DoesNotOpen)
        ));
        assert!(matches!(
            Sealer::with_key([8; 32]).open(&sealed, "webhook-secret:ep_1"),
            Err(SecretError::DoesNotOpen)
        ));
        // Two seals of the same value differ (random nonces).
        assert_ne!(sealed, sealer.seal(b"whsec_abc", "webhook-secret:ep_1"));
    }

    #[test]
    fn a_previous_key_still_opens_and_says_so() {
        let old = Sealer::with_key([1; 32]);
        let sealed = old.seal(b"x", "p");
        let mut rotated = Sealer::with_key([2; 32]);
        rotated.previous.push(SecretBox::new(Box::new([1; 32])));
        assert_eq!(rotated.open(&sealed, "p").unwrap(), (b"x".to_vec(), true));
    }

    #[test]
    fn a_generated_key_is_private_and_kept() {
        let dir = tempfile::tempdir().unwrap();
        let first = Sealer::load(None, &[], dir.path()).unwrap();
        assert!(matches!(first.origin, KeyOrigin::Generated(_)));
        let path = dir.path().join(MASTER_KEY_FILE);
        #[cfg(unix)]
        {
            use std::os::unix::fs::PermissionsExt;
            let mode = std::fs::metadata(&path).unwrap().permissions().mode();
            assert_eq!(mode & 0o777, 0o600);
        }
        let sealed = first.seal(b"kept", "p");
        let second = Sealer::load(None, &[], dir.path()).unwrap();
        assert!(matches!(second.origin, KeyOrigin::File(_)));
        assert_eq!(second.open(&sealed, "p").unwrap().0, b"kept");
    }

    #[test]
    fn a_bad_configured_key_names_the_setting() {
        let err = Sealer::load(
            Some(&SecretString::from("c2hvcnQ=")),
            &[],
            Path::new("/nonexistent"),
        )
        .unwrap_err();
        assert!(err.to_string().contains("secrets.master_key"), "{err}");
    }
}
