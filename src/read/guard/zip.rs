//! The zip-based workbooks (xlsx, xlsm, xlsb, ods): the directory's
//! declared sizes, parts that hold more than they declare, and the prolog
//! of every XML part calamine parses, where entity declarations would stand.

use std::io::{Cursor, Read};

use crate::diagnostic::Diagnostic;
use crate::model::workbook::Format;
use crate::read::{bomb, corrupt, protected, MAX_RATIO, MAX_UNPACKED_BYTES};

use super::ods::OdsCells;

/// The largest number of parts a zip-based workbook may hold.
const MAX_PARTS: usize = 10_000;
/// Parts smaller than this are never judged by their ratio: tiny XML
/// compresses very well.
const RATIO_FLOOR: u64 = 16 * 1024 * 1024;

/// Checks a zip-based workbook (xlsx, xlsm, xlsb, ods) and tells its format.
///
/// First the directory (nothing inflated): how many parts, their declared
/// sizes and ratios, and which format. The zip crate stops every read of a
/// part at its declared size, so those limits bound what calamine will ever
/// inflate. Then each XML part is inflated only as far as its root element,
/// into a small buffer that is thrown away, to refuse XML entity
/// declarations, which can only stand before it; the rest is left to
/// calamine, so a good file is inflated once. For `.ods`, `content.xml` is
/// read through to count the cells calamine would lay out. A part that holds
/// more than it declares makes calamine fail; [`explain_zip`] then says so.
pub(in crate::read) fn check_zip(bytes: &[u8]) -> Result<Format, Diagnostic> {
    let (mut archive, names, format) = zip_directory(bytes)?;
    let mut inflater = flate2::Decompress::new(false);
    let mut cells = OdsCells::default();
    for (i, name) in names.iter().enumerate() {
        if format == Format::Ods && name == "content.xml" {
            // Read through, to count cells (and catch a part that lies).
            let mut prolog = Prolog::default();
            read_through(&mut archive, i, name, |chunk| {
                if !prolog.done() {
                    if let Some(what) = prolog.feed(chunk) {
                        return Err(entities(name, what));
                    }
                }
                cells.feed(chunk)
            })?;
            continue;
        }
        if !is_xml_part(name) || never_parsed(name) {
            continue;
        }
        let entry = archive
            .by_index_raw(i)
            .map_err(|e| corrupt(&format!("{name}: {e}")))?;
        if entry.encrypted() {
            return Err(protected());
        }
        let declared = entry.size();
        let start = entry.data_start().and_then(|s| usize::try_from(s).ok());
        let packed = usize::try_from(entry.compressed_size()).ok();
        let data = start
            .zip(packed)
            .and_then(|(s, n)| bytes.get(s..s.checked_add(n)?));
        let method = entry.compression();
        drop(entry);
        let mut prolog = Prolog::default();
        let found = match (method, data) {
            (zip::CompressionMethod::Stored, Some(data)) => prolog.feed(
                &data[..data
                    .len()
                    .min(usize::try_from(declared).unwrap_or(usize::MAX))],
            ),
            (zip::CompressionMethod::Deflated, Some(data)) => {
                inflate_prolog(&mut inflater, data, declared, &mut prolog, name)?
            }
            // Anything else goes through the zip crate, which refuses
            // methods calamine could not read either.
            _ => {
                let mut found = None;
                read_through(&mut archive, i, name, |chunk| {
                    if found.is_none() && !prolog.done() {
                        found = prolog.feed(chunk);
                    }
                    Ok(())
                })?;
                found
            }
        };
        if let Some(what) = found {
            return Err(entities(name, what));
        }
    }
    Ok(format)
}

/// Parts calamine never opens (document properties, content types, custom
/// XML): what they hold cannot reach the parser, so they are not inflated.
fn never_parsed(name: &str) -> bool {
    let starts = |p: &str| {
        name.get(..p.len())
            .is_some_and(|s| s.eq_ignore_ascii_case(p))
    };
    starts("docProps/") || starts("customXml/") || name.eq_ignore_ascii_case("[Content_Types].xml")
}

