use super::*;
use crate::error::ErrorCode;
use serde_json::json;

const KEY: &[u8] = b"0123456789abcdef0123456789abcdef";
const OTHER: &[u8] = b"fedcba9876543210fedcba9876543210";
const NOW: i64 = 1_700_000_000_000;

fn event() -> Envelope {
    Envelope::Event(EventMessage {
        event: "insights.ready".into(),
        payload: json!({"tenant": "alice"}),
        trace_id: "tr".into(),
    })
}

fn code(r: crate::Result<Claims>) -> &'static str {
    r.unwrap_err().code().as_str()
}

#[test]
fn each_refusal_has_its_own_code() {
    let s = Signer::new(KEY, "sched").unwrap();
    let v = || Verifier::new(&[KEY], &["sched"], "cat").unwrap();
    let tok = |aud: &str, jti: &str, at: i64| s.sign(&event(), aud, jti, at, 60_000).unwrap();

    assert_eq!(
        code(
            Verifier::new(&[OTHER], &["sched"], "cat")
                .unwrap()
                .verify(&tok("cat", "1", NOW), NOW)
        ),
        "token_bad_signature"
    );
    assert_eq!(
        code(v().verify(&tok("billing", "2", NOW), NOW)),
        "token_wrong_audience"
    );
    assert_eq!(
        code(
            Verifier::new(&[KEY], &["other"], "cat")
                .unwrap()
                .verify(&tok("cat", "3", NOW), NOW)
        ),
        "token_wrong_issuer"
    );
    assert_eq!(
        code(v().verify(&tok("cat", "4", NOW), NOW + 91_000)),
        "token_expired"
    );
    assert_eq!(
        code(v().verify(&tok("cat", "5", NOW + 120_000), NOW)),
        "token_not_yet_valid"
    );
    let once = v();
    let t = tok("cat", "6", NOW);
    once.verify(&t, NOW).unwrap();
    assert_eq!(code(once.verify(&t, NOW + 1)), "token_replayed");
    for bad in ["", "a.b", "a.b.c.d", "!!.??.--", &t.replace('.', "")] {
        assert_eq!(code(v().verify(bad, NOW)), "token_malformed", "{bad:?}");
    }
    // alg none: a header that asks for no signature is refused
    let parts: Vec<&str> = t.split('.').collect();
    let none = format!("eyJhbGciOiJub25lIn0.{}.", parts[1]);
    assert_eq!(code(v().verify(&none, NOW)), "token_malformed");
}

#[test]
fn tolerance_and_rotation() {
    let s = Signer::new(KEY, "sched").unwrap();
    let t = s.sign(&event(), "cat", "x", NOW, 1_000).unwrap();
    // expired one second after issue, but inside 30 s of tolerance
    let v = Verifier::new(&[OTHER, KEY], &["sched"], "cat").unwrap();
    assert!(v.verify(&t, NOW + 20_000).is_ok());
    let strict = Verifier::new(&[KEY], &["sched"], "cat")
        .unwrap()
        .leeway_ms(0);
    let t2 = s.sign(&event(), "cat", "y", NOW, 1_000).unwrap();
    assert_eq!(code(strict.verify(&t2, NOW + 3_000)), "token_expired");
}

#[test]
fn tampering_breaks_the_signature() {
    let s = Signer::new(KEY, "sched").unwrap();
    let t = s.sign(&event(), "cat", "z", NOW, 60_000).unwrap();
    let mut parts: Vec<String> = t.split('.').map(String::from).collect();
    let payload = String::from_utf8(
        base64::Engine::decode(&base64::engine::general_purpose::URL_SAFE_NO_PAD, &parts[1])
            .unwrap(),
    )
    .unwrap()
    .replace("alice", "mallory");
    parts[1] = base64::Engine::encode(&base64::engine::general_purpose::URL_SAFE_NO_PAD, payload);
    let forged = parts.join(".");
    let v = Verifier::new(&[KEY], &["sched"], "cat").unwrap();
    assert_eq!(code(v.verify(&forged, NOW)), "token_bad_signature");
}

#[test]
fn short_keys_and_invalid_messages_are_refused() {
    assert_eq!(
        Signer::new(b"short", "x").unwrap_err().code(),
        ErrorCode::InvalidInput
    );
    let s = Signer::new(KEY, "sched").unwrap();
    let bad = Envelope::Result(ResultMessage {
        task_id: "t".into(),
        status: ResultStatus::Failed,
        result: None,
        error: None,
        trace_id: "tr".into(),
    });
    assert_eq!(
        s.sign(&bad, "cat", "j", NOW, 1_000).unwrap_err().code(),
        ErrorCode::InvalidInput
    );
}

#[test]
fn replay_cache_forgets_expired_ids() {
    let s = Signer::new(KEY, "sched").unwrap();
    let v = Verifier::new(&[KEY], &["sched"], "cat")
        .unwrap()
        .leeway_ms(0)
        .replay_capacity(2);
    for i in 0..10 {
        let t = s
            .sign(&event(), "cat", &format!("j{i}"), NOW + i * 2_000, 1_000)
            .unwrap();
        v.verify(&t, NOW + i * 2_000).unwrap();
    }
}

