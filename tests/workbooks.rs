//! Workbooks as reports (issue 28): sheets built here with `rust_xlsxwriter` (a
//! dev-dependency, so the tests need nothing outside Rust) and checked as a user checks
//! them, beside the same figures as CSV.

#![allow(
    clippy::unwrap_used,
    clippy::panic,
    clippy::indexing_slicing,
    reason = "test helpers fail loudly"
)]

mod common;

use std::path::Path;

use common::{crossfoot_in, scratch, stderr, stdout};
use rust_xlsxwriter::{ExcelDateTime, Format, Formula, Workbook};

const RULES: &str = r#"page p "A page"
  7010 "Cash"
  7020 "Securities"
  7030 "Total"
  7040 "A deduction" deduction

rule p.total "Total of cash and securities"
  7030 = 7010 + 7020

rule p.nonnegative "The deduction is not positive"
  effective from 2027-01-01
  7040 <= $0
"#;

/// The figures of four reports, the same in the workbook and in the CSV: cents that no
/// binary float holds exactly, a large amount with cents, negatives, a blank, a text cell.
const CSV: &str = "report_id,firm,as_of,7010,7020,7030,7040\n\
R1,ACME,2027-03-31,0.1,0.2,0.3,-5\n\
R2,ACME,2027-03-31,1234567.89,0.11,1234568,\n\
R3,BETA,2027-03-31,-0.1,-0.2,-0.3,-0.01\n\
R4,BETA,2027-03-31,\"1,000\",2000.5,3000.5,3\n";

fn date() -> (ExcelDateTime, Format) {
    (
        ExcelDateTime::parse_from_str("2027-03-31").unwrap(),
        Format::new().set_num_format("yyyy-mm-dd"),
    )
}

/// The CSV's reports as a sheet named `Reports` (a title row above the header, a blank
/// row between reports, dates as date cells, a total as a formula with its value stored,
/// the text cell as text).
fn wide_workbook(path: &Path) {
    let mut book = Workbook::new();
    let sheet = book.add_worksheet().set_name("Reports").unwrap();
    sheet
        .write_string(0, 0, "FOCUS extract, March 2027")
        .unwrap();
    let header = ["report_id", "firm", "as_of", "7010", "7020", "7030", "7040"];
    for (c, name) in header.iter().enumerate() {
        sheet.write_string(2, c as u16, *name).unwrap();
    }
    let (day, format) = date();
    let rows: [(&str, &str, f64, f64, Option<f64>); 4] = [
        ("R1", "ACME", 0.1, 0.2, Some(-5.0)),
        ("R2", "ACME", 1_234_567.89, 0.11, None),
        ("R3", "BETA", -0.1, -0.2, Some(-0.01)),
        ("R4", "BETA", 0.0, 2000.5, Some(3.0)),
    ];
    for (i, (id, firm, a, b, d)) in rows.iter().enumerate() {
        // A blank row between the second and third reports.
        let r = 3 + i as u32 + u32::from(i >= 2);
        sheet.write_string(r, 0, *id).unwrap();
        sheet.write_string(r, 1, *firm).unwrap();
        sheet
            .write_datetime_with_format(r, 2, &day, &format)
            .unwrap();
        if *id == "R4" {
            sheet.write_string(r, 3, "1,000").unwrap();
        } else {
            sheet.write_number(r, 3, *a).unwrap();
        }
        sheet.write_number(r, 4, *b).unwrap();
        let total = match *id {
            "R1" => "0.3",
            "R2" => "1234568",
            "R3" => "-0.3",
            _ => "3000.5",
        };
        let formula = Formula::new(format!("=D{}+E{}", r + 1, r + 1)).set_result(total);
        sheet.write_formula(r, 5, formula).unwrap();
        if let Some(d) = d {
            sheet.write_number(r, 6, *d).unwrap();
        }
    }
    book.save(path).unwrap();
}

/// Each report's id and rule statuses, from `check --format json`.
fn verdicts(json: &str) -> Vec<(String, Vec<String>)> {
    let json: serde_json::Value = serde_json::from_str(json).unwrap();
    json["reports"]
        .as_array()
        .unwrap()
        .iter()
        .map(|report| {
            let statuses = report["results"]
                .as_array()
                .unwrap()
                .iter()
                .map(|r| {
                    let mut status = r["status"].as_str().unwrap().to_owned();
                    for side in ["left", "right"] {
                        if let Some(value) = r[side].as_str() {
                            status.push_str(&format!(" {side} {value}"));
                        }
                    }
                    status
                })
                .collect();
            (report["id"].as_str().unwrap_or("").to_owned(), statuses)
        })
        .collect()
}

