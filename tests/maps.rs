//! Column maps (issue 28): an export with descriptive headers, checked as it is through a
//! map of its headers to line codes, as CSV and as a workbook.

#![allow(
    clippy::unwrap_used,
    clippy::panic,
    clippy::indexing_slicing,
    reason = "test helpers fail loudly"
)]

mod common;

use common::{crossfoot, crossfoot_in, root, scratch, stderr, stdout};

const MAP: &str = "maps/cftc-fcm-monthly.yaml";
const RULES: &str = "examples/cftc-monthly/monthly.xfoot";
const DATA: &str = "examples/cftc-monthly/fcm-data.csv";

#[test]
fn the_cftc_monthly_sheet_checks_through_its_map() {
    let output = crossfoot(&["check", RULES, DATA, "--map", MAP]);
    assert_eq!(output.status.code(), Some(1), "{}", stderr(&output));
    let out = stdout(&output);
    assert!(
        out.contains("ok: examples/cftc-monthly/fcm-data.csv row 2 (EXAMPLE FUTURES LLC, as of 2027-03-31): 7 rules, 7 passed, 0 failed"),
        "{out}"
    );
    assert!(
        out.contains("FAIL: examples/cftc-monthly/fcm-data.csv row 4 (MADE-UP MARKETS INC, as of 2027-03-31): 7 rules, 5 passed, 1 failed, 1 skipped"),
        "{out}"
    );
    let said = format!("{out}{}", stderr(&output));
    assert!(
        said.contains("the report has 4,000,000; the rule expects 5,000,000"),
        "{said}"
    );
    // Without the map, the descriptive headers are not line codes.
    let bare = crossfoot(&["check", RULES, DATA]);
    assert_eq!(bare.status.code(), Some(2));
}

#[test]
fn the_same_sheet_as_a_workbook_gives_the_same_verdicts() {
    let text = std::fs::read_to_string(root().join(DATA)).unwrap();
    let (_guard, dir) = scratch(&[]);
    let path = dir.join("fcm.xlsx");
    let mut book = rust_xlsxwriter::Workbook::new();
    let sheet = book.add_worksheet().set_name("FCM Data").unwrap();
    sheet
        .write_string(0, 0, "Financial Data for FCMs (made-up figures)")
        .unwrap();
    for (r, line) in text.lines().enumerate() {
        for (c, cell) in line.split(',').enumerate() {
            let (row, column) = (r as u32 + 2, c as u16);
            match cell.parse::<f64>() {
                Ok(number) if r > 0 => sheet.write_number(row, column, number).unwrap(),
                _ if cell.is_empty() => sheet,
                _ => sheet.write_string(row, column, cell).unwrap(),
            };
        }
    }
    book.save(&path).unwrap();
    let json = |input: &str| {
        let args = [
            "check",
            "--format",
            "json",
            root().join(RULES).to_str().unwrap(),
            input,
            "--map",
            root().join(MAP).to_str().unwrap(),
        ]
        .map(str::to_owned);
        let args: Vec<&str> = args.iter().map(String::as_str).collect();
        let output = crossfoot_in(&dir, &args);
        let json: serde_json::Value = serde_json::from_str(&stdout(&output)).unwrap();
        json["reports"]
            .as_array()
            .unwrap()
            .iter()
            .map(|r| (r["firm"].clone(), r["summary"].clone()))
            .collect::<Vec<_>>()
    };
    let from_csv = json(root().join(DATA).to_str().unwrap());
    let from_xlsx = json("fcm.xlsx");
    assert_eq!(from_xlsx, from_csv);
    assert_eq!(from_xlsx.len(), 3);
}

#[test]
fn a_header_the_map_names_and_the_file_lacks_is_an_error() {
    let renamed = std::fs::read_to_string(root().join(DATA))
        .unwrap()
        .replace("Customer Assets in Segregation", "Customer Assets Held");
    let (_guard, dir) = scratch(&[("data.csv", renamed.as_str())]);
    let map = root().join(MAP);
    let rules = root().join(RULES);
    let output = crossfoot_in(
        &dir,
        &[
            "check",
            rules.to_str().unwrap(),
            "data.csv",
            "--map",
            map.to_str().unwrap(),
        ],
    );
    assert_eq!(output.status.code(), Some(2));
    // Both columns the rename touched (the header of cleared swaps assets holds the words).
    let said = stderr(&output)
        .replace('│', "")
        .split_whitespace()
        .collect::<Vec<_>>()
        .join(" ");
    assert!(
        said.contains(
            "the column map `cftc-fcm-monthly` names `Customer Assets in Segregation`, `Cleared Swaps Customer Assets in Segregation`, which the header does not have"
        ),
        "{said}"
    );
}

