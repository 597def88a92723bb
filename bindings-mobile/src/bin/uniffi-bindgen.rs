//! uniffi's generator at the crate's pinned version:
//! `cargo run -p xspense-mobile --features cli --bin uniffi-bindgen -- generate --library ...`.
fn main() {
    uniffi::uniffi_bindgen_main()
}
