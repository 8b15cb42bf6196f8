//! Line numbers as a file numbers them, for the records a CSV reader
//! finds. A message about a list names the line an officer sees in an
//! editor; the `csv` crate's own count passes over blank lines and counts
//! a record from the end of the one before.

/// Line numbers as the file numbers them (an editor's, header line 1),
/// for records found by their byte offset. The CSV reader's own count
/// passes over blank lines.
pub struct Lines<'t> {
    text: &'t [u8],
    at: usize,
    line: u64,
}

impl Lines<'_> {
    pub fn new(text: &str) -> Lines<'_> {
        Lines {
            text: text.as_bytes(),
            at: 0,
            line: 1,
        }
    }

    /// The line of the record the reader says begins at `byte`: the reader
    /// counts a record from the end of the one before, so line breaks are
    /// passed over first. Records come in order.
    pub fn of(&mut self, byte: u64) -> u64 {
        let mut start = (byte as usize).min(self.text.len());
        while start < self.text.len() && matches!(self.text[start], b'\r' | b'\n') {
            start += 1;
        }
        if start >= self.at {
            self.line += self.text[self.at..start]
                .iter()
                .filter(|b| **b == b'\n')
                .count() as u64;
            self.at = start;
        }
        self.line
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn blank_lines_and_crlf_are_counted_as_an_editor_counts_them() {
        let text = "H\r\nA\r\n\r\nB\r\n";
        let mut reader = csv::ReaderBuilder::new().from_reader(text.as_bytes());
        let mut lines = Lines::new(text);
        let found: Vec<u64> = reader
            .records()
            .map(|r| lines.of(r.unwrap().position().unwrap().byte()))
            .collect();
        assert_eq!(found, [2, 4]);
    }
}