/// The human output names `reports.xlsx`'s rows as the sheet numbers them (R4 is on row 8).
fn names_rows_as_the_sheet_numbers_them(dir: &Path) {
    let human = crossfoot_in(dir, &["check", "rules.xfoot", "reports.xlsx"]);
    assert!(
        stdout(&human).contains("reports.xlsx row 8 (R4)"),
        "{}",
        stdout(&human)
    );
}

#[test]
fn a_workbook_gives_what_its_csv_gives_with_exact_cents() {
    let (_guard, dir) = scratch(&[("rules.xfoot", RULES), ("reports.csv", CSV)]);
    wide_workbook(&dir.join("reports.xlsx"));
    let csv = crossfoot_in(
        &dir,
        &["check", "--format", "json", "rules.xfoot", "reports.csv"],
    );
    let xlsx = crossfoot_in(
        &dir,
        &["check", "--format", "json", "rules.xfoot", "reports.xlsx"],
    );
    assert_eq!(xlsx.status.code(), csv.status.code(), "{}", stderr(&xlsx));
    let (from_csv, from_xlsx) = (verdicts(&stdout(&csv)), verdicts(&stdout(&xlsx)));
    assert_eq!(from_xlsx, from_csv);
    // 0.1 + 0.2 is 0.3 exactly: R1 passes; R4's 1,000 is a text cell read as CSV reads it.
    assert_eq!(from_xlsx[0].1[0], "pass left 0.3 right 0.3");
    assert_eq!(from_xlsx[3].1[0], "pass left 3000.5 right 3000.5");
    // R4's deduction is positive: the one failure, the same in both.
    assert_eq!(from_xlsx[3].1[1], "fail left 3 right 0");
    names_rows_as_the_sheet_numbers_them(&dir);
}

#[test]
fn a_bad_cell_is_named_by_its_sheet_and_cell() {
    let (_guard, dir) = scratch(&[("rules.xfoot", RULES)]);
    let path = dir.join("bad.xlsx");
    let mut book = Workbook::new();
    let sheet = book.add_worksheet().set_name("Reports").unwrap();
    for (c, name) in ["report_id", "7010", "7020", "7030"].iter().enumerate() {
        sheet.write_string(0, c as u16, *name).unwrap();
    }
    sheet.write_string(1, 0, "R1").unwrap();
    sheet.write_number(1, 1, 1.0).unwrap();
    sheet.write_string(1, 2, "1O0").unwrap();
    sheet.write_number(1, 3, 101.0).unwrap();
    book.save(&path).unwrap();
    let output = crossfoot_in(&dir, &["check", "rules.xfoot", "bad.xlsx"]);
    assert_eq!(output.status.code(), Some(2));
    let said = format!("{}{}", stdout(&output), stderr(&output));
    assert!(said.contains("Reports!C2: line 7020:"), "{said}");
}

