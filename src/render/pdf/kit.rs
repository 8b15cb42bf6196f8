//! Layout kit for council committee papers on top of `genpdf` 0.2.
//!
//! `genpdf` 0.2 renders text and lines well but has gaps that matter for committee papers:
//!
//! * its `Paragraph` silently drops any word wider than its column, so long URLs or
//!   references in narrow table columns vanish — unacceptable for a public report;
//! * tables cannot shade cells, repeat their header row, or keep rows whole across pages;
//! * there is no keep-with-next, so a heading can be stranded at the foot of a page;
//! * there is no "Page N of M" and only the document title is written as metadata.
//!
//! This module fills those gaps with its own elements. All text goes through one word
//! wrapper ([`Rich`]) that measures with the real font metrics and breaks over-wide words
//! by characters, so **no text is ever dropped**. Elements that must not be split
//! implement [`Block`] so they can be measured before anything is drawn. Filled areas
//! and thin rules are drawn as a stretched 1×1 pixel image (the only filled primitive
//! `genpdf` exposes). [`render_two_pass`] renders once to count pages and again with the
//! total, then sets the PDF metadata and compresses the file with `lopdf`.
//!
//! Once laid out, the file is finished with `lopdf` 0.26: pictures swapped in, fonts
//! cut to the glyphs shown (`subsetter`, see `fonts.rs`), streams compressed (`flate2`).
//! The module never reads fonts from disk: callers pass the font bytes.
//!
//! ```ignore
//! let fonts = FontBytes { regular: REG, bold: BOLD, italic: IT, bold_italic: BOLD_IT };
//! let setup = PageSetup::new("Scrutiny Committee – Q3 scorecard");
//! let meta = PdfMeta::new("Q3 scorecard").author("Council").subject("Performance");
//! let pdf: Vec<u8> = render_two_pass(&meta, |total| {
//!     let mut doc = new_document(load_fonts(&fonts)?, &setup, total);
//!     doc.push(keep_with_next(heading(1, "Summary"), Rich::text("Intro…")));
//!     let mut t = Table::new(&[3.0, 1.0]).with_header(vec!["Measure".into(), "Value".into()])?;
//!     t.push_row(vec![Cell::new("Rent collected"), Cell::new("97%").fill(GREEN)])?;
//!     doc.push(t);
//!     Ok::<_, KitError>(doc)
//! })?;
//! ```

use std::cell::Cell as StdCell;
use std::fmt;

use genpdf::error::{Error as PdfError, ErrorKind};
use genpdf::fonts::{FontData, FontFamily};
use genpdf::render::Area;
use genpdf::style::Style;
use genpdf::{Context, Document, Element, Margins, Mm, Position, RenderResult, Rotation, Scale};
use genpdf::{PageDecorator, Size};

pub use genpdf::style::Color;
pub use genpdf::Alignment;

mod fonts;

/// Tolerance (mm) for floating-point fit checks, so rounding never pushes content over.
const EPS: f64 = 1e-6;
/// Resolution used for the 1×1 pixel fill image; only affects the scale arithmetic.
const FILL_DPI: f64 = 300.0;
/// Characters after which an over-wide word (URL, file path, reference) is preferably
/// broken, so the pieces stay readable.
const SOFT_BREAK_AFTER: &[char] = &['/', '-', '_', '.', '?', '&', '=', '#', ';', ':', ',', '\\'];

thread_local! {
    /// Height of the body area of the current page as set by [`PageFrame`]. Elements
    /// compare it with their own area to tell whether they start at the top of a page,
    /// in which case moving them to the next page would only waste a page. `genpdf`
    /// renders synchronously on one thread, so a thread-local is sufficient.
    static PAGE_BODY_HEIGHT: StdCell<f64> = const { StdCell::new(0.0) };
    /// True during the page-counting pass, when pictures only take up room:
    /// embedding (and compressing) their pixels there would be wasted work.
    static LAYOUT_ONLY: StdCell<bool> = const { StdCell::new(false) };
    /// The faces text was printed in during the current render, one bit per
    /// face (see [`face_bit`]); and the faces embedded for it.
    static FACES_USED: StdCell<u8> = const { StdCell::new(0) };
    static FACES_EMBEDDED: StdCell<u8> = const { StdCell::new(ALL_FACES) };
    /// The page being laid out (from 1), as counted by [`PageFrame`].
    static CURRENT_PAGE: StdCell<usize> = const { StdCell::new(0) };
    /// The pictures drawn on the final pass, by number (see [`Picture`]).
    static PICTURES: std::cell::RefCell<Vec<std::sync::Arc<image::RgbImage>>> =
        const { std::cell::RefCell::new(Vec::new()) };
    /// Bookmarks met during rendering: level, title and page (from 1).
    static OUTLINE: std::cell::RefCell<Vec<(u8, String, usize)>> =
        const { std::cell::RefCell::new(Vec::new()) };
}

fn mm(v: Mm) -> f64 {
    f64::from(v)
}

/// On the page-counting pass the faces are PDF built-ins, which can only
/// print Windows-1252; widths were measured from the real fonts already, so
/// other characters are printed as `?` there, on a page that is thrown away.
fn for_this_pass(text: &str) -> std::borrow::Cow<'_, str> {
    const EXTRA: &str = "€‚ƒ„…†‡ˆ‰Š‹ŒŽ‘’“”•–—˜™š›œžŸ";
    let fits =
        |c: char| (c as u32) < 0x80 || (0xA0..=0xFF).contains(&(c as u32)) || EXTRA.contains(c);
    if !LAYOUT_ONLY.with(|c| c.get()) || text.chars().all(fits) {
        return std::borrow::Cow::Borrowed(text);
    }
    std::borrow::Cow::Owned(
        text.chars()
            .map(|c| if fits(c) { c } else { '?' })
            .collect(),
    )
}

/// Every face: regular, bold, italic, bold italic.
const ALL_FACES: u8 = 0b1111;

/// The bit for the face `style` prints in.
fn face_bit(style: Style) -> u8 {
    1 << (u8::from(style.is_bold()) | (u8::from(style.is_italic()) << 1))
}

/// Notes that text is printed in `style`'s face.
fn note_face(style: Style) {
    FACES_USED.with(|f| f.set(f.get() | face_bit(style)));
}

/// Whether `area` is the whole body area of a fresh page (only known with [`PageFrame`]).
fn at_page_top(area: &Area<'_>) -> bool {
    let top = PAGE_BODY_HEIGHT.with(|c| c.get());
    top > 0.0 && mm(area.size().height) >= top - 0.01
}

/// Whether moving content of height `need` to a fresh page would help, i.e. it fits
/// there. Unknown page size (no [`PageFrame`]) counts as yes.
fn fits_fresh_page(need: f64) -> bool {
    let body = PAGE_BODY_HEIGHT.with(|c| c.get());
    body <= 0.0 || need <= body + EPS
}

fn layout_error(msg: impl Into<String>) -> PdfError {
    PdfError::new(msg, ErrorKind::PageSizeExceeded)
}

/// Result of an element that wants to start on the next page: a non-zero width keeps
/// `genpdf` from treating it as "nothing fits on a new page".
fn defer(width: f64) -> RenderResult {
    RenderResult {
        size: Size::new(width.max(0.1), 0.0),
        has_more: true,
    }
}

// ---------------------------------------------------------------------------------------
// Errors
// ---------------------------------------------------------------------------------------

/// Errors raised by the kit. Implements `std::error::Error`, so it converts into
/// `anyhow::Error` or a project error type via `From`.
#[derive(Debug)]
pub enum KitError {
    /// `genpdf` failed (font loading, rendering, or an element that can never fit).
    Pdf(PdfError),
    /// `lopdf` failed while reading back or post-processing the rendered PDF.
    Post(lopdf::Error),
    /// Invalid input, e.g. a table row with the wrong number of cells.
    Invalid(String),
}

impl fmt::Display for KitError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            KitError::Pdf(e) => write!(f, "PDF rendering failed: {e}"),
            KitError::Post(e) => write!(f, "PDF post-processing failed: {e}"),
            KitError::Invalid(msg) => write!(f, "invalid document input: {msg}"),
        }
    }
}

impl std::error::Error for KitError {
    fn source(&self) -> Option<&(dyn std::error::Error + 'static)> {
        match self {
            KitError::Pdf(e) => Some(e),
            KitError::Post(e) => Some(e),
            KitError::Invalid(_) => None,
        }
    }
}

impl From<PdfError> for KitError {
    fn from(e: PdfError) -> Self {
        KitError::Pdf(e)
    }
}

impl From<lopdf::Error> for KitError {
    fn from(e: lopdf::Error) -> Self {
        KitError::Post(e)
    }
}

// ---------------------------------------------------------------------------------------
// Fonts and document setup
// ---------------------------------------------------------------------------------------

/// Raw TTF bytes of the four faces of one family, typically from `include_bytes!`, so
/// the binary never depends on fonts installed on the machine that runs it.
#[derive(Clone, Copy, Debug)]
pub struct FontBytes<'a> {
    /// Regular face.
    pub regular: &'a [u8],
    /// Bold face.
    pub bold: &'a [u8],
    /// Italic face.
    pub italic: &'a [u8],
    /// Bold italic face.
    pub bold_italic: &'a [u8],
}