/// Inflates a deflated part straight from the file's bytes, a small piece
/// at a time, until its root element begins; returns what was found if the
/// prolog must be refused. A stream that ends early or is damaged is left
/// for calamine to report.
fn inflate_prolog(
    inflater: &mut flate2::Decompress,
    data: &[u8],
    declared: u64,
    prolog: &mut Prolog,
    name: &str,
) -> Result<Option<&'static str>, Diagnostic> {
    inflater.reset(false);
    let mut out = [0u8; 128];
    loop {
        let used = inflater.total_in() as usize;
        let before = inflater.total_out();
        let status = inflater.decompress(
            data.get(used..).unwrap_or_default(),
            &mut out,
            flate2::FlushDecompress::None,
        );
        let made = (inflater.total_out() - before) as usize;
        if inflater.total_out() > declared {
            return Err(lie(name, declared));
        }
        if let Some(what) = prolog.feed(&out[..made]) {
            return Ok(Some(what));
        }
        match status {
            Ok(flate2::Status::Ok) if !prolog.done() && made > 0 => continue,
            _ => return Ok(None),
        }
    }
}

/// Inflates a whole part through the zip crate in small pieces, handing
/// each to `look`; refuses a part that holds more than it declares.
fn read_through(
    archive: &mut Archive<'_>,
    i: usize,
    name: &str,
    mut look: impl FnMut(&[u8]) -> Result<(), Diagnostic>,
) -> Result<(), Diagnostic> {
    let mut entry = open_part(archive, i, name)?;
    let declared = entry.size();
    let mut buf = [0u8; 8192];
    let mut seen: u64 = 0;
    loop {
        let n = read_part(&mut entry, &mut buf, name, declared)?;
        if n == 0 {
            return Ok(());
        }
        seen += n as u64;
        if seen > declared {
            return Err(lie(name, declared));
        }
        look(&buf[..n])?;
    }
}

/// Why a zip-based workbook that passed [`check_zip`] could not be parsed,
/// when the cause is a part holding more than it declares (the zip crate
/// stops calamine there with a bare error): every part is inflated through,
/// in a small buffer and bounded by the declared sizes. Only called once
/// parsing has failed, so good files are never inflated twice.
pub(in crate::read) fn explain_zip(bytes: &[u8]) -> Option<Diagnostic> {
    let (mut archive, names, _) = zip_directory(bytes).ok()?;
    names.iter().enumerate().find_map(|(i, name)| {
        read_through(&mut archive, i, name, |_| Ok(()))
            .err()
            .filter(|d| d.message.contains(HOLDS_MORE))
    })
}

type Archive<'a> = zip::ZipArchive<Cursor<&'a [u8]>>;

/// Reads a zip directory: refuses too many parts, a part or total that
/// would unpack beyond the limits, and archives that are not workbooks.
fn zip_directory(bytes: &[u8]) -> Result<(Archive<'_>, Vec<String>, Format), Diagnostic> {
    let mut archive =
        zip::ZipArchive::new(Cursor::new(bytes)).map_err(|e| corrupt(&e.to_string()))?;
    if archive.len() > MAX_PARTS {
        return Err(bomb(format!("it holds {} parts", archive.len())));
    }
    let mut total: u64 = 0;
    let mut names = Vec::with_capacity(archive.len());
    for i in 0..archive.len() {
        let entry = archive
            .by_index_raw(i)
            .map_err(|e| corrupt(&e.to_string()))?;
        let size = entry.size();
        let packed = entry.compressed_size().max(1);
        total = total.saturating_add(size);
        if size > RATIO_FLOOR && size / packed > MAX_RATIO {
            return Err(bomb(format!(
                "one part of {} KB would unpack to {} MB",
                packed / 1024,
                size / 1024 / 1024
            )));
        }
        names.push(entry.name().map(|n| n.to_string()).unwrap_or_default());
    }
    if total > MAX_UNPACKED_BYTES {
        return Err(bomb(format!(
            "it would unpack to {} MB",
            total / 1024 / 1024
        )));
    }
    let has = |n: &str| names.iter().any(|x| x.eq_ignore_ascii_case(n));
    let format = if has("xl/workbook.xml") {
        Format::Xlsx
    } else if has("xl/workbook.bin") {
        Format::Xlsb
    } else if has("content.xml") && (has("mimetype") || has("META-INF/manifest.xml")) {
        Format::Ods
    } else if has("word/document.xml") {
        return Err(Diagnostic::error(
            "file-not-workbook",
            "The file is a Word document, not a workbook. Put the figures in the return workbook and save that instead.",
        ));
    } else {
        return Err(corrupt("it is a zip archive without a workbook inside"));
    };
    Ok((archive, names, format))
}

