//! The chat-completions URL, checked once before any request.

use ureq::http::Uri;

use crate::error::LlmError;

/// The path every OpenAI-compatible server serves chat completions at, below its base URL.
const CHAT_COMPLETIONS: &str = "/chat/completions";

/// A checked chat-completions URL.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Endpoint {
    url: String,
    plain_remote: bool,
}

/// Host names of this machine.
const LOOPBACK_NAMES: [&str; 3] = ["localhost", "127.0.0.1", "[::1]"];

impl Endpoint {
    /// Reads a server URL: its base (`http://127.0.0.1:11434/v1`,
    /// `https://api.openai.com/v1`), to which `/chat/completions` is appended, or the full
    /// chat-completions URL (an Azure deployment's, with its `?api-version=`), taken as it is.
    ///
    /// Refuses a URL that is not `http` or `https`, has no host, or carries a user name or
    /// password (the key belongs in an environment variable, not in a URL that is shown).
    /// Errors never repeat the URL.
    ///
    /// ```
    /// use xspense_llm::Endpoint;
    /// assert_eq!(
    ///     Endpoint::parse("http://localhost:8080/v1/").unwrap().as_str(),
    ///     "http://localhost:8080/v1/chat/completions"
    /// );
    /// assert!(Endpoint::parse("localhost:8080").is_err());
    /// ```
    pub fn parse(url: &str) -> Result<Endpoint, LlmError> {
        let uri: Uri = url
            .trim()
            .parse()
            .map_err(|_| invalid("not a URL (expected http://HOST[:PORT]/PATH)"))?;
        match uri.scheme_str() {
            Some("http" | "https") => {}
            Some(_) => return Err(invalid("the scheme must be http or https")),
            None => return Err(invalid("no scheme (expected http:// or https://)")),
        }
        let authority = uri.authority().ok_or_else(|| invalid("no host"))?;
        if authority.as_str().contains('@') {
            return Err(invalid(
                "a user name or password in the URL is refused; pass the key in an environment variable",
            ));
        }
        if authority.host().is_empty() {
            return Err(invalid("no host"));
        }
        let host = authority.host().to_ascii_lowercase();
        let loopback = LOOPBACK_NAMES.contains(&host.as_str()) || host.starts_with("127.");
        Ok(Endpoint {
            url: chat_url(&uri),
            plain_remote: uri.scheme_str() == Some("http") && !loopback,
        })
    }

    /// Whether requests go unencrypted (`http`) to another machine, where a key would be
    /// readable on the way.
    ///
    /// ```
    /// use xspense_llm::Endpoint;
    /// assert!(Endpoint::parse("http://llm.example.invalid:8000/v1").unwrap().is_plain_remote());
    /// assert!(!Endpoint::parse("http://127.0.0.1:8000/v1").unwrap().is_plain_remote());
    /// assert!(!Endpoint::parse("https://api.openai.com/v1").unwrap().is_plain_remote());
    /// ```
    pub fn is_plain_remote(&self) -> bool {
        self.plain_remote
    }

    /// The URL requests are posted to.
    pub fn as_str(&self) -> &str {
        &self.url
    }
}

/// The URL with `/chat/completions` appended to its path unless it ends with it.
fn chat_url(uri: &Uri) -> String {
    let path = uri.path().trim_end_matches('/');
    let path = if path.ends_with(CHAT_COMPLETIONS) {
        path.to_string()
    } else {
        format!("{path}{CHAT_COMPLETIONS}")
    };
    let scheme = uri.scheme_str().unwrap_or("http");
    let authority = uri.authority().map_or("", |a| a.as_str());
    match uri.query() {
        Some(q) => format!("{scheme}://{authority}{path}?{q}"),
        None => format!("{scheme}://{authority}{path}"),
    }
}

fn invalid(reason: &str) -> LlmError {
    LlmError::InvalidUrl(reason.to_string())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn appends_the_chat_path_to_a_base() {
        for (given, expected) in [
            ("http://127.0.0.1:11434/v1", "http://127.0.0.1:11434/v1/chat/completions"),
            ("https://api.openai.com/v1/", "https://api.openai.com/v1/chat/completions"),
            ("http://localhost:8080", "http://localhost:8080/chat/completions"),
            (
                "https://x.openai.azure.com/openai/deployments/d/chat/completions?api-version=2024-10-21",
                "https://x.openai.azure.com/openai/deployments/d/chat/completions?api-version=2024-10-21",
            ),
        ] {
            assert_eq!(Endpoint::parse(given).unwrap().as_str(), expected);
        }
    }

    #[test]
    fn refuses_bad_urls_without_repeating_them() {
        for bad in [
            "",
            "not a url",
            "ftp://host/v1",
            "localhost:8080/v1",
            "/v1/chat/completions",
            "http://user:sk-secret@host/v1",
        ] {
            let e = Endpoint::parse(bad).unwrap_err();
            assert!(matches!(e, LlmError::InvalidUrl(_)), "{bad}");
            assert!(!e.to_string().contains("sk-secret"));
        }
    }
}