/// Parses the four faces into a `genpdf` font family (embedded, not a built-in PDF font,
/// so glyph widths used for wrapping match what is drawn).
///
/// # Errors
/// [`KitError::Pdf`] if a face cannot be parsed as a scalable TrueType font.
pub fn load_fonts(bytes: &FontBytes<'_>) -> Result<FontFamily<FontData>, KitError> {
    use printpdf::BuiltinFont::{Helvetica, HelveticaBold, HelveticaBoldOblique, HelveticaOblique};
    // On the page-counting pass nothing is kept, so the faces are not
    // embedded: embedding makes printpdf look up every character there is
    // in each font, most of a pass's time. Layout still uses these fonts'
    // own metrics, so the pages break exactly as on the final pass.
    // On the final pass, a face no text was printed in on the counting
    // pass is not embedded either (a report without italics has no use for
    // the italic faces); `render_two_pass` checks that it stayed unused.
    let layout_only = LAYOUT_ONLY.with(|c| c.get());
    let embedded = FACES_EMBEDDED.with(|f| f.get());
    let face = |data: &[u8], builtin, style: Style| {
        let embed = !layout_only && embedded & face_bit(style) != 0;
        FontData::new(data.to_vec(), (!embed).then_some(builtin))
    };
    let plain = Style::new();
    Ok(FontFamily {
        regular: face(bytes.regular, Helvetica, plain)?,
        bold: face(bytes.bold, HelveticaBold, plain.bold())?,
        italic: face(bytes.italic, HelveticaOblique, plain.italic())?,
        bold_italic: face(
            bytes.bold_italic,
            HelveticaBoldOblique,
            plain.bold().italic(),
        )?,
    })
}

/// Page furniture and base typography shared by every page of a report.
#[derive(Clone, Debug)]
pub struct PageSetup {
    /// Document title (PDF title and, by default, the running header).
    pub title: String,
    /// Small running header at the top of each page.
    pub header: String,
    /// Footer text on the left; the right side always shows "Page N of M".
    pub footer: String,
    /// Optional warning line on every page (e.g. "SAMPLE DATA"), drawn bold in its colour.
    pub banner: Option<(String, Color)>,
    /// Base font size in points for body text.
    pub font_size: u8,
    /// Line spacing factor (1.0 = font line height).
    pub line_spacing: f64,
    /// Outer page margins in mm (top, right, bottom, left). Header and footer sit inside
    /// them; the body starts below the header rule, so with the defaults the text block
    /// has roughly 20 mm of white space all round.
    pub margins: (f64, f64, f64, f64),
}

impl PageSetup {
    /// A4 defaults for council papers: 10 pt text, 1.15 spacing, 20 mm side margins and
    /// the title repeated as the running header.
    pub fn new(title: impl Into<String>) -> Self {
        let title = title.into();
        PageSetup {
            header: title.clone(),
            title,
            footer: String::new(),
            banner: None,
            font_size: 10,
            line_spacing: 1.15,
            margins: (11.0, 20.0, 11.0, 20.0),
        }
    }

    /// Sets the running header text.
    pub fn header(mut self, text: impl Into<String>) -> Self {
        self.header = text.into();
        self
    }

    /// Sets the footer text shown on the left.
    pub fn footer(mut self, text: impl Into<String>) -> Self {
        self.footer = text.into();
        self
    }

    /// Adds a banner line drawn on every page below the header.
    pub fn banner(mut self, text: impl Into<String>, color: Color) -> Self {
        self.banner = Some((text.into(), color));
        self
    }
}

/// Creates an A4 document with the kit's page frame. `total_pages` is 0 on the counting
/// pass of [`render_two_pass`] and the real total on the final pass. Minimal PDF
/// conformance is used so printpdf does not embed a large CMYK ICC profile or an XMP
/// packet that would disagree with the metadata set afterwards.
pub fn new_document(
    fonts: FontFamily<FontData>,
    setup: &PageSetup,
    total_pages: usize,
) -> Document {
    let mut doc = Document::new(fonts);
    doc.set_title(setup.title.clone());
    doc.set_paper_size(genpdf::PaperSize::A4);
    doc.set_font_size(setup.font_size);
    doc.set_line_spacing(setup.line_spacing);
    doc.set_minimal_conformance();
    doc.set_page_decorator(PageFrame::new(setup, total_pages));
    doc
}

// ---------------------------------------------------------------------------------------
// Drawing primitives
// ---------------------------------------------------------------------------------------

fn rgb(color: Color) -> [u8; 3] {
    match color {
        Color::Rgb(r, g, b) => [r, g, b],
        Color::Greyscale(v) => [v, v, v],
        Color::Cmyk(c, m, y, k) => {
            let conv = |x: u8| {
                let v = (255.0 - f64::from(x)) * (255.0 - f64::from(k)) / 255.0;
                v.round().clamp(0.0, 255.0) as u8
            };
            [conv(c), conv(m), conv(y)]
        }
    }
}

/// Fills a rectangle (mm, relative to the area's top-left corner). `genpdf` only strokes
/// paths, so this stretches a 1×1 pixel RGB image over the rectangle. Draw it before
/// text so the text ends up on top.
fn fill_rect(area: &Area<'_>, x: f64, y: f64, w: f64, h: f64, color: Color) {
    if w <= 0.0 || h <= 0.0 {
        return;
    }
    let px = image::RgbImage::from_pixel(1, 1, image::Rgb(rgb(color)));
    let img = image::DynamicImage::ImageRgb8(px);
    let px_mm = 25.4 / FILL_DPI;
    area.add_image(
        &img,
        Position::new(x, y + h),
        Scale::new(w / px_mm, h / px_mm),
        Rotation::default(),
        Some(FILL_DPI),
    );
}

// ---------------------------------------------------------------------------------------
// Block trait
// ---------------------------------------------------------------------------------------

