//! The library's error type.
//!
//! One boxed error with a [`ErrorKind`] that tells callers how to react
//! (invalid input → exit 1 / HTTP 422, internal failure → exit 3 / HTTP 500),
//! the pipeline stage it came from, and enough context (file, JSON path,
//! line and column, template name) to fix the input without a developer.

use std::fmt;
use std::path::PathBuf;

/// A `Result` whose error is [`Error`].
pub type Result<T, E = Error> = std::result::Result<T, E>;

/// What went wrong, at the level a caller acts on.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
#[non_exhaustive]
pub enum ErrorKind {
    /// The order, resume, job or a pack is malformed or refers to something
    /// unknown. The caller should fix the input; retrying will not help.
    InvalidInput,
    /// A file could not be read or written.
    Io,
    /// Templates failed to render or typst failed to lay out the document.
    /// With shipped templates this is a bug.
    Render,
    /// The produced PDF failed a delivery check.
    Preflight,
}

/// The pipeline stage an error happened in.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
#[non_exhaustive]
pub enum Stage {
    /// Reading and checking inputs.
    Input,
    /// Loading or checking content packs.
    Packs,
    /// Turning templates and analysis into typst source.
    Content,
    /// typst layout.
    Layout,
    /// PDF export and post-processing.
    Pdf,
    /// Writing the output.
    Output,
    /// Importing pay data.
    PayData,
}

impl fmt::Display for Stage {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(match self {
            Stage::Input => "input",
            Stage::Packs => "packs",
            Stage::Content => "content",
            Stage::Layout => "layout",
            Stage::Pdf => "pdf",
            Stage::Output => "output",
            Stage::PayData => "paydata",
        })
    }
}

/// One problem in one input, located as precisely as the input allows.
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize, schemars::JsonSchema)]
pub struct Diagnostic {
    /// The file the problem is in, when the input came from a file.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub file: Option<String>,
    /// JSON path of the offending value, like `resume.work[1].startDate`.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub path: Option<String>,
    /// 1-based line, when known.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub line: Option<usize>,
    /// 1-based column, when known.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub column: Option<usize>,
    /// What is wrong and what was expected.
    pub message: String,
}

impl Diagnostic {
    /// A diagnostic with only a message.
    pub fn new(message: impl Into<String>) -> Self {
        Self { file: None, path: None, line: None, column: None, message: message.into() }
    }

    /// Sets the JSON path.
    pub fn at(mut self, path: impl Into<String>) -> Self {
        self.path = Some(path.into());
        self
    }

    /// Sets the file.
    pub fn in_file(mut self, file: impl Into<String>) -> Self {
        self.file = Some(file.into());
        self
    }
}

impl fmt::Display for Diagnostic {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let mut located = false;
        if let Some(file) = &self.file {
            write!(f, "{file}")?;
            if let Some(line) = self.line {
                write!(f, ":{line}")?;
                if let Some(col) = self.column {
                    write!(f, ":{col}")?;
                }
            }
            located = true;
        }
        if let Some(path) = &self.path {
            if located {
                f.write_str(" ")?;
            }
            write!(f, "at {path}")?;
            located = true;
        }
        if located {
            f.write_str(": ")?;
        }
        f.write_str(&self.message)
    }
}

/// The error of every fallible prepbook function.
///
/// Boxed so that `Result<T>` stays one pointer wide on the happy path.
pub struct Error(Box<Inner>);

struct Inner {
    kind: ErrorKind,
    stage: Stage,
    message: String,
    diagnostics: Vec<Diagnostic>,
    path: Option<PathBuf>,
    source: Option<Box<dyn std::error::Error + Send + Sync + 'static>>,
}

impl Error {
    /// Creates an error of a kind, in a stage, with a message.
    pub fn new(kind: ErrorKind, stage: Stage, message: impl Into<String>) -> Self {
        Self(Box::new(Inner {
            kind,
            stage,
            message: message.into(),
            diagnostics: Vec::new(),
            path: None,
            source: None,
        }))
    }