#[test]
fn webhooks() {
    let secret = b"whsec_0123456789abcdef";
    let h = sign_webhook(secret, NOW, b"{\"a\":1}").unwrap();
    verify_webhook(secret, &h, b"{\"a\":1}", NOW + 10_000, 300_000).unwrap();
    let c = |r: crate::Result<()>| r.unwrap_err().code().as_str();
    assert_eq!(
        c(verify_webhook(secret, &h, b"{\"a\":2}", NOW, 300_000)),
        "token_bad_signature"
    );
    assert_eq!(
        c(verify_webhook(
            b"whsec_another_secret_!",
            &h,
            b"{\"a\":1}",
            NOW,
            300_000
        )),
        "token_bad_signature"
    );
    assert_eq!(
        c(verify_webhook(
            secret,
            &h,
            b"{\"a\":1}",
            NOW + 301_000,
            300_000
        )),
        "token_expired"
    );
    assert_eq!(
        c(verify_webhook(
            secret,
            &h,
            b"{\"a\":1}",
            NOW - 301_000,
            300_000
        )),
        "token_not_yet_valid"
    );
    assert_eq!(
        c(verify_webhook(secret, "v1=zz", b"", NOW, 1)),
        "token_malformed"
    );
    assert_eq!(
        c(verify_webhook(secret, "t=1", b"", NOW, 1)),
        "token_malformed"
    );
    // a rotated header with an old and a new signature
    let old = sign_webhook(b"whsec_old_secret_0000", NOW, b"x").unwrap();
    let new = sign_webhook(secret, NOW, b"x").unwrap();
    let both = format!("{},{}", old, new.split_once(',').unwrap().1);
    verify_webhook(secret, &both, b"x", NOW, 1_000).unwrap();
}

#[test]
fn envelopes_round_trip_as_json() {
    let m = Envelope::Result(ResultMessage {
        task_id: "t".into(),
        status: ResultStatus::Failed,
        result: None,
        error: Some(ErrorBody {
            code: "timeout".into(),
            message: "model took too long".into(),
        }),
        trace_id: "tr".into(),
    });
    let s = serde_json::to_string(&m).unwrap();
    assert!(
        s.contains("\"type\":\"result\"") && s.contains("\"status\":\"failed\""),
        "{s}"
    );
    assert_eq!(serde_json::from_str::<Envelope>(&s).unwrap(), m);
}

/// A token carrying `claims` as they are, signed with `KEY`.
fn seal(claims: serde_json::Value) -> String {
    use base64::engine::general_purpose::URL_SAFE_NO_PAD;
    use base64::Engine as _;
    use hmac::{Hmac, Mac};
    let header = URL_SAFE_NO_PAD.encode(br#"{"alg":"HS256","typ":"JWT"}"#);
    let input = format!("{header}.{}", URL_SAFE_NO_PAD.encode(claims.to_string()));
    let mut mac = Hmac::<sha2::Sha256>::new_from_slice(KEY).unwrap();
    mac.update(input.as_bytes());
    format!(
        "{input}.{}",
        URL_SAFE_NO_PAD.encode(mac.finalize().into_bytes())
    )
}

#[test]
fn times_at_the_ends_of_i64_neither_overflow_nor_pass() {
    // found by the fuzz target envelope_parse: exp + leeway, now - exp, nbf - now and
    // now + ttl overflowed for times a trusted issuer or the caller may give
    let v = || Verifier::new(&[KEY], &["sched"], "cat").unwrap();
    let token = |exp: i64, nbf: i64, jti: &str| {
        seal(
            json!({"iss": "sched", "aud": "cat", "exp": exp, "nbf": nbf, "jti": jti,
                    "msg": event()}),
        )
    };
    assert_eq!(
        v().verify(&token(i64::MAX, i64::MIN, "a"), NOW)
            .unwrap()
            .exp,
        i64::MAX
    );
    assert_eq!(
        code(v().verify(&token(i64::MIN, i64::MIN, "b"), i64::MAX)),
        "token_expired"
    );
    assert_eq!(
        code(v().verify(&token(i64::MAX, i64::MAX, "c"), i64::MIN)),
        "token_not_yet_valid"
    );
    let s = Signer::new(KEY, "sched").unwrap();
    let forever = s.sign(&event(), "cat", "d", NOW, i64::MAX).unwrap();
    assert_eq!(
        v().verify(&forever, NOW).unwrap().exp,
        NOW / 1000 + i64::MAX / 1000 + 1
    );
    // a ttl counts in whole seconds, rounded up
    let t = s.sign(&event(), "cat", "e", NOW, 1_001).unwrap();
    assert_eq!(v().verify(&t, NOW).unwrap().exp, NOW / 1000 + 2);
}
