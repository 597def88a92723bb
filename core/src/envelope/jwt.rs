//! Envelopes signed as HS256 JSON Web Tokens, with issuer, audience, expiry, not-before,
//! clock tolerance and replay protection.

use std::collections::{BTreeSet, HashMap};
use std::sync::Mutex;

use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use base64::Engine as _;
use hmac::{Hmac, Mac};
use serde::{Deserialize, Serialize};
use sha2::Sha256;

use super::message::Envelope;
use crate::clock::Millis;
use crate::error::{Error, ErrorCode, Result};

type HmacSha256 = Hmac<Sha256>;

/// Shortest HMAC key accepted, in bytes (RFC 7518 asks for at least the hash size).
pub const MIN_KEY_BYTES: usize = 32;

fn token_error(code: ErrorCode, message: impl Into<String>) -> Error {
    Error::Token {
        code,
        message: message.into(),
    }
}

/// The claims of an envelope token.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "schema", derive(schemars::JsonSchema))]
pub struct Claims {
    /// Issuer: the sending agent.
    pub iss: String,
    /// Audience: the receiving agent.
    pub aud: String,
    /// Expiry, seconds since the epoch.
    pub exp: i64,
    /// Not valid before, seconds since the epoch.
    pub nbf: i64,
    /// Issued at, seconds since the epoch.
    pub iat: i64,
    /// Unique token id, for replay protection.
    pub jti: String,
    /// The message.
    pub msg: Envelope,
}

#[derive(Deserialize)]
struct RawClaims {
    iss: Option<String>,
    aud: Option<serde_json::Value>,
    exp: Option<i64>,
    nbf: Option<i64>,
    iat: Option<i64>,
    jti: Option<String>,
    msg: Option<serde_json::Value>,
}

#[derive(Deserialize)]
struct Header {
    alg: String,
}

fn check_key(key: &[u8]) -> Result<()> {
    if key.len() < MIN_KEY_BYTES {
        return Err(Error::invalid(format!(
            "HMAC keys need at least {MIN_KEY_BYTES} bytes"
        )));
    }
    Ok(())
}

/// Signs envelopes as one issuer.
#[derive(Clone)]
pub struct Signer {
    key: Vec<u8>,
    issuer: String,
}

impl std::fmt::Debug for Signer {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Signer")
            .field("issuer", &self.issuer)
            .field("key", &"<redacted>")
            .finish()
    }
}

impl Signer {
    /// A signer with a secret key of at least [`MIN_KEY_BYTES`] bytes.
    pub fn new(key: impl AsRef<[u8]>, issuer: impl Into<String>) -> Result<Signer> {
        check_key(key.as_ref())?;
        let issuer = issuer.into();
        if issuer.is_empty() {
            return Err(Error::invalid("issuer must not be empty"));
        }
        Ok(Signer {
            key: key.as_ref().to_vec(),
            issuer,
        })
    }