/// An element whose height can be measured before drawing. This is what makes
/// keep-together and whole-row tables possible with `genpdf`, whose `Element` can only
/// render.
pub trait Block: Element {
    /// Height (mm) of everything not yet rendered, laid out in `area`'s width.
    fn measure(&self, context: &Context, area: &Area<'_>, style: Style) -> f64;
    /// Height (mm) of the part that must start on the same page as whatever precedes it
    /// in a [`Keep`] (e.g. the first two lines of a paragraph, or header plus first row).
    fn lead_height(&self, context: &Context, area: &Area<'_>, style: Style) -> f64;
}

// ---------------------------------------------------------------------------------------
// Rich text
// ---------------------------------------------------------------------------------------

/// A run of text with one look. `color: None` inherits the paragraph colour.
#[derive(Clone, Debug, PartialEq)]
pub struct Span {
    /// The text; whitespace runs collapse to one space, `\n` forces a line break.
    pub text: String,
    /// Bold face.
    pub bold: bool,
    /// Italic face.
    pub italic: bool,
    /// Text colour.
    pub color: Option<Color>,
}

impl Span {
    /// Regular text.
    pub fn plain(text: impl Into<String>) -> Self {
        Span {
            text: text.into(),
            bold: false,
            italic: false,
            color: None,
        }
    }

    /// Bold text.
    pub fn bold(text: impl Into<String>) -> Self {
        Span {
            bold: true,
            ..Span::plain(text)
        }
    }

    /// Italic text.
    pub fn italic(text: impl Into<String>) -> Self {
        Span {
            italic: true,
            ..Span::plain(text)
        }
    }

    /// Sets the colour.
    pub fn with_color(mut self, color: Color) -> Self {
        self.color = Some(color);
        self
    }
}

impl From<&str> for Span {
    fn from(s: &str) -> Self {
        Span::plain(s)
    }
}

impl From<String> for Span {
    fn from(s: String) -> Self {
        Span::plain(s)
    }
}

#[derive(Clone, Copy, Debug, PartialEq)]
struct SpanLook {
    bold: bool,
    italic: bool,
    color: Option<Color>,
}

/// One laid-out line: characters `start..end` drawn, layout resumes at `next`.
#[derive(Clone, Copy, Debug)]
struct Line {
    start: usize,
    end: usize,
    next: usize,
    width: f64,
    height: f64,
}

/// Styles and lines computed for the remaining text of a [`Rich`] at one width.
struct Prepared {
    base: Style,
    styles: Vec<Style>,
    lines: Vec<Line>,
    /// Width available for text (after indent and bullet hang).
    text_width: f64,
}

impl Prepared {
    fn height(&self, count: usize) -> f64 {
        self.lines.iter().take(count).map(|l| l.height).sum()
    }

    /// Number of leading lines whose total height fits in `avail`.
    fn fitting(&self, avail: f64) -> usize {
        let mut used = 0.0;
        let mut n = 0;
        for l in &self.lines {
            if used + l.height > avail + EPS {
                break;
            }
            used += l.height;
            n += 1;
        }
        n
    }
}

/// A paragraph built from [`Span`]s with its own word wrapper.
///
/// Wrapping uses the font metrics of each span's face; a word wider than the column is
/// broken by characters (preferably after `/`, `-`, `.` …) instead of being dropped as
/// `genpdf::elements::Paragraph` does. When a paragraph crosses a page boundary it keeps
/// at least two lines on each page where it can (orphan/widow control, switch off with
/// [`Rich::keep_lines`]). Use [`Rich::bullet`] for list items with a hanging indent and
/// [`heading`] for headings.
#[derive(Clone, Debug)]
pub struct Rich {
    chars: Vec<char>,
    marks: Vec<usize>,
    looks: Vec<SpanLook>,
    align: Alignment,
    font_size: Option<u8>,
    size_delta: i16,
    strong: bool,
    emphasis: bool,
    color: Option<Color>,
    indent: f64,
    bullet: Option<String>,
    hang: f64,
    space_before: f64,
    space_after: f64,
    keep_lines: bool,
    /// Outline level when this paragraph is a bookmark in the PDF.
    bookmark: Option<u8>,
    // render state
    pos: usize,
    started: bool,
    deferred: bool,
    stalled: bool,
}

impl Default for Rich {
    fn default() -> Self {
        Rich::new()
    }
}

impl Rich {
    /// An empty paragraph; add text with [`Rich::plain`], [`Rich::bold`], [`Rich::span`] …
    pub fn new() -> Self {
        Rich {
            chars: Vec::new(),
            marks: Vec::new(),
            looks: Vec::new(),
            align: Alignment::Left,
            font_size: None,
            size_delta: 0,
            strong: false,
            emphasis: false,
            color: None,
            indent: 0.0,
            bullet: None,
            hang: 0.0,
            space_before: 0.0,
            space_after: 0.0,
            keep_lines: true,
            bookmark: None,
            pos: 0,
            started: false,
            deferred: false,
            stalled: false,
        }
    }

    /// A paragraph of plain text.
    pub fn text(text: impl Into<String>) -> Self {
        Rich::new().plain(text)
    }

    /// A bulleted list item ("•", 5 mm hanging indent). Chain text methods as usual.
    pub fn bullet() -> Self {
        let mut r = Rich::new();
        r.bullet = Some("•".to_string());
        r.hang = 5.0;
        r
    }

    /// Builds a paragraph from spans.
    pub fn from_spans(spans: impl IntoIterator<Item = Span>) -> Self {
        let mut r = Rich::new();
        for s in spans {
            r.push(s);
        }
        r
    }

    /// Appends a span (whitespace is normalised: runs collapse to one space, `\n` is kept
    /// as a hard line break, other control characters are removed).
    pub fn push(&mut self, span: Span) {
        let look = SpanLook {
            bold: span.bold,
            italic: span.italic,
            color: span.color,
        };
        let idx = match self.looks.iter().position(|l| *l == look) {
            Some(i) => i,
            None => {
                self.looks.push(look);
                self.looks.len() - 1
            }
        };
        for c in span.text.chars() {
            let c = if c == '\n' {
                '\n'
            } else if c.is_whitespace() && c != '\u{a0}' && c != '\u{202f}' {
                ' '
            } else if c.is_control() {
                continue;
            } else {
                c
            };
            if c == ' ' && matches!(self.chars.last(), Some(' ') | Some('\n')) {
                continue;
            }
            self.chars.push(c);
            self.marks.push(idx);
        }
    }

    /// Appends a span (builder form).
    pub fn span(mut self, span: Span) -> Self {
        self.push(span);
        self
    }

    /// Appends regular text.
    pub fn plain(self, text: impl Into<String>) -> Self {
        self.span(Span::plain(text))
    }

    /// Appends bold text.
    pub fn bold(self, text: impl Into<String>) -> Self {
        self.span(Span::bold(text))
    }

    /// Appends italic text.
    pub fn italic(self, text: impl Into<String>) -> Self {
        self.span(Span::italic(text))
    }

    /// Appends coloured text.
    pub fn colored(self, text: impl Into<String>, color: Color) -> Self {
        self.span(Span::plain(text).with_color(color))
    }

    /// Sets horizontal alignment of every line.
    pub fn align(mut self, align: Alignment) -> Self {
        self.align = align;
        self
    }

    /// Sets an absolute font size in points.
    pub fn font_size(mut self, size: u8) -> Self {
        self.font_size = Some(size);
        self
    }

    /// Sets the font size relative to the inherited size (e.g. `-2` for notes).
    pub fn size_delta(mut self, delta: i16) -> Self {
        self.size_delta = delta;
        self
    }

    /// Makes every span bold.
    pub fn strong(mut self) -> Self {
        self.strong = true;
        self
    }

    /// Makes every span italic.
    pub fn emphasis(mut self) -> Self {
        self.emphasis = true;
        self
    }

    /// Sets the default colour for spans without their own.
    pub fn color(mut self, color: Color) -> Self {
        self.color = Some(color);
        self
    }

    /// Indents the whole paragraph from the left (mm), e.g. for nested bullets.
    pub fn indent(mut self, mm: f64) -> Self {
        self.indent = mm.max(0.0);
        self
    }

    /// Replaces the bullet symbol (implies a hanging indent).
    pub fn with_bullet(mut self, symbol: impl Into<String>) -> Self {
        self.bullet = Some(symbol.into());
        if self.hang <= 0.0 {
            self.hang = 5.0;
        }
        self
    }

    /// Makes the paragraph a bookmark (PDF outline entry) at `level` (1 = top).
    pub fn bookmark(mut self, level: u8) -> Self {
        self.bookmark = Some(level.max(1));
        self
    }

    /// Space above (mm); dropped at the top of a page.
    pub fn space_before(mut self, mm: f64) -> Self {
        self.space_before = mm.max(0.0);
        self
    }

    /// Space below (mm); clipped at the foot of a page, never carried over.
    pub fn space_after(mut self, mm: f64) -> Self {
        self.space_after = mm.max(0.0);
        self
    }

    /// Orphan/widow control (default on): keep at least two lines together at the start
    /// and end of a page break. Off inside table cells, where rows handle it.
    pub fn keep_lines(mut self, keep: bool) -> Self {
        self.keep_lines = keep;
        self
    }

    /// The full text (after whitespace normalisation), handy for tests and logging.
    pub fn plain_text(&self) -> String {
        self.chars.iter().collect()
    }

    fn base_style(&self, parent: Style) -> Style {
        let mut s = parent;
        let size = match self.font_size {
            Some(sz) => sz,
            None => (i16::from(parent.font_size()) + self.size_delta).clamp(1, 255) as u8,
        };
        s.set_font_size(size);
        if self.strong {
            s.set_bold();
        }
        if self.emphasis {
            s.set_italic();
        }
        if let Some(c) = self.color {
            s.set_color(c);
        }
        s
    }

    fn text_offset(&self) -> f64 {
        self.indent
            + if self.bullet.is_some() {
                self.hang
            } else {
                0.0
            }
    }

    /// Lays out the remaining text for a block `width` mm wide.
    fn prepare(&self, context: &Context, parent: Style, width: f64) -> Prepared {
        let base = self.base_style(parent);
        let styles: Vec<Style> = self
            .looks
            .iter()
            .map(|l| {
                let mut s = base;
                if l.bold {
                    s.set_bold();
                }
                if l.italic {
                    s.set_italic();
                }
                if let Some(c) = l.color {
                    s.set_color(c);
                }
                s
            })
            .collect();
        let text_width = (width - self.text_offset()).max(0.5);
        let lines = self.layout(context, base, &styles, text_width);
        Prepared {
            base,
            styles,
            lines,
            text_width,
        }
    }

    fn line_height_of(context: &Context, s: Style) -> f64 {
        let fc = &context.font_cache;
        mm(s.line_height(fc)).max(mm(s.font(fc).glyph_height(s.font_size())))
    }

    /// Width of `chars[i..j]`, measured per style run (includes kerning within a run).
    fn run_width(&self, context: &Context, styles: &[Style], i: usize, j: usize) -> f64 {
        let mut w = 0.0;
        let mut a = i;
        while a < j {
            let m = self.marks[a];
            let mut b = a;
            while b < j && self.marks[b] == m {
                b += 1;
            }
            let s: String = self.chars[a..b].iter().collect();
            w += mm(styles[m].str_width(&context.font_cache, &s));
            a = b;
        }
        w
    }

    fn word_end(&self, mut i: usize) -> usize {
        while i < self.chars.len() && self.chars[i] != ' ' && self.chars[i] != '\n' {
            i += 1;
        }
        i
    }

    /// Breaks the over-wide word `chars[i..k]` so the first piece fits `width`; always
    /// takes at least one character so layout makes progress even in absurdly narrow
    /// columns.
    fn char_break(
        &self,
        context: &Context,
        styles: &[Style],
        i: usize,
        k: usize,
        width: f64,
    ) -> usize {
        let fc = &context.font_cache;
        let mut w = 0.0;
        let mut cut = i;
        while cut < k {
            let cw = mm(styles[self.marks[cut]].char_width(fc, self.chars[cut]));
            if cut > i && w + cw > width + EPS {
                break;
            }
            w += cw;
            cut += 1;
        }
        // Defensive: kerning could make the measured run wider than the char sum.
        while cut > i + 1 && self.run_width(context, styles, i, cut) > width + EPS {
            cut -= 1;
        }
        if cut < k {
            let min_keep = i + ((cut - i) / 2).max(1);
            if let Some(p) = (min_keep..cut)
                .rev()
                .find(|&p| SOFT_BREAK_AFTER.contains(&self.chars[p - 1]))
            {
                return p;
            }
        }
        cut
    }

    fn layout(&self, context: &Context, base: Style, styles: &[Style], width: f64) -> Vec<Line> {
        let n = self.chars.len();
        let base_h = Rich::line_height_of(context, base);
        let style_h: Vec<f64> = styles
            .iter()
            .map(|s| Rich::line_height_of(context, *s))
            .collect();
        let mut lines = Vec::new();
        let mut i = self.pos.min(n);
        loop {
            while i < n && self.chars[i] == ' ' {
                i += 1;
            }
            if i >= n {
                break;
            }
            let start = i;
            let mut end = i;
            let mut line_w = 0.0;
            let next;
            loop {
                if i >= n {
                    next = n;
                    break;
                }
                let c = self.chars[i];
                if c == '\n' {
                    next = i + 1;
                    break;
                }
                if c == ' ' {
                    let mut j = i;
                    while j < n && self.chars[j] == ' ' {
                        j += 1;
                    }
                    if j >= n || self.chars[j] == '\n' {
                        i = j;
                        continue;
                    }
                    let k = self.word_end(j);
                    let space_w = self.run_width(context, styles, i, j);
                    let word_w = self.run_width(context, styles, j, k);
                    if line_w + space_w + word_w <= width + EPS {
                        line_w += space_w + word_w;
                        end = k;
                        i = k;
                        continue;
                    }
                    next = j;
                    break;
                }
                // A word at the start of the line.
                let k = self.word_end(i);
                let word_w = self.run_width(context, styles, i, k);
                if word_w <= width + EPS {
                    line_w = word_w;
                    end = k;
                    i = k;
                    continue;
                }
                let cut = self.char_break(context, styles, i, k, width);
                line_w = self.run_width(context, styles, i, cut);
                end = cut;
                next = cut;
                break;
            }
            let height = (start..end)
                .map(|p| style_h[self.marks[p]])
                .fold(base_h, f64::max);
            lines.push(Line {
                start,
                end,
                next,
                width: line_w,
                height,
            });
            i = next;
        }
        lines
    }

    /// Draws the first `count` prepared lines with their top at `y` (mm, relative to
    /// `area`), advances the paragraph and returns the height used.
    fn draw_lines(
        &mut self,
        context: &Context,
        area: &Area<'_>,
        prep: &Prepared,
        count: usize,
        y: f64,
    ) -> Result<f64, PdfError> {
        let fc = &context.font_cache;
        let text_x = self.text_offset();
        // genpdf puts the baseline a full glyph height (ascent + descent) below the line
        // top and all extra leading below it, so text sits visibly low in shaded cells.
        // Move it up to where a CSS-style half-leading layout would put it (descent is
        // taken as 19 % of the glyph height, true for Liberation Sans / Arial metrics).
        let glyph_h = mm(prep.base.font(fc).glyph_height(prep.base.font_size()));
        let line_h = Rich::line_height_of(context, prep.base);
        let lift = (0.19 * glyph_h - (line_h - glyph_h) / 2.0).max(0.0);
        let mut y = y;
        for (idx, line) in prep.lines.iter().take(count).enumerate() {
            if let (0, 0, Some(b)) = (idx, self.pos, &self.bullet) {
                let pos = Position::new(self.indent + 0.8, y - lift);
                note_face(prep.base);
                if !area.print_str(fc, pos, prep.base, for_this_pass(b))? {
                    return Err(layout_error("bullet does not fit in its area"));
                }
            }
            if line.end > line.start {
                let dx = match self.align {
                    Alignment::Left => 0.0,
                    Alignment::Center => ((prep.text_width - line.width) / 2.0).max(0.0),
                    Alignment::Right => (prep.text_width - line.width).max(0.0),
                };
                let pos = Position::new(text_x + dx, y - lift);
                let mut section = area
                    .text_section(fc, pos, prep.base)
                    .ok_or_else(|| layout_error("text line does not fit in its area"))?;
                let mut a = line.start;
                while a < line.end {
                    let m = self.marks[a];
                    let mut b = a;
                    while b < line.end && self.marks[b] == m {
                        b += 1;
                    }
                    let s: String = self.chars[a..b].iter().collect();
                    note_face(prep.styles[m]);
                    section.print_str(for_this_pass(&s), prep.styles[m])?;
                    a = b;
                }
            }
            y += line.height;
        }
        if count > 0 {
            let last = prep.lines[count - 1];
            self.pos = if count == prep.lines.len() {
                self.chars.len()
            } else {
                last.next
            };
        }
        Ok(prep.height(count))
    }

    /// Draws the whole remaining text regardless of the area's height (page furniture).
    fn draw_all(
        &mut self,
        context: &Context,
        area: &Area<'_>,
        style: Style,
        y: f64,
    ) -> Result<f64, PdfError> {
        let prep = self.prepare(context, style, mm(area.size().width));
        let n = prep.lines.len();
        self.draw_lines(context, area, &prep, n, y)
    }

    fn lead_lines(&self, total: usize) -> usize {
        if self.keep_lines {
            total.min(2)
        } else {
            total.min(1)
        }
    }
}

impl Block for Rich {
    fn measure(&self, context: &Context, area: &Area<'_>, style: Style) -> f64 {
        let prep = self.prepare(context, style, mm(area.size().width));
        let before = if self.started || at_page_top(area) {
            0.0
        } else {
            self.space_before
        };
        before + prep.height(prep.lines.len()) + self.space_after
    }

    fn lead_height(&self, context: &Context, area: &Area<'_>, style: Style) -> f64 {
        let prep = self.prepare(context, style, mm(area.size().width));
        let before = if self.started || at_page_top(area) {
            0.0
        } else {
            self.space_before
        };
        before + prep.height(self.lead_lines(prep.lines.len()))
    }
}

impl Element for Rich {
    fn render(
        &mut self,
        context: &Context,
        area: Area<'_>,
        style: Style,
    ) -> Result<RenderResult, PdfError> {
        let width = mm(area.size().width);
        let avail = mm(area.size().height);
        let top = at_page_top(&area);
        let prep = self.prepare(context, style, width);
        let total = prep.lines.len();
        let mut y = 0.0;
        if !self.started {
            let before = if top { 0.0 } else { self.space_before };
            let lead = before + prep.height(self.lead_lines(total));
            if lead > avail + EPS && !top && !self.deferred && fits_fresh_page(lead) {
                self.deferred = true;
                return Ok(defer(width));
            }
            self.started = true;
            y = before.min(avail);
            if let Some(level) = self.bookmark {
                let title = self.plain_text();
                let page = CURRENT_PAGE.with(|c| c.get());
                OUTLINE.with(|o| o.borrow_mut().push((level, title, page)));
            }
        }
        let mut count = prep.fitting(avail - y);
        if count < total && self.keep_lines {
            // Widow: don't leave a single line for the next page.
            if total - count == 1 && count >= 3 {
                count -= 1;
            }
        }
        if count == 0 && total > 0 {
            if self.stalled {
                return Err(layout_error("a text line is taller than the page body"));
            }
            self.stalled = true;
            return Ok(RenderResult {
                size: Size::new(width, y),
                has_more: true,
            });
        }
        self.stalled = false;
        y += self.draw_lines(context, &area, &prep, count, y)?;
        let has_more = count < total;
        if !has_more {
            self.pos = self.chars.len();
            y += self.space_after.min((avail - y).max(0.0));
        }
        Ok(RenderResult {
            size: Size::new(width, y),
            has_more,
        })
    }
}

impl From<&str> for Rich {
    fn from(s: &str) -> Self {
        Rich::text(s)
    }
}

impl From<String> for Rich {
    fn from(s: String) -> Self {
        Rich::text(s)
    }
}

/// A bold heading: level 1 = base + 6 pt, 2 = base + 3 pt, 3+ = base + 1 pt, with space
/// above (dropped at a page top) and below. Combine with [`keep_with_next`] so it is
/// never left alone at the foot of a page.
pub fn heading(level: u8, text: impl Into<String>) -> Rich {
    let (delta, before, after) = match level {
        0 | 1 => (6, 6.0, 3.0),
        2 => (3, 5.0, 2.0),
        _ => (1, 4.0, 1.5),
    };
    Rich::text(text)
        .strong()
        .size_delta(delta)
        .space_before(before)
        .space_after(after)
        .bookmark(level)
}

// ---------------------------------------------------------------------------------------
// Keep together
// ---------------------------------------------------------------------------------------

/// Keeps a sequence of blocks together: all blocks but the last must fit completely,
/// plus the [`Block::lead_height`] of the last (first two lines of a paragraph, or a
/// table's header and first row). If they do not fit in the rest of the page, the
/// whole group starts on the next page (unless it already stands at the top of a page,
/// in which case it is drawn and split normally, so nothing is lost).
#[derive(Default)]
pub struct Keep {
    items: Vec<Box<dyn Block>>,
    idx: usize,
    checked: bool,
}

impl Keep {
    /// An empty group.
    pub fn new() -> Self {
        Keep::default()
    }

    /// Adds a block (builder form).
    pub fn with(mut self, block: impl Block + 'static) -> Self {
        self.push(block);
        self
    }

    /// Adds a block.
    pub fn push(&mut self, block: impl Block + 'static) {
        self.items.push(Box::new(block));
    }

    fn need(&self, context: &Context, area: &Area<'_>, style: Style) -> f64 {
        let rest = &self.items[self.idx.min(self.items.len())..];
        match rest.split_last() {
            None => 0.0,
            Some((last, init)) => {
                init.iter()
                    .map(|b| b.measure(context, area, style))
                    .sum::<f64>()
                    + last.lead_height(context, area, style)
            }
        }
    }
}

/// Keeps `first` (typically a [`heading`]) on the same page as the start of `next`.
pub fn keep_with_next(first: impl Block + 'static, next: impl Block + 'static) -> Keep {
    Keep::new().with(first).with(next)
}

impl Block for Keep {
    fn measure(&self, context: &Context, area: &Area<'_>, style: Style) -> f64 {
        self.items[self.idx.min(self.items.len())..]
            .iter()
            .map(|b| b.measure(context, area, style))
            .sum()
    }

    fn lead_height(&self, context: &Context, area: &Area<'_>, style: Style) -> f64 {
        self.need(context, area, style)
    }
}

impl Element for Keep {
    fn render(
        &mut self,
        context: &Context,
        mut area: Area<'_>,
        style: Style,
    ) -> Result<RenderResult, PdfError> {
        let width = mm(area.size().width);
        if !self.checked {
            self.checked = true;
            let need = self.need(context, &area, style);
            if need > mm(area.size().height) + EPS && !at_page_top(&area) && fits_fresh_page(need) {
                return Ok(defer(width));
            }
        }
        let mut result = RenderResult::default();
        while self.idx < self.items.len() {
            let r = self.items[self.idx].render(context, area.clone(), style)?;
            area.add_offset(Position::new(0, r.size.height));
            result.size = result.size.stack_vertical(r.size);
            if r.has_more {
                result.has_more = true;
                return Ok(result);
            }
            self.idx += 1;
        }
        Ok(result)
    }
}

// ---------------------------------------------------------------------------------------
// Spacer and rule
// ---------------------------------------------------------------------------------------

/// Vertical white space (mm). Skipped at the top of a page and clipped at the foot.
#[derive(Clone, Copy, Debug)]
pub struct Spacer {
    height: f64,
}

impl Spacer {
    /// A gap of `mm` millimetres.
    pub fn new(mm: f64) -> Self {
        Spacer {
            height: mm.max(0.0),
        }
    }
}

impl Block for Spacer {
    fn measure(&self, _context: &Context, area: &Area<'_>, _style: Style) -> f64 {
        if at_page_top(area) {
            0.0
        } else {
            self.height
        }
    }

    fn lead_height(&self, context: &Context, area: &Area<'_>, style: Style) -> f64 {
        self.measure(context, area, style)
    }
}

impl Element for Spacer {
    fn render(
        &mut self,
        _context: &Context,
        area: Area<'_>,
        _style: Style,
    ) -> Result<RenderResult, PdfError> {
        let h = if at_page_top(&area) {
            0.0
        } else {
            self.height.min(mm(area.size().height))
        };
        Ok(RenderResult {
            size: Size::new(0, h),
            has_more: false,
        })
    }
}

/// A thin full-width horizontal rule with space above and below.
#[derive(Clone, Copy, Debug)]
pub struct Rule {
    thickness: f64,
    color: Color,
    above: f64,
    below: f64,
}

impl Default for Rule {
    fn default() -> Self {
        Rule::new()
    }
}

impl Rule {
    /// 0.3 mm mid-grey rule with 2 mm space on either side.
    pub fn new() -> Self {
        Rule {
            thickness: 0.3,
            color: Color::Rgb(0x80, 0x80, 0x80),
            above: 2.0,
            below: 2.0,
        }
    }

    /// Sets the colour.
    pub fn color(mut self, color: Color) -> Self {
        self.color = color;
        self
    }

    /// Sets the thickness (mm).
    pub fn thickness(mut self, mm: f64) -> Self {
        self.thickness = mm.max(0.05);
        self
    }

    /// Sets the space above and below (mm).
    pub fn spacing(mut self, above: f64, below: f64) -> Self {
        self.above = above.max(0.0);
        self.below = below.max(0.0);
        self
    }
}

impl Block for Rule {
    fn measure(&self, _context: &Context, _area: &Area<'_>, _style: Style) -> f64 {
        self.above + self.thickness + self.below
    }

    fn lead_height(&self, context: &Context, area: &Area<'_>, style: Style) -> f64 {
        self.measure(context, area, style)
    }
}

impl Element for Rule {
    fn render(
        &mut self,
        _context: &Context,
        area: Area<'_>,
        _style: Style,
    ) -> Result<RenderResult, PdfError> {
        let avail = mm(area.size().height);
        let width = mm(area.size().width);
        // A rule squeezed against the page foot separates nothing: drop it there.
        if self.above + self.thickness > avail + EPS {
            return Ok(RenderResult {
                size: Size::new(width, avail),
                has_more: false,
            });
        }
        fill_rect(&area, 0.0, self.above, width, self.thickness, self.color);
        let h = (self.above + self.thickness + self.below).min(avail);
        Ok(RenderResult {
            size: Size::new(width, h),
            has_more: false,
        })
    }
}

// ---------------------------------------------------------------------------------------
// Table
// ---------------------------------------------------------------------------------------

/// A table cell: wrapped [`Rich`] text plus optional background fill.
#[derive(Clone, Debug)]
pub struct Cell {
    content: Rich,
    fill: Option<Color>,
}

impl Cell {
    /// A cell with plain text.
    pub fn new(text: impl Into<String>) -> Self {
        Cell::rich(Rich::text(text))
    }

    /// A cell with rich text (orphan control is switched off; rows handle page breaks).
    pub fn rich(content: Rich) -> Self {
        Cell {
            content: content.keep_lines(false).space_before(0.0).space_after(0.0),
            fill: None,
        }
    }

    /// Background fill colour.
    pub fn fill(mut self, color: Color) -> Self {
        self.fill = Some(color);
        self
    }

    /// Text colour.
    pub fn color(mut self, color: Color) -> Self {
        self.content = self.content.color(color);
        self
    }

    /// Bold text.
    pub fn bold(mut self) -> Self {
        self.content = self.content.strong();
        self
    }

    /// Horizontal alignment.
    pub fn align(mut self, align: Alignment) -> Self {
        self.content = self.content.align(align);
        self
    }
}

impl From<&str> for Cell {
    fn from(s: &str) -> Self {
        Cell::new(s)
    }
}

impl From<String> for Cell {
    fn from(s: String) -> Self {
        Cell::new(s)
    }
}

impl From<Rich> for Cell {
    fn from(r: Rich) -> Self {
        Cell::rich(r)
    }
}

#[derive(Clone, Debug)]
enum Row {
    Cells(Vec<Cell>),
    Group(Vec<Cell>),
}

impl Row {
    fn cells(&self) -> &[Cell] {
        match self {
            Row::Cells(c) | Row::Group(c) => c,
        }
    }

    fn cells_mut(&mut self) -> &mut [Cell] {
        match self {
            Row::Cells(c) | Row::Group(c) => c,
        }
    }

    fn is_group(&self) -> bool {
        matches!(self, Row::Group(_))
    }
}

/// Where a row is drawn and how it looks; keeps argument lists short.
struct RowFrame<'a> {
    spans: &'a [(f64, f64)],
    y: f64,
    avail: f64,
    default_fill: Option<Color>,
    top_line: bool,
    group: bool,
}

/// Outcome of drawing one row.
struct RowDraw {
    height: f64,
    finished: bool,
    progressed: bool,
}

/// A table with relative column widths, a shaded header row repeated on every page,
/// cell fills, thin grid lines and rows that are never split across pages (unless one
/// row alone is taller than a page, in which case it continues on the next page
/// without losing text). Group rows ([`Table::push_group`]) span all columns and stay
/// with the row that follows them.
#[derive(Clone, Debug)]
pub struct Table {
    weights: Vec<f64>,
    header: Option<Vec<Cell>>,
    rows: Vec<Row>,
    padding: f64,
    font_size: Option<u8>,
    header_fill: Color,
    group_fill: Color,
    grid: Color,
    grid_width: f64,
    // render state
    next: usize,
    started: bool,
    deferred: bool,
}

impl Table {
    /// A table whose column widths are proportional to `weights` (non-positive weights
    /// get no width; if all are non-positive the columns share the width equally).
    pub fn new(weights: &[f64]) -> Self {
        Table {
            weights: weights
                .iter()
                .map(|w| if w.is_finite() && *w > 0.0 { *w } else { 0.0 })
                .collect(),
            header: None,
            rows: Vec::new(),
            padding: 1.5,
            font_size: None,
            header_fill: Color::Rgb(0xD6, 0xDF, 0xEA),
            group_fill: Color::Rgb(0xEC, 0xEC, 0xEC),
            grid: Color::Rgb(0x8C, 0x8C, 0x8C),
            grid_width: 0.2,
            next: 0,
            started: false,
            deferred: false,
        }
    }

