//! Embedded fonts cut down to the glyphs a document prints.
//!
//! printpdf embeds each font whole (about 0.3–0.5 MB a face), names it
//! `F0`, `F1`… and states its metrics in the font's own units. After the
//! final pass, [`subset_fonts`] reads which glyphs each page's text shows,
//! keeps only their outlines (glyph numbers do not change, so nothing that
//! refers to them needs rewriting), and names and measures each font as the
//! PDF standard asks: `ABCDEF+LiberationSans-Bold`, metrics per 1,000 units
//! of text size. A font that cannot be read is left whole.

use std::collections::{BTreeMap, BTreeSet};

use lopdf::{Dictionary, Document, Object, ObjectId};

/// Glyph numbers shown in each font, by the font's object.
type GlyphsByFont = BTreeMap<ObjectId, BTreeSet<u16>>;

/// Subsets every embedded TrueType font to the glyphs the pages show.
pub(super) fn subset_fonts(doc: &mut Document) {
    let shown = glyphs_shown(doc);
    // A font program may in principle serve more than one font object.
    let mut programs: BTreeMap<ObjectId, (BTreeSet<u16>, Vec<FontParts>)> = BTreeMap::new();
    for (font_id, glyphs) in shown {
        let Some(parts) = font_parts(doc, font_id) else {
            continue;
        };
        let entry = programs.entry(parts.program).or_default();
        entry.0.extend(glyphs);
        entry.1.push(parts);
    }
    for (program_id, (glyphs, users)) in programs {
        let Some(plain) = program_bytes(doc, program_id) else {
            continue;
        };
        let glyphs: Vec<u16> = glyphs.into_iter().collect();
        let Ok(face) = ttf_parser::Face::parse(&plain, 0) else {
            continue;
        };
        let Ok(cut) = subsetter::subset(&plain, 0, subsetter::Profile::pdf(&glyphs)) else {
            continue;
        };
        let name = format!("{}+{}", subset_tag(&glyphs), postscript_name(&face));
        let metrics = Metrics::of(&face);
        for parts in &users {
            rename(doc, &parts.names, &name);
            if let Ok(Object::Dictionary(descriptor)) = doc.get_object_mut(parts.descriptor) {
                metrics.write(descriptor);
                descriptor.set("FontName", Object::Name(name.clone().into_bytes()));
            }
        }
        if let Ok(Object::Stream(program)) = doc.get_object_mut(program_id) {
            program.dict.remove(b"Filter");
            program.dict.set("Length1", cut.len() as i64);
            program.set_content(cut);
        }
    }
}

/// Where one Type0 font keeps its names, its descriptor and its program.
struct FontParts {
    /// The Type0 font and its descendant CID font: each has a BaseFont.
    names: Vec<NamePlace>,
    descriptor: ObjectId,
    program: ObjectId,
}

/// A dictionary holding a BaseFont: an object, or the first descendant
/// written inline in the Type0 font's object.
enum NamePlace {
    Object(ObjectId),
    FirstDescendantOf(ObjectId),
}

fn font_parts(doc: &Document, font_id: ObjectId) -> Option<FontParts> {
    let font = doc.get_dictionary(font_id).ok()?;
    if !matches!(font.get(b"Subtype"), Ok(Object::Name(n)) if n == b"Type0") {
        return None;
    }
    let first = match font.get(b"DescendantFonts").ok()? {
        Object::Array(a) => a.first()?,
        Object::Reference(id) => doc.get_object(*id).ok()?.as_array().ok()?.first()?,
        _ => return None,
    };
    let (cid_place, cid_font) = match first {
        Object::Reference(id) => (NamePlace::Object(*id), doc.get_dictionary(*id).ok()?),
        Object::Dictionary(d) => (NamePlace::FirstDescendantOf(font_id), d),
        _ => return None,
    };
    if !matches!(cid_font.get(b"Subtype"), Ok(Object::Name(n)) if n == b"CIDFontType2") {
        return None;
    }
    let descriptor = cid_font.get(b"FontDescriptor").ok()?.as_reference().ok()?;
    let program = doc
        .get_dictionary(descriptor)
        .ok()?
        .get(b"FontFile2")
        .ok()?
        .as_reference()
        .ok()?;
    Some(FontParts {
        names: vec![NamePlace::Object(font_id), cid_place],
        descriptor,
        program,
    })
}

fn program_bytes(doc: &Document, id: ObjectId) -> Option<Vec<u8>> {
    let stream = doc.get_object(id).ok()?.as_stream().ok()?;
    if stream.dict.get(b"Filter").is_ok() {
        stream.decompressed_content().ok()
    } else {
        Some(stream.content.clone())
    }
}

