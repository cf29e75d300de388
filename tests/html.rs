//! `check --format html`: snapshots of the page for the shipped example with line 7190 a
//! dollar too high and for a small batch; the page is well formed, every link has its
//! target and every table row its header's cells; untrusted text is escaped; the cap on
//! reports shown in full; `--results failing`; the exit status is the run's.

#![allow(
    clippy::unwrap_used,
    clippy::panic,
    clippy::indexing_slicing,
    reason = "test helpers fail loudly"
)]

mod common;

use std::collections::HashSet;
use std::path::Path;

use common::{copy_pack, crossfoot_in, root, scratch};

/// The shipped example with line 7190 one dollar too high, as README's example has it.
fn broken_example() -> String {
    let filing = std::fs::read_to_string(root().join("examples/hsbc-2020-07.yaml")).unwrap();
    let broken = filing.replace("7190: 198161467", "7190: 198161468");
    assert_ne!(broken, filing);
    broken
}

/// `check --format html --output page.html` in `dir` with `args`; the exit code and the page.
fn page(dir: &Path, args: &[&str]) -> (i32, String) {
    let mut all = vec![
        "check",
        "--color",
        "never",
        "--today",
        "2020-09-01",
        "--format",
        "html",
        "--output",
        "page.html",
    ];
    all.extend_from_slice(args);
    let output = crossfoot_in(dir, &all);
    let code = output.status.code().unwrap();
    let text = std::fs::read_to_string(dir.join("page.html")).unwrap();
    (code, text)
}

/// The page parses as XML (it is written so), every `href="#…"` names an id on the page,
/// no id is used twice, every row of a table has as many cells as its header, and every
/// table has a caption and header cells with a scope.
fn well_formed(text: &str) {
    let options = roxmltree::ParsingOptions {
        allow_dtd: true,
        ..roxmltree::ParsingOptions::default()
    };
    let document = roxmltree::Document::parse_with_options(text, options)
        .unwrap_or_else(|e| panic!("{e}\n{text}"));
    let html = document.root_element();
    assert_eq!(html.tag_name().name(), "html");
    assert_eq!(html.attribute("lang"), Some("en"));
    let mut ids = HashSet::new();
    for node in document.descendants().filter(|n| n.is_element()) {
        if let Some(id) = node.attribute("id") {
            assert!(ids.insert(id.to_owned()), "id {id} is used twice");
        }
    }
    for node in document.descendants().filter(|n| n.is_element()) {
        if let Some(target) = node.attribute("href").and_then(|h| h.strip_prefix('#')) {
            assert!(ids.contains(target), "no id {target}");
        }
        assert!(
            !matches!(node.tag_name().name(), "script" | "img" | "link" | "iframe"),
            "<{}> on the page",
            node.tag_name().name()
        );
    }
    for table in document.descendants().filter(|n| n.has_tag_name("table")) {
        let caption = table.children().find(|n| n.is_element()).unwrap();
        assert_eq!(caption.tag_name().name(), "caption");
        let cells = |row: roxmltree::Node| -> usize {
            row.children()
                .filter(|n| n.has_tag_name("td") || n.has_tag_name("th"))
                .map(|n| n.attribute("colspan").map_or(1, |c| c.parse().unwrap()))
                .sum()
        };
        let head = table
            .descendants()
            .find(|n| n.has_tag_name("thead"))
            .unwrap();
        let header = head.children().find(|n| n.has_tag_name("tr")).unwrap();
        for th in header.children().filter(|n| n.has_tag_name("th")) {
            assert_eq!(th.attribute("scope"), Some("col"));
        }
        let width = cells(header);
        for row in table.descendants().filter(|n| n.has_tag_name("tr")) {
            assert_eq!(cells(row), width, "{:?}", row.range());
        }
        for th in table
            .descendants()
            .filter(|n| n.has_tag_name("tbody"))
            .flat_map(|b| b.descendants().filter(|n| n.has_tag_name("th")))
        {
            assert_eq!(th.attribute("scope"), Some("row"));
        }
    }
}