    fn check_len(&self, n: usize) -> Result<(), KitError> {
        if n == self.weights.len() {
            Ok(())
        } else {
            Err(KitError::Invalid(format!(
                "table row has {n} cells but the table has {} columns",
                self.weights.len()
            )))
        }
    }

    /// Sets the header row (bold, shaded unless a cell has its own fill).
    ///
    /// # Errors
    /// [`KitError::Invalid`] if the number of cells differs from the number of columns.
    pub fn with_header(mut self, cells: Vec<Cell>) -> Result<Self, KitError> {
        self.check_len(cells.len())?;
        self.header = Some(cells.into_iter().map(Cell::bold).collect());
        Ok(self)
    }

    /// Appends a body row.
    ///
    /// # Errors
    /// [`KitError::Invalid`] if the number of cells differs from the number of columns.
    pub fn push_row(&mut self, cells: Vec<Cell>) -> Result<(), KitError> {
        self.check_len(cells.len())?;
        self.rows.push(Row::Cells(cells));
        Ok(())
    }

    /// Appends a full-width group row (bold, shaded by default) kept with the next row.
    pub fn push_group(&mut self, cell: impl Into<Cell>) {
        self.rows.push(Row::Group(vec![cell.into().bold()]));
    }

    /// Cell padding (mm).
    pub fn padding(mut self, mm: f64) -> Self {
        self.padding = mm.max(0.0);
        self
    }

