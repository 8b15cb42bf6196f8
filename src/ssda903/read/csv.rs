//! Reading an extract's CSV lists: each file decoded (UTF-8, UTF-16 or
//! Windows-1252), its separator found, its list told by its header row,
//! and its rows kept as text with their place in the file.

use super::*;

/// Reads CSV files, each a list recognised by its columns, in parallel.
pub fn read_csv_files(files: &[(PathBuf, String)]) -> RawExtract {
    let reads: Vec<FileRead> = files
        .par_iter()
        .enumerate()
        .map(|(index, (path, name))| read_csv(path, name, index))
        .collect();
    let mut raw = RawExtract::default();
    let mut first_of: BTreeMap<List, String> = BTreeMap::new();
    for (read, (_, name)) in reads.into_iter().zip(files) {
        raw.problems.extend(read.problems);
        if let Some(why) = read.damaged {
            raw.refusals.push(Refusal::Damaged(name.clone(), why));
        }
        if let Some(list) = read.list {
            if let Some(first) = first_of.get(&list) {
                raw.problems.push(file_problem(
                    "ssda903-list-twice",
                    name,
                    format!(
                        "This file holds the {} list, which {first} holds already. An extract is used whole or not at all, so it was refused: keep one file per list in the extract's folder (a list split in two must be exported again as one file).",
                        list.name()
                    ),
                ));
                raw.refusals
                    .push(Refusal::ListTwice(list, first.clone(), name.clone()));
            } else {
                first_of.insert(list, name.clone());
                match (read.table, read.unusable) {
                    (Some(table), _) => {
                        raw.tables.insert(list, table);
                    }
                    (None, Some(why)) => {
                        raw.unusable.insert(list, format!("{why} ({name})"));
                    }
                    (None, None) => {}
                }
            }
        }
        raw.files.extend(read.file);
    }
    raw
}

/// The separator of a CSV's first line: a comma, or else a semicolon or a
/// tab when the line holds one of those and no comma.
fn separator(first_line: &str) -> u8 {
    if first_line.contains(',') {
        b','
    } else if first_line.contains(';') {
        b';'
    } else if first_line.contains('\t') {
        b'\t'
    } else {
        b','
    }
}

fn read_csv(path: &Path, name: &str, index: usize) -> FileRead {
    let mut read = FileRead::default();
    let Some(bytes) = bytes_of(path, name, &mut read) else {
        return read;
    };
    let mut file = ExtractFile::of(path, name, &bytes);
    let decoded = match decode_csv(bytes) {
        Ok(d) => d,
        Err(e) => {
            let message = match e {
                crate::encoding::DecodeError::Binary => "The file is not a CSV list: it holds binary data (perhaps a workbook or a zip named .csv, or text in UTF-16 without its byte-order mark). Export the list from the case-management system as CSV.".to_string(),
                _ => format!("The file {}, so it cannot be read whole. Export the list again as CSV in UTF-8.", e.describe()),
            };
            read.damaged(name, &e.describe(), message);
            read.file = Some(file);
            return read;
        }
    };
    file.encoding = decoded.encoding;
    note_encoding(&decoded, name, &mut read);
    csv_list(&decoded.text, name, index, &mut read);
    file.lists
        .extend(read.list.filter(|_| read.table.is_some()).map(List::name));
    read.file = Some(file);
    read
}

fn note_encoding(decoded: &Decoded, name: &str, read: &mut FileRead) {
    if decoded.guessed {
        read.problems.push(located_warning("ssda903-encoding", name, 0, None, "The file is not in UTF-8, so it was read as Windows-1252 (what Excel on Windows writes as \"CSV\"). If any letter in it looks wrong, export it again as \"CSV UTF-8\".".into(),
        ));
    }
}