fn open_part<'z, 'a>(
    archive: &'z mut Archive<'a>,
    i: usize,
    name: &str,
) -> Result<zip::read::ZipFile<'z, Cursor<&'a [u8]>>, Diagnostic> {
    match archive.by_index(i) {
        Ok(e) => Ok(e),
        Err(e) if e.to_string().to_lowercase().contains("password") => Err(protected()),
        Err(e) => Err(corrupt(&format!("{name}: {e}"))),
    }
}

fn read_part(
    entry: &mut impl Read,
    buf: &mut [u8],
    name: &str,
    declared: u64,
) -> Result<usize, Diagnostic> {
    match entry.read(buf) {
        Ok(n) => Ok(n),
        // The zip crate stops a part at its declared size, so calamine
        // could never be handed more; this says why.
        Err(e) if e.to_string().contains("larger than its declared") => Err(lie(name, declared)),
        Err(e) => Err(corrupt(&format!("{name}: {e}"))),
    }
}

/// The words that tell a part holding more than it declares, which
/// [`explain_zip`] looks for among the other reasons a part is unreadable.
const HOLDS_MORE: &str = "holds more than the";

fn lie(name: &str, declared: u64) -> Diagnostic {
    corrupt(&format!(
        "its part {name} {HOLDS_MORE} {declared} bytes it declares, which only a damaged or doctored file does"
    ))
}

/// Parts whose content is XML, by name.
fn is_xml_part(name: &str) -> bool {
    let ends = |x: &str| {
        name.len() >= x.len()
            && name
                .get(name.len() - x.len()..)
                .is_some_and(|s| s.eq_ignore_ascii_case(x))
    };
    ends(".xml") || ends(".rels") || ends(".vml")
}

fn entities(part: &str, what: &str) -> Diagnostic {
    Diagnostic::error(
        "file-unsafe",
        format!(
            "The workbook was not opened because its part {part} holds {what}, something Excel and LibreOffice never write and a known way to make a file attack the program reading it. Open the workbook in Excel, save it as a new workbook and send that. If you did not make this file yourself, tell the performance team."
        ),
    )
}

/// Reads the prolog of an XML part, fed in pieces, up to its root element:
/// the only place a document type declaration, and with it entity
/// declarations, can stand. Comments and processing instructions are
/// stepped over whole, so markup inside them cannot end the search early.
/// quick-xml, under calamine, never expands entities, but a file that
/// declares them was made to attack a reader, and the officer should hear
/// that rather than a parse error.
#[derive(Default)]
struct Prolog {
    state: State,
}

#[derive(Default, Clone, Copy, PartialEq)]
enum State {
    /// Between markup.
    #[default]
    Text,
    /// Just after `<`.
    Open,
    /// After `<!` and this many bytes of what follows (kept in `head`).
    Bang { head: [u8; 7], len: usize },
    /// Inside `<?…?>`; whether the last byte was `?`.
    Instruction { question: bool },
    /// Inside `<!--…-->`; how many `-` in a row were last seen.
    Comment { dashes: u8 },
    /// Inside `<!DOCTYPE…>`, this many bytes in.
    Doctype { len: usize },
    /// Inside some other `<!…>`.
    Declaration,
    /// The root element has begun: nothing more to look for.
    Root,
}

impl Prolog {
    /// Longest document type declaration accepted (without a subset, one is
    /// a name and two quoted identifiers).
    const DOCTYPE_MAX: usize = 4096;

    fn done(&self) -> bool {
        self.state == State::Root
    }

