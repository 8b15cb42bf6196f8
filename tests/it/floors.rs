//! The floors of `src/` (see the diagram in `src/lib.rs`): each module may
//! use only modules on its own floor or below. This test reads every
//! source file and fails when a `crate::` path points up a floor, naming
//! the file and line, so that the model never comes to depend on the
//! stages that use it.

use std::path::{Path, PathBuf};

/// The floors, lowest first, by top-level module.
const FLOORS: [&[&str]; 10] = [
    // 0 base: vocabulary and helpers every stage may use.
    &[
        "period",
        "judge",
        "diagnostic",
        "rules",
        "text",
        "calendar",
        "lines",
        "fonts",
        "output",
        "encoding",
        "memory",
        "xml",
        "dice",
    ],
    // 1 the templates' schema, loading and checks.
    &["config"],
    // 2 the model the stages share: returns, workbook layout, palette.
    &["model"],
    // 3 inputs: finding, reading and checking returns and extracts.
    &["discover", "read", "validate", "records", "ssda903", "cin"],
    // 4 borough figures, the plan's progress, the returns' status.
    &["aggregate", "improvement", "status"],
    // 5 the report's wording.
    &["narrative"],
    // 6 the report and plan as data.
    &["compose"],
    // 7 typesetting.
    &["typeset"],
    // 8 writers.
    &["render"],
    // 9 what runs it all.
    &["pipeline", "watch", "cmd", "cli", "blank", "sample"],
];

fn floor_of(module: &str) -> Option<usize> {
    FLOORS.iter().position(|f| f.contains(&module))
}

fn rust_files(dir: &Path, out: &mut Vec<PathBuf>) {
    for entry in std::fs::read_dir(dir).expect("src/ can be read") {
        let path = entry.expect("a directory entry").path();
        if path.is_dir() {
            rust_files(&path, out);
        } else if path.extension().is_some_and(|e| e == "rs") {
            out.push(path);
        }
    }
}

/// The top-level modules a line names through `crate::`, including those
/// inside a `use crate::{a, b::c}` tree.
fn named(line: &str) -> Vec<String> {
    let mut names = Vec::new();
    let mut rest = line;
    while let Some(i) = rest.find("crate::") {
        rest = &rest[i + "crate::".len()..];
        if let Some(tree) = rest.strip_prefix('{') {
            let inner = tree.split('}').next().unwrap_or("");
            for part in inner.split(',') {
                let name: String = part
                    .trim()
                    .chars()
                    .take_while(|c| c.is_alphanumeric() || *c == '_')
                    .collect();
                names.push(name);
            }
        } else {
            names.push(
                rest.chars()
                    .take_while(|c| c.is_alphanumeric() || *c == '_')
                    .collect(),
            );
        }
    }
    names
}

#[test]
fn no_module_uses_a_module_on_a_floor_above_it() {
    let src = Path::new(env!("CARGO_MANIFEST_DIR")).join("src");
    let mut files = Vec::new();
    rust_files(&src, &mut files);
    let mut upward = Vec::new();
    let mut unplaced = Vec::new();
    for file in &files {
        let relative = file.strip_prefix(&src).expect("below src/");
        let top = relative
            .components()
            .next()
            .map(|c| {
                c.as_os_str()
                    .to_string_lossy()
                    .trim_end_matches(".rs")
                    .to_string()
            })
            .unwrap_or_default();
        if top == "lib" || top == "main" {
            continue;
        }
        let Some(mine) = floor_of(&top) else {
            unplaced.push(relative.display().to_string());
            continue;
        };
        let text = std::fs::read_to_string(file).expect("a source file can be read");
        for (n, line) in text.lines().enumerate() {
            // Unit tests may reach anywhere to set up a case.
            if line.trim_start().starts_with("#[cfg(test)]") {
                break;
            }
            if line.trim_start().starts_with("//") {
                continue;
            }
            for name in named(line) {
                if let Some(theirs) = floor_of(&name).filter(|f| *f > mine) {
                    upward.push(format!(
                        "{}:{}: {top} (floor {mine}) uses {name} (floor {theirs})",
                        relative.display(),
                        n + 1
                    ));
                }
            }
        }
    }
    assert!(
        unplaced.is_empty(),
        "modules on no floor (add them to FLOORS and to the diagram in src/lib.rs): {unplaced:?}"
    );
    assert!(
        upward.is_empty(),
        "uses that point up a floor:\n{}",
        upward.join("\n")
    );
}

#[test]
fn the_check_itself_sees_an_upward_use() {
    assert_eq!(named("use crate::render::feedback;"), ["render"]);
    assert_eq!(
        named("use crate::{config::Templates, model::returns::Return};"),
        ["config", "model"]
    );
    assert_eq!(named("let x = crate::text::count(3);"), ["text"]);
}