    /// An invalid-input error carrying located diagnostics.
    pub fn invalid(
        stage: Stage,
        message: impl Into<String>,
        diags: Vec<Diagnostic>,
    ) -> Self {
        let mut err = Self::new(ErrorKind::InvalidInput, stage, message);
        err.0.diagnostics = diags;
        err
    }

    /// An I/O error on a path.
    pub fn io(stage: Stage, path: impl Into<PathBuf>, err: std::io::Error) -> Self {
        let path = path.into();
        let mut e =
            Self::new(ErrorKind::Io, stage, format!("cannot access {}", path.display()));
        e.0.path = Some(path);
        e.0.source = Some(Box::new(err));
        e
    }

    /// Attaches located diagnostics.
    pub fn with_diagnostics(mut self, diags: Vec<Diagnostic>) -> Self {
        self.0.diagnostics = diags;
        self
    }

    /// Attaches an underlying cause.
    pub fn with_source(
        mut self,
        source: impl std::error::Error + Send + Sync + 'static,
    ) -> Self {
        self.0.source = Some(Box::new(source));
        self
    }

    /// What kind of failure this is.
    pub fn kind(&self) -> ErrorKind {
        self.0.kind
    }

    /// The pipeline stage that failed.
    pub fn stage(&self) -> Stage {
        self.0.stage
    }

    /// The one-line summary, without diagnostics.
    pub fn message(&self) -> &str {
        &self.0.message
    }

    /// Located problems, for invalid input; may be empty.
    pub fn diagnostics(&self) -> &[Diagnostic] {
        &self.0.diagnostics
    }

    /// Whether the caller's input is at fault (as opposed to the engine).
    pub fn is_invalid_input(&self) -> bool {
        matches!(self.0.kind, ErrorKind::InvalidInput)
    }

    /// A JSON form for `--json` output, batch summaries and HTTP answers.
    /// The body is [`ErrorBody`].
    pub fn to_json(&self) -> serde_json::Value {
        serde_json::to_value(self.body()).unwrap_or_default()
    }

    /// The JSON form as a typed value.
    pub fn body(&self) -> ErrorBody {
        ErrorBody {
            kind: Some(format!("{:?}", self.0.kind).to_lowercase()),
            stage: Some(self.0.stage.to_string()),
            message: self.to_string(),
            diagnostics: Some(self.0.diagnostics.clone()),
        }
    }
}

/// An error as JSON (`--json` output, batch summaries, HTTP answers and
/// stored job errors).
#[derive(Debug, Clone, serde::Serialize, schemars::JsonSchema)]
pub struct ErrorBody {
    /// `invalidinput`, `io`, `render` or `preflight`: how to react.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub kind: Option<String>,
    /// The pipeline stage: `input`, `packs`, `content`, `layout`, `pdf`,
    /// `output`.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub stage: Option<String>,
    /// What went wrong, with its diagnostics.
    pub message: String,
    /// Located problems (JSON path, file, line).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub diagnostics: Option<Vec<Diagnostic>>,
}

impl ErrorBody {
    /// A body with only a message.
    pub fn message(message: impl Into<String>) -> Self {
        Self { kind: None, stage: None, message: message.into(), diagnostics: None }
    }
}

impl fmt::Debug for Error {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Error")
            .field("kind", &self.0.kind)
            .field("stage", &self.0.stage)
            .field("message", &self.0.message)
            .field("diagnostics", &self.0.diagnostics)
            .finish()
    }
}

impl fmt::Display for Error {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.0.message)?;
        if let Some(source) = &self.0.source {
            write!(f, " ({source})")?;
        }
        for diag in &self.0.diagnostics {
            write!(f, "\n  {diag}")?;
        }
        Ok(())
    }
}

impl std::error::Error for Error {
    fn source(&self) -> Option<&(dyn std::error::Error + 'static)> {
        self.0.source.as_deref().map(|s| s as _)
    }
}
