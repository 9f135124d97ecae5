//! A webhook receiver for the callback tests: a plain TCP server on port 0 that reads each
//! HTTP/1.1 request, records it, and answers as its script says (a status, a redirect, a body
//! that never ends, or nothing at all), closing the connection after each answer.

use std::collections::{HashMap, VecDeque};
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

use tokio::io::{AsyncReadExt, AsyncWriteExt};
use tokio::net::{TcpListener, TcpStream};

/// How the receiver answers one request.
#[derive(Debug, Clone, Copy, PartialEq)]
pub(crate) enum Answer {
    Status(u16),
    /// `302` to another path of the same receiver.
    Redirect,
    /// `200` with a body that goes on until the client hangs up.
    Endless,
    /// Reads the request and never answers.
    Hang,
}

#[derive(Debug, Clone)]
pub(crate) struct Seen {
    pub path: String,
    /// Lower-case names.
    pub headers: HashMap<String, String>,
    pub body: Vec<u8>,
    pub answered: Answer,
}

#[derive(Default)]
struct State {
    seen: Vec<Seen>,
    script: VecDeque<Answer>,
    /// Bytes of endless bodies written before the client hung up, per request.
    endless_written: Vec<usize>,
}

#[derive(Clone)]
pub(crate) struct Receiver {
    pub port: u16,
    state: Arc<Mutex<State>>,
    default: Answer,
}

impl Receiver {
    /// Listens on `host` (`127.0.0.1`, or `0.0.0.0` for every address), answering `default`
    /// when the script is empty.
    pub(crate) async fn start(host: &str, default: Answer) -> Receiver {
        let listener = TcpListener::bind((host, 0)).await.unwrap();
        let port = listener.local_addr().unwrap().port();
        let r = Receiver {
            port,
            state: Arc::default(),
            default,
        };
        let serving = r.clone();
        tokio::spawn(async move {
            while let Ok((stream, _)) = listener.accept().await {
                let r = serving.clone();
                tokio::spawn(async move { r.serve(stream).await });
            }
        });
        r
    }

    pub(crate) fn url(&self, path: &str) -> String {
        format!("http://127.0.0.1:{}{path}", self.port)
    }

    pub(crate) fn script(&self, answers: &[Answer]) {
        self.state.lock().unwrap().script.extend(answers);
    }

    pub(crate) fn seen(&self) -> Vec<Seen> {
        self.state.lock().unwrap().seen.clone()
    }

    pub(crate) fn endless_written(&self) -> Vec<usize> {
        self.state.lock().unwrap().endless_written.clone()
    }

    /// Waits (polling, up to `within`) until `n` requests came; the requests seen.
    pub(crate) async fn wait_for(&self, n: usize, within: Duration) -> Vec<Seen> {
        let deadline = Instant::now() + within;
        loop {
            let seen = self.seen();
            if seen.len() >= n || Instant::now() > deadline {
                return seen;
            }
            tokio::time::sleep(Duration::from_millis(10)).await;
        }
    }

    async fn serve(&self, mut stream: TcpStream) {
        let Some((path, headers, body)) = read_request(&mut stream).await else {
            return;
        };
        let answer = {
            let mut s = self.state.lock().unwrap();
            let answer = s.script.pop_front().unwrap_or(self.default);
            s.seen.push(Seen {
                path,
                headers,
                body,
                answered: answer,
            });
            answer
        };
        match answer {
            Answer::Status(code) => {
                let head = format!(
                    "HTTP/1.1 {code} X\r\nContent-Length: 2\r\nConnection: close\r\n\r\nok"
                );
                let _ = stream.write_all(head.as_bytes()).await;
            }
            Answer::Redirect => {
                let head = format!(
                    "HTTP/1.1 302 Found\r\nLocation: http://127.0.0.1:{}/redirected\r\n\
                     Content-Length: 0\r\nConnection: close\r\n\r\n",
                    self.port
                );
                let _ = stream.write_all(head.as_bytes()).await;
            }
            Answer::Endless => {
                let head =
                    "HTTP/1.1 200 OK\r\nContent-Type: text/plain\r\nConnection: close\r\n\r\n";
                let mut written = 0usize;
                if stream.write_all(head.as_bytes()).await.is_ok() {
                    let chunk = vec![b'x'; 64 * 1024];
                    // Stops when the client hangs up, or at 1 GiB, which a bounded reader
                    // never takes.
                    while written < 1 << 30 && stream.write_all(&chunk).await.is_ok() {
                        written += chunk.len();
                    }
                }
                self.state.lock().unwrap().endless_written.push(written);
            }
            Answer::Hang => {
                tokio::time::sleep(Duration::from_secs(3600)).await;
            }
        }
    }
}

/// The request line's path, the headers and the body (by `Content-Length`).
async fn read_request(
    stream: &mut TcpStream,
) -> Option<(String, HashMap<String, String>, Vec<u8>)> {
    let mut buf = Vec::new();
    let mut chunk = [0u8; 8192];
    let end = loop {
        let n = stream.read(&mut chunk).await.ok()?;
        if n == 0 {
            return None;
        }
        buf.extend_from_slice(&chunk[..n]);
        if let Some(i) = buf.windows(4).position(|w| w == b"\r\n\r\n") {
            break i;
        }
    };
    let head = String::from_utf8_lossy(&buf[..end]).into_owned();
    let mut lines = head.split("\r\n");
    let path = lines.next()?.split(' ').nth(1)?.to_string();
    let headers: HashMap<String, String> = lines
        .filter_map(|l| l.split_once(':'))
        .map(|(k, v)| (k.trim().to_ascii_lowercase(), v.trim().to_string()))
        .collect();
    let length: usize = headers
        .get("content-length")
        .and_then(|v| v.parse().ok())
        .unwrap_or(0);
    let mut body = buf[end + 4..].to_vec();
    while body.len() < length {
        let n = stream.read(&mut chunk).await.ok()?;
        if n == 0 {
            break;
        }
        body.extend_from_slice(&chunk[..n]);
    }
    Some((path, headers, body))
}