/// Reads a CSV's text as a list: which list its header row makes it and
/// its rows, into `read`, with the reason when it is no usable list.
pub(super) fn csv_list(text: &str, name: &str, index: usize, read: &mut FileRead) {
    let Some(first_line) = text.lines().find(|l| !l.trim().is_empty()) else {
        read.damaged(
            name,
            "is empty",
            "The file holds no rows at all, only blank lines. Export the list again from the case-management system.".into(),
        );
        return;
    };
    let sep = separator(first_line);
    let mut reader = ::csv::ReaderBuilder::new()
        .flexible(true)
        .has_headers(true)
        .delimiter(sep)
        .from_reader(text.as_bytes());
    let header: Vec<String> = match reader.headers() {
        Ok(h) => h.iter().map(|c| c.trim().to_uppercase()).collect(),
        Err(_) => {
            read.damaged(
                name,
                "is damaged",
                "The file's first row cannot be read as CSV. Export the list again as CSV.".into(),
            );
            return;
        }
    };
    let Some(list) = list_of(&header, name, read) else {
        return;
    };
    read.list = Some(list);
    if sep != b',' {
        read.problems.push(located_warning("ssda903-separator", name, 1, None, format!(
                "The file's columns are separated by {} rather than commas; it was read that way. An export as comma-separated CSV avoids any doubt.",
                if sep == b';' { "semicolons" } else { "tabs" }
            ),
        ));
    }
    let Some(positions) = positions(list, &header, name, read) else {
        return;
    };
    let Some(table) = csv_rows(&mut reader, list, &positions, name, index, text, read) else {
        return;
    };
    if table.is_empty() {
        read.unusable = Some("holds only its header row".into());
        read.problems.push(located_error("ssda903-list-empty", name, 1, None, format!(
                "The {} list holds only its header row, no rows, so the figures that need it come from the services' returns. If the case-management system has records for it, export the list again.",
                list.name()
            ),
        ));
        return;
    }
    read.table = Some(table);
}

/// Which list a header row makes the file, or why it is none. A file
/// whose first row holds values is a list exported without its header
/// row: which list cannot be told, so the extract cannot be read whole.
fn list_of(header: &[String], name: &str, read: &mut FileRead) -> Option<List> {
    if let Some(list) = recognise(header) {
        return Some(list);
    }
    let known: Vec<&str> = header
        .iter()
        .filter(|h| KNOWN_COLUMNS.contains(&h.as_str()))
        .map(String::as_str)
        .collect();
    let looks_like_values = known.is_empty()
        && header
            .iter()
            .any(|h| h.chars().any(|c| c.is_ascii_digit() || c == '/'));
    if looks_like_values {
        read.problems.push(located_error("ssda903-no-header-row", name, 1, None, "The file's first row holds values, not column names: it seems to have been exported without its header row (or to be the second half of a list split in two), so which list it is cannot be told. An extract is used whole or not at all, so it was refused: export the list again, whole, with its header row (CHILD, DOB, …).".into(),
        ));
        read.damaged = Some("has no header row".into());
        return None;
    }
    let message = if known.is_empty() {
        format!(
            "The file's {} columns are not those of any list the figures use (header, episodes, reviews, oc2, oc3, placed_for_adoption), so it was not read. If it is one of them, check its header row.",
            header.len()
        )
    } else {
        format!(
            "The file's columns ({}) are not those of any list the figures use (header, episodes, reviews, oc2, oc3, placed_for_adoption), so it was not read. If it is one of them, check its header row.",
            known.join(", ")
        )
    };
    read.problems.push(located_warning(
        "ssda903-list-unknown",
        name,
        1,
        None,
        message,
    ));
    None
}