#[test]
fn the_shipped_example_with_one_line_off() {
    let (_dir, dir) = scratch(&[("hsbc-2020-07.yaml", &broken_example())]);
    copy_pack(&dir, |_, text| text);
    let (code, text) = page(&dir, &["rules", "hsbc-2020-07.yaml"]);
    // The exit status is the run's, whatever the format.
    assert_eq!(code, 1);
    well_formed(&text);
    // The failing rules' lines are marked, with the rules that read them.
    assert!(text.contains(
        "<tr id=\"r1-l7190\" class=\"flagged\" data-failing=\"seg.excess seg.target_excess\">"
    ));
    assert!(text.contains("<tr id=\"r1-l7180\" class=\"flagged\" data-failing=\"seg.excess\">"));
    // The numbers are the human diagnostic's.
    assert!(text.contains(
        "the report has 198,161,468; the rule expects 198,161,467 (difference 1, tolerance 0)"
    ));
    // A blank line is marked, a deduction in parentheses.
    assert!(text.contains("<tr id=\"r1-l7160\" class=\"blank\">"));
    assert!(text.contains("<td class=\"num\">(168,780,790)</td>"));
    // A single report has no index.
    assert!(!text.contains("id=\"index\""));
    let version = env!("CARGO_PKG_VERSION");
    insta::assert_snapshot!(
        "hsbc_one_line_off",
        text.replace(&format!("crossfoot {version}"), "crossfoot VERSION")
    );
}

const RULES: &str = r#"rule t.sum "Total (add lines 10 and 20)"
  cite "17 CFR 1.10"
  30 = 10 + 20

rule t.cap "Total within the cap"
  severity warning
  30 <= $100

rule t.sign "Line 10 is not negative"
  severity info
  10 >= $0

rule t.ratio "Line 40 is line 20 times line 30 per line 50"
  40 = 20 * (30 / 50)

rule t.rounded "Line 60 is line 30 within rounding"
  60 = 30 within rounding
"#;

const WAIVERS: &str = "waivers:
  - rule: t.sum
    firm: Waived LLC
    as_of: 2020-07-31
    justification: Known rounding (COMP-1)
    approver: J. Doe
    expires: 2021-01-01
";

/// A: holds. B: `t.sum` fails (in thousands). C: the same, waived. D: unreadable. E: the
/// `warning` rule fails. F: `t.ratio` divides by a blank line. G: the `info` rule fails.
const BATCH: &str = "report_id,firm,as_of,unit,10,20,30,40,50,60
A,Good Inc,2020-07-31,,1,2,3,6,1,3
B,Bad Inc,2020-07-31,thousands,1,2,4,8,1,4
C,Waived LLC,2020-07-31,,1,2,4,8,1,4
D,Bad Inc,2020-07-31,,1,2x,3,6,1,3
E,Big Inc,2020-07-31,,100,20,120,2400,1,120
F,Zero Inc,2020-07-31,,1,2,3,6,,
G,Neg Inc,2020-07-31,,-1,2,1,2,1,1
";

fn batch() -> (tempfile::TempDir, std::path::PathBuf) {
    scratch(&[
        ("rules/t.xfoot", RULES),
        ("rules/waivers.yaml", WAIVERS),
        ("r.csv", BATCH),
    ])
}

#[test]
fn a_small_batch() {
    let (_dir, dir) = batch();
    let (code, text) = page(&dir, &["rules", "r.csv"]);
    assert_eq!(code, 2);
    well_formed(&text);
    // The index covers every report, the unreadable one included, and links to each
    // section.
    assert_eq!(text.matches("<tr class=\"i-").count(), 7);
    assert!(text.contains("<a href=\"#r2\">r.csv row 3 (B)</a>"));
    assert!(text.contains("<tr class=\"i-unreadable\" id=\"r4\">"));
    assert!(text.contains("line 20: `2x` is not an amount"));
    assert_eq!(text.matches("<section class=\"report\"").count(), 6);
    let version = env!("CARGO_PKG_VERSION");
    insta::assert_snapshot!(
        "small_batch",
        text.replace(&format!("crossfoot {version}"), "crossfoot VERSION")
    );
    // Only the rules that do not hold, with every count.
    let (_, failing) = page(&dir, &["--results", "failing", "rules", "r.csv"]);
    well_formed(&failing);
    assert!(text.contains("<tr class=\"o-pass\">"));
    assert!(!failing.contains("<tr class=\"o-pass\">"));
    assert!(failing.contains("<code>--results failing</code>"));
    for counts in [
        "5 rules, 4 passed, 1 failed",
        "5 rules, 4 passed, 0 failed, 1 waived",
    ] {
        assert!(
            text.contains(counts) && failing.contains(counts),
            "{counts}"
        );
    }
}