#[test]
fn an_unmapped_header_is_refused_unless_the_map_says_to_ignore_it() {
    let data = "Firm Name,Excess,Assets,Required,Notes\nACME,5,15,10,fine\n";
    let strict = "map: strict\ncolumns:\n  Firm Name: firm\n  Excess: 7190\n  Assets: 7180\n  Required: 7060\n";
    let lenient = format!("{strict}unmapped: ignore\n");
    let rules = "rule seg.excess\n  7190 = 7180 - 7060\n";
    let (_guard, dir) = scratch(&[
        ("data.csv", data),
        ("strict.yaml", strict),
        ("lenient.yaml", lenient.as_str()),
        ("rules.xfoot", rules),
    ]);
    let refused = crossfoot_in(
        &dir,
        &["check", "rules.xfoot", "data.csv", "--map", "strict.yaml"],
    );
    assert_eq!(refused.status.code(), Some(2));
    assert!(
        stderr(&refused)
            .contains("column 5 of the header: `Notes`: the column map does not name it"),
        "{}",
        stderr(&refused)
    );
    let read = crossfoot_in(
        &dir,
        &["check", "rules.xfoot", "data.csv", "--map", "lenient.yaml"],
    );
    assert_eq!(read.status.code(), Some(0), "{}", stderr(&read));
    assert_eq!(
        stdout(&read),
        "ok: data.csv row 2 (ACME): 1 rule, 1 passed, 0 failed\n"
    );
    let broken = crossfoot_in(
        &dir,
        &["check", "rules.xfoot", "data.csv", "--map", "rules.xfoot"],
    );
    assert_eq!(broken.status.code(), Some(2));
    assert!(
        stderr(&broken).contains("crossfoot::map::malformed"),
        "{}",
        stderr(&broken)
    );
}

#[test]
fn a_sheet_or_map_no_input_can_use_is_an_error() {
    let report = "as_of: 2024-06-30\nlines:\n  7010: 5\n";
    let (_guard, dir) = scratch(&[("r.xfoot", "rule t\n  7010 >= $0\n"), ("r.yaml", report)]);
    let map = root().join(MAP);
    let cases = [
        (
            vec!["--sheet", "Reports"],
            "`--sheet` names a sheet of a workbook (`.xlsx`, `.xlsm`, `.xlsb`, `.xls`, `.ods`), and no input is one",
        ),
        (
            vec!["--map", map.to_str().unwrap()],
            "`--map` renames the headers of a CSV file or a workbook sheet, and no input is one",
        ),
    ];
    for (flags, message) in cases {
        for command in ["check", "explain"] {
            let mut args = vec![command, "r.xfoot", "r.yaml"];
            args.extend(&flags);
            let output = crossfoot_in(&dir, &args);
            assert_eq!(output.status.code(), Some(2), "{command} {flags:?}");
            let said = stderr(&output).replace('│', "");
            assert!(said.contains(message), "{command} {flags:?}: {said}");
            assert!(stdout(&output).is_empty(), "{command} {flags:?}");
        }
    }
    // `diff` reads reports only with `--reports`.
    let output = crossfoot_in(&dir, &["diff", "r.xfoot", "r.xfoot", "--sheet", "Reports"]);
    assert_eq!(output.status.code(), Some(2));
    assert!(stderr(&output).contains("`--sheet` names a sheet of a workbook"));
    // A directory may hold a workbook: the flag is not refused.
    let output = crossfoot_in(&dir, &["check", "r.xfoot", ".", "--sheet", "Reports"]);
    assert_ne!(output.status.code(), Some(2), "{}", stderr(&output));
}

#[test]
fn a_note_under_the_data_is_no_report_but_a_row_with_an_id_is() {
    let csv = "report_id,firm,as_of,7010\n\
               R1,ACME,2027-03-31,5\n\
               ,* figures in dollars,,\n\
               R2,,,\n\
               ,BETA,2027-03-31,\n\
               ,GAMMA,,7\n";
    let rules = "page p \"A page\"\n  7010 \"Cash\"\n\nrule p.cash \"Cash is not negative\"\n  7010 >= $0\n";
    let (_guard, dir) = scratch(&[("rules.xfoot", rules), ("reports.csv", csv)]);
    let output = crossfoot_in(&dir, &["check", "rules.xfoot", "reports.csv"]);
    assert_eq!(output.status.code(), Some(0), "{}", stderr(&output));
    let out = stdout(&output);
    // Row 3 holds only a firm-column note; rows 4 (an id), 5 (a date) and 6 (an amount)
    // are reports.
    assert!(!out.contains("row 3"), "{out}");
    for row in [
        "row 4 (R2):",
        "row 5 (BETA, as of 2027-03-31):",
        "row 6 (GAMMA):",
    ] {
        assert!(out.contains(row), "{row}: {out}");
    }
    assert!(out.contains("4 reports: 4 ok"), "{out}");
}
