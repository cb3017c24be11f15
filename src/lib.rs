//! prepbook turns a candidate's resume, a target job and company data into
//! a personalised interview-preparation playbook, typeset as PDF.
//!
//! # Pipeline
//! 1. **Input model** ([`model`]): the order — JSON Resume, job document or
//!    job text, target — read with located diagnostics ([`OrderDraft::resolve`]).
//! 2. **Packs** ([`packs`]): company and role content, loaded once
//!    ([`Packs::embedded`], [`Packs::from_dir`]) and checked for authors
//!    ([`check_packs`]).
//! 3. **Analysis** ([`analyze`]): requirements, the explainable fit score,
//!    ranked gaps, STAR drafts, the weekly plan, prioritised questions.
//! 4. **Content** ([`content::generate`]): minijinja templates write typst
//!    source; every value is escaped into a typst string literal.
//! 5. **Layout** (`layout`): typst compiles the source in a world that serves
//!    only the bundled fonts, the layout library and this report's source.
//! 6. **PDF** ([`pdf::export`]): typst-pdf writes deterministic bytes.
//!
//! A resume may arrive as a document rather than JSON Resume: [`import`]
//! reads PDF, DOCX, Markdown and plain text into JSON Resume (with a
//! report of what it recognised), and the input model calls it for any
//! resume that is not JSON.
//!
//! Beside the pipeline, [`paydata`] imports dated pay data (the Department
//! of Labor's LCA disclosure files, or a generic CSV) into the packs, where
//! the content stage finds it.
//!
//! [`Engine`] holds the shared state and runs stages 3–6 for an order;
//! [`batch`] runs many orders in parallel, resumably; the `service` module
//! (cargo feature `service`, on by default) puts the engine behind an HTTP
//! API and a durable job queue (`prepbook serve`, `prepbook worker`).

pub mod analysis;
mod assets;
pub mod batch;
pub mod content;
mod engine;
mod error;
pub mod import;
pub mod layout;
pub mod model;
pub mod packs;
pub mod paydata;
pub mod pdf;
pub mod schemas;
#[cfg(feature = "service")]
pub mod service;

pub use analysis::{Analysis, analyze};
pub use engine::{Engine, Preview, RenderOptions, Rendered, Timings, write_atomic};
pub use error::{Diagnostic, Error, ErrorBody, ErrorKind, Result, Stage};
pub use import::{ImportError, ImportLimits, Imported};
pub use layout::{FontSet, enable_timings, write_timings};
pub use model::{Order, OrderDraft, OrderFlags, PathPolicy, ReadOptions};
pub use packs::{Packs, check_packs};