#[test]
fn untrusted_text_is_escaped() {
    let rules = "page p \"<script>alert('label')</script>\"\n  10 \"<b>ten</b> & more\"\n  20 \"twenty\"\n\nrule r.one \"<script>alert('description')</script>\"\n  cite \"<i>cite</i>\"\n  10 = 20\n";
    let report = "id: \"\\\"><script>alert('id')</script>\"\nfirm: \"<img src=x onerror=alert(1)>\\e[31m\"\nlines:\n  10: 5\n  20: 6\n";
    let waivers = "waivers:\n  - rule: r.one\n    firm: \"<img src=x onerror=alert(1)>\\e[31m\"\n    justification: \"<script>alert('why')</script>\"\n    approver: \"<b>me</b>\"\n    expires: 2030-01-01\n";
    let (_dir, dir) = scratch(&[
        ("rules/p.xfoot", rules),
        ("rules/waivers.yaml", waivers),
        ("<b>r</b>.yaml", report),
    ]);
    let (code, text) = page(&dir, &["rules", "<b>r</b>.yaml"]);
    assert_eq!(code, 0);
    well_formed(&text);
    for raw in ["<script", "<img", "<b>", "<i>", "\u{1b}"] {
        assert!(!text.contains(raw), "{raw} in\n{text}");
    }
    for escaped in [
        "&lt;script&gt;alert(&#39;label&#39;)&lt;/script&gt;",
        "&lt;b&gt;ten&lt;/b&gt; &amp; more",
        "&lt;script&gt;alert(&#39;description&#39;)&lt;/script&gt;",
        "&lt;i&gt;cite&lt;/i&gt;",
        "&lt;img src=x onerror=alert(1)&gt;\\u{1b}[31m",
        "&lt;script&gt;alert(&#39;why&#39;)&lt;/script&gt;",
        "&lt;b&gt;r&lt;/b&gt;.yaml",
    ] {
        assert!(text.contains(escaped), "{escaped} not in\n{text}");
    }
}

/// 20,000 reports, every 100th failing: the index lists them all; in full are the first
/// 100 that do not hold and the 99 that hold among the first 100.
#[test]
fn a_large_batch_is_shown_in_full_up_to_the_cap() {
    let mut text = String::from("report_id,10,20,30,40,50,60\n");
    for row in 0..20_000 {
        let total = if row % 100 == 7 { 4 } else { 3 };
        text.push_str(&format!("R{row},1,2,{total},{},1,{total}\n", 2 * total));
    }
    let (_dir, dir) = scratch(&[("rules/t.xfoot", RULES), ("r.csv", &text)]);
    let (code, page) = page(&dir, &["rules", "r.csv"]);
    assert_eq!(code, 1);
    assert_eq!(page.matches("<tr class=\"i-").count(), 20_000);
    assert_eq!(page.matches("<section class=\"report\"").count(), 199);
    assert_eq!(page.matches("(not shown in full)").count(), 20_000 - 199);
    assert!(page.contains("<a href=\"#r9908\">r.csv row 9909 (R9907)</a>"));
    assert!(page.contains("r.csv row 10009 (R10007) <span class=\"note\">(not shown in full)"));
    assert!(!page.contains("id=\"r10008\""));
    assert!(page.contains("199 reports are shown in full"));
    assert!(page.ends_with("</html>\n"));
}

#[test]
fn a_run_that_reads_nothing_still_writes_a_whole_page() {
    let (_dir, dir) = scratch(&[("rules/t.xfoot", RULES), ("r.csv", "report_id,10\n")]);
    let output = crossfoot_in(&dir, &["check", "--format", "html", "rules", "r.csv"]);
    assert_eq!(output.status.code(), Some(2));
    let text = String::from_utf8(output.stdout).unwrap();
    well_formed(&text);
    assert!(text.contains("No report was read."));
}