#[test]
fn a_form_like_sheet_with_its_facts_and_a_chosen_sheet() {
    let (_guard, dir) = scratch(&[("rules.xfoot", RULES)]);
    let path = dir.join("form.xlsx");
    let mut book = Workbook::new();
    // A hidden lookup sheet first is never the one read by default: the first sheet a
    // person sees is (here an empty one).
    book.add_worksheet()
        .set_name("Lookup")
        .unwrap()
        .set_hidden(true);
    book.add_worksheet()
        .set_name("Notes")
        .unwrap()
        .set_active(true);
    let sheet = book.add_worksheet().set_name("Page 1").unwrap();
    // The form: a label column, the line code, the amount; the facts in the line column.
    for (c, name) in ["", "line", "amount"].iter().enumerate() {
        sheet.write_string(0, c as u16, *name).unwrap();
    }
    sheet.write_string(1, 1, "firm").unwrap();
    sheet.write_string(1, 2, "ACME").unwrap();
    let (day, format) = date();
    sheet.write_string(2, 1, "as_of").unwrap();
    sheet
        .write_datetime_with_format(2, 2, &day, &format)
        .unwrap();
    let lines = [
        ("Cash", 7010.0, 10.25),
        ("Securities", 7020.0, 20.5),
        ("Total", 7030.0, 30.75),
    ];
    for (i, (label, code, amount)) in lines.iter().enumerate() {
        let r = 4 + i as u32;
        sheet.write_string(r, 0, *label).unwrap();
        sheet.write_number(r, 1, *code).unwrap();
        sheet.write_number(r, 2, *amount).unwrap();
    }
    book.save(&path).unwrap();
    // The first sheet has no header.
    let first = crossfoot_in(&dir, &["check", "rules.xfoot", "form.xlsx"]);
    assert_eq!(first.status.code(), Some(2));
    assert!(
        stderr(&first).contains("sheet `Notes` is empty"),
        "{}",
        stderr(&first)
    );
    let picked = crossfoot_in(
        &dir,
        &["check", "--sheet", "Page 1", "rules.xfoot", "form.xlsx"],
    );
    assert_eq!(picked.status.code(), Some(0), "{}", stderr(&picked));
    assert_eq!(
        stdout(&picked),
        "ok: form.xlsx (ACME, as of 2027-03-31): 2 rules, 1 passed, 0 failed, 1 skipped\n"
    );
    let missing = crossfoot_in(
        &dir,
        &["check", "--sheet", "Page 9", "rules.xfoot", "form.xlsx"],
    );
    assert_eq!(missing.status.code(), Some(2));
    assert!(
        stderr(&missing)
            .contains("no sheet is `Page 9`; the sheets are `Lookup`, `Notes`, `Page 1`"),
        "{}",
        stderr(&missing)
    );
}

#[test]
fn what_reviewers_found_in_sheets_is_read_as_the_spreadsheet_shows_it() {
    let (_guard, dir) = scratch(&[("rules.xfoot", RULES)]);
    let path = dir.join("found.xlsx");
    let mut book = Workbook::new();
    let sheet = book.add_worksheet().set_name("Reports").unwrap();
    let bold = Format::new().set_bold();
    for (c, name) in ["report_id", "7010", "7020", "7030"].iter().enumerate() {
        sheet
            .write_string_with_format(0, c as u16, *name, &bold)
            .unwrap();
    }
    // A header formatted beyond its labels: styled empty cells are no columns.
    for c in 4..8 {
        sheet.write_blank(0, c, &bold).unwrap();
    }
    // A total computed as the spreadsheet stores it: 0.30000000000000004, shown as 0.3.
    sheet.write_string(1, 0, "R1").unwrap();
    sheet.write_number(1, 1, 0.1).unwrap();
    sheet.write_number(1, 2, 0.2).unwrap();
    let sum = Formula::new("=B2+C2").set_result("0.30000000000000004");
    sheet.write_formula(1, 3, sum).unwrap();
    // An error value fails its own report, naming the cell; the others are still checked.
    sheet.write_string(2, 0, "R2").unwrap();
    sheet.write_number(2, 1, 1.0).unwrap();
    let error = Formula::new("=1/0").set_result("#DIV/0!");
    sheet.write_formula(2, 2, error).unwrap();
    sheet.write_number(2, 3, 1.0).unwrap();
    book.save(&path).unwrap();
    let output = crossfoot_in(&dir, &["check", "rules.xfoot", "found.xlsx"]);
    let said = format!("{}{}", stdout(&output), stderr(&output));
    assert_eq!(output.status.code(), Some(2), "{said}");
    assert!(said.contains("ok: found.xlsx row 2 (R1)"), "{said}");
    assert!(said.contains("Reports!C3: line 7020: `#DIV/0!`"), "{said}");

    // A value right of the header's columns is refused, as a CSV row with too many cells is.
    let wide = dir.join("wide.xlsx");
    let mut book = Workbook::new();
    let sheet = book.add_worksheet().set_name("Reports").unwrap();
    for (c, name) in ["report_id", "7010", "7020", "7030"].iter().enumerate() {
        sheet.write_string(0, c as u16, *name).unwrap();
    }
    sheet.write_string(1, 0, "R1").unwrap();
    sheet.write_number(1, 1, 1.0).unwrap();
    sheet.write_number(1, 5, 99.0).unwrap();
    book.save(&wide).unwrap();
    let output = crossfoot_in(&dir, &["check", "rules.xfoot", "wide.xlsx"]);
    assert_eq!(output.status.code(), Some(2));
    assert!(
        stderr(&output).contains("Reports!F2: a value outside the header's columns"),
        "{}",
        stderr(&output)
    );
}

