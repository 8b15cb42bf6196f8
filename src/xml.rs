//! Reading an XML export of children's records with guards: what every
//! child-level extract in XML must pass before its elements are believed.
//!
//! An export is trusted with nothing. A document type declaration (which
//! can define entities that swell a small file into gigabytes) refuses the
//! file; so does nesting deeper than any layout needs, and a file that ends
//! before its elements close (it was cut short while it was copied). The
//! SSDA903 reader uses the guards one by one; [`walk`] puts them together
//! and hands each element, with the line it is on, to a [`Visit`], so that
//! what an element means stays with the layout that gives it a meaning.
//! Nothing here quotes the file: a [`Stop`] says what is wrong and where.

use quick_xml::events::{BytesRef, BytesText, Event};

/// Deepest nesting of elements accepted; the layouts read need seven.
pub const MAX_DEPTH: usize = 16;

/// Whether the text holds a document type or entity declaration, which no
/// export has and which can be used to attack the computer reading it.
pub fn has_doctype(text: &str) -> bool {
    // Only at a `<!`, which a large export has few of.
    let bytes = text.as_bytes();
    memchr::memmem::find_iter(bytes, b"<!").any(|at| {
        let rest = &bytes[at + 2..];
        let starts =
            |word: &[u8]| rest.len() >= word.len() && rest[..word.len()].eq_ignore_ascii_case(word);
        starts(b"DOCTYPE") || starts(b"ENTITY")
    })
}

/// How many line ends `bytes` holds.
fn newlines(bytes: &[u8]) -> usize {
    memchr::memchr_iter(b'\n', bytes).count()
}

/// The line a byte offset of `text` is on, counting from 1.
pub fn line_at(text: &str, offset: usize) -> usize {
    let end = offset.min(text.len());
    1 + newlines(&text.as_bytes()[..end])
}

/// Adds what an entity or character reference inside text stands for. Only
/// XML's own five entities are known: an export declares no others.
pub fn push_reference(text: &mut String, r: &BytesRef) {
    match r.xml10_content().as_ref() {
        "amp" => text.push('&'),
        "lt" => text.push('<'),
        "gt" => text.push('>'),
        "quot" => text.push('"'),
        "apos" => text.push('\''),
        _ => {
            if let Ok(Some(c)) = r.resolve_char_ref() {
                text.push(c)
            }
        }
    }
}

/// What a layout's reader does with the elements a [`walk`] finds.
pub trait Visit {
    /// An element opens on `line`, `depth` deep (the outer element is 1).
    /// `false` stops the walk: the outer element is not this layout's.
    fn open(&mut self, name: &str, depth: usize, line: u32) -> bool;
    /// The element `depth` deep closes, with its text trimmed: what stands
    /// after its last inner element, or all of it for an element holding
    /// none.
    fn close(&mut self, name: &str, depth: usize, text: &str);
}

/// Why a walk stopped before the end of the text.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Stop {
    /// It cannot be read as XML at all, or holds no element.
    NotXml,
    /// [`Visit::open`] refused its outer element.
    OtherLayout,
    /// It holds a document type or entity declaration.
    Doctype,
    /// It ends on `line` before its elements close, or inside a tag.
    CutShort { line: usize },
    /// It cannot be read past `line`.
    Damaged { line: usize },
    /// An element on `line` is nested more than [`MAX_DEPTH`] deep.
    TooDeep { line: usize },
}

/// Counts lines forward as the reader moves on: offsets only grow.
struct LineCount {
    at: usize,
    line: usize,
}

impl LineCount {
    fn of(&mut self, text: &str, offset: usize) -> usize {
        let offset = offset.min(text.len());
        if offset > self.at {
            self.line += newlines(&text.as_bytes()[self.at..offset]);
            self.at = offset;
        }
        self.line
    }
}

/// Where a walk is: the open elements and the text of the innermost.
struct Walk {
    lines: LineCount,
    /// The names of the open elements: `open[..depth]`, each buffer kept
    /// for the next element as deep, so a long file allocates none.
    open: Vec<String>,
    depth: usize,
    value: String,
    seen_root: bool,
}

impl Walk {
    /// An element opens (and, when `empty`, closes at once).
    fn open(
        &mut self,
        name: &str,
        empty: bool,
        line: usize,
        visit: &mut impl Visit,
    ) -> Result<(), Stop> {
        if self.depth >= MAX_DEPTH {
            return Err(Stop::TooDeep { line });
        }
        self.seen_root = true;
        if !visit.open(name, self.depth + 1, line as u32) {
            return Err(Stop::OtherLayout);
        }
        self.value.clear();
        if empty {
            visit.close(name, self.depth + 1, "");
            return Ok(());
        }
        if self.open.len() == self.depth {
            self.open.push(String::new());
        }
        self.open[self.depth].clear();
        self.open[self.depth].push_str(name);
        self.depth += 1;
        Ok(())
    }

    fn close(&mut self, visit: &mut impl Visit) {
        if self.depth > 0 {
            visit.close(&self.open[self.depth - 1], self.depth, self.value.trim());
            self.depth -= 1;
        }
        self.value.clear();
    }
}