    /// A compact JWT carrying `msg` for `audience`, valid from `now` for `ttl_ms`; `jti`
    /// must be unique per token (a task id plus attempt, a UUID, ...).
    pub fn sign(
        &self,
        msg: &Envelope,
        audience: &str,
        jti: &str,
        now: Millis,
        ttl_ms: Millis,
    ) -> Result<String> {
        msg.validate()?;
        if ttl_ms <= 0 || jti.is_empty() || audience.is_empty() {
            return Err(Error::invalid(
                "signing needs a positive ttl, a jti and an audience",
            ));
        }
        let now_s = now.div_euclid(1000);
        // whole seconds, rounded up; a ttl past the end of time ends there
        let ttl_s = ttl_ms / 1000 + i64::from(ttl_ms % 1000 != 0);
        let claims = Claims {
            iss: self.issuer.clone(),
            aud: audience.to_string(),
            exp: now_s.saturating_add(ttl_s),
            nbf: now_s,
            iat: now_s,
            jti: jti.to_string(),
            msg: msg.clone(),
        };
        let header = URL_SAFE_NO_PAD.encode(br#"{"alg":"HS256","typ":"JWT"}"#);
        let payload = URL_SAFE_NO_PAD
            .encode(serde_json::to_vec(&claims).map_err(|e| Error::Internal(e.to_string()))?);
        let signing_input = format!("{header}.{payload}");
        let mut mac =
            HmacSha256::new_from_slice(&self.key).map_err(|e| Error::Internal(e.to_string()))?;
        mac.update(signing_input.as_bytes());
        let sig = URL_SAFE_NO_PAD.encode(mac.finalize().into_bytes());
        Ok(format!("{signing_input}.{sig}"))
    }
}

/// Remembers token ids until they expire, so a token is accepted once.
#[derive(Debug, Default)]
struct ReplayCache {
    seen: HashMap<String, i64>,
    by_expiry: BTreeSet<(i64, String)>,
}

impl ReplayCache {
    /// Records `jti` (expiring at `exp`); false if it was already there.
    fn insert(&mut self, jti: &str, exp: i64, now_s: i64, capacity: usize) -> bool {
        while let Some((e, _)) = self.by_expiry.first() {
            if *e >= now_s && self.seen.len() < capacity {
                break;
            }
            if let Some((_, j)) = self.by_expiry.pop_first() {
                self.seen.remove(&j);
            }
        }
        if self.seen.contains_key(jti) {
            return false;
        }
        self.seen.insert(jti.to_string(), exp);
        self.by_expiry.insert((exp, jti.to_string()));
        true
    }
}

/// Verifies envelope tokens for one audience.
pub struct Verifier {
    keys: Vec<Vec<u8>>,
    issuers: Vec<String>,
    audience: String,
    leeway_s: i64,
    replay_capacity: usize,
    replay: Mutex<ReplayCache>,
}

impl std::fmt::Debug for Verifier {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Verifier")
            .field("issuers", &self.issuers)
            .field("audience", &self.audience)
            .field("leeway_s", &self.leeway_s)
            .field("keys", &format!("<{} redacted>", self.keys.len()))
            .finish()
    }
}

impl Verifier {
    /// A verifier for `audience` that trusts `issuers`, with keys (several during a rotation),
    /// 30 s of clock tolerance and room for 100,000 remembered token ids.
    pub fn new<K: AsRef<[u8]>>(keys: &[K], issuers: &[&str], audience: &str) -> Result<Verifier> {
        if keys.is_empty() || issuers.is_empty() || audience.is_empty() {
            return Err(Error::invalid(
                "a verifier needs at least one key, one issuer and an audience",
            ));
        }
        for k in keys {
            check_key(k.as_ref())?;
        }
        Ok(Verifier {
            keys: keys.iter().map(|k| k.as_ref().to_vec()).collect(),
            issuers: issuers.iter().map(|s| s.to_string()).collect(),
            audience: audience.to_string(),
            leeway_s: 30,
            replay_capacity: 100_000,
            replay: Mutex::new(ReplayCache::default()),
        })
    }

    /// Sets the clock tolerance.
    pub fn leeway_ms(mut self, ms: Millis) -> Self {
        self.leeway_s = ms.max(0) / 1000;
        self
    }

    /// Sets how many token ids are remembered; when full, the ones closest to expiry are
    /// forgotten first.
    pub fn replay_capacity(mut self, n: usize) -> Self {
        self.replay_capacity = n.max(1);
        self
    }

    /// Checks a token and returns its claims. Each failure has its own code:
    /// `token_malformed`, `token_bad_signature`, `token_wrong_issuer`,
    /// `token_wrong_audience`, `token_expired`, `token_not_yet_valid`, `token_replayed`.
    pub fn verify(&self, token: &str, now: Millis) -> Result<Claims> {
        let claims = self.check(token, now)?;
        let now_s = now.div_euclid(1000);
        let mut cache = self
            .replay
            .lock()
            .map_err(|_| Error::Internal("replay cache lock poisoned".into()))?;
        if !cache.insert(
            &claims.jti,
            claims.exp.saturating_add(self.leeway_s),
            now_s,
            self.replay_capacity,
        ) {
            return Err(token_error(
                ErrorCode::TokenReplayed,
                format!("token {} was already used", claims.jti),
            ));
        }
        Ok(claims)
    }

