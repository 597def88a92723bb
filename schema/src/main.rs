//! `xspense-schema write` regenerates the record schema and the TypeScript and Python
//! declarations; `xspense-schema check` exits with 1 when a committed file is out of date.

use std::process::ExitCode;

fn main() -> ExitCode {
    let root = xspense_schema::repo_root();
    match std::env::args().nth(1).as_deref() {
        Some("write") => {
            for o in xspense_schema::outputs() {
                let path = root.join(o.path);
                if let Err(e) = std::fs::write(&path, o.text) {
                    eprintln!("cannot write {}: {e}", path.display());
                    return ExitCode::FAILURE;
                }
                println!("wrote {}", o.path);
            }
            ExitCode::SUCCESS
        }
        Some("check") => {
            let stale = xspense_schema::stale(&root);
            if stale.is_empty() {
                println!("generated declarations are up to date");
                return ExitCode::SUCCESS;
            }
            for path in stale {
                eprintln!("{path} is out of date: run `cargo run -p xspense-schema -- write` and commit it");
            }
            ExitCode::FAILURE
        }
        _ => {
            eprintln!("usage: xspense-schema write | check");
            ExitCode::from(2)
        }
    }
}
