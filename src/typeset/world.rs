//! The little world a layout template is compiled in: the template itself,
//! the report model as `/data.json`, the charts as `/charts/*.svg`, any
//! other file of `templates/` (a logo, a council's own fonts) and the
//! built-in Liberation Sans. Nothing else is read: no system font, no
//! package, no file outside `templates/`, and "today" is the report's own
//! date, so the same inputs always give the same PDF.

use std::collections::HashMap;
use std::path::{Path, PathBuf};
use std::sync::{Mutex, OnceLock, PoisonError};

use chrono::{Datelike, NaiveDate};
use typst::diag::{FileError, FileResult};
use typst::foundations::{Bytes, Datetime, Duration};
use typst::syntax::{FileId, RootedPath, Source, VirtualPath, VirtualRoot};
use typst::text::{Font, FontBook};
use typst::utils::LazyHash;
use typst::{Feature, Features, Library, LibraryExt, World};

/// Where the report model is found by the template: `json("/data.json")`.
pub const DATA_PATH: &str = "/data.json";

/// Font files in `templates/fonts/` join the built-in ones.
const FONT_FOLDER: &str = "fonts";

/// The fonts every document can use, loaded once per run.
struct Fonts {
    book: LazyHash<FontBook>,
    fonts: Vec<Font>,
}

/// The fonts for a templates folder: built in, and the council's own.
/// Loaded once for each folder a process uses (a run uses one).
fn fonts(templates_dir: &Path) -> &'static Fonts {
    static FONTS: OnceLock<Mutex<HashMap<PathBuf, &'static Fonts>>> = OnceLock::new();
    let mut loaded = FONTS
        .get_or_init(Mutex::default)
        .lock()
        .unwrap_or_else(PoisonError::into_inner);
    if let Some(fonts) = loaded.get(templates_dir) {
        return fonts;
    }
    let mut fonts: Vec<Font> = crate::fonts::BUILT_IN
        .iter()
        .flat_map(|bytes| Font::iter(Bytes::new(*bytes)))
        .collect();
    fonts.extend(council_fonts(&templates_dir.join(FONT_FOLDER)));
    let fonts: &'static Fonts = Box::leak(Box::new(Fonts {
        book: LazyHash::new(FontBook::from_fonts(&fonts)),
        fonts,
    }));
    loaded.insert(templates_dir.to_path_buf(), fonts);
    fonts
}

/// The `.ttf`, `.otf` and `.ttc` files of `templates/fonts/`, in name
/// order, for a council that prints in its own typeface.
fn council_fonts(dir: &Path) -> Vec<Font> {
    let Ok(entries) = std::fs::read_dir(dir) else {
        return Vec::new();
    };
    let mut paths: Vec<PathBuf> = entries
        .filter_map(|e| e.ok().map(|e| e.path()))
        .filter(|p| {
            p.extension()
                .map(|e| e.to_string_lossy().to_ascii_lowercase())
                .is_some_and(|e| matches!(e.as_str(), "ttf" | "otf" | "ttc"))
        })
        .collect();
    paths.sort();
    paths
        .iter()
        .filter_map(|p| std::fs::read(p).ok())
        .flat_map(|bytes| Font::iter(Bytes::new(bytes)).collect::<Vec<_>>())
        .collect()
}

/// Loads what every document of a run shares, the fonts and Typst's
/// standard library, once, before the documents are typeset in parallel.
pub fn warm_up(templates_dir: &Path) {
    fonts(templates_dir);
    library();
}

/// A file id in the project root, e.g. `/data.json`.
pub fn file_id(path: &str) -> FileResult<FileId> {
    let vpath = VirtualPath::new(path).map_err(|e| FileError::Other(Some(e.to_string().into())))?;
    Ok(RootedPath::new(VirtualRoot::Project, vpath).intern())
}

/// Typst's standard library, with the accessibility extras the layouts use
/// (`pdf.header-cell`), built once per run.
fn library() -> &'static LazyHash<Library> {
    static LIBRARY: OnceLock<LazyHash<Library>> = OnceLock::new();
    LIBRARY.get_or_init(|| {
        LazyHash::new(
            Library::builder()
                .with_features([Feature::A11yExtras].into_iter().collect::<Features>())
                .build(),
        )
    })
}

/// One compilation: a template and the files it may read.
pub struct PaperWorld {
    library: &'static LazyHash<Library>,
    fonts: &'static Fonts,
    main: Source,
    /// Files made by the run: the data and the charts.
    made: HashMap<FileId, Bytes>,
    /// `templates/`, for everything else the template asks for.
    dir: PathBuf,
    today: Datetime,
}

impl PaperWorld {
    /// A world for `template` (its file name in `dir`, and its text), with
    /// `files` (virtual path, bytes) made by the run, dated `today`.
    pub fn new(
        dir: &Path,
        template: &str,
        text: String,
        files: Vec<(String, Vec<u8>)>,
        today: NaiveDate,
    ) -> FileResult<PaperWorld> {
        let main = Source::new(file_id(&format!("/{template}"))?, text);
        let mut made = HashMap::new();
        for (path, bytes) in files {
            made.insert(file_id(&path)?, Bytes::new(bytes));
        }
        Ok(PaperWorld {
            library: library(),
            fonts: fonts(dir),
            main,
            made,
            dir: dir.to_path_buf(),
            today: Datetime::from_ymd(today.year(), today.month() as u8, today.day() as u8)
                .unwrap_or(Datetime::from_ymd(2000, 1, 1).expect("a valid date")),
        })
    }

    /// Reads a file of `templates/`; the virtual path cannot leave it.
    fn read_template_file(&self, id: FileId) -> FileResult<Bytes> {
        let path = id.vpath().realize(&self.dir).map_err(FileError::Realize)?;
        if path.is_dir() {
            return Err(FileError::IsDirectory);
        }
        std::fs::read(&path)
            .map(Bytes::new)
            .map_err(|e| FileError::from_io(e, &path))
    }
}

impl World for PaperWorld {
    fn library(&self) -> &LazyHash<Library> {
        self.library
    }

    fn book(&self) -> &LazyHash<FontBook> {
        &self.fonts.book
    }

    fn main(&self) -> FileId {
        self.main.id()
    }

    fn source(&self, id: FileId) -> FileResult<Source> {
        if id == self.main.id() {
            return Ok(self.main.clone());
        }
        let bytes = self.file(id)?;
        let text = std::str::from_utf8(&bytes).map_err(|_| FileError::InvalidUtf8)?;
        Ok(Source::new(id, text.to_string()))
    }

    fn file(&self, id: FileId) -> FileResult<Bytes> {
        if id == self.main.id() {
            return Ok(Bytes::from_string(self.main.text().to_string()));
        }
        if matches!(id.root(), VirtualRoot::Package(_)) {
            return Err(FileError::Other(Some(
                "packages are not used: everything the report needs is in templates/".into(),
            )));
        }
        match self.made.get(&id) {
            Some(bytes) => Ok(bytes.clone()),
            None => self.read_template_file(id),
        }
    }

    fn font(&self, index: usize) -> Option<Font> {
        self.fonts.fonts.get(index).cloned()
    }

    fn today(&self, _offset: Option<Duration>) -> Option<Datetime> {
        Some(self.today)
    }
}
