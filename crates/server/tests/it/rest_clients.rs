//! REST v2 from the outside, against the real server: the upstream documentation's Python
//! `requests` examples (`tests/clients/python/rest_examples.py`), schemathesis against the
//! OpenAPI document (`tests/clients/python/run_schemathesis.sh`), and the docs UI, which must
//! load with no internet. `scripts/test` installs the Python tools into `.venv`.

use edigrid_core::store::EndReason;
use edigrid_domain::AuthLevel;
use edigrid_rest::OPENAPI_PATH;
use edigrid_testkit::{TEST_PASSWORD, TestApp, spawn_app};
use reqwest::Url;
use tokio::process::Command;

use crate::support::python::repo_root;

/// A server with the user the programs log in as.
async fn app_with_integrator() -> TestApp {
    let app = spawn_app().await;
    app.add_user("integrator", AuthLevel::MailboxAdmin, 100, 200)
        .await;
    app
}

/// Runs a program from the repository root; panics with its output unless it succeeds and
/// prints a line starting with `pass_line`. Returns its standard output.
async fn run_client(program: &str, args: &[String], pass_line: &str) -> String {
    let root = repo_root();
    let output = Command::new(program)
        .args(args)
        .current_dir(&root)
        .output()
        .await
        .unwrap_or_else(|e| {
            panic!("cannot run {program} ({e}); run scripts/test, which installs the clients")
        });
    let stdout = String::from_utf8_lossy(&output.stdout).into_owned();
    let stderr = String::from_utf8_lossy(&output.stderr);
    assert!(
        output.status.success(),
        "{program} {args:?} failed ({})\n--- stdout\n{stdout}\n--- stderr\n{stderr}",
        output.status
    );
    assert!(
        stdout.lines().any(|l| l.starts_with(pass_line)),
        "{program} did not reach `{pass_line}`:\n{stdout}\n--- stderr\n{stderr}"
    );
    stdout
}

#[tokio::test]
async fn python_requests_runs_the_upstream_rest_auth_examples() {
    let app = app_with_integrator().await;
    let root = repo_root();
    let python = root.join(".venv/bin/python");
    let script = root.join("tests/clients/python/rest_examples.py");
    let args: Vec<String> = [
        script.to_str().unwrap(),
        "--base",
        &app.base_url(),
        "--login",
        "integrator",
        "--password",
        TEST_PASSWORD,
        "--expect-network",
        "100",
        "--expect-mailbox",
        "200",
        "--expect-auth-level",
        "MailboxAdmin",
    ]
    .into_iter()
    .map(String::from)
    .collect();
    run_client(python.to_str().unwrap(), &args, "PASS rest examples").await;

    // Every session the examples opened is over, each for the reason the flow gives it:
    // the refreshed session by token-reuse detection, the one that changed the password by
    // the change back, and the last two by logout.
    let sessions = app.core.list_sessions(None, 100).await.unwrap();
    assert!(
        sessions.iter().all(|s| s.ended.is_some()),
        "a session was left open: {sessions:#?}"
    );
    assert!(
        sessions.iter().all(|s| s.protocol == "rest"),
        "{sessions:#?}"
    );
    let mut reasons: Vec<&str> = sessions
        .iter()
        .map(|s| s.end_reason.map_or("none", EndReason::as_str))
        .collect();
    reasons.sort_unstable();
    assert_eq!(
        reasons,
        ["logout", "logout", "password-changed", "token-reuse"],
        "{sessions:#?}"
    );

    // The password was changed back: the account is as it was.
    let login = app
        .http
        .post(format!("{}/v2/auth/login", app.base_url()))
        .json(&serde_json::json!({"login": "integrator", "password": TEST_PASSWORD}))
        .send()
        .await
        .unwrap();
    assert_eq!(login.status(), 200);
}

#[tokio::test]
async fn schemathesis_finds_every_response_as_the_openapi_document_says() {
    let app = app_with_integrator().await;
    let script = repo_root().join("tests/clients/python/run_schemathesis.sh");
    let args: Vec<String> = [
        script.to_str().unwrap(),
        "--base",
        &app.base_url(),
        "--login",
        "integrator",
        "--password",
        TEST_PASSWORD,
    ]
    .into_iter()
    .map(String::from)
    .collect();
    let stdout = run_client("bash", &args, "run_schemathesis: PASS").await;
    // Schemathesis' summary, for the test log.
    println!("{stdout}");

    // The run changed nothing that matters: the password is the same and the account is
    // not locked, and the server still answers.
    let login = app
        .http
        .post(format!("{}/v2/auth/login", app.base_url()))
        .json(&serde_json::json!({"login": "integrator", "password": TEST_PASSWORD}))
        .send()
        .await
        .unwrap();
    assert_eq!(login.status(), 200, "{}", login.text().await.unwrap());
    assert!(app.is_alive().await);
}

