//! Any bytes as a report, in each format: YAML, JSON Lines and CSV (long and wide) are read
//! into reports or refused with a diagnostic, never a panic.
#![no_main]

use std::sync::OnceLock;

use crossfoot_core::engine::Engine;
use crossfoot_core::report::{InputFormat, Inputs, load_yaml};
use crossfoot_syntax::source::Source;
use libfuzzer_sys::fuzz_target;

fn engine() -> &'static Engine {
    static ENGINE: OnceLock<Engine> = OnceLock::new();
    ENGINE.get_or_init(|| {
        let text = "rule a 7190 = 7180 - 7060\nrule b 7425 = round(8% * 7415)\nrule c 7050 >= $0\n";
        let checked = crossfoot_core::load::check_sources(vec![Source::new("r.xfoot", text)]);
        Engine::new(checked.expect("the fixed rules check").rules)
    })
}

fuzz_target!(|data: &[u8]| {
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
        let engine = engine();
        let inputs = Inputs::new(engine.rules(), vec![path], Some(format));
        let _ = engine.check_each(inputs, |_| -> Result<(), ()> { Ok(()) });
    }
});