/// Reads `text` whole, element by element, into `visit`. Nothing is left
/// half-read: any [`Stop`] means the file cannot be used.
pub fn walk(text: &str, visit: &mut impl Visit) -> Result<(), Stop> {
    if has_doctype(text) {
        return Err(Stop::Doctype);
    }
    let mut reader = quick_xml::Reader::from_str(text);
    // Most of an export's text is the white space between its elements:
    // the reader drops white space at the start of text, which a value's
    // text is trimmed of anyway, so that it is never handed over.
    reader.config_mut().trim_text_start = true;
    let mut w = Walk {
        lines: LineCount { at: 0, line: 1 },
        open: Vec::new(),
        depth: 0,
        value: String::new(),
        seen_root: false,
    };
    let cut_short = || Stop::CutShort {
        line: line_at(text, text.len()),
    };
    loop {
        let before = reader.buffer_position() as usize;
        let event = match reader.read_event() {
            Ok(e) => e,
            Err(_) if !w.seen_root => return Err(Stop::NotXml),
            // The reader ran off the end inside a tag, a comment or a
            // declaration: a file cut short.
            Err(quick_xml::Error::Syntax(_)) if reader.buffer_position() as usize >= text.len() => {
                return Err(cut_short())
            }
            Err(_) => {
                return Err(Stop::Damaged {
                    line: w.lines.of(text, before),
                })
            }
        };
        // The line of a tag is that of its closing `>`, counted only for
        // the tags that open an element: most events need none.
        let after = reader.buffer_position() as usize;
        let mut line = || w.lines.of(text, after.saturating_sub(1));
        match event {
            Event::Start(e) => {
                let line = line();
                w.open(e.local_name().as_ref(), false, line, visit)?
            }
            Event::Empty(e) => {
                let line = line();
                w.open(e.local_name().as_ref(), true, line, visit)?
            }
            Event::End(_) => w.close(visit),
            Event::Text(t) if w.value.is_empty() => w.value.push_str(&t.xml10_content()),
            // Text after a reference, CDATA or comment keeps the white
            // space it starts with: taken from the file as it stands.
            Event::Text(t) => match text.get(before..after) {
                Some(raw) => w
                    .value
                    .push_str(&BytesText::from_escaped(raw).xml10_content()),
                None => w.value.push_str(&t.xml10_content()),
            },
            Event::CData(t) => w.value.push_str(&t.into_inner()),
            Event::GeneralRef(r) => push_reference(&mut w.value, &r),
            Event::Eof => break,
            _ => {}
        }
    }
    match (w.seen_root, w.depth) {
        (false, _) => Err(Stop::NotXml),
        (true, 0) => Ok(()),
        _ => Err(cut_short()),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Every element as `depth name line = text`.
    #[derive(Default)]
    struct Record(Vec<String>);

    impl Visit for Record {
        fn open(&mut self, name: &str, depth: usize, _line: u32) -> bool {
            depth > 1 || name == "A"
        }
        fn close(&mut self, name: &str, depth: usize, text: &str) {
            self.0.push(format!("{depth} {name} = {text}"));
        }
    }

    struct Lines(Vec<(String, u32)>);

    impl Visit for Lines {
        fn open(&mut self, name: &str, _depth: usize, line: u32) -> bool {
            self.0.push((name.to_string(), line));
            true
        }
        fn close(&mut self, _name: &str, _depth: usize, _text: &str) {}
    }

    #[test]
    fn elements_come_with_their_text_trimmed_and_references_resolved() {
        let mut r = Record::default();
        walk(
            "<?xml version='1.0'?><A>\n <x:B> one &amp; two </x:B>stray<C/><D><![CDATA[3]]>&#52;</D></A>",
            &mut r,
        )
        .unwrap();
        assert_eq!(r.0, ["2 B = one & two", "2 C = ", "2 D = 34", "1 A = "]);
    }

    #[test]
    fn white_space_around_references_and_comments_is_kept_inside_a_value() {
        let mut r = Record::default();
        walk(
            "<A>\n  <B>  one &amp; two\n</B><C>a&#32;b</C><D>x <!-- c --> y</D><E> &lt; </E></A>",
            &mut r,
        )
        .unwrap();
        assert_eq!(
            r.0,
            [
                "2 B = one & two",
                "2 C = a b",
                "2 D = x  y",
                "2 E = <",
                "1 A = "
            ]
        );
    }

    #[test]
    fn each_element_knows_its_line() {
        let mut l = Lines(Vec::new());
        walk("<A>\n  <B>1</B>\n\n  <C\n   k='v'>2</C>\n</A>\n", &mut l).unwrap();
        assert_eq!(l.0, [("A".into(), 1), ("B".into(), 2), ("C".into(), 5)]);
    }

    #[test]
    fn what_cannot_be_read_whole_stops_the_walk() {
        let mut r = Record::default();
        assert_eq!(
            walk("<A><B>1</B>\n<B>", &mut r),
            Err(Stop::CutShort { line: 2 })
        );
        assert_eq!(
            walk("<A><B>1</B>\n<B", &mut r),
            Err(Stop::CutShort { line: 2 })
        );
        assert_eq!(
            walk("<A>\n<B>1</C></A>", &mut r),
            Err(Stop::Damaged { line: 2 })
        );
        assert_eq!(walk("not xml", &mut r), Err(Stop::NotXml));
        assert_eq!(walk("", &mut r), Err(Stop::NotXml));
        assert_eq!(walk("<Other/>", &mut r), Err(Stop::OtherLayout));
        assert_eq!(
            walk("<!DOCTYPE A [<!ENTITY e 'x'>]><A>&e;</A>", &mut r),
            Err(Stop::Doctype)
        );
        let deep = format!("<A>{}{}</A>", "<B>".repeat(16), "</B>".repeat(16));
        assert_eq!(walk(&deep, &mut r), Err(Stop::TooDeep { line: 1 }));
        let fits = format!("<A>{}{}</A>", "<B>".repeat(15), "</B>".repeat(15));
        assert_eq!(walk(&fits, &mut r), Ok(()));
    }
}