    /// Font size (pt) for all cells.
    pub fn font_size(mut self, size: u8) -> Self {
        self.font_size = Some(size);
        self
    }

    /// Header row fill.
    pub fn header_fill(mut self, color: Color) -> Self {
        self.header_fill = color;
        self
    }

    /// Default fill for group rows.
    pub fn group_fill(mut self, color: Color) -> Self {
        self.group_fill = color;
        self
    }

    /// Grid line colour and width (mm).
    pub fn grid(mut self, color: Color, width: f64) -> Self {
        self.grid = color;
        self.grid_width = width.max(0.05);
        self
    }

    /// Number of body and group rows.
    pub fn len(&self) -> usize {
        self.rows.len()
    }

    /// Whether the table has no body or group rows.
    pub fn is_empty(&self) -> bool {
        self.rows.is_empty()
    }

    fn cell_style(&self, style: Style) -> Style {
        match self.font_size {
            Some(s) => style.with_font_size(s),
            None => style,
        }
    }

    /// (x, width) of each column for a table `width` mm wide.
    fn column_spans(&self, width: f64) -> Vec<(f64, f64)> {
        let total: f64 = self.weights.iter().sum();
        let n = self.weights.len().max(1) as f64;
        let mut x = 0.0;
        self.weights
            .iter()
            .map(|w| {
                let cw = if total > 0.0 {
                    width * w / total
                } else {
                    width / n
                };
                let span = (x, cw);
                x += cw;
                span
            })
            .collect()
    }

    fn row_spans(&self, row: &Row, width: f64) -> Vec<(f64, f64)> {
        if row.is_group() {
            vec![(0.0, width)]
        } else {
            self.column_spans(width)
        }
    }

    fn cells_height(
        &self,
        context: &Context,
        style: Style,
        cells: &[Cell],
        spans: &[(f64, f64)],
    ) -> f64 {
        let pad = self.padding;
        cells
            .iter()
            .zip(spans)
            .map(|(c, (_, w))| {
                let prep = c.content.prepare(context, style, w - 2.0 * pad);
                let one = Rich::line_height_of(context, prep.base);
                prep.height(prep.lines.len()).max(one)
            })
            .fold(0.0, f64::max)
            + 2.0 * pad
    }

    fn row_height(&self, context: &Context, style: Style, idx: usize, width: f64) -> f64 {
        match self.rows.get(idx) {
            Some(row) => {
                let spans = self.row_spans(row, width);
                self.cells_height(context, style, row.cells(), &spans)
            }
            None => 0.0,
        }
    }

    fn header_height(&self, context: &Context, style: Style, width: f64) -> f64 {
        match &self.header {
            Some(h) => self.cells_height(context, style, h, &self.column_spans(width)),
            None => 0.0,
        }
    }

    /// Height that must fit together when row `idx` is placed: a group row needs the row
    /// after it too.
    fn chunk_height(&self, context: &Context, style: Style, idx: usize, width: f64) -> f64 {
        let h = self.row_height(context, style, idx, width);
        match self.rows.get(idx) {
            Some(r) if r.is_group() => h + self.row_height(context, style, idx + 1, width),
            _ => h,
        }
    }

