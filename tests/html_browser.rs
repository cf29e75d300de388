//! The HTML view in a real browser: headless Chromium loads the page `check --format html`
//! writes for the shipped example with line 7190 a dollar too high, and the DOM it builds
//! has the failing rule, both amounts and the highlighted line; a screenshot is a PNG of
//! the size asked for.
//!
//! Without a Chromium binary the test says so on stderr and passes, unless `CI` or
//! `CROSSFOOT_REQUIRE_BROWSER=1` is set (`.ci/run` sets it and installs Debian's
//! `chromium`): there a missing browser fails. `CROSSFOOT_CHROMIUM` names the binary to use.

#![allow(
    clippy::unwrap_used,
    clippy::panic,
    clippy::indexing_slicing,
    reason = "test helpers fail loudly"
)]

mod common;

use std::path::{Path, PathBuf};
use std::time::Duration;

use common::{copy_pack, crossfoot_in, root, scratch, stderr};

/// The browser to drive: `CROSSFOOT_CHROMIUM`, or the first of the usual names on `PATH`.
fn chromium() -> Option<PathBuf> {
    if let Some(path) = std::env::var_os("CROSSFOOT_CHROMIUM") {
        return Some(PathBuf::from(path));
    }
    let names = [
        "chromium",
        "chromium-browser",
        "google-chrome",
        "google-chrome-stable",
    ];
    let path = std::env::var_os("PATH")?;
    std::env::split_paths(&path)
        .flat_map(|dir| names.iter().map(move |name| dir.join(name)))
        .find(|candidate| candidate.is_file())
}

/// Whether a missing browser fails the test (in CI) rather than skipping it.
fn browser_required() -> bool {
    let set = |name: &str| std::env::var(name).is_ok_and(|v| !v.is_empty() && v != "0");
    set("CI") || set("CROSSFOOT_REQUIRE_BROWSER")
}

/// Run the browser headless on `page` with `args`, with its own profile, for at most two
/// minutes; what it wrote on stdout.
fn browse(browser: &Path, profile: &Path, page: &Path, args: &[&str]) -> String {
    let url = format!("file://{}", page.display());
    let output = assert_cmd::Command::new(browser)
        .args([
            "--headless",
            "--no-sandbox",
            "--disable-gpu",
            "--no-first-run",
            "--disable-extensions",
            "--hide-scrollbars",
        ])
        .arg(format!("--user-data-dir={}", profile.display()))
        .args(args)
        .arg(&url)
        .timeout(Duration::from_secs(120))
        .output()
        .unwrap();
    assert!(
        output.status.success(),
        "{} failed: {}",
        browser.display(),
        String::from_utf8_lossy(&output.stderr)
    );
    String::from_utf8(output.stdout).unwrap()
}

/// A PNG's width and height, from its header.
fn png_size(bytes: &[u8]) -> (u32, u32) {
    assert_eq!(&bytes[..8], b"\x89PNG\r\n\x1a\n", "not a PNG");
    assert_eq!(&bytes[12..16], b"IHDR");
    let number = |at: usize| u32::from_be_bytes(bytes[at..at + 4].try_into().unwrap());
    (number(16), number(20))
}

#[test]
fn the_page_in_a_real_browser() {
    let Some(browser) = chromium() else {
        assert!(
            !browser_required(),
            "no Chromium binary (chromium, chromium-browser, google-chrome) on PATH, and CI \
             (or CROSSFOOT_REQUIRE_BROWSER=1) requires one: install Debian's `chromium`"
        );
        eprintln!(
            "SKIPPED tests/html_browser.rs: no Chromium binary on PATH (install Debian's \
             `chromium`, or set CROSSFOOT_CHROMIUM); CI requires it"
        );
        return;
    };
    let filing = std::fs::read_to_string(root().join("examples/hsbc-2020-07.yaml")).unwrap();
    let broken = filing.replace("7190: 198161467", "7190: 198161468");
    let (_dir, dir) = scratch(&[("hsbc-2020-07.yaml", &broken)]);
    copy_pack(&dir, |_, text| text);
    let output = crossfoot_in(
        &dir,
        &[
            "check",
            "--format",
            "html",
            "--output",
            "page.html",
            "rules",
            "hsbc-2020-07.yaml",
        ],
    );
    assert_eq!(output.status.code(), Some(1), "{}", stderr(&output));
    let page = dir.join("page.html");
    let profile = dir.join("profile");

    let dom = browse(&browser, &profile, &page, &["--dump-dom"]);
    assert!(dom.contains("<html lang=\"en\">"), "{dom}");
    // The failing rule, its numbers, and the line it reads highlighted, as the browser
    // built them.
    assert!(
        dom.contains("<code>seg.excess</code>") && dom.contains("id=\"r1-rule4\""),
        "{dom}"
    );
    assert!(
        dom.contains("line 7190 does not equal 7180 - 7060"),
        "{dom}"
    );
    assert!(
        dom.contains(
            "the report has 198,161,468; the rule expects 198,161,467 (difference 1, tolerance 0)"
        ),
        "{dom}"
    );
    assert!(
        dom.contains(
            "<tr id=\"r1-l7190\" class=\"flagged\" data-failing=\"seg.excess seg.target_excess\">"
        ),
        "{dom}"
    );
    let row = dom.split("id=\"r1-l7190\"").nth(1).unwrap();
    let row = &row[..row.find("</tr>").unwrap()];
    assert!(row.contains("198,161,468"), "{row}");
    assert!(row.contains("href=\"#r1-rule4\""), "{row}");

    let shot = dir.join("page.png");
    browse(
        &browser,
        &profile,
        &page,
        &[
            &format!("--screenshot={}", shot.display()),
            "--window-size=1280,2000",
        ],
    );
    let png = std::fs::read(&shot).unwrap();
    assert_eq!(png_size(&png), (1280, 2000));
    assert!(png.len() > 50_000, "a screenshot of {} bytes", png.len());
}
