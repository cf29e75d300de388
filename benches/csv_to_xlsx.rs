//! Writes a wide CSV file of reports as a workbook, for the benchmark of workbook input:
//! `csv_to_xlsx reports.csv reports.xlsx`. Amounts become number cells (as a spreadsheet
//! holds them), everything else text.

use std::process::ExitCode;

use rust_xlsxwriter::Workbook;

fn main() -> ExitCode {
    let args: Vec<String> = std::env::args().collect();
    let (Some(input), Some(output)) = (args.get(1), args.get(2)) else {
        eprintln!("usage: csv_to_xlsx REPORTS.csv REPORTS.xlsx");
        return ExitCode::from(2);
    };
    match convert(input, output) {
        Ok(()) => ExitCode::SUCCESS,
        Err(error) => {
            eprintln!("csv_to_xlsx: {error}");
            ExitCode::from(2)
        }
    }
}

fn convert(input: &str, output: &str) -> Result<(), Box<dyn std::error::Error>> {
    let mut book = Workbook::new();
    let sheet = book.add_worksheet();
    sheet.set_name("Reports")?;
    let mut reader = csv::ReaderBuilder::new()
        .has_headers(false)
        .from_path(input)?;
    for (row, record) in reader.records().enumerate() {
        let record = record?;
        let row = u32::try_from(row)?;
        for (column, cell) in record.iter().enumerate() {
            let column = u16::try_from(column)?;
            match cell.parse::<f64>() {
                Ok(number) if row > 0 && column > 0 => {
                    sheet.write_number(row, column, number)?;
                }
                _ if cell.is_empty() => {}
                _ => {
                    sheet.write_string(row, column, cell)?;
                }
            }
        }
    }
    book.save(output)?;
    Ok(())
}
