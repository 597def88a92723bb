//! Refuses payloads that are too large or nested too deeply, before anything parses them.

use crate::error::{Error, Result};

/// Size and nesting limits for incoming payloads.
///
/// ```
/// use xspense::limits::PayloadGuard;
/// let g = PayloadGuard::new(1_024, 4);
/// assert!(g.check_json(br#"{"a":[1,2,{"b":null}]}"#).is_ok());
/// assert_eq!(g.check_json(b"[[[[[1]]]]]").unwrap_err().code().as_str(), "payload_too_large");
/// ```
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct PayloadGuard {
    /// Largest payload in bytes.
    pub max_bytes: usize,
    /// Deepest nesting of JSON arrays and objects.
    pub max_depth: usize,
}

impl Default for PayloadGuard {
    /// 1 MiB, depth 64.
    fn default() -> Self {
        PayloadGuard::new(1 << 20, 64)
    }
}

impl PayloadGuard {
    /// A guard with these limits.
    pub fn new(max_bytes: usize, max_depth: usize) -> PayloadGuard {
        PayloadGuard {
            max_bytes,
            max_depth,
        }
    }

    /// Checks the size only.
    pub fn check_size(&self, payload: &[u8]) -> Result<()> {
        if payload.len() > self.max_bytes {
            return Err(Error::PayloadTooLarge(format!(
                "{} bytes, the limit is {}",
                payload.len(),
                self.max_bytes
            )));
        }
        Ok(())
    }

    /// Checks size and JSON nesting depth in one pass over the bytes (strings and escapes are
    /// skipped; the JSON is not otherwise validated).
    pub fn check_json(&self, payload: &[u8]) -> Result<()> {
        self.check_size(payload)?;
        let mut depth = 0usize;
        let mut in_string = false;
        let mut escaped = false;
        for &b in payload {
            if in_string {
                match (escaped, b) {
                    (true, _) => escaped = false,
                    (false, b'\\') => escaped = true,
                    (false, b'"') => in_string = false,
                    _ => {}
                }
                continue;
            }
            match b {
                b'"' => in_string = true,
                b'[' | b'{' => {
                    depth += 1;
                    if depth > self.max_depth {
                        return Err(Error::PayloadTooLarge(format!(
                            "nested deeper than {} levels",
                            self.max_depth
                        )));
                    }
                }
                b']' | b'}' => depth = depth.saturating_sub(1),
                _ => {}
            }
        }
        Ok(())
    }
}
