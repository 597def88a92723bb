//! `Redactor` and `TokenVault` (feature `redact`). Finding offsets index the JavaScript string
//! (UTF-16 units).

use wasm_bindgen::prelude::*;
use xspense::redact::{
    reindex_findings, OffsetUnit, Redacted, Redactor as CoreRedactor, RedactorSpec,
    TokenVault as CoreVault,
};

use crate::convert::{from_js, from_js_or_default, to_js};
use crate::errors::IntoJs;

/// Remembers the values behind `<KIND_n>` tokens so a reply can be restored.
#[wasm_bindgen]
pub struct TokenVault {
    inner: CoreVault,
}

#[wasm_bindgen]
impl TokenVault {
    /// An empty vault.
    #[wasm_bindgen(constructor)]
    #[allow(clippy::new_without_default)]
    pub fn new() -> TokenVault {
        TokenVault {
            inner: CoreVault::new(),
        }
    }

    /// `text` with every token this vault issued replaced by its original value.
    pub fn restore(&self, text: &str) -> String {
        self.inner.restore(text)
    }

    /// The value behind one token, or `undefined`.
    #[wasm_bindgen(js_name = valueOfToken)]
    pub fn value_of_token(&self, token: &str) -> Option<String> {
        self.inner.value_of(token).map(str::to_string)
    }

    /// How many values it holds.
    #[wasm_bindgen(getter)]
    pub fn size(&self) -> u32 {
        self.inner.len() as u32
    }
}

/// Finds and replaces card numbers, IBANs, SSNs, routing numbers, emails, phones, IPs, JWTs,
/// API keys and secrets.
#[wasm_bindgen]
pub struct Redactor {
    inner: CoreRedactor,
}

#[wasm_bindgen]
impl Redactor {
    /// A redactor; `options` uses the core's names (`operator`, `min_confidence`, ...).
    #[wasm_bindgen(constructor)]
    pub fn new(
        #[wasm_bindgen(unchecked_param_type = "RedactorSpec | undefined")] options: JsValue,
    ) -> Result<Redactor, JsValue> {
        let spec: RedactorSpec = from_js_or_default(options, "redactor options")?;
        Ok(Redactor {
            inner: spec.builder().js()?.build().js()?,
        })
    }

    /// The operator's name.
    #[wasm_bindgen(getter)]
    pub fn operator(&self) -> String {
        self.inner.operator().as_str().to_string()
    }

    /// The ids of the secret detectors in force.
    #[wasm_bindgen(js_name = detectorIds)]
    pub fn detector_ids(&self) -> Vec<String> {
        self.inner.detector_ids()
    }

    /// The findings in `text`, in order of position, without replacing anything.
    #[wasm_bindgen(unchecked_return_type = "Finding[]")]
    pub fn find(&self, text: &str) -> Result<JsValue, JsValue> {
        let mut found = self.inner.find(text);
        reindex_findings(text, &mut found, OffsetUnit::Utf16);
        to_js(&found)
    }

    /// `text` with every finding replaced.
    #[wasm_bindgen(unchecked_return_type = "Redacted")]
    pub fn redact(&self, text: &str) -> Result<JsValue, JsValue> {
        self.redacted(text, self.inner.redact(text))
    }

    /// `redact` that records what each `<KIND_n>` token stands for in `vault` (operator
    /// `token`), so `vault.restore` can put the values back.
    #[wasm_bindgen(js_name = redactWithVault, unchecked_return_type = "Redacted")]
    pub fn redact_with_vault(
        &self,
        text: &str,
        vault: &mut TokenVault,
    ) -> Result<JsValue, JsValue> {
        self.redacted(text, self.inner.redact_with(text, &mut vault.inner))
    }

    /// A JSON value with sensitive strings replaced, and values under names such as `password`
    /// or `card_number` replaced whole.
    #[wasm_bindgen(js_name = redactJson, unchecked_return_type = "RedactedJson")]
    pub fn redact_json(
        &self,
        #[wasm_bindgen(unchecked_param_type = "JsonValue")] value: JsValue,
    ) -> Result<JsValue, JsValue> {
        let v: serde_json::Value = from_js(value, "value")?;
        to_js(&self.inner.redact_json(&v).in_offsets(&v, OffsetUnit::Utf16))
    }

    /// `redactJson` recording tokens in `vault`.
    #[wasm_bindgen(js_name = redactJsonWithVault, unchecked_return_type = "RedactedJson")]
    pub fn redact_json_with_vault(
        &self,
        #[wasm_bindgen(unchecked_param_type = "JsonValue")] value: JsValue,
        vault: &mut TokenVault,
    ) -> Result<JsValue, JsValue> {
        let v: serde_json::Value = from_js(value, "value")?;
        let out = self.inner.redact_json_with(&v, &mut vault.inner);
        to_js(&out.in_offsets(&v, OffsetUnit::Utf16))
    }
}

impl Redactor {
    fn redacted(&self, text: &str, out: Redacted) -> Result<JsValue, JsValue> {
        to_js(&out.in_offsets(text, OffsetUnit::Utf16))
    }
}
