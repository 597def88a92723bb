//! Envelope messages and tokens beyond `envelope_verify`: messages from arbitrary JSON, and
//! `Verifier::verify` on arbitrary tokens and on arbitrary claims signed with a trusted key (so
//! the fuzzer gets past the signature). No panic; a refusal is a typed error of the documented
//! codes; a message that validates signs and verifies back to itself; accepted claims carry a
//! valid message for this audience and are refused the second time.
//!
//! Input: one byte choosing the mode (and, for messages, the signing ttl among boundary
//! values), 8 bytes of `now` (ms), then the JSON or token.
#![no_main]

mod common;

use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use base64::Engine as _;
use hmac::{Hmac, Mac};
use libfuzzer_sys::fuzz_target;
use sha2::Sha256;
use xspense::envelope::{Envelope, Signer, Verifier};
use xspense::ErrorCode;

const KEY: &[u8] = b"0123456789abcdef0123456789abcdef";
const VERIFY_CODES: &[ErrorCode] = &[
    ErrorCode::TokenMalformed,
    ErrorCode::TokenBadSignature,
    ErrorCode::TokenWrongIssuer,
    ErrorCode::TokenWrongAudience,
    ErrorCode::TokenExpired,
    ErrorCode::TokenNotYetValid,
];

fn verifier() -> Verifier {
    Verifier::new(&[KEY], &["sender"], "receiver").unwrap()
}

/// A token carrying `claims` (any bytes) signed with the trusted key.
fn seal(claims: &[u8]) -> String {
    let header = URL_SAFE_NO_PAD.encode(br#"{"alg":"HS256","typ":"JWT"}"#);
    let input = format!("{header}.{}", URL_SAFE_NO_PAD.encode(claims));
    let mut mac = Hmac::<Sha256>::new_from_slice(KEY).unwrap();
    mac.update(input.as_bytes());
    format!(
        "{input}.{}",
        URL_SAFE_NO_PAD.encode(mac.finalize().into_bytes())
    )
}

/// Verifies `token` twice: an accepted token must carry a valid message for this audience
/// from a trusted issuer, and must be refused as a replay the second time.
fn verify(token: &str, now: i64) {
    let v = verifier();
    match v.verify(token, now) {
        Ok(claims) => {
            claims
                .msg
                .validate()
                .expect("an accepted message validates");
            assert_eq!(
                (claims.iss.as_str(), claims.aud.as_str()),
                ("sender", "receiver")
            );
            let e = v.verify(token, now).expect_err("a token is accepted once");
            assert_eq!(e.code(), ErrorCode::TokenReplayed, "{e}");
        }
        Err(e) => common::expect_code(&e, VERIFY_CODES, "verify"),
    }
}

fuzz_target!(|data: &[u8]| {
    let Some((&mode, rest)) = data.split_first() else {
        return;
    };
    let mut now = [0u8; 8];
    let n = rest.len().min(8);
    now[..n].copy_from_slice(&rest[..n]);
    let now = i64::from_le_bytes(now);
    let rest = &rest[n..];
    match mode % 3 {
        // a message: validates or not; a valid one signs and verifies back to itself
        0 => {
            let Ok(msg) = serde_json::from_slice::<Envelope>(rest) else {
                return;
            };
            let json = serde_json::to_string(&msg).expect("a message serializes");
            let back: Envelope = serde_json::from_str(&json).expect("a message's JSON parses");
            assert_eq!(back, msg, "JSON round trip: {json}");
            let signer = Signer::new(KEY, "sender").unwrap();
            let ttl = [60_000, 1, i64::MAX, 0, i64::MIN][usize::from(mode / 3) % 5];
            match msg.validate() {
                Ok(()) => match signer.sign(&msg, "receiver", "jti-1", now, ttl) {
                    Ok(token) => {
                        assert!(ttl > 0, "signed with a ttl of {ttl}");
                        let claims = verifier()
                            .verify(&token, now)
                            .unwrap_or_else(|e| panic!("own token refused: {e}: {json}"));
                        assert_eq!(claims.msg, msg);
                    }
                    Err(e) => common::expect_code(&e, &[ErrorCode::InvalidInput], "sign"),
                },
                Err(e) => {
                    common::expect_code(&e, &[ErrorCode::InvalidInput], "validate");
                    let e = signer
                        .sign(&msg, "receiver", "jti-1", now, ttl)
                        .unwrap_err();
                    common::expect_code(&e, &[ErrorCode::InvalidInput], "sign");
                }
            }
        }
        // any claims, signed with the trusted key
        1 => verify(&seal(rest), now),
        // any token
        _ => {
            if let Ok(token) = std::str::from_utf8(rest) {
                verify(token, now);
            }
        }
    }
});
