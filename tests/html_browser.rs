//! The HTML view in a real browser: headless Chromium loads the page `check --format html`
//! writes for the shipped example with line 7190 a dollar too high, and the DOM it builds
//! has the failing rule, both amounts and the highlighted line; a screenshot is a PNG of
//! the size asked for.
//!
//! It needs a Chromium binary (`CROSSFOOT_CHROMIUM` names it; otherwise the first of the
//! usual names on `PATH`), so it is ignored by default: `cargo test --test html_browser --
//! --include-ignored` runs it, and fails when there is none (see CONTRIBUTING.md).

#![allow(
    clippy::unwrap_used,
    clippy::panic,
    clippy::indexing_slicing,
    reason = "test helpers fail loudly"
)]

mod common;

use std::path::Path;
use std::time::Duration;

use common::engines::chromium;
use common::{copy_pack, crossfoot_in, root, scratch, stderr};

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
#[ignore = "needs Chromium: see CONTRIBUTING.md"]
fn the_page_in_a_real_browser() {
    let browser = chromium();
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
