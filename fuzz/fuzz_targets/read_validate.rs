//! Feeds arbitrary bytes through the reader and the validator, as a return
//! file dropped into `inputs/` would be: it must never panic, hang or use
//! unbounded memory, whatever the bytes.
#![no_main]

use std::path::PathBuf;
use std::sync::OnceLock;

use libfuzzer_sys::fuzz_target;
use scorecard::discover::InputFile;
use scorecard::read::{self, ReadReturn};
use scorecard::templates::Templates;
use scorecard::validate;

fn templates() -> &'static Templates {
    static TEMPLATES: OnceLock<Templates> = OnceLock::new();
    TEMPLATES.get_or_init(|| {
        let dir = PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("../templates");
        Templates::load(&dir).expect("the repository's templates/ load")
    })
}

fuzz_target!(|data: &[u8]| {
    let file = InputFile {
        path: PathBuf::from("fuzz.xlsx"),
        name: "fuzz.xlsx".into(),
        extension: "xlsx".into(),
        folder_period: None,
    };
    // `parse_bytes` is the reader without the panic guard that
    // `read_return` adds, so a panic in it (or in calamine) shows here.
    let workbook = read::parse_bytes(data.to_vec(), "xlsx");
    let read = ReadReturn {
        file,
        facts: None,
        workbook,
    };
    let checked = validate::validate(read, templates());
    // Every problem must be something an officer can read.
    for d in &checked.diagnostics {
        assert!(!d.message.is_empty());
    }
});
