//! What the state machine answers.

use serde::{Deserialize, Serialize};
use std::fmt;
use std::sync::Arc;

/// The answer to one command: an [`Output`] or a [`KvError`].
///
/// A history recorder maps it to an outcome like this: `Ok` is `ok`; an error
/// that [`KvError::is_definite`] is `fail` (the command certainly had no
/// effect); any other error is `info` (it may or may not have taken effect).
pub type Reply = Result<Output, KvError>;

/// A successful result.
#[derive(Clone, Debug, PartialEq, Eq, Hash, Serialize, Deserialize)]
pub enum Output {
    /// The value a lin-kv `read` saw. The state machine always answers
    /// `Some`: a read of a missing key is the error key-does-not-exist, as in
    /// Maelstrom. `None` is there for a recorder that chooses to record such
    /// a read as an `ok` read of the register's initial value, nil.
    ReadValue(Option<u64>),
    Written,
    CasOk,
    /// The value a 6.824 `Get` saw; "" for a missing key.
    GetValue(Arc<str>),
    PutOk,
    AppendOk,
}

/// A failed request, with a Maelstrom error code.
///
/// Codes below 1000 are Maelstrom's and mean what its protocol says; codes
/// from 1000 on are ours (Maelstrom leaves them to services).
/// In snapshots it is saved as its code alone.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub struct KvError {
    pub code: u32,
    pub text: &'static str,
}

impl KvError {
    /// Maelstrom `malformed-request` (definite): the command could not be
    /// executed, e.g. its sequence number is 0.
    pub const MALFORMED_REQUEST: u32 = 12;
    /// Maelstrom `key-does-not-exist` (definite).
    pub const KEY_DOES_NOT_EXIST: u32 = 20;
    /// Maelstrom `precondition-failed` (definite): a cas saw another value.
    pub const PRECONDITION_FAILED: u32 = 22;
    /// Ours (indefinite): a stale duplicate, see
    /// [`crate::kv::sessions::SessionCheck::Stale`]. The request was not
    /// executed now, but an earlier copy of it may have been, and its reply
    /// is gone: nobody can say whether it took effect.
    pub const STALE_REQUEST: u32 = 1000;

    pub fn malformed_request() -> KvError {
        KvError {
            code: Self::MALFORMED_REQUEST,
            text: "malformed request: sequence numbers start at 1",
        }
    }

    pub fn key_does_not_exist() -> KvError {
        KvError {
            code: Self::KEY_DOES_NOT_EXIST,
            text: "key does not exist",
        }
    }

    pub fn precondition_failed() -> KvError {
        KvError {
            code: Self::PRECONDITION_FAILED,
            text: "precondition failed: current value differs from cas 'from'",
        }
    }

    pub fn stale_request() -> KvError {
        KvError {
            code: Self::STALE_REQUEST,
            text: "stale request: the client's session has a later sequence number",
        }
    }

    /// Whether the error proves the command had no effect, so a recorder may
    /// record `fail`; otherwise it must record `info`.
    pub fn is_definite(&self) -> bool {
        match self.code {
            Self::MALFORMED_REQUEST | Self::KEY_DOES_NOT_EXIST | Self::PRECONDITION_FAILED => true,
            Self::STALE_REQUEST => false,
            // Maelstrom's indefinite codes are timeout (0) and crash (13).
            // Every other code it defines is definite.
            0 | 13 => false,
            code => code < 1000,
        }
    }
}

impl Serialize for KvError {
    fn serialize<S: serde::Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        s.serialize_u32(self.code)
    }
}

/// The error a code names (the codes the state machine produces).
impl<'de> Deserialize<'de> for KvError {
    fn deserialize<D: serde::Deserializer<'de>>(d: D) -> Result<KvError, D::Error> {
        match u32::deserialize(d)? {
            KvError::MALFORMED_REQUEST => Ok(KvError::malformed_request()),
            KvError::KEY_DOES_NOT_EXIST => Ok(KvError::key_does_not_exist()),
            KvError::PRECONDITION_FAILED => Ok(KvError::precondition_failed()),
            KvError::STALE_REQUEST => Ok(KvError::stale_request()),
            code => Err(serde::de::Error::custom(format!(
                "unknown KV error code {code}"
            ))),
        }
    }
}

impl fmt::Display for KvError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "error {}: {}", self.code, self.text)
    }
}

impl std::error::Error for KvError {}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn definiteness_follows_maelstrom() {
        assert!(KvError::key_does_not_exist().is_definite());
        assert!(KvError::precondition_failed().is_definite());
        assert!(KvError::malformed_request().is_definite());
        assert!(!KvError::stale_request().is_definite());
        assert!(!KvError {
            code: 0,
            text: "timeout"
        }
        .is_definite());
        assert!(!KvError {
            code: 13,
            text: "crash"
        }
        .is_definite());
    }

    #[test]
    fn display_names_code_and_text() {
        assert_eq!(
            KvError::precondition_failed().to_string().split(':').next(),
            Some("error 22")
        );
    }
}