    fn hline(&self, area: &Area<'_>, x: f64, y: f64, w: f64) {
        let t = self.grid_width;
        fill_rect(area, x - t / 2.0, y - t / 2.0, w + t, t, self.grid);
    }

    fn vline(&self, area: &Area<'_>, x: f64, y: f64, h: f64) {
        let t = self.grid_width;
        fill_rect(area, x - t / 2.0, y, t, h, self.grid);
    }

    /// Draws (as much as fits of) one row: fills first, then text, then grid lines.
    fn draw_cells(
        &self,
        context: &Context,
        area: &Area<'_>,
        style: Style,
        cells: &mut [Cell],
        frame: &RowFrame<'_>,
    ) -> Result<RowDraw, PdfError> {
        let pad = self.padding;
        let preps: Vec<Prepared> = cells
            .iter()
            .zip(frame.spans)
            .map(|(c, (_, w))| c.content.prepare(context, style, w - 2.0 * pad))
            .collect();
        let content_h = preps
            .iter()
            .map(|p| {
                p.height(p.lines.len())
                    .max(Rich::line_height_of(context, p.base))
            })
            .fold(0.0, f64::max);
        let full_h = content_h + 2.0 * pad;
        let draw_h = if full_h <= frame.avail + EPS {
            full_h
        } else {
            frame.avail.max(0.0)
        };
        let y = frame.y;
        for (cell, (x, w)) in cells.iter().zip(frame.spans) {
            if let Some(color) = cell.fill.or(frame.default_fill) {
                fill_rect(area, *x, y, *w, draw_h, color);
            }
        }
        let inner_avail = draw_h - 2.0 * pad;
        let mut finished = true;
        let mut progressed = false;
        for ((cell, prep), (x, w)) in cells.iter_mut().zip(&preps).zip(frame.spans) {
            let count = prep.fitting(inner_avail);
            if count < prep.lines.len() {
                finished = false;
            }
            if count == 0 {
                continue;
            }
            progressed = true;
            let mut cell_area = area.clone();
            cell_area.add_offset(Position::new(x + pad, y + pad));
            cell_area.set_width(Mm::from((w - 2.0 * pad).max(0.5)));
            cell_area.set_height(Mm::from(inner_avail + EPS * 10.0));
            cell.content
                .draw_lines(context, &cell_area, prep, count, 0.0)?;
        }
        let width: f64 = frame.spans.iter().map(|(_, w)| w).sum();
        if frame.top_line {
            self.hline(area, 0.0, y, width);
        }
        self.hline(area, 0.0, y + draw_h, width);
        self.vline(area, 0.0, y, draw_h);
        if !frame.group {
            for (x, w) in frame.spans.iter().take(frame.spans.len().saturating_sub(1)) {
                self.vline(area, x + w, y, draw_h);
            }
        }
        self.vline(area, width, y, draw_h);
        Ok(RowDraw {
            height: draw_h,
            finished,
            progressed,
        })
    }

    fn draw_row(
        &mut self,
        context: &Context,
        area: &Area<'_>,
        style: Style,
        y: f64,
        avail: f64,
        top_line: bool,
    ) -> Result<RowDraw, PdfError> {
        let width = mm(area.size().width);
        let idx = self.next;
        let mut row = match self.rows.get(idx) {
            Some(r) => r.clone(),
            None => {
                return Ok(RowDraw {
                    height: 0.0,
                    finished: true,
                    progressed: false,
                });
            }
        };
        let spans = self.row_spans(&row, width);
        let frame = RowFrame {
            spans: &spans,
            y,
            avail,
            default_fill: if row.is_group() {
                Some(self.group_fill)
            } else {
                None
            },
            top_line,
            group: row.is_group(),
        };
        let res = self.draw_cells(context, area, style, row.cells_mut(), &frame)?;
        self.rows[idx] = row;
        Ok(res)
    }
}

impl Block for Table {
    fn measure(&self, context: &Context, area: &Area<'_>, style: Style) -> f64 {
        let style = self.cell_style(style);
        let width = mm(area.size().width);
        self.header_height(context, style, width)
            + (self.next..self.rows.len())
                .map(|i| self.row_height(context, style, i, width))
                .sum::<f64>()
    }

    fn lead_height(&self, context: &Context, area: &Area<'_>, style: Style) -> f64 {
        let style = self.cell_style(style);
        let width = mm(area.size().width);
        self.header_height(context, style, width)
            + self.chunk_height(context, style, self.next, width)
    }
}

impl Element for Table {
    fn render(
        &mut self,
        context: &Context,
        area: Area<'_>,
        style: Style,
    ) -> Result<RenderResult, PdfError> {
        let style = self.cell_style(style);
        let width = mm(area.size().width);
        let avail = mm(area.size().height);
        if self.started && self.next >= self.rows.len() {
            return Ok(RenderResult::default());
        }
        let top = at_page_top(&area);
        let header_h = self.header_height(context, style, width);
        if !self.started && !self.deferred && !top {
            let need = header_h + self.chunk_height(context, style, self.next, width);
            // Smallest useful start: header plus one padded line of the first row.
            let one_line = Rich::line_height_of(context, style) + 2.0 * self.padding;
            let too_tight = header_h + one_line > avail + EPS;
            if need > avail + EPS && (fits_fresh_page(need) || too_tight) {
                self.deferred = true;
                return Ok(defer(width));
            }
        }
        self.started = true;
        let mut y = 0.0;
        if let Some(header) = &self.header {
            let mut cells = header.clone();
            let spans = self.column_spans(width);
            let frame = RowFrame {
                spans: &spans,
                y,
                avail,
                default_fill: Some(self.header_fill),
                top_line: true,
                group: false,
            };
            y += self
                .draw_cells(context, &area, style, &mut cells, &frame)?
                .height;
        }
        let mut body_rows = 0;
        let mut progressed = false;
        while self.next < self.rows.len() {
            let is_group = self.rows[self.next].is_group();
            let row_h = self.row_height(context, style, self.next, width);
            let need = self.chunk_height(context, style, self.next, width);
            let top_line = y <= EPS;
            if y + need <= avail + EPS || (body_rows == 0 && is_group && y + row_h <= avail + EPS) {
                // Fits (or a group row at the top of a page whose partner row will split).
                let d = self.draw_row(context, &area, style, y, avail - y, top_line)?;
                y += d.height;
                self.next += 1;
                progressed = true;
                if !is_group {
                    body_rows += 1;
                }
                continue;
            }
            if body_rows == 0 {
                // Nothing else fits on this page: the row is taller than the space a
                // fresh page offers, so split it line by line.
                let d = self.draw_row(context, &area, style, y, avail - y, top_line)?;
                y += d.height;
                progressed |= d.progressed;
                if d.finished {
                    self.next += 1;
                    continue;
                }
            }
            break;
        }
        let has_more = self.next < self.rows.len();
        if has_more && !progressed {
            return Err(layout_error(
                "a table row cannot fit on a page even after splitting",
            ));
        }
        Ok(RenderResult {
            size: Size::new(width, y),
            has_more,
        })
    }
}

// ---------------------------------------------------------------------------------------
// Page frame
// ---------------------------------------------------------------------------------------

/// Page decorator: margins, small running header with a rule, optional coloured banner
/// line, and a footer with text on the left and "Page N of M" on the right. With
/// `total_pages == 0` (first pass) it prints "Page N"; the space reserved for the page
/// number does not depend on the total, so both passes paginate identically.
pub struct PageFrame {
    header: String,
    footer: String,
    banner: Option<(String, Color)>,
    total_pages: usize,
    page: usize,
    margins: (f64, f64, f64, f64),
    small: u8,
    furniture: Color,
}

impl PageFrame {
    /// A frame for `setup`; `total_pages` is 0 when unknown.
    pub fn new(setup: &PageSetup, total_pages: usize) -> Self {
        PageFrame {
            header: setup.header.clone(),
            footer: setup.footer.clone(),
            banner: setup.banner.clone(),
            total_pages,
            page: 0,
            margins: setup.margins,
            small: 8,
            furniture: Color::Rgb(0x55, 0x55, 0x55),
        }
    }

    fn page_label(&self) -> String {
        if self.total_pages > 0 {
            format!("Page {} of {}", self.page, self.total_pages)
        } else {
            format!("Page {}", self.page)
        }
    }
}

impl PageDecorator for PageFrame {
    fn decorate_page<'a>(
        &mut self,
        context: &Context,
        mut area: Area<'a>,
        style: Style,
    ) -> Result<Area<'a>, PdfError> {
        self.page += 1;
        CURRENT_PAGE.with(|c| c.set(self.page));
        let (t, r, b, l) = self.margins;
        area.add_margins(Margins::trbl(t, r, b, l));
        let width = mm(area.size().width);
        let height = mm(area.size().height);
        let rule = Color::Rgb(0xA0, 0xA0, 0xA0);
        let mut y = 0.0;
        if !self.header.trim().is_empty() {
            let mut h = Rich::text(self.header.clone())
                .font_size(self.small)
                .color(self.furniture);
            y += h.draw_all(context, &area, style, y)?;
            y += 0.8;
            fill_rect(&area, 0.0, y, width, 0.2, rule);
            y += 0.2 + 3.5;
        }
        if let Some((text, color)) = &self.banner {
            let mut bnr = Rich::text(text.clone())
                .strong()
                .color(*color)
                .align(Alignment::Center);
            y += bnr.draw_all(context, &area, style, y)?;
            y += 2.5;
        }
        // Footer: reserve a fixed width for the page label so both passes wrap alike.
        let label = self.page_label();
        let small_style = style.with_font_size(self.small);
        let reserve = mm(small_style.str_width(&context.font_cache, "Page 0000 of 0000"))
            .max(mm(small_style.str_width(&context.font_cache, &label)))
            + 4.0;
        let mut left = Rich::text(self.footer.clone())
            .font_size(self.small)
            .color(self.furniture);
        let left_w = (width - reserve).max(10.0);
        let left_h = left
            .prepare(context, style, left_w)
            .lines
            .iter()
            .map(|l| l.height)
            .sum::<f64>();
        let line_h = Rich::line_height_of(context, small_style);
        let foot_h = left_h.max(line_h);
        let foot_y = height - foot_h;
        let mut foot_area = area.clone();
        foot_area.add_offset(Position::new(0, foot_y));
        let mut left_area = foot_area.clone();
        left_area.set_width(Mm::from(left_w));
        left.draw_all(context, &left_area, style, 0.0)?;
        let mut right = Rich::text(label)
            .font_size(self.small)
            .color(self.furniture)
            .align(Alignment::Right);
        right.draw_all(context, &foot_area, style, 0.0)?;
        fill_rect(&area, 0.0, foot_y - 1.5, width, 0.2, rule);
        let body_h = (foot_y - 1.5 - 4.0 - y).max(10.0);
        area.add_offset(Position::new(0, y));
        area.set_height(Mm::from(body_h));
        PAGE_BODY_HEIGHT.with(|c| c.set(body_h));
        Ok(area)
    }
}

