//! Inputs that once made a fuzz target (`fuzz/fuzz_targets/`) fail, run without the fuzzer.
//! Each file in `fixtures/fuzz/<target>/` goes through the checks of that target that it broke
//! (its name says which); `fuzz/README.md` says how a crash becomes a file here.

use std::path::Path;

use serde_json::Value;
use xspense::rules::parse_rule;
use xspense::store::snapshot::{self, SnapshotPayload};
use xspense::store::Change;
use xspense::{Engine, ErrorCode, Rule, Transaction};

/// The committed inputs of one target, sorted by name: (name, bytes).
fn inputs(target: &str) -> Vec<(String, Vec<u8>)> {
    let dir = Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("tests/fixtures/fuzz")
        .join(target);
    let mut out: Vec<(String, Vec<u8>)> = std::fs::read_dir(&dir)
        .unwrap_or_else(|e| panic!("{}: {e}", dir.display()))
        .map(|entry| {
            let path = entry.unwrap().path();
            let name = path.file_name().unwrap().to_string_lossy().into_owned();
            (name, std::fs::read(&path).unwrap())
        })
        .collect();
    out.sort();
    assert!(!out.is_empty(), "no inputs in {}", dir.display());
    out
}

fn json(name: &str, bytes: &[u8]) -> Value {
    serde_json::from_slice(bytes).unwrap_or_else(|e| panic!("{name}: {e}"))
}

/// `rules_json`: a rule read from JSON comes back through its JSON and its text form, and a
/// refused rule list leaves no trace.
#[test]
fn rules_json() {
    for (name, bytes) in inputs("rules_json") {
        let rules: Vec<Rule> = match json(&name, &bytes) {
            Value::Array(xs) => xs
                .into_iter()
                .filter_map(|x| serde_json::from_value(x).ok())
                .collect(),
            one => serde_json::from_value(one).into_iter().collect(),
        };
        for r in &rules {
            let json = serde_json::to_string(r).unwrap();
            assert_eq!(
                &serde_json::from_str::<Rule>(&json).unwrap(),
                r,
                "{name}: {json}"
            );
            let text = r.to_string();
            let back =
                parse_rule(&text, "unused", 1).unwrap_or_else(|e| panic!("{name}: {text}: {e}"));
            assert_eq!(&back, r, "{name}: {text}");
        }
        let mut engine = Engine::new();
        match engine.add_rule_list("t", rules.clone()) {
            Ok(_) => assert_eq!(engine.rules("t"), rules, "{name}"),
            Err(e) => {
                assert_ne!(e.code(), ErrorCode::Internal, "{name}: {e}");
                assert!(
                    engine.tenants().is_empty(),
                    "{name}: a refused list left a tenant"
                );
                assert!(engine.drain_changes().is_empty(), "{name}");
            }
        }
    }
}

/// `snapshot_import`: a payload sealed with its checksum decodes to itself exactly; an import
/// is refused as `corrupt_snapshot` with no change, or gives a state that round-trips. A file
/// named `exported-*` is what `export_snapshot` wrote, and must import.
#[test]
fn snapshot_import() {
    for (name, bytes) in inputs("snapshot_import") {
        let text = String::from_utf8(bytes).unwrap();
        let doc = json(&name, text.as_bytes());
        for payload in [&doc, &doc["payload"]] {
            if let Ok(p) = serde_json::from_value::<SnapshotPayload>(payload.clone()) {
                let sealed = snapshot::encode(&p).unwrap();
                let back = snapshot::decode(&sealed).unwrap_or_else(|e| panic!("{name}: {e}"));
                assert_eq!(back, p, "{name}");
            }
        }
        let mut engine = Engine::new();
        match engine.import_snapshot(&text) {
            Ok(_) => {
                let exported = engine.export_snapshot(None).unwrap();
                let mut again = Engine::new();
                again
                    .import_snapshot(&exported)
                    .unwrap_or_else(|e| panic!("{name}: {e}"));
                assert_eq!(again.export_snapshot(None).unwrap(), exported, "{name}");
            }
            Err(e) => {
                assert!(
                    !name.starts_with("exported-"),
                    "{name}: an export is refused: {e}"
                );
                assert_eq!(e.code(), ErrorCode::CorruptSnapshot, "{name}: {e}");
                assert!(engine.tenants().is_empty(), "{name}");
            }
        }
    }
}

/// The engine `apply_changes` starts from: tenant `ana` with categories, rules and aliases.
fn apply_changes_base() -> Engine {
    let mut e = Engine::new();
    e.add_category("ana", "pets", "Pets", None).unwrap();
    e.add_category("ana", "pets.vet", "Vet", Some("pets"))
        .unwrap();
    e.add_rules(
        "ana",
        "rule vet: merchant contains \"vet\" => pets.vet\n\
         rule big: amount > 500 and direction = debit => tag \"big\" priority 2",
    )
    .unwrap();
    for (d, c) in [
        ("SQ *BLUE BOTTLE 0042 OAKLAND CA", "food.coffee"),
        ("PAWS ANIMAL HOSPITAL", "pets.vet"),
        ("PAWS ANIMAL HOSPITAL", "pets"),
    ] {
        let tx: Transaction = serde_json::from_value(serde_json::json!({
            "id": "fuzz", "tenant": "ana", "descriptor": d,
            "amount": {"minor": 2500, "currency": "USD"}, "direction": "debit",
            "date": "2026-11-02", "mcc": 5814}))
        .unwrap();
        e.feedback(&tx, c).unwrap();
    }
    e.drain_changes();
    e
}

