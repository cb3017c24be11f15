//! The typst world of one report. It serves exactly two sources under
//! fixed virtual paths — `/main.typ` (this report's generated source) and
//! `/lib.typ` (the layout library) — and the bundled fonts. Any other path
//! is refused, so no template or data can reach the file system, and file
//! ids stay constant however many reports a process renders (typst interns
//! them for the life of the process, capped at 65,535).

use std::sync::LazyLock;

use typst::diag::{FileError, FileResult};
use typst::foundations::{Bytes, Datetime};
use typst::syntax::{FileId, RootedPath, Source, VirtualPath, VirtualRoot};
use typst::text::{Font, FontBook};
use typst::utils::LazyHash;
use typst::{Library, LibraryExt, World};

use super::FontSet;

pub(super) static MAIN_ID: LazyLock<FileId> = LazyLock::new(|| vid("/main.typ"));
pub(super) static LIB_ID: LazyLock<FileId> = LazyLock::new(|| vid("/lib.typ"));
static LIBRARY: LazyLock<LazyHash<Library>> =
    LazyLock::new(|| LazyHash::new(Library::default()));

fn vid(path: &str) -> FileId {
    RootedPath::new(VirtualRoot::Project, VirtualPath::new(path).expect("valid path"))
        .intern()
}

/// One report's world.
pub(crate) struct ReportWorld {
    main: Source,
    lib: Source,
    fonts: FontSet,
    today: Option<Datetime>,
}

impl ReportWorld {
    pub(crate) fn new(
        main: String,
        lib: &str,
        fonts: FontSet,
        today: Option<time::Date>,
    ) -> Self {
        Self {
            main: Source::new(*MAIN_ID, main),
            lib: Source::new(*LIB_ID, lib.to_string()),
            fonts,
            today: today.map(Datetime::Date),
        }
    }

    pub(crate) fn main_id(&self) -> FileId {
        *MAIN_ID
    }

    pub(crate) fn display_name(&self, id: FileId) -> String {
        if id == *MAIN_ID {
            super::MAIN_FILE.into()
        } else if id == *LIB_ID {
            "report_templates/lib.typ".into()
        } else {
            format!("{id:?}")
        }
    }
}

impl World for ReportWorld {
    fn library(&self) -> &LazyHash<Library> {
        &LIBRARY
    }

    fn book(&self) -> &LazyHash<FontBook> {
        &self.fonts.book
    }

    fn main(&self) -> FileId {
        *MAIN_ID
    }

    fn source(&self, id: FileId) -> FileResult<Source> {
        if id == *MAIN_ID {
            Ok(self.main.clone())
        } else if id == *LIB_ID {
            Ok(self.lib.clone())
        } else {
            Err(FileError::AccessDenied)
        }
    }

    fn file(&self, id: FileId) -> FileResult<Bytes> {
        self.source(id).map(|s| Bytes::from_string(s.text().to_string()))
    }

    fn font(&self, index: usize) -> Option<Font> {
        self.fonts.fonts.get(index).cloned()
    }

    fn today(&self, _offset: Option<typst::foundations::Duration>) -> Option<Datetime> {
        self.today
    }
}
