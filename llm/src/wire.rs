//! The chat-completions JSON: the request body and the parts of the answer that are read.

use serde::{Deserialize, Serialize};

use crate::error::LlmError;

/// Longest server message kept in an error, in characters.
const MAX_MESSAGE_CHARS: usize = 300;

/// Tokens a call used, as the server's `usage` object counts them.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct Usage {
    /// Tokens of the prompt.
    #[serde(default)]
    pub prompt_tokens: u64,
    /// Tokens of the answer.
    #[serde(default)]
    pub completion_tokens: u64,
}

/// The request body: the model, a system and a user message, temperature 0 and a JSON answer.
pub(crate) fn request_body(model: &str, system: &str, user: &str) -> String {
    serde_json::json!({
        "model": model,
        "messages": [
            {"role": "system", "content": system},
            {"role": "user", "content": user},
        ],
        "temperature": 0,
        "response_format": {"type": "json_object"},
    })
    .to_string()
}

#[derive(Deserialize)]
struct Response {
    #[serde(default)]
    choices: Vec<Choice>,
    #[serde(default)]
    usage: Option<Usage>,
}

#[derive(Deserialize)]
struct Choice {
    message: Option<Message>,
}

#[derive(Deserialize)]
struct Message {
    content: Option<String>,
}

/// The first choice's message content and the usage, from a 2xx body.
pub(crate) fn read_completion(body: &str) -> Result<(String, Option<Usage>), LlmError> {
    let response: Response = serde_json::from_str(body)
        .map_err(|e| LlmError::MalformedResponse(format!("not chat-completion JSON: {e}")))?;
    let content = response
        .choices
        .into_iter()
        .next()
        .and_then(|c| c.message)
        .and_then(|m| m.content)
        .ok_or_else(|| LlmError::MalformedResponse("no message content".into()))?;
    Ok((content, response.usage))
}

/// What an error body says: its `error.message` (OpenAI, vLLM) or `error` text (Ollama), else
/// its start.
pub(crate) fn error_message(body: &str) -> String {
    let parsed: Option<serde_json::Value> = serde_json::from_str(body).ok();
    let from_json = parsed.as_ref().and_then(|v| {
        let e = v.get("error")?;
        e.get("message")
            .and_then(|m| m.as_str())
            .or_else(|| e.as_str())
            .map(str::to_string)
    });
    let text = from_json.unwrap_or_else(|| body.trim().to_string());
    let text: String = text.chars().take(MAX_MESSAGE_CHARS).collect();
    if text.is_empty() {
        "(no message)".to_string()
    } else {
        text
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn reads_content_and_usage() {
        let body = r#"{"id":"x","choices":[{"index":0,"message":{"role":"assistant","content":"{\"answers\":[]}"}}],"usage":{"prompt_tokens":12,"completion_tokens":3,"total_tokens":15}}"#;
        let (content, usage) = read_completion(body).unwrap();
        assert_eq!(content, r#"{"answers":[]}"#);
        assert_eq!(
            usage,
            Some(Usage {
                prompt_tokens: 12,
                completion_tokens: 3
            })
        );
        let (_, usage) = read_completion(r#"{"choices":[{"message":{"content":"x"}}]}"#).unwrap();
        assert_eq!(usage, None);
    }

    #[test]
    fn refuses_what_is_not_a_completion() {
        for bad in [
            "",
            "<html>",
            "{}",
            r#"{"choices":[]}"#,
            r#"{"choices":[{"message":{"content":null}}]}"#,
            r#"{"choices":"x"}"#,
        ] {
            assert!(
                matches!(read_completion(bad), Err(LlmError::MalformedResponse(_))),
                "{bad}"
            );
        }
    }

    #[test]
    fn error_messages_are_short() {
        assert_eq!(
            error_message(r#"{"error":{"message":"Rate limit reached","type":"requests"}}"#),
            "Rate limit reached"
        );
        assert_eq!(
            error_message(r#"{"error":"model not found"}"#),
            "model not found"
        );
        assert_eq!(error_message(&"x".repeat(1000)).len(), MAX_MESSAGE_CHARS);
        assert_eq!(error_message("  "), "(no message)");
    }

    #[test]
    fn body_is_a_chat_request() {
        let v: serde_json::Value = serde_json::from_str(&request_body("m", "sys", "usr")).unwrap();
        assert_eq!(v["model"], "m");
        assert_eq!(v["messages"][1]["content"], "usr");
        assert_eq!(v["response_format"]["type"], "json_object");
    }
}
