//! HMAC-SHA256 webhook signatures with a timestamp, in the `t=<seconds>,v1=<hex>` form.

use hmac::{Hmac, Mac};
use sha2::Sha256;

use crate::clock::Millis;
use crate::error::{Error, ErrorCode, Result};

type HmacSha256 = Hmac<Sha256>;

fn mac(secret: &[u8], t: i64, body: &[u8]) -> Result<HmacSha256> {
    let mut m = HmacSha256::new_from_slice(secret).map_err(|e| Error::Internal(e.to_string()))?;
    m.update(t.to_string().as_bytes());
    m.update(b".");
    m.update(body);
    Ok(m)
}

/// The signature header for `body` sent at `now`.
///
/// ```
/// use xspense::envelope::{sign_webhook, verify_webhook};
/// let h = sign_webhook(b"whsec_0123456789abcdef0123456789ab", 1_700_000_000_000, b"{}").unwrap();
/// assert!(h.starts_with("t=1700000000,v1="));
/// verify_webhook(b"whsec_0123456789abcdef0123456789ab", &h, b"{}", 1_700_000_060_000, 300_000).unwrap();
/// ```
pub fn sign_webhook(secret: &[u8], now: Millis, body: &[u8]) -> Result<String> {
    if secret.len() < 16 {
        return Err(Error::invalid("webhook secrets need at least 16 bytes"));
    }
    let t = now.div_euclid(1000);
    let sig = mac(secret, t, body)?.finalize().into_bytes();
    Ok(format!("t={t},v1={}", hex::encode(sig)))
}

/// Checks a signature header: any `v1` entry (several during a secret rotation) must match,
/// and the timestamp must be within `tolerance_ms` of `now` (in either direction).
pub fn verify_webhook(
    secret: &[u8],
    header: &str,
    body: &[u8],
    now: Millis,
    tolerance_ms: Millis,
) -> Result<()> {
    let malformed = |m: &str| Error::Token {
        code: ErrorCode::TokenMalformed,
        message: m.to_string(),
    };
    if header.len() > 4096 {
        return Err(malformed("signature header longer than 4 KiB"));
    }
    let mut t: Option<i64> = None;
    let mut sigs: Vec<Vec<u8>> = Vec::new();
    for part in header.split(',') {
        match part.trim().split_once('=') {
            Some(("t", v)) => t = Some(v.parse().map_err(|_| malformed("t is not a number"))?),
            Some(("v1", v)) => sigs.push(hex::decode(v).map_err(|_| malformed("v1 is not hex"))?),
            Some(_) => {}
            None => return Err(malformed("header parts look like key=value")),
        }
    }
    let t = t.ok_or_else(|| malformed("no t= timestamp"))?;
    if sigs.is_empty() {
        return Err(malformed("no v1= signature"));
    }
    let m = mac(secret, t, body)?;
    if !sigs.iter().any(|s| m.clone().verify_slice(s).is_ok()) {
        return Err(Error::Token {
            code: ErrorCode::TokenBadSignature,
            message: "webhook signature does not match".into(),
        });
    }
    let age = now.div_euclid(1000) - t;
    let tol = tolerance_ms / 1000;
    if age > tol {
        return Err(Error::Token {
            code: ErrorCode::TokenExpired,
            message: format!("webhook timestamp is {age} s old"),
        });
    }
    if -age > tol {
        return Err(Error::Token {
            code: ErrorCode::TokenNotYetValid,
            message: format!("webhook timestamp is {} s ahead", -age),
        });
    }
    Ok(())
}