/// `apply_changes`: a refused list changes nothing; an accepted one equals applying it one
/// change at a time, and its state's snapshot imports back to the same state.
#[test]
fn apply_changes() {
    for (name, bytes) in inputs("apply_changes") {
        let changes: Vec<Change> = match json(&name, &bytes) {
            Value::Array(xs) => serde_json::from_value(Value::Array(xs)).unwrap(),
            one => vec![serde_json::from_value(one).unwrap()],
        };
        let mut engine = apply_changes_base();
        let before = engine.export_snapshot(None).unwrap();
        match engine.apply_changes(&changes) {
            Err(e) => {
                assert_eq!(e.code(), ErrorCode::InvalidInput, "{name}: {e}");
                assert_eq!(engine.export_snapshot(None).unwrap(), before, "{name}");
            }
            Ok(()) => {
                let after = engine.export_snapshot(None).unwrap();
                let mut stepwise = apply_changes_base();
                for c in &changes {
                    stepwise.apply_changes(std::slice::from_ref(c)).unwrap();
                }
                assert_eq!(stepwise.export_snapshot(None).unwrap(), after, "{name}");
                let mut imported = Engine::new();
                imported
                    .import_snapshot(&after)
                    .unwrap_or_else(|e| panic!("{name}: {e}"));
                assert_eq!(imported.export_snapshot(None).unwrap(), after, "{name}");
            }
        }
    }
}

/// `envelope_parse`: a mode byte (and signing ttl), 8 bytes of `now`, then a message or claims.
/// A message comes back the same through its JSON and through sign/verify; claims signed with
/// the trusted key are verified without a panic, accepted once with a valid message.
#[cfg(feature = "workers")]
#[test]
fn envelope_parse() {
    use base64::engine::general_purpose::URL_SAFE_NO_PAD;
    use base64::Engine as _;
    use hmac::{Hmac, Mac};
    use xspense::envelope::{Envelope, Signer, Verifier};
    const KEY: &[u8] = b"0123456789abcdef0123456789abcdef";

    for (name, bytes) in inputs("envelope_parse") {
        let (mode, rest) = bytes.split_first().unwrap();
        let now = i64::from_le_bytes(rest[..8].try_into().unwrap());
        let rest = &rest[8..];
        let verifier = || Verifier::new(&[KEY], &["sender"], "receiver").unwrap();
        match mode % 3 {
            0 => {
                let msg: Envelope = serde_json::from_slice(rest).unwrap();
                let json = serde_json::to_string(&msg).unwrap();
                assert_eq!(
                    serde_json::from_str::<Envelope>(&json).unwrap(),
                    msg,
                    "{name}"
                );
                let ttl = [60_000, 1, i64::MAX, 0, i64::MIN][usize::from(mode / 3) % 5];
                let signer = Signer::new(KEY, "sender").unwrap();
                if msg.validate().is_ok() && ttl > 0 {
                    let token = signer.sign(&msg, "receiver", "j", now, ttl).unwrap();
                    assert_eq!(verifier().verify(&token, now).unwrap().msg, msg, "{name}");
                } else {
                    let e = signer.sign(&msg, "receiver", "j", now, ttl).unwrap_err();
                    assert_eq!(e.code(), ErrorCode::InvalidInput, "{name}");
                }
            }
            1 => {
                let header = URL_SAFE_NO_PAD.encode(br#"{"alg":"HS256","typ":"JWT"}"#);
                let input = format!("{header}.{}", URL_SAFE_NO_PAD.encode(rest));
                let mut mac = Hmac::<sha2::Sha256>::new_from_slice(KEY).unwrap();
                mac.update(input.as_bytes());
                let sig = URL_SAFE_NO_PAD.encode(mac.finalize().into_bytes());
                let token = format!("{input}.{sig}");
                let v = verifier();
                match v.verify(&token, now) {
                    Ok(claims) => {
                        claims.msg.validate().unwrap();
                        let again = v.verify(&token, now).unwrap_err();
                        assert_eq!(again.code(), ErrorCode::TokenReplayed, "{name}");
                    }
                    Err(e) => {
                        assert!(e.code().as_str().starts_with("token_"), "{name}: {e}")
                    }
                }
            }
            _ => {
                let token = String::from_utf8_lossy(rest);
                let e = verifier().verify(&token, now).unwrap_err();
                assert!(e.code().as_str().starts_with("token_"), "{name}: {e}");
            }
        }
    }
}