/// Where each column the list needs is in the header row; the list is
/// unusable when one is missing or named twice.
fn positions(list: List, header: &[String], name: &str, read: &mut FileRead) -> Option<Vec<usize>> {
    let wanted = list.columns();
    let twice = header
        .iter()
        .enumerate()
        .filter(|(i, h)| !h.is_empty() && header[..*i].contains(h))
        .map(|(_, h)| h.as_str())
        .find(|h| KNOWN_COLUMNS.contains(h));
    if let Some(column) = twice {
        read.problems.push(located_error("ssda903-column-twice", name, 1, Some(column.to_string()), format!(
                "The header row names the column {column} twice, so which one holds the values cannot be told and the {} list was not used. Remove or rename one of them and export the list again.",
                list.name()
            ),
        ));
        read.unusable = Some(format!("names the column {column} twice"));
        return None;
    }
    let found: Vec<Option<usize>> = wanted
        .iter()
        .map(|c| header.iter().position(|h| h == c))
        .collect();
    let missing: Vec<&str> = wanted
        .iter()
        .zip(&found)
        .filter(|(_, p)| p.is_none())
        .map(|(c, _)| *c)
        .collect();
    if !missing.is_empty() {
        read.problems.push(located_error("ssda903-column-missing", name, 1, Some(missing.join(", ")), format!(
                "This file looks like the {} list but has no {} column, so it was not used and the figures that need it come from the services' returns. The list needs the columns {}; export it again with them.",
                list.name(),
                missing.join(" or "),
                wanted.join(", ")
            ),
        ));
        read.unusable = Some(format!("has no {} column", missing.join(" or ")));
        return None;
    }
    Some(found.into_iter().flatten().collect())
}

/// Lines in a text, for sizing its table.
fn memchr_count(text: &str) -> usize {
    text.as_bytes().iter().filter(|b| **b == b'\n').count()
}

/// The rows of a CSV list, numbered as the file numbers them (the header
/// is line 1); blank rows are passed over. A row without every column the
/// list uses makes the file damaged; so does a last row with fewer values
/// than the header row when the file does not end its line: it was cut
/// short. `None` when the file cannot be used.
fn csv_rows(
    reader: &mut ::csv::Reader<&[u8]>,
    list: List,
    positions: &[usize],
    name: &str,
    index: usize,
    text: &str,
    read: &mut FileRead,
) -> Option<Table> {
    let mut table = Table::new(list, index);
    // Every row holds about as many of the list's values as the file's
    // lines hold of theirs: a share of the text, by the columns used.
    let rows = memchr_count(text);
    let share = positions.len() as f64 / reader.headers().map_or(1, |h| h.len()).max(1) as f64;
    table.reserve(rows, (text.len() as f64 * share) as usize);
    let mut record = ::csv::StringRecord::new();
    let columns = reader.headers().map_or(0, |h| h.len());
    let needed = positions.iter().copied().max().unwrap_or(0) + 1;
    let mut lines = crate::lines::Lines::new(text);
    // The last row read: its line and how many values it held.
    let mut last: Option<(u64, usize)> = None;
    let mut short: Option<(u64, usize)> = None;
    loop {
        match reader.read_record(&mut record) {
            Ok(false) => break,
            Ok(true) => {
                if record.iter().all(|v| v.trim().is_empty()) {
                    continue;
                }
                let line = lines.of(record.position().map_or(0, |p| p.byte()));
                last = Some((line, record.len()));
                if record.len() < needed {
                    short = short.or(Some((line, record.len())));
                    continue;
                }
                table.push(
                    Place {
                        line: line as u32,
                        ..Place::default()
                    },
                    positions.iter().map(|p| record.get(*p).unwrap_or("")),
                );
            }
            Err(e) => {
                let line = lines.of(e.position().map_or(0, |p| p.byte()));
                read.damaged(name, "is damaged", format!(
                    "Row {line} cannot be read as CSV, so the file cannot be read whole and the extract was refused. Export the list again."
                ));
                return None;
            }
        }
    }
    let ends_its_line = text.ends_with('\n') || text.ends_with('\r');
    if let Some((line, values)) = last.filter(|(_, n)| !ends_its_line && *n < columns) {
        read.damaged(name, "was cut short", format!(
            "The file ends part-way through row {line} ({values} of its {columns} columns): it was cut short, perhaps while it was copied. An extract is used whole or not at all, so it was refused; copy or export the list again."
        ));
        return None;
    }
    if let Some((line, values)) = short {
        read.damaged(name, "is damaged", format!(
            "Row {line} has {values} value(s) but the {} list needs {needed} columns: the file is damaged, so the extract was refused. Export the list again.",
            list.name()
        ));
        return None;
    }
    Some(table)
}