// ---------------------------------------------------------------------------------------
// Two-pass rendering and metadata
// ---------------------------------------------------------------------------------------

/// Document information written after rendering (genpdf only writes the title).
#[derive(Clone, Debug, Default)]
pub struct PdfMeta {
    /// Title (kept in sync with the genpdf title, re-encoded so non-ASCII survives).
    pub title: String,
    /// Author, e.g. the council or service.
    pub author: String,
    /// Subject line.
    pub subject: String,
    /// Keywords, comma separated.
    pub keywords: String,
    /// Creating application, e.g. "scorecard 1.2".
    pub creator: String,
    /// Natural language of the text (catalog `/Lang`), e.g. "en-GB", for screen readers.
    pub lang: Option<String>,
}

impl PdfMeta {
    /// Metadata with a title and `lang` "en-GB".
    pub fn new(title: impl Into<String>) -> Self {
        PdfMeta {
            title: title.into(),
            lang: Some("en-GB".to_string()),
            ..PdfMeta::default()
        }
    }

    /// Sets the author.
    pub fn author(mut self, s: impl Into<String>) -> Self {
        self.author = s.into();
        self
    }

    /// Sets the subject.
    pub fn subject(mut self, s: impl Into<String>) -> Self {
        self.subject = s.into();
        self
    }

    /// Sets the keywords.
    pub fn keywords(mut self, s: impl Into<String>) -> Self {
        self.keywords = s.into();
        self
    }

    /// Sets the creator application.
    pub fn creator(mut self, s: impl Into<String>) -> Self {
        self.creator = s.into();
        self
    }
}

/// Encodes a PDF text string: plain bytes for ASCII, UTF-16BE with BOM otherwise.
fn pdf_text(s: &str) -> lopdf::Object {
    if s.is_ascii() {
        lopdf::Object::String(s.as_bytes().to_vec(), lopdf::StringFormat::Literal)
    } else {
        let mut bytes = vec![0xFE, 0xFF];
        for u in s.encode_utf16() {
            bytes.extend_from_slice(&u.to_be_bytes());
        }
        lopdf::Object::String(bytes, lopdf::StringFormat::Hexadecimal)
    }
}

/// Renders a document, returning its bytes and how many pages it has (as
/// counted by [`PageFrame`], so the PDF need not be parsed to find out).
fn render_bytes(doc: Document) -> Result<(Vec<u8>, usize), KitError> {
    PAGE_BODY_HEIGHT.with(|c| c.set(0.0));
    let mut out = Vec::new();
    OUTLINE.with(|o| o.borrow_mut().clear());
    CURRENT_PAGE.with(|c| c.set(0));
    let res = doc.render(&mut out);
    PAGE_BODY_HEIGHT.with(|c| c.set(0.0));
    res?;
    Ok((out, CURRENT_PAGE.with(|c| c.get())))
}

/// Sets Info metadata and `/Lang`, removes unused objects and compresses all streams.
fn finish(
    meta: &PdfMeta,
    mut doc: lopdf::Document,
    pictures: &[std::sync::Arc<image::RgbImage>],
) -> Result<Vec<u8>, KitError> {
    let info_id = match doc
        .trailer
        .get(b"Info")
        .and_then(lopdf::Object::as_reference)
    {
        Ok(id) => id,
        Err(_) => {
            let id = doc.add_object(lopdf::Dictionary::new());
            doc.trailer.set("Info", lopdf::Object::Reference(id));
            id
        }
    };
    {
        let info = doc.get_object_mut(info_id)?.as_dict_mut()?;
        let fields = [
            ("Title", &meta.title),
            ("Author", &meta.author),
            ("Subject", &meta.subject),
            ("Keywords", &meta.keywords),
            ("Creator", &meta.creator),
        ];
        for (key, value) in fields {
            if !value.is_empty() {
                info.set(key, pdf_text(value));
            }
        }
        info.set(
            "Producer",
            pdf_text("genpdf 0.2 / printpdf, post-processed with lopdf"),
        );
        // Minimal conformance leaves an empty PDF/X marker behind; it claims nothing.
        let empty_gts = matches!(
            info.get(b"GTS_PDFXVersion"),
            Ok(lopdf::Object::String(s, _)) if s.is_empty()
        );
        if empty_gts {
            info.remove(b"GTS_PDFXVersion");
        }
    }
    let root_id = doc.trailer.get(b"Root")?.as_reference()?;
    {
        let catalog = doc.get_object_mut(root_id)?.as_dict_mut()?;
        if let Some(lang) = &meta.lang {
            catalog.set("Lang", pdf_text(lang));
        }
        let mut prefs = lopdf::Dictionary::new();
        prefs.set("DisplayDocTitle", true);
        catalog.set("ViewerPreferences", prefs);
    }
    // printpdf marks every image /Interpolate true; for the stretched 1×1 fill images
    // some viewers would then blur the edges of fills and grid lines.
    for object in doc.objects.values_mut() {
        if let lopdf::Object::Stream(stream) = object {
            if is_image_sized(&stream.dict, 1, 1) {
                stream.dict.set("Interpolate", false);
            }
        }
    }
    add_outline(&mut doc, root_id)?;
    drop_stand_in_fonts(&mut doc);
    swap_in_pictures(&mut doc, pictures)?;
    fonts::subset_fonts(&mut doc);
    doc.prune_objects();
    doc.delete_zero_length_streams();
    compress(&mut doc);
    let mut out = Vec::new();
    doc.save_to(&mut out).map_err(lopdf::Error::from)?;
    Ok(out)
}

/// Puts each [`Picture`]'s pixels, compressed (in parallel), in place of
/// its stand-in image.
fn swap_in_pictures(
    doc: &mut lopdf::Document,
    pictures: &[std::sync::Arc<image::RgbImage>],
) -> Result<(), KitError> {
    use rayon::prelude::*;
    if pictures.is_empty() {
        return Ok(());
    }
    let packed: Vec<Vec<u8>> = pictures
        .par_iter()
        .map(|p| deflate(p.as_raw()))
        .collect::<Result<_, _>>()?;
    let mut swapped = 0;
    for object in doc.objects.values_mut() {
        let lopdf::Object::Stream(stream) = object else {
            continue;
        };
        let content = &stream.content;
        if content.len() != 6 || content[..2] != STAND_IN_MARK {
            continue;
        }
        if !is_image_sized(&stream.dict, 2, 1) {
            continue;
        }
        let number = usize::from(u16::from_be_bytes([content[2], content[3]]));
        let (Some(picture), Some(data)) = (pictures.get(number), packed.get(number)) else {
            continue;
        };
        stream.dict.set("Width", i64::from(picture.width()));
        stream.dict.set("Height", i64::from(picture.height()));
        stream.dict.set("Filter", "FlateDecode");
        stream.set_content(data.clone());
        swapped += 1;
    }
    if swapped == pictures.len() {
        Ok(())
    } else {
        Err(KitError::Invalid(format!(
            "{swapped} of {} pictures found their place in the PDF",
            pictures.len()
        )))
    }
}

/// Whether a stream's dictionary is an image of `width` × `height` pixels.
fn is_image_sized(dict: &lopdf::Dictionary, width: i64, height: i64) -> bool {
    use lopdf::Object::{Integer, Name};
    matches!(dict.get(b"Subtype"), Ok(Name(n)) if n == b"Image")
        && matches!(dict.get(b"Width"), Ok(Integer(w)) if *w == width)
        && matches!(dict.get(b"Height"), Ok(Integer(h)) if *h == height)
}

fn deflate(data: &[u8]) -> Result<Vec<u8>, KitError> {
    use std::io::Write;
    let mut encoder = flate2::write::ZlibEncoder::new(
        Vec::with_capacity(data.len() / 16),
        flate2::Compression::default(),
    );
    encoder
        .write_all(data)
        .and_then(|()| encoder.finish())
        .map_err(|e| KitError::Invalid(format!("compressing PDF data: {e}")))
}

/// Removes the built-in fonts that stood in for faces no text is printed
/// in (see [`load_fonts`]), so the PDF lists only embedded fonts, as
/// printers' and archives' checks expect. Nothing is printed in them: the
/// final pass is redone with every face embedded if anything was.
fn drop_stand_in_fonts(doc: &mut lopdf::Document) {
    use lopdf::Object;
    let stand_ins: std::collections::BTreeSet<lopdf::ObjectId> = doc
        .objects
        .iter()
        .filter(|(_, o)| {
            o.as_dict().is_ok_and(|d| {
                matches!(d.get(b"Type"), Ok(Object::Name(n)) if n == b"Font")
                    && matches!(d.get(b"Subtype"), Ok(Object::Name(n)) if n == b"Type1")
            })
        })
        .map(|(id, _)| *id)
        .collect();
    if stand_ins.is_empty() {
        return;
    }
    // Font resources sit in a page's /Resources, inline or in an object.
    fn unlink(d: &mut lopdf::Dictionary, stand_ins: &std::collections::BTreeSet<lopdf::ObjectId>) {
        let names: Vec<Vec<u8>> = d
            .iter()
            .filter(|(_, v)| matches!(v, Object::Reference(id) if stand_ins.contains(id)))
            .map(|(k, _)| k.clone())
            .collect();
        for name in names {
            d.remove(&name);
        }
        for (_, v) in d.iter_mut() {
            if let Object::Dictionary(inner) = v {
                unlink(inner, stand_ins);
            }
        }
    }
    for object in doc.objects.values_mut() {
        match object {
            Object::Dictionary(d) => unlink(d, &stand_ins),
            Object::Stream(s) => unlink(&mut s.dict, &stand_ins),
            _ => {}
        }
    }
}