    /// Reads the next piece; says what was found if it must be refused.
    fn feed(&mut self, chunk: &[u8]) -> Option<&'static str> {
        for &b in chunk {
            self.state = match self.state {
                State::Root => return None,
                State::Text if b == b'<' => State::Open,
                State::Text => State::Text,
                State::Open => match b {
                    b'?' => State::Instruction { question: false },
                    b'!' => State::Bang {
                        head: [0; 7],
                        len: 0,
                    },
                    _ => State::Root,
                },
                State::Bang { mut head, len } => {
                    head[len] = b;
                    let seen = &head[..=len];
                    if seen == b"--" {
                        State::Comment { dashes: 0 }
                    } else if seen.eq_ignore_ascii_case(b"DOCTYPE") {
                        State::Doctype { len: 0 }
                    } else if seen.eq_ignore_ascii_case(b"ENTITY") {
                        return Some("XML entity declarations");
                    } else if [b"--".as_slice(), b"DOCTYPE", b"ENTITY"]
                        .iter()
                        .any(|word| {
                            word.get(..seen.len())
                                .is_some_and(|p| p.eq_ignore_ascii_case(seen))
                        })
                    {
                        State::Bang { head, len: len + 1 }
                    } else if b == b'>' {
                        State::Text
                    } else {
                        State::Declaration
                    }
                }
                State::Instruction { question } => match b {
                    b'>' if question => State::Text,
                    _ => State::Instruction {
                        question: b == b'?',
                    },
                },
                State::Comment { dashes } => match b {
                    b'>' if dashes >= 2 => State::Text,
                    b'-' => State::Comment {
                        dashes: dashes.saturating_add(1),
                    },
                    _ => State::Comment { dashes: 0 },
                },
                State::Doctype { len } => match b {
                    b'[' => return Some("a document type declaration with definitions of its own"),
                    b'>' => State::Text,
                    _ if len > Self::DOCTYPE_MAX => {
                        return Some("an overlong document type declaration")
                    }
                    _ => State::Doctype { len: len + 1 },
                },
                State::Declaration if b == b'>' => State::Text,
                State::Declaration => State::Declaration,
            };
        }
        None
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn scan(pieces: &[&[u8]]) -> (Option<&'static str>, bool) {
        let mut p = Prolog::default();
        for piece in pieces {
            if let Some(what) = p.feed(piece) {
                return (Some(what), p.done());
            }
        }
        (None, p.done())
    }

    #[test]
    fn entity_declarations_are_found_across_pieces() {
        let xml = b"<?xml version=\"1.0\"?><!DOCTYPE lolz [<!ENTITY lol \"lol\">]><sst/>";
        for cut in 0..xml.len() {
            let found = scan(&[&xml[..cut], &xml[cut..]]).0;
            assert!(found.is_some(), "cut at {cut}");
        }
        let (found, done) = scan(&[b"<!DOCTYPE manifest:manifest PUBLIC \"-//OpenOffice.org//DTD Manifest 1.0//EN\" \"Manifest.dtd\"><manifest:manifest/>"]);
        assert_eq!((found, done), (None, true));
        assert_eq!(
            scan(&[b"<sst><si><t>&lt;!ENTITY</t></si></sst>"]),
            (None, true)
        );
        assert_eq!(
            scan(&[b"<!ENTITY x \"y\"><sst/>"]).0,
            Some("XML entity declarations")
        );
        let long = format!("<!DOCTYPE x SYSTEM \"{}\"><a/>", "a".repeat(5000));
        assert_eq!(
            scan(&[long.as_bytes()]).0,
            Some("an overlong document type declaration")
        );
    }

    #[test]
    fn the_prolog_ends_at_the_root_element_and_not_before() {
        // Markup inside a comment or instruction does not end the search,
        // so a declaration after it is still found.
        let hidden = b"\xEF\xBB\xBF<?xml version=\"1.0\"?><?pi <a> ?><!-- <b> -- > --><!DOCTYPE x [<!ENTITY y \"z\">]><root/>";
        for cut in 0..hidden.len() {
            assert!(
                scan(&[&hidden[..cut], &hidden[cut..]]).0.is_some(),
                "cut at {cut}"
            );
        }
        let clean = b"<?xml version=\"1.0\" standalone=\"yes\"?>\r\n<!-- made by hand --><worksheet xmlns=\"x\"><!DOCTYPE";
        assert_eq!(scan(&[clean]), (None, true));
        assert_eq!(scan(&[b"<?xml version=\"1.0\"?>"]), (None, false));
    }
}