fn rename(doc: &mut Document, places: &[NamePlace], name: &str) {
    let name = || Object::Name(name.as_bytes().to_vec());
    for place in places {
        match place {
            NamePlace::Object(id) => {
                if let Ok(Object::Dictionary(d)) = doc.get_object_mut(*id) {
                    d.set("BaseFont", name());
                }
            }
            NamePlace::FirstDescendantOf(id) => {
                let Ok(Object::Dictionary(font)) = doc.get_object_mut(*id) else {
                    continue;
                };
                if let Ok(Object::Array(descendants)) = font.get_mut(b"DescendantFonts") {
                    if let Some(Object::Dictionary(d)) = descendants.first_mut() {
                        d.set("BaseFont", name());
                    }
                }
            }
        }
    }
}

/// The six capital letters that mark a subset, the same for the same
/// glyphs, so the same document is written the same way every time.
fn subset_tag(glyphs: &[u16]) -> String {
    // FNV-1a over the glyph numbers.
    let mut hash: u64 = 0xcbf2_9ce4_8422_2325;
    for g in glyphs {
        for b in g.to_be_bytes() {
            hash ^= u64::from(b);
            hash = hash.wrapping_mul(0x0100_0000_01b3);
        }
    }
    (0..6)
        .map(|_| {
            let letter = b'A' + (hash % 26) as u8;
            hash /= 26;
            char::from(letter)
        })
        .collect()
}

/// The font's PostScript name, which is what a PDF calls it; letters,
/// digits and hyphens only.
fn postscript_name(face: &ttf_parser::Face<'_>) -> String {
    let name = face
        .names()
        .into_iter()
        .filter(|n| n.name_id == ttf_parser::name_id::POST_SCRIPT_NAME)
        .find_map(|n| n.to_string())
        .unwrap_or_default();
    let clean: String = name
        .chars()
        .filter(|c| c.is_ascii_alphanumeric() || *c == '-')
        .collect();
    if clean.is_empty() {
        "Font".to_string()
    } else {
        clean
    }
}

/// A font descriptor's metrics, per 1,000 units of text size.
struct Metrics {
    ascent: i64,
    descent: i64,
    cap_height: i64,
    bbox: [i64; 4],
    italic_angle: f32,
    flags: i64,
}

impl Metrics {
    fn of(face: &ttf_parser::Face<'_>) -> Metrics {
        let per_em = f64::from(face.units_per_em().max(1));
        let scale = |v: i16| (f64::from(v) * 1000.0 / per_em).round() as i64;
        let b = face.global_bounding_box();
        // Non-symbolic (32), and italic (64) where the face slants.
        let italic = face.is_italic() || face.italic_angle() != 0.0;
        Metrics {
            ascent: scale(face.ascender()),
            descent: scale(face.descender()),
            cap_height: scale(face.capital_height().unwrap_or(face.ascender())),
            bbox: [
                scale(b.x_min),
                scale(b.y_min),
                scale(b.x_max),
                scale(b.y_max),
            ],
            italic_angle: face.italic_angle(),
            flags: 32 | if italic { 64 } else { 0 },
        }
    }

    fn write(&self, descriptor: &mut Dictionary) {
        descriptor.set("Ascent", self.ascent);
        descriptor.set("Descent", self.descent);
        descriptor.set("CapHeight", self.cap_height);
        descriptor.set(
            "FontBBox",
            self.bbox
                .iter()
                .map(|v| Object::Integer(*v))
                .collect::<Vec<_>>(),
        );
        descriptor.set("ItalicAngle", Object::Real(f64::from(self.italic_angle)));
        descriptor.set("Flags", self.flags);
    }
}

/// The glyphs each font shows, read from every page's content; every font
/// a page names is there, if only with an empty set.
fn glyphs_shown(doc: &Document) -> GlyphsByFont {
    let mut shown = GlyphsByFont::new();
    for page in doc.get_pages().into_values() {
        let fonts = page_fonts(doc, page);
        // A font a page names but shows nothing in is cut to nothing.
        for id in fonts.values() {
            shown.entry(*id).or_default();
        }
        let Ok(content) = doc.get_page_content(page) else {
            continue;
        };
        for (name, glyphs) in glyphs_by_name(&content) {
            if let Some(id) = fonts.get(&name) {
                shown.entry(*id).or_default().extend(glyphs);
            }
        }
    }
    shown
}

/// A page's font resource names and the font objects they stand for.
fn page_fonts(doc: &Document, page: ObjectId) -> BTreeMap<Vec<u8>, ObjectId> {
    let (inline, referenced) = doc.get_page_resources(page);
    let mut out = BTreeMap::new();
    let dicts = inline.into_iter().chain(
        referenced
            .iter()
            .filter_map(|id| doc.get_dictionary(*id).ok()),
    );
    for resources in dicts {
        let fonts = match resources.get(b"Font") {
            Ok(Object::Dictionary(d)) => Some(d),
            Ok(Object::Reference(id)) => doc.get_dictionary(*id).ok(),
            _ => None,
        };
        for (name, font) in fonts.into_iter().flat_map(Dictionary::iter) {
            if let Object::Reference(id) = font {
                out.entry(name.clone()).or_insert(*id);
            }
        }
    }
    out
}

