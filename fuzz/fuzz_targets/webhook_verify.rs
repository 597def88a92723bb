//! `envelope::verify_webhook` on arbitrary headers, bodies, times and tolerances: no panic, a
//! refusal is a `token_*` error, an accepted header's timestamp is within the tolerance, and a
//! header `sign_webhook` made verifies for its body at its time and not for another body.
//!
//! Input: 8 bytes of `now` (ms), 8 bytes of tolerance (ms), 8 bytes of the signing time, then
//! the header, a newline and the body.
#![no_main]

mod common;

use libfuzzer_sys::fuzz_target;
use xspense::envelope::{sign_webhook, verify_webhook};
use xspense::ErrorCode;

const SECRET: &[u8] = b"whsec_0123456789abcdef0123456789ab";
const TOKEN_CODES: &[ErrorCode] = &[
    ErrorCode::TokenMalformed,
    ErrorCode::TokenBadSignature,
    ErrorCode::TokenExpired,
    ErrorCode::TokenNotYetValid,
];

fn i64_at(data: &[u8], at: usize) -> i64 {
    let mut b = [0u8; 8];
    for (i, x) in data.iter().skip(at).take(8).enumerate() {
        b[i] = *x;
    }
    i64::from_le_bytes(b)
}

fuzz_target!(|data: &[u8]| {
    let now = i64_at(data, 0);
    let tolerance = i64_at(data, 8);
    let signed_at = i64_at(data, 16);
    let rest = data.get(24..).unwrap_or_default();
    let (header, body) = match rest.iter().position(|&b| b == b'\n') {
        Some(i) => (&rest[..i], &rest[i + 1..]),
        None => (rest, &[][..]),
    };
    let header = String::from_utf8_lossy(header);

    match verify_webhook(SECRET, &header, body, now, tolerance) {
        Ok(()) => {
            // accepted only with a t= within the tolerance of now
            let t = header
                .split(',')
                .filter_map(|p| p.trim().split_once('='))
                .rfind(|(k, _)| *k == "t")
                .and_then(|(_, v)| v.parse::<i64>().ok())
                .expect("an accepted header has a t= timestamp");
            let age = i128::from(now.div_euclid(1000)) - i128::from(t);
            assert!(
                age.abs() <= i128::from(tolerance / 1000),
                "t={t} now={now} tol={tolerance}"
            );
        }
        Err(e) => common::expect_code(&e, TOKEN_CODES, "verify_webhook"),
    }

    // a header we sign verifies for its body at its time, and never for another body
    match sign_webhook(SECRET, signed_at, body) {
        Ok(h) => {
            verify_webhook(SECRET, &h, body, signed_at, 0)
                .unwrap_or_else(|e| panic!("own signature refused: {h}: {e}"));
            let mut other = body.to_vec();
            other.push(b'x');
            let e = verify_webhook(SECRET, &h, &other, signed_at, 0).expect_err("other body");
            assert_eq!(e.code(), ErrorCode::TokenBadSignature);
            if let Err(e) = verify_webhook(SECRET, &h, body, now, tolerance) {
                common::expect_code(
                    &e,
                    &[ErrorCode::TokenExpired, ErrorCode::TokenNotYetValid],
                    "verify_webhook of a signed header",
                );
            }
        }
        Err(e) => common::expect_code(&e, &[ErrorCode::InvalidInput], "sign_webhook"),
    }
});