/// The values of `name=` attributes (quoted or not) in an HTML text.
fn attribute_values(html: &str, name: &str) -> Vec<String> {
    let lower = html.to_ascii_lowercase();
    let needle = format!("{name}=");
    let mut values = Vec::new();
    let mut from = 0;
    while let Some(found) = lower[from..].find(&needle) {
        let at = from + found;
        from = at + needle.len();
        // Only a whole attribute name: `data-src=` is not `src=`.
        if !lower[..at].ends_with(|c: char| c.is_ascii_whitespace()) {
            continue;
        }
        let rest = &html[from..];
        let value = match rest.chars().next() {
            Some(q @ ('"' | '\'')) => rest[1..].split(q).next().unwrap_or(""),
            _ => rest
                .split(|c: char| c.is_ascii_whitespace() || c == '>')
                .next()
                .unwrap_or(""),
        };
        values.push(value.to_string());
    }
    values
}

/// The string literals of a JavaScript text, outside comments, in order.
fn js_string_literals(js: &str) -> Vec<String> {
    let chars: Vec<char> = js.chars().collect();
    let mut literals = Vec::new();
    let mut i = 0;
    while i < chars.len() {
        match chars[i] {
            '/' if chars.get(i + 1) == Some(&'/') => {
                while i < chars.len() && chars[i] != '\n' {
                    i += 1;
                }
            }
            '/' if chars.get(i + 1) == Some(&'*') => {
                i += 2;
                while i + 1 < chars.len() && !(chars[i] == '*' && chars[i + 1] == '/') {
                    i += 1;
                }
                i += 2;
            }
            q @ ('"' | '\'' | '`') => {
                let mut literal = String::new();
                i += 1;
                while i < chars.len() && chars[i] != q {
                    if chars[i] == '\\' {
                        i += 1;
                    }
                    if let Some(&c) = chars.get(i) {
                        literal.push(c);
                    }
                    i += 1;
                }
                i += 1;
                literals.push(literal);
            }
            _ => i += 1,
        }
    }
    literals
}

/// The `url(...)` references of a stylesheet.
fn css_urls(css: &str) -> Vec<String> {
    css.split("url(")
        .skip(1)
        .map(|rest| {
            let inner = rest.split(')').next().unwrap_or("").trim();
            inner.trim_matches(|c| c == '"' || c == '\'').to_string()
        })
        .collect()
}

/// Where `reference`, found in `page`, points; an error unless edigrid serves it (the same
/// origin as `page`).
fn same_origin(page: &Url, reference: &str) -> Result<Url, String> {
    let url = page
        .join(reference)
        .map_err(|e| format!("{page} refers to {reference:?}, not a URL ({e})"))?;
    if url.origin() != page.origin() {
        return Err(format!(
            "{page} refers to {reference}, which is not served by edigrid"
        ));
    }
    Ok(url)
}

/// Fetches an asset the docs UI needs; it must come from edigrid itself, with 200 and a body.
async fn fetch_asset(app: &TestApp, page: &Url, reference: &str) -> (Url, String, Vec<u8>) {
    let url = same_origin(page, reference).unwrap_or_else(|e| panic!("{e}"));
    let response = app.http.get(url.clone()).send().await.unwrap();
    let status = response.status();
    let content_type = response
        .headers()
        .get("content-type")
        .and_then(|v| v.to_str().ok())
        .unwrap_or("")
        .to_string();
    let body = response.bytes().await.unwrap().to_vec();
    assert_eq!(status, 200, "{url} (referred to by {page})");
    assert!(!body.is_empty(), "{url} has an empty body");
    let wanted = match url.path().rsplit('.').next().unwrap_or("") {
        "css" => Some("text/css"),
        "js" => Some("javascript"),
        "png" => Some("image/png"),
        "json" => Some("application/json"),
        "html" => Some("text/html"),
        _ => None,
    };
    if let Some(wanted) = wanted {
        assert!(
            content_type.contains(wanted),
            "{url} is served as {content_type:?}, not {wanted}"
        );
    }
    (url, content_type, body)
}