/// The two-byte glyph numbers shown in each font of a content stream,
/// by the font's resource name. Text in an Identity-H font is written as
/// hex strings (`<0024004F>`), each four digits one glyph; the font is the
/// one the last `Tf` chose.
fn glyphs_by_name(content: &[u8]) -> BTreeMap<Vec<u8>, BTreeSet<u16>> {
    let mut out: BTreeMap<Vec<u8>, BTreeSet<u16>> = BTreeMap::new();
    let mut last_name: Vec<u8> = Vec::new();
    let mut font: Option<Vec<u8>> = None;
    let mut i = 0;
    let is_delimiter = |b: u8| b.is_ascii_whitespace() || b"()<>[]{}/%".contains(&b);
    while i < content.len() {
        match content[i] {
            b'%' => {
                while i < content.len() && content[i] != b'\n' && content[i] != b'\r' {
                    i += 1;
                }
            }
            b'(' => i = skip_literal(content, i),
            b'<' if content.get(i + 1) == Some(&b'<') => i += 2,
            b'<' => {
                let end = content[i..]
                    .iter()
                    .position(|&b| b == b'>')
                    .map_or(content.len(), |p| i + p);
                let digits: Vec<u8> = content[i + 1..end]
                    .iter()
                    .filter_map(|b| char::from(*b).to_digit(16))
                    .map(|d| d as u8)
                    .collect();
                if let Some(name) = &font {
                    let set = out.entry(name.clone()).or_default();
                    for g in digits.chunks_exact(4) {
                        set.insert(g.iter().fold(0u16, |acc, d| (acc << 4) | u16::from(*d)));
                    }
                }
                i = end + 1;
            }
            b'/' => {
                let start = i + 1;
                i = start;
                while i < content.len() && !is_delimiter(content[i]) {
                    i += 1;
                }
                last_name = content[start..i].to_vec();
            }
            b if b.is_ascii_alphabetic() || b == b'\'' || b == b'"' => {
                let start = i;
                while i < content.len() && !is_delimiter(content[i]) {
                    i += 1;
                }
                match &content[start..i] {
                    b"Tf" => font = Some(last_name.clone()),
                    // An inline image's bytes run from ID to EI.
                    b"ID" => i = skip_inline_image(content, i),
                    _ => {}
                }
            }
            _ => i += 1,
        }
    }
    out
}

/// The index after a literal string that opens at `start`: brackets nest,
/// a backslash escapes the next byte.
fn skip_literal(content: &[u8], start: usize) -> usize {
    let mut depth = 0usize;
    let mut i = start;
    while i < content.len() {
        match content[i] {
            b'\\' => i += 1,
            b'(' => depth += 1,
            b')' => {
                depth -= 1;
                if depth == 0 {
                    return i + 1;
                }
            }
            _ => {}
        }
        i += 1;
    }
    content.len()
}

fn skip_inline_image(content: &[u8], from: usize) -> usize {
    content[from..]
        .windows(4)
        .position(|w| w[0].is_ascii_whitespace() && &w[1..3] == b"EI" && w[3].is_ascii_whitespace())
        .map_or(content.len(), |p| from + p + 3)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn glyphs_are_read_per_font_from_text_operators() {
        let content = b"BT /F0 8 Tf [<0028><005B> 74<0044>] TJ (a <0099> in a literal) Tj \
                        % a comment <0098>\n/F1 10.00 Tf <00240025> Tj \
                        << /Dict 1 >> BDC /F0 9 Tf <0003> Tj ET";
        let found = glyphs_by_name(content);
        assert_eq!(
            found
                .get(b"F0".as_slice())
                .map(|s| s.iter().copied().collect::<Vec<_>>()),
            Some(vec![0x03, 0x28, 0x44, 0x5B])
        );
        assert_eq!(
            found
                .get(b"F1".as_slice())
                .map(|s| s.iter().copied().collect::<Vec<_>>()),
            Some(vec![0x24, 0x25])
        );
    }

    #[test]
    fn a_subset_is_tagged_the_same_way_for_the_same_glyphs() {
        let tag = subset_tag(&[3, 36, 68]);
        assert_eq!(tag.len(), 6);
        assert!(tag.chars().all(|c| c.is_ascii_uppercase()));
        assert_eq!(tag, subset_tag(&[3, 36, 68]));
        assert_ne!(tag, subset_tag(&[3, 36, 69]));
    }
}
