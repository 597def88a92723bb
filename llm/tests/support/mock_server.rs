//! A tiny chat-completions server on 127.0.0.1 for tests: it answers each request with what a
//! handler decides (an answer, an HTTP error with `Retry-After`, a sleep past the client's
//! timeout, a malformed body) and records every request it received. Shared by the client's
//! tests and the CLI's (`#[path]`).

#![allow(dead_code)]

use std::io::{BufRead, BufReader, Read, Write};
use std::net::{SocketAddr, TcpListener, TcpStream};
use std::sync::atomic::{AtomicBool, AtomicUsize, Ordering};
use std::sync::{Arc, Mutex};
use std::thread::{self, JoinHandle};
use std::time::Duration;

/// Most connections one server accepts before it stops by itself.
const MAX_CONNECTIONS: usize = 200;
/// Largest request body read.
const MAX_BODY_BYTES: usize = 4 * 1024 * 1024;

/// What the server does with one request.
pub enum Reply {
    /// 200 with a chat completion whose message content is this text, and a `usage`.
    Content {
        content: String,
        prompt_tokens: u64,
        completion_tokens: u64,
    },
    /// This status and body, with a `Retry-After` header when given.
    Status {
        status: u16,
        retry_after: Option<String>,
        body: String,
    },
    /// 200 with this body as it is (malformed answers).
    RawOk(String),
    /// Waits this long, then answers as the inner reply (the client has given up by then).
    Sleep(Duration, Box<Reply>),
}

impl Reply {
    pub fn content(content: impl Into<String>) -> Reply {
        Reply::Content {
            content: content.into(),
            prompt_tokens: 100,
            completion_tokens: 10,
        }
    }

    pub fn status(status: u16, retry_after: Option<&str>) -> Reply {
        Reply::Status {
            status,
            retry_after: retry_after.map(str::to_string),
            body: format!("{{\"error\": {{\"message\": \"status {status}\"}}}}"),
        }
    }
}

/// One request as received.
#[derive(Debug, Clone)]
pub struct Received {
    pub request_line: String,
    /// Header names in lower case, with their values.
    pub headers: Vec<(String, String)>,
    pub body: String,
}

impl Received {
    pub fn header(&self, name: &str) -> Option<&str> {
        self.headers
            .iter()
            .find(|(n, _)| n == name)
            .map(|(_, v)| v.as_str())
    }

    /// The request's JSON body.
    pub fn json(&self) -> serde_json::Value {
        serde_json::from_str(&self.body).expect("the client sent JSON")
    }

    /// The user message.
    pub fn prompt(&self) -> String {
        self.json()["messages"][1]["content"]
            .as_str()
            .unwrap_or_default()
            .to_string()
    }
}

type Handler = dyn Fn(usize, &Received) -> Reply + Send + Sync;

pub struct MockServer {
    addr: SocketAddr,
    received: Arc<Mutex<Vec<Received>>>,
    stop: Arc<AtomicBool>,
    accept: Option<JoinHandle<()>>,
}

impl MockServer {
    /// Starts a server; `handler(n, request)` answers the `n`th request (from 0).
    pub fn start(
        handler: impl Fn(usize, &Received) -> Reply + Send + Sync + 'static,
    ) -> MockServer {
        let listener = TcpListener::bind("127.0.0.1:0").expect("bind 127.0.0.1:0");
        let addr = listener.local_addr().expect("local address");
        let received = Arc::new(Mutex::new(Vec::new()));
        let stop = Arc::new(AtomicBool::new(false));
        let handler: Arc<Handler> = Arc::new(handler);
        let accept = {
            let (received, stop) = (received.clone(), stop.clone());
            thread::spawn(move || serve(listener, handler, received, stop))
        };
        MockServer {
            addr,
            received,
            stop,
            accept: Some(accept),
        }
    }

    /// The base URL (`http://127.0.0.1:PORT/v1`).
    pub fn url(&self) -> String {
        format!("http://{}/v1", self.addr)
    }

    /// Every request received so far.
    pub fn received(&self) -> Vec<Received> {
        self.received.lock().unwrap().clone()
    }
}

