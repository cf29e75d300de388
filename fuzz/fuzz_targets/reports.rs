//! Any bytes as a report, in each format: YAML, JSON Lines and CSV (long and wide) are read
//! into reports or refused with a diagnostic, never a panic.
#![no_main]

use std::sync::OnceLock;

use crossfoot::batch::{CsvBlocks, InputFormat, read};
use crossfoot::check::RuleSet;
use crossfoot::eval::Program;
use crossfoot::report::load_yaml;
use crossfoot::source::Source;
use libfuzzer_sys::fuzz_target;

fn rules() -> &'static RuleSet {
    static RULES: OnceLock<RuleSet> = OnceLock::new();
    RULES.get_or_init(|| {
        let text = "rule a 7190 = 7180 - 7060\nrule b 7425 = round(8% * 7415)\nrule c 7050 >= $0\n";
        let source = Source::new("r.xfoot", text);
        let file = crossfoot::syntax::parse(&source).expect("the fixed rules parse");
        crossfoot::check::check(vec![(source, file)]).expect("the fixed rules check").rules
    })
}

fuzz_target!(|data: &[u8]| {
    let program = Program::new(rules());
    if let Ok(text) = std::str::from_utf8(data) {
        let _ = load_yaml(&Source::new("fuzz.yaml", text));
    }
    let dir = std::env::temp_dir().join(format!("crossfoot-fuzz-{}", std::process::id()));
    let _ = std::fs::create_dir_all(&dir);
    for (name, format) in [("r.jsonl", InputFormat::Jsonl), ("r.csv", InputFormat::Csv)] {
        let path = dir.join(name);
        if std::fs::write(&path, data).is_err() {
            return;
        }
        for item in read(&path, Some(format), &program) {
            if let Ok(record) = item.resolve() {
                let _ = program.verdict(&record.row, record.as_of, &mut Vec::new());
            }
        }
        if format == InputFormat::Csv {
            if let Some(mut blocks) = CsvBlocks::open(&path, &program) {
                let parser = blocks.parser();
                while let Ok(chunk) = blocks.next_blocks(2) {
                    if chunk.is_empty() {
                        break;
                    }
                    for block in &chunk {
                        let _ = parser.process(block, &mut Vec::new(), &mut Vec::new());
                    }
                }
            }
        }
    }
});