#[tokio::test]
async fn the_docs_ui_loads_everything_from_edigrid_itself() {
    let app = spawn_app().await;
    let page = Url::parse(&format!("{}/swagger/index.html", app.base_url())).unwrap();
    let (_, _, html) = fetch_asset(&app, &page, page.as_str()).await;
    let html = String::from_utf8(html).unwrap();

    let mut references = attribute_values(&html, "src");
    references.extend(attribute_values(&html, "href"));
    for needed in [
        "swagger-initializer.js",
        "swagger-ui-bundle.js",
        "swagger-ui-standalone-preset.js",
        "swagger-ui.css",
        "favicon-32x32.png",
        "favicon-16x16.png",
    ] {
        assert!(
            references.iter().any(|r| r.ends_with(needed)),
            "index.html does not load {needed}: {references:?}"
        );
    }
    let mut initializer = None;
    for reference in &references {
        let (url, _, body) = fetch_asset(&app, &page, reference).await;
        if url.path().ends_with(".css") {
            // A stylesheet's own references (fonts, images) must be local too, or inline.
            let css = String::from_utf8_lossy(&body).into_owned();
            for inner in css_urls(&css) {
                if !inner.starts_with("data:") {
                    fetch_asset(&app, &url, &inner).await;
                }
            }
        }
        if url.path().ends_with("/swagger-initializer.js") {
            initializer = Some((url, String::from_utf8(body).unwrap()));
        }
    }

    // What the initializer refers to: every path-like string is served by edigrid, and the
    // document it loads is edigrid's own OpenAPI document.
    let (init_url, js) = initializer.expect("index.html loads swagger-initializer.js");
    assert!(
        !js.contains("://"),
        "the initializer names an absolute URL:\n{js}"
    );
    let literals = js_string_literals(&js);
    let document = literals
        .iter()
        .position(|l| l == "url")
        .and_then(|i| literals.get(i + 1))
        .unwrap_or_else(|| panic!("the initializer sets no `url`:\n{js}"));
    assert_eq!(document, OPENAPI_PATH, "{js}");
    let asset_like = |l: &&String| {
        l.contains('/')
            || [".js", ".css", ".json", ".png", ".ico", ".svg", ".html"]
                .iter()
                .any(|ext| l.ends_with(ext))
    };
    for reference in literals.iter().filter(asset_like) {
        fetch_asset(&app, &init_url, reference).await;
    }
    let (_, _, spec) = fetch_asset(&app, &init_url, document).await;
    let spec: serde_json::Value = serde_json::from_slice(&spec).unwrap();
    assert!(spec["openapi"].as_str().unwrap_or("").starts_with("3."));
    assert!(spec["paths"]["/v2/auth/login"].is_object(), "{spec}");
}

#[test]
fn the_asset_scanners_see_what_a_browser_would_load() {
    let html = r#"<link rel="icon" href="./a.png" /><img data-src="x.png">
        <script src='//cdn.example.com/b.js'></script><a HREF=c.html>"#;
    assert_eq!(attribute_values(html, "href"), ["./a.png", "c.html"]);
    assert_eq!(attribute_values(html, "src"), ["//cdn.example.com/b.js"]);

    let js = "// \"not/this.js\"\nx({\"url\": '/swagger/v2/swagger.json', /* 'nor/this' */ a: \"b\\\"c\"})";
    assert_eq!(
        js_string_literals(js),
        ["url", "/swagger/v2/swagger.json", "b\"c"]
    );
    assert_eq!(
        css_urls("a{background:url(data:image/png;base64,xx)} b{src:url('f.woff2')}"),
        ["data:image/png;base64,xx", "f.woff2"]
    );

    let page = Url::parse("http://127.0.0.1:8080/swagger/index.html").unwrap();
    for local in [
        "./x.js",
        "x.css",
        "/swagger/v2/swagger.json",
        "http://127.0.0.1:8080/a",
    ] {
        assert!(same_origin(&page, local).is_ok(), "{local}");
    }
    for remote in [
        "//cdn.example.com/x.js",
        "https://cdn.example.com/x.css",
        "http://127.0.0.1:9090/a",
        "https://127.0.0.1:8080/a",
    ] {
        assert!(same_origin(&page, remote).is_err(), "{remote}");
    }
}