impl Drop for MockServer {
    fn drop(&mut self) {
        self.stop.store(true, Ordering::SeqCst);
        // wakes the accept loop
        let _ = TcpStream::connect(self.addr);
        if let Some(h) = self.accept.take() {
            let _ = h.join();
        }
    }
}

fn serve(
    listener: TcpListener,
    handler: Arc<Handler>,
    received: Arc<Mutex<Vec<Received>>>,
    stop: Arc<AtomicBool>,
) {
    let count = Arc::new(AtomicUsize::new(0));
    for stream in listener.incoming().take(MAX_CONNECTIONS) {
        if stop.load(Ordering::SeqCst) {
            break;
        }
        let Ok(stream) = stream else { continue };
        let (handler, received, count) = (handler.clone(), received.clone(), count.clone());
        thread::spawn(move || {
            let Some(request) = read_request(&stream) else {
                return;
            };
            let n = {
                let mut r = received.lock().unwrap();
                r.push(request.clone());
                count.fetch_add(1, Ordering::SeqCst)
            };
            let reply = handler(n, &request);
            write_reply(stream, reply);
        });
    }
}

fn read_request(stream: &TcpStream) -> Option<Received> {
    let mut reader = BufReader::new(stream);
    let mut request_line = String::new();
    reader.read_line(&mut request_line).ok()?;
    if request_line.trim().is_empty() {
        return None;
    }
    let mut headers = Vec::new();
    loop {
        let mut line = String::new();
        reader.read_line(&mut line).ok()?;
        let line = line.trim_end();
        if line.is_empty() {
            break;
        }
        let (name, value) = line.split_once(':')?;
        headers.push((name.trim().to_ascii_lowercase(), value.trim().to_string()));
    }
    let length: usize = headers
        .iter()
        .find(|(n, _)| n == "content-length")
        .and_then(|(_, v)| v.parse().ok())
        .unwrap_or(0)
        .min(MAX_BODY_BYTES);
    let mut body = vec![0; length];
    reader.read_exact(&mut body).ok()?;
    Some(Received {
        request_line: request_line.trim_end().to_string(),
        headers,
        body: String::from_utf8_lossy(&body).into_owned(),
    })
}

fn write_reply(mut stream: TcpStream, reply: Reply) {
    let (status, extra, body) = match reply {
        Reply::Sleep(d, inner) => {
            thread::sleep(d);
            return write_reply(stream, *inner);
        }
        Reply::Content {
            content,
            prompt_tokens,
            completion_tokens,
        } => {
            let body = serde_json::json!({
                "id": "chatcmpl-test", "object": "chat.completion",
                "choices": [{"index": 0, "finish_reason": "stop",
                             "message": {"role": "assistant", "content": content}}],
                "usage": {"prompt_tokens": prompt_tokens, "completion_tokens": completion_tokens,
                          "total_tokens": prompt_tokens + completion_tokens}
            });
            (200, String::new(), body.to_string())
        }
        Reply::Status {
            status,
            retry_after,
            body,
        } => {
            let extra = retry_after
                .map(|r| format!("Retry-After: {r}\r\n"))
                .unwrap_or_default();
            (status, extra, body)
        }
        Reply::RawOk(body) => (200, String::new(), body),
    };
    let head = format!(
        "HTTP/1.1 {status} X\r\nContent-Type: application/json\r\nContent-Length: {}\r\nConnection: close\r\n{extra}\r\n",
        body.len()
    );
    let _ = stream.write_all(head.as_bytes());
    let _ = stream.write_all(body.as_bytes());
    let _ = stream.flush();
}

/// The merchant ids (`id 1:`, `id 2:`...) of a batch prompt.
pub fn batch_ids(prompt: &str) -> Vec<String> {
    prompt
        .lines()
        .filter_map(|l| l.strip_prefix("id ")?.strip_suffix(':'))
        .map(str::to_string)
        .collect()
}

/// A batch answer giving every id of the prompt this category.
pub fn answer_all(prompt: &str, category: &str) -> String {
    let answers: Vec<serde_json::Value> = batch_ids(prompt)
        .into_iter()
        .map(|id| serde_json::json!({"id": id, "category": category, "confidence": 0.9, "reason": "test"}))
        .collect();
    serde_json::json!({ "answers": answers }).to_string()
}
