//! Where in a template file a mistake stands: the line of a byte offset,
//! and the line of a key in a TOML file. Both reading a file and checking
//! what it says name lines, so this sits below both.

/// The line, counting from 1, of a byte offset in a file's text.
pub(super) fn line_of(text: &str, offset: usize) -> usize {
    text[..offset.min(text.len())]
        .bytes()
        .filter(|&b| b == b'\n')
        .count()
        + 1
}

/// The line of a key in a TOML file, from the parser's own spans: the key
/// at `path` (`["returns_due", "dates", "2014-15-Q3"]`); with `value`, the
/// first key below it whose string value is `value` (`passage =
/// "finance"` in an array of tables).
pub(super) fn line_in_toml(text: &str, path: &[&str], value: Option<&str>) -> Option<usize> {
    use toml::de::{DeTable, DeValue};
    fn find(table: &DeTable, value: &str) -> Option<std::ops::Range<usize>> {
        table.iter().find_map(|(k, v)| match v.get_ref() {
            DeValue::String(s) if s == value => Some(k.span()),
            DeValue::Table(t) => find(t, value),
            DeValue::Array(items) => items.iter().find_map(|i| match i.get_ref() {
                DeValue::Table(t) => find(t, value),
                DeValue::String(s) if s == value => Some(i.span()),
                _ => None,
            }),
            _ => None,
        })
    }
    let parsed = DeTable::parse(text).ok()?;
    let mut here = parsed.get_ref();
    let mut span = None;
    for (n, key) in path.iter().enumerate() {
        let (k, v) = here.get_key_value(*key)?;
        span = Some(k.span());
        match v.get_ref() {
            DeValue::Table(t) => here = t,
            _ if n + 1 == path.len() => {}
            _ => return None,
        }
    }
    if let Some(value) = value {
        span = find(here, value).or(span);
    }
    span.map(|s| line_of(text, s.start))
}