/// A workbook made of `parts` (name, XML) as given: the shapes other programs write.
fn hand_written(path: &Path, parts: &[(&str, String)]) {
    let file = std::fs::File::create(path).unwrap();
    let mut zip = zip::ZipWriter::new(file);
    let options = zip::write::SimpleFileOptions::default()
        .compression_method(zip::CompressionMethod::Deflated);
    for (name, text) in parts {
        zip.start_file(*name, options).unwrap();
        std::io::Write::write_all(&mut zip, text.as_bytes()).unwrap();
    }
    zip.finish().unwrap();
}

/// The parts around a sheet: a hidden lookup sheet first, the reports sheet second, its
/// part named from the root; prefixed names, as some programs write them; days counted
/// from 1904; a custom date format; shared strings with rich text, a phonetic run and CDATA.
fn parts_around(sheet: &str) -> Vec<(&'static str, String)> {
    let main = "http://schemas.openxmlformats.org/spreadsheetml/2006/main";
    let rel = "http://schemas.openxmlformats.org/officeDocument/2006/relationships";
    let kind = |k: &str| format!("{rel}/{k}");
    vec![
        (
            "[Content_Types].xml",
            r#"<?xml version="1.0"?><Types xmlns="http://schemas.openxmlformats.org/package/2006/content-types"/>"#.to_owned(),
        ),
        (
            "_rels/.rels",
            format!(
                r#"<Relationships xmlns="http://schemas.openxmlformats.org/package/2006/relationships"><Relationship Id="rId1" Type="{}" Target="xl/workbook.xml"/></Relationships>"#,
                kind("officeDocument")
            ),
        ),
        (
            "xl/_rels/workbook.xml.rels",
            format!(
                r#"<Relationships xmlns="http://schemas.openxmlformats.org/package/2006/relationships"><Relationship Id="rId1" Type="{ws}" Target="worksheets/lookup.xml"/><Relationship Id="rId2" Type="{ws}" Target="/xl/worksheets/Reports.xml"/><Relationship Id="rId3" Type="{}" Target="sharedStrings.xml"/><Relationship Id="rId4" Type="{}" Target="styles.xml"/></Relationships>"#,
                kind("sharedStrings"),
                kind("styles"),
                ws = kind("worksheet")
            ),
        ),
        (
            "xl/workbook.xml",
            format!(
                r#"<?xml version="1.0"?><x:workbook xmlns:x="{main}" xmlns:r="{rel}"><x:workbookPr date1904="1"/><x:sheets><x:sheet name="Lookup" sheetId="1" state="hidden" r:id="rId1"/><x:sheet name="P&amp;L reports" sheetId="2" r:id="rId2"/></x:sheets></x:workbook>"#
            ),
        ),
        (
            "xl/sharedStrings.xml",
            format!(
                r#"<sst xmlns="{main}"><si><r><t>report</t></r><r><rPr><b/></rPr><t>_id</t></r><rPh sb="0" eb="1"><t>X</t></rPh></si><si><t><![CDATA[BETA]]></t></si><si><t xml:space="preserve">1,000</t></si></sst>"#
            ),
        ),
        (
            "xl/styles.xml",
            format!(
                r#"<styleSheet xmlns="{main}"><numFmts count="1"><numFmt numFmtId="164" formatCode="yyyy\-mm\-dd"/></numFmts><cellStyleXfs count="1"><xf numFmtId="14"/></cellStyleXfs><cellXfs count="2"><xf numFmtId="0"/><xf numFmtId="164" applyNumberFormat="1"/></cellXfs></styleSheet>"#
            ),
        ),
        (
            "xl/worksheets/lookup.xml",
            format!(r#"<worksheet xmlns="{main}"><sheetData><row r="1"><c r="A1" t="inlineStr"><is><t>not this one</t></is></c></row></sheetData></worksheet>"#),
        ),
        ("xl/worksheets/Reports.xml", sheet.replace("{main}", main)),
    ]
}

#[test]
fn a_workbook_as_other_programs_write_it_gives_what_its_csv_gives() {
    // CSV's reports, written without cell places, as inline strings, formulas' strings, a
    // date counted from 1904, shared strings, a row's cells out of order, and a comment
    // between rows.
    let sheet = r#"<?xml version="1.0" encoding="UTF-8"?>
<!-- written by hand -->
<x:worksheet xmlns:x="{main}"><x:sheetData>
<x:row><x:c t="s"><x:v>0</x:v></x:c><x:c t="inlineStr"><x:is><x:t>firm</x:t></x:is></x:c><x:c t="inlineStr"><x:is><x:t>as_of</x:t></x:is></x:c><x:c><x:v>7010</x:v></x:c><x:c><x:v>7020</x:v></x:c><x:c><x:v>7030</x:v></x:c><x:c><x:v>7040</x:v></x:c></x:row>
<x:row r="3"><x:c r="A3" t="inlineStr"><x:is><x:r><x:t>R</x:t></x:r><x:r><x:t>1</x:t></x:r></x:is></x:c><x:c r="B3" t="str"><x:f>"AC"&amp;"ME"</x:f><x:v>ACME</x:v></x:c><x:c r="C3" s="1"><x:v>45015</x:v></x:c><x:c><x:v>0.1</x:v></x:c><x:c><x:v>0.2</x:v></x:c><x:c><x:f>D3+E3</x:f><x:v>0.30000000000000004</x:v></x:c><x:c><x:v>-5</x:v></x:c></x:row>
<x:row r="4"><x:c r="A4" t="inlineStr"><x:is><x:t>R2</x:t></x:is></x:c><x:c r="B4" t="inlineStr"><x:is><x:t>ACME</x:t></x:is></x:c><x:c r="C4" s="1"><x:v>45015</x:v></x:c><x:c r="F4"><x:v>1234568</x:v></x:c><x:c r="E4"><x:v>0.11</x:v></x:c><x:c r="D4"><x:v>1234567.89</x:v></x:c><x:c r="G4" s="0"/></x:row>
<!-- a note between rows -->
<x:row r="6"><x:c r="A6" t="inlineStr"><x:is><x:t>R3</x:t></x:is></x:c><x:c r="B6" t="s"><x:v>1</x:v></x:c><x:c r="C6" t="d"><x:v>2027-03-31T00:00:00</x:v></x:c><x:c r="D6"><x:v>-0.1</x:v></x:c><x:c r="E6"><x:v>-0.2</x:v></x:c><x:c r="F6"><x:v>-0.3</x:v></x:c><x:c r="G6"><x:v>-1E-2</x:v></x:c></x:row>
<x:row r="8"><x:c r="A8" t="inlineStr"><x:is><x:t>R4</x:t></x:is></x:c><x:c r="B8" t="s"><x:v>1</x:v></x:c><x:c r="C8" s="1"><x:v>45015</x:v></x:c><x:c r="D8" t="s"><x:v>2</x:v></x:c><x:c r="E8"><x:v>2000.5</x:v></x:c><x:c r="F8"><x:v>3000.5</x:v></x:c><x:c r="G8"><x:v>3</x:v></x:c></x:row>
</x:sheetData></x:worksheet>"#;
    let (_guard, dir) = scratch(&[("rules.xfoot", RULES), ("reports.csv", CSV)]);
    let parts = parts_around(sheet);
    hand_written(&dir.join("reports.xlsx"), &parts);
    let run = |file: &str| crossfoot_in(&dir, &["check", "--format", "json", "rules.xfoot", file]);
    let (csv, xlsx) = (run("reports.csv"), run("reports.xlsx"));
    assert_eq!(xlsx.status.code(), Some(1), "{}", stderr(&xlsx));
    assert_eq!(verdicts(&stdout(&xlsx)), verdicts(&stdout(&csv)));
    names_rows_as_the_sheet_numbers_them(&dir);
}

#[test]
fn a_sheet_that_is_not_what_a_spreadsheet_writes_is_refused_by_its_place() {
    let header = r#"<row r="1"><c r="A1" t="inlineStr"><is><t>report_id</t></is></c><c r="B1"><v>7010</v></c></row>"#;
    let row = |r: u32| {
        format!(
            r#"<row r="{r}"><c r="A{r}" t="inlineStr"><is><t>R{r}</t></is></c><c r="B{r}"><v>1</v></c></row>"#
        )
    };
    let sheet = |rows: &str| {
        format!(r#"<worksheet xmlns="{{main}}"><sheetData>{header}{rows}</sheetData></worksheet>"#)
    };
    for (name, rows, says) in [
        (
            "backwards.xlsx",
            format!("{}{}", row(3), row(2)),
            "'P&L reports'!A2: rows are out of order (row 2 comes after row 3)",
        ),
        (
            "twice.xlsx",
            format!("{}{}", row(2), row(2)).replace("</row><row r=\"2\">", ""),
            "'P&L reports'!A2: the cell is given twice",
        ),
        (
            "far.xlsx",
            row(1_048_577),
            "row `1048577` is not a row of a sheet (1 to 1048576)",
        ),
        (
            "open.xlsx",
            format!("{}<row r=\"5\"><c r=\"A5\"", row(2)),
            "sheet `P&L reports` row 5: the sheet ends inside a cell",
        ),
    ] {
        let (_guard, dir) = scratch(&[("rules.xfoot", RULES)]);
        let text = sheet(&rows);
        let parts = parts_around(&text);
        hand_written(&dir.join(name), &parts);
        let output = crossfoot_in(&dir, &["check", "rules.xfoot", name]);
        assert_eq!(output.status.code(), Some(2), "{name}: {}", stdout(&output));
        assert!(
            stderr(&output).contains(says),
            "{name}: {}",
            stderr(&output)
        );
    }
    // Without the part that says where its sheets are, a workbook says so.
    let (_guard, dir) = scratch(&[("rules.xfoot", RULES)]);
    let text = sheet(&row(2));
    let mut parts = parts_around(&text);
    parts.retain(|(name, _)| *name != "xl/_rels/workbook.xml.rels");
    hand_written(&dir.join("norels.xlsx"), &parts);
    let output = crossfoot_in(&dir, &["check", "rules.xfoot", "norels.xlsx"]);
    assert_eq!(output.status.code(), Some(2));
    assert!(
        stderr(&output).contains("its part `xl/_rels/workbook.xml.rels`, which says where"),
        "{}",
        stderr(&output)
    );
    // A document type declaration (how XML files are made to blow up) is refused whole.
    let (_guard, dir) = scratch(&[("rules.xfoot", RULES)]);
    let text = format!("<!DOCTYPE x [<!ENTITY a \"b\">]>{}", sheet(""));
    let mut parts = parts_around(&text);
    parts.retain(|(name, _)| *name != "xl/workbook.xml");
    parts.push((
        "xl/workbook.xml",
        "<!DOCTYPE w><workbook><sheets/></workbook>".to_owned(),
    ));
    hand_written(&dir.join("doctype.xlsx"), &parts);
    let output = crossfoot_in(&dir, &["check", "rules.xfoot", "doctype.xlsx"]);
    assert_eq!(output.status.code(), Some(2));
    assert!(
        stderr(&output).contains("a document type declaration"),
        "{}",
        stderr(&output)
    );
}

#[test]
fn a_sheet_part_named_in_another_case_and_a_cell_no_spreadsheet_holds() {
    // The workbook refers to `/xl/worksheets/Reports.xml`; the archive names it in lower
    // case, as the other parts may be: before, the sheet alone was "not found". A number
    // cell holding `NaN` is no amount (before, it was read as 0 and the rule passed).
    let sheet = r#"<worksheet xmlns="{main}"><sheetData><row r="1"><c r="A1" t="s"><v>0</v></c><c r="B1"><v>7010</v></c><c r="C1"><v>7020</v></c><c r="D1"><v>7030</v></c></row><row r="2"><c r="A2" t="inlineStr"><is><t>R1</t></is></c><c r="B2"><v>NaN</v></c><c r="C2"><v>0</v></c><c r="D2"><v>0</v></c></row></sheetData></worksheet>"#;
    let (_guard, dir) = scratch(&[("rules.xfoot", RULES)]);
    let mut parts = parts_around(sheet);
    for (name, _) in &mut parts {
        if *name == "xl/worksheets/Reports.xml" {
            *name = "xl/worksheets/reports.xml";
        }
    }
    hand_written(&dir.join("case.xlsx"), &parts);
    let output = crossfoot_in(&dir, &["check", "rules.xfoot", "case.xlsx"]);
    assert_eq!(output.status.code(), Some(2), "{}", stdout(&output));
    assert!(
        stderr(&output).contains("'P&L reports'!B2: line 7010: `NaN` is not an amount"),
        "{}",
        stderr(&output)
    );
}