/// Compresses every stream that may be compressed and is not yet, once, at
/// zlib's default level: lopdf's own `compress` uses the slowest level,
/// which costs several times as long for a few per cent.
fn compress(doc: &mut lopdf::Document) {
    for object in doc.objects.values_mut() {
        let lopdf::Object::Stream(stream) = object else {
            continue;
        };
        // Tiny streams (the 1×1 fill pixels) never shrink, and starting
        // the compressor costs more than they do.
        if !stream.allows_compression
            || stream.dict.get(b"Filter").is_ok()
            || stream.content.len() < 64
        {
            continue;
        }
        if let Ok(packed) = deflate(&stream.content) {
            if packed.len() + 19 < stream.content.len() {
                stream.dict.set("Filter", "FlateDecode");
                stream.set_content(packed);
            }
        }
    }
}

/// Writes the bookmarks met during the last render as the PDF's outline, so
/// a reader can jump to each section: level-1 entries at the top, deeper
/// ones under the entry before them.
fn add_outline(doc: &mut lopdf::Document, root_id: lopdf::ObjectId) -> Result<(), KitError> {
    use lopdf::{Dictionary, Object};
    let entries = OUTLINE.with(|o| o.borrow().clone());
    if entries.is_empty() {
        return Ok(());
    }
    let pages = doc.get_pages();
    let outlines_id = doc.new_object_id();
    // Each entry's parent: the nearest earlier entry of a lower level.
    let ids: Vec<lopdf::ObjectId> = entries.iter().map(|_| doc.new_object_id()).collect();
    let parent_of =
        |i: usize| -> Option<usize> { (0..i).rev().find(|&j| entries[j].0 < entries[i].0) };
    let parents: Vec<Option<usize>> = (0..entries.len()).map(parent_of).collect();
    let children = |p: Option<usize>| -> Vec<usize> {
        (0..entries.len()).filter(|&i| parents[i] == p).collect()
    };
    for (i, (_, title, page)) in entries.iter().enumerate() {
        let siblings = children(parents[i]);
        let at = siblings.iter().position(|&s| s == i).unwrap_or(0);
        let mut d = Dictionary::new();
        d.set("Title", pdf_text(title));
        d.set(
            "Parent",
            Object::Reference(parents[i].map_or(outlines_id, |p| ids[p])),
        );
        if at > 0 {
            d.set("Prev", Object::Reference(ids[siblings[at - 1]]));
        }
        if let Some(&next) = siblings.get(at + 1) {
            d.set("Next", Object::Reference(ids[next]));
        }
        let kids = children(Some(i));
        if let (Some(&first), Some(&last)) = (kids.first(), kids.last()) {
            d.set("First", Object::Reference(ids[first]));
            d.set("Last", Object::Reference(ids[last]));
            d.set("Count", Object::Integer(-(kids.len() as i64)));
        }
        if let Some(page_id) = pages.get(&(*page).max(1).try_into().unwrap_or(1)) {
            d.set(
                "Dest",
                vec![Object::Reference(*page_id), Object::Name(b"Fit".to_vec())],
            );
        }
        doc.objects.insert(ids[i], Object::Dictionary(d));
    }
    let top = children(None);
    let mut outlines = Dictionary::new();
    outlines.set("Type", Object::Name(b"Outlines".to_vec()));
    if let (Some(&first), Some(&last)) = (top.first(), top.last()) {
        outlines.set("First", Object::Reference(ids[first]));
        outlines.set("Last", Object::Reference(ids[last]));
        outlines.set("Count", Object::Integer(top.len() as i64));
    }
    doc.objects
        .insert(outlines_id, Object::Dictionary(outlines));
    let catalog = doc.get_object_mut(root_id)?.as_dict_mut()?;
    catalog.set("Outlines", Object::Reference(outlines_id));
    catalog.set("PageMode", Object::Name(b"UseOutlines".to_vec()));
    Ok(())
}

/// Renders a document built by `build` twice so page furniture can say "Page N of M":
/// `build(0)` is rendered to count the pages, then `build(total)` is rendered (again if
/// the count changed, up to three times). The result gets `meta` written into the PDF
/// Info dictionary, `/Lang` in the catalog, and compressed streams.
///
/// `build` must produce the same content each time; only the page total may differ.
///
/// # Errors
/// Whatever `build` returns, and [`KitError`] (converted into `E`) if rendering fails
/// (e.g. a single line taller than the page body), the output cannot be re-read by
/// `lopdf`, or the page count does not settle.
pub fn render_two_pass<E, F>(meta: &PdfMeta, build: F) -> Result<Vec<u8>, E>
where
    F: Fn(usize) -> Result<Document, E>,
    E: From<KitError>,
{
    LAYOUT_ONLY.with(|c| c.set(true));
    FACES_USED.with(|f| f.set(0));
    let counted = build(0).and_then(|d| render_bytes(d).map_err(E::from));
    LAYOUT_ONLY.with(|c| c.set(false));
    let (_, mut total) = counted?;
    // Only the faces the counting pass printed in are embedded; should the
    // final pass print in another (it never has), it is rendered again with
    // every face, so no text can come out in a stand-in.
    let mut embedded = FACES_USED.with(|f| f.get());
    for _ in 0..4 {
        FACES_EMBEDDED.with(|f| f.set(embedded));
        FACES_USED.with(|f| f.set(0));
        PICTURES.with(|p| p.borrow_mut().clear());
        let rendered = build(total).and_then(|d| render_bytes(d).map_err(E::from));
        FACES_EMBEDDED.with(|f| f.set(ALL_FACES));
        let pictures = PICTURES.with(|p| std::mem::take(&mut *p.borrow_mut()));
        let (bytes, pages) = rendered?;
        let used = FACES_USED.with(|f| f.get());
        if used & !embedded != 0 {
            embedded = ALL_FACES;
            continue;
        }
        if pages == total {
            let doc = lopdf::Document::load_mem(&bytes).map_err(KitError::from)?;
            return Ok(finish(meta, doc, &pictures)?);
        }
        total = pages;
    }
    Err(KitError::Invalid("page count did not settle after three passes".to_string()).into())
}

// ---------------------------------------------------------------------------------------
// Pictures
// ---------------------------------------------------------------------------------------

/// An image (a chart) drawn at a given width, that moves whole to the next page when it
/// does not fit, and can be kept with its caption in a [`Keep`].
///
/// The pixels are shared, not copied, between passes. On the final pass a
/// two-pixel stand-in carrying the picture's number is drawn in its place,
/// and `finish` swaps the pixels in, compressed once: otherwise every
/// picture would be copied into printpdf, written out raw, and parsed back
/// by lopdf before being compressed.
pub struct Picture {
    pixels: std::sync::Arc<image::RgbImage>,
    width: f64,
    height: f64,
    done: bool,
}

/// The first bytes of a picture's stand-in; its number follows.
const STAND_IN_MARK: [u8; 2] = [0xA5, 0x5A];

impl Picture {
    /// `pixels` scaled to `width_mm` wide, keeping their proportions.
    pub fn new(pixels: std::sync::Arc<image::RgbImage>, width_mm: f64) -> Result<Self, KitError> {
        let (px_w, px_h) = pixels.dimensions();
        if px_w == 0 || px_h == 0 || width_mm <= 0.0 {
            return Err(KitError::Invalid("a picture needs a size".into()));
        }
        let height = width_mm * f64::from(px_h) / f64::from(px_w);
        Ok(Picture {
            pixels,
            width: width_mm,
            height,
            done: false,
        })
    }

    /// Height on the page, in mm.
    pub fn height(&self) -> f64 {
        self.height
    }
}

impl Block for Picture {
    fn measure(&self, _context: &Context, _area: &Area<'_>, _style: Style) -> f64 {
        if self.done {
            0.0
        } else {
            self.height
        }
    }

    fn lead_height(&self, context: &Context, area: &Area<'_>, style: Style) -> f64 {
        self.measure(context, area, style)
    }
}

impl Element for Picture {
    fn render(
        &mut self,
        _context: &Context,
        area: Area<'_>,
        _style: Style,
    ) -> Result<RenderResult, PdfError> {
        if self.done {
            return Ok(RenderResult::default());
        }
        let room = mm(area.size().height);
        if room + EPS < self.height && !at_page_top(&area) && fits_fresh_page(self.height) {
            return Ok(defer(self.width));
        }
        self.done = true;
        if !LAYOUT_ONLY.with(|c| c.get()) {
            let number = PICTURES.with(|p| {
                let mut p = p.borrow_mut();
                p.push(std::sync::Arc::clone(&self.pixels));
                p.len() - 1
            });
            let [hi, lo] = u16::try_from(number)
                .map_err(|_| layout_error("too many pictures"))?
                .to_be_bytes();
            let mark = image::RgbImage::from_raw(
                2,
                1,
                vec![STAND_IN_MARK[0], STAND_IN_MARK[1], hi, lo, 0, 0],
            )
            .ok_or_else(|| layout_error("picture stand-in"))?;
            let px_mm = 25.4 / FILL_DPI;
            let left = ((mm(area.size().width) - self.width) / 2.0).max(0.0);
            area.add_image(
                &image::DynamicImage::ImageRgb8(mark),
                Position::new(left, self.height),
                Scale::new(self.width / 2.0 / px_mm, self.height / px_mm),
                Rotation::default(),
                Some(FILL_DPI),
            );
        }
        Ok(RenderResult {
            size: Size::new(self.width, self.height),
            has_more: false,
        })
    }
}