    /// Everything but the replay check.
    fn check(&self, token: &str, now: Millis) -> Result<Claims> {
        let malformed = |m: &str| token_error(ErrorCode::TokenMalformed, m.to_string());
        if token.len() > 64 * 1024 {
            return Err(malformed("token longer than 64 KiB"));
        }
        let mut parts = token.split('.');
        let (Some(h), Some(p), Some(s), None) =
            (parts.next(), parts.next(), parts.next(), parts.next())
        else {
            return Err(malformed("a token has three dot-separated parts"));
        };
        let header: Header = URL_SAFE_NO_PAD
            .decode(h)
            .ok()
            .and_then(|b| serde_json::from_slice(&b).ok())
            .ok_or_else(|| malformed("header is not base64url JSON"))?;
        if header.alg != "HS256" {
            return Err(malformed("only alg HS256 is accepted"));
        }
        let sig = URL_SAFE_NO_PAD
            .decode(s)
            .map_err(|_| malformed("signature is not base64url"))?;
        let signing_input = &token[..h.len() + 1 + p.len()];
        let ok = self.keys.iter().any(|k| {
            HmacSha256::new_from_slice(k)
                .map(|mut mac| {
                    mac.update(signing_input.as_bytes());
                    mac.verify_slice(&sig).is_ok() // constant-time comparison
                })
                .unwrap_or(false)
        });
        if !ok {
            return Err(token_error(
                ErrorCode::TokenBadSignature,
                "signature does not verify with any trusted key",
            ));
        }
        let raw: RawClaims = URL_SAFE_NO_PAD
            .decode(p)
            .ok()
            .and_then(|b| serde_json::from_slice(&b).ok())
            .ok_or_else(|| malformed("claims are not base64url JSON"))?;
        let (Some(iss), Some(aud), Some(exp), Some(jti), Some(msg)) =
            (raw.iss, raw.aud, raw.exp, raw.jti, raw.msg)
        else {
            return Err(malformed("claims need iss, aud, exp, jti and msg"));
        };
        if !self.issuers.contains(&iss) {
            return Err(token_error(
                ErrorCode::TokenWrongIssuer,
                format!("issuer {iss:?} is not trusted"),
            ));
        }
        let aud_ok = match &aud {
            serde_json::Value::String(a) => *a == self.audience,
            serde_json::Value::Array(xs) => xs.iter().any(|x| x.as_str() == Some(&self.audience)),
            _ => false,
        };
        if !aud_ok {
            return Err(token_error(
                ErrorCode::TokenWrongAudience,
                format!("token is not for {:?}", self.audience),
            ));
        }
        let now_s = now.div_euclid(1000);
        // exp and nbf are any i64 a trusted issuer wrote: no arithmetic on them may overflow
        if now_s > exp.saturating_add(self.leeway_s) {
            return Err(token_error(
                ErrorCode::TokenExpired,
                format!("token expired {} s ago", now_s.saturating_sub(exp)),
            ));
        }
        let nbf = raw.nbf.unwrap_or(i64::MIN);
        if now_s + self.leeway_s < nbf {
            return Err(token_error(
                ErrorCode::TokenNotYetValid,
                format!("token is valid in {} s", nbf.saturating_sub(now_s)),
            ));
        }
        let msg: Envelope =
            serde_json::from_value(msg).map_err(|e| malformed(&format!("message: {e}")))?;
        msg.validate()
            .map_err(|e| malformed(&format!("message: {e}")))?;
        Ok(Claims {
            iss,
            aud: self.audience.clone(),
            exp,
            nbf: raw.nbf.unwrap_or(exp),
            iat: raw.iat.unwrap_or(0),
            jti,
            msg,
        })
    }
}
