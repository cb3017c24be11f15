//! The command line's arguments (clap): what `prepbook --help` shows.
//! Part of the binary, not the library; `main.rs` turns them into library
//! calls and prints the results.

use std::path::PathBuf;

use clap::{Args, Parser, Subcommand};
use prepbook::model::{OrderFlags, Protection};

#[derive(Parser)]
#[command(
    name = "prepbook",
    version,
    about = "Personalised interview-preparation playbooks as PDF"
)]
pub(crate) struct Cli {
    #[command(subcommand)]
    pub(crate) command: Command,
}

#[derive(Subcommand)]
pub(crate) enum Command {
    /// Render one playbook to PDF.
    Render(RenderArgs),
    /// Check an order (or, with only --packs, the packs) without rendering.
    Validate(ValidateArgs),
    /// Print the analysis of an order: requirements with their verdicts
    /// and evidence, the fit score and its parts, gaps, level (text, or
    /// with --json the whole analysis as `schemas/analysis.schema.json`
    /// describes it).
    Analyze(ValidateArgs),
    /// Render one page of the playbook as PNG (thumbnails).
    Preview(PreviewArgs),
    /// Describe any PDF: pages, metadata, outline, fonts, standards,
    /// encryption, size by kind, order stamp.
    Inspect(InspectArgs),
    /// Render every order of a JSON Lines manifest, in parallel, skipping
    /// those that are up to date.
    Batch(BatchArgs),
    /// Run the HTTP API with in-process workers.
    #[cfg(feature = "service")]
    Serve(ServeArgs),
    /// Run workers only (more machines against one PostgreSQL).
    #[cfg(feature = "service")]
    Worker(WorkerArgs),
    /// Import pay data (LCA disclosure files, generic CSV) into the packs.
    #[command(subcommand)]
    Paydata(PaydataCommand),
    /// Read a resume document (PDF, DOCX, Markdown or plain text) into
    /// JSON Resume on stdout, with what was recognised and how sure under
    /// `meta.prepbook.import` (render, validate and analyze also take the
    /// document directly).
    Import(ImportArgs),
}

#[derive(Args)]
pub(crate) struct ImportArgs {
    /// The resume document; its kind is read from its content.
    pub(crate) file: PathBuf,
    /// Leave out the import report (`meta.prepbook.import`) and the summary
    /// on stderr: only the JSON Resume.
    #[arg(long, alias = "json-only")]
    pub(crate) no_report: bool,
}

#[derive(Subcommand)]
pub(crate) enum PaydataCommand {
    /// Import one file into a pay-data store and report what was read,
    /// rejected, unmapped and covered.
    Import(PaydataImportArgs),
    /// Print the coverage of the packs' pay data.
    Coverage(PaydataCoverageArgs),
}

#[derive(Args)]
#[command(group(clap::ArgGroup::new("target").required(true).args(["packs", "store"])))]
pub(crate) struct PaydataImportArgs {
    /// The file: an LCA disclosure spreadsheet saved as CSV, or a generic CSV.
    pub(crate) file: PathBuf,
    /// lca (Department of Labor LCA disclosure data) or csv (generic).
    #[arg(long, value_parser = ["lca", "csv"])]
    pub(crate) format: String,
    /// Packs directory: the store is DIR/paydata/NAME.json.
    #[arg(long, value_name = "DIR")]
    pub(crate) packs: Option<PathBuf>,
    /// The store file itself (its mapping: mapping.json beside it, else
    /// the embedded one).
    #[arg(long, value_name = "PATH")]
    pub(crate) store: Option<PathBuf>,
    /// Store name under DIR/paydata (default: lca, or reported for csv).
    #[arg(long, value_name = "NAME")]
    pub(crate) name: Option<String>,
    /// The source as playbooks print it (kept in the store).
    #[arg(long, value_name = "TEXT")]
    pub(crate) label: Option<String>,
    /// Start the store afresh instead of merging by case number.
    #[arg(long)]
    pub(crate) replace: bool,
    /// Print the report as JSON.
    #[arg(long)]
    pub(crate) json: bool,
}

#[derive(Args)]
pub(crate) struct PaydataCoverageArgs {
    /// Packs directory (default: the embedded packs).
    #[arg(long, value_name = "DIR")]
    pub(crate) packs: Option<PathBuf>,
    /// Print JSON.
    #[arg(long)]
    pub(crate) json: bool,
}

#[derive(Args)]
pub(crate) struct BatchArgs {
    /// One order document per line (paths relative to the manifest).
    #[arg(long, value_name = "ORDERS.jsonl")]
    pub(crate) manifest: PathBuf,
    /// Output directory: <order id>.pdf and summary.json.
    #[arg(long, value_name = "DIR")]
    pub(crate) out: PathBuf,
    /// Parallel renders (default: the number of cores).
    #[arg(short = 'j', long, value_name = "N", default_value_t = 0)]
    pub(crate) jobs: usize,
    /// Render every order, even those whose output is up to date.
    #[arg(long)]
    pub(crate) force: bool,
    /// Stop starting new orders after the first failure.
    #[arg(long)]
    pub(crate) fail_fast: bool,
    /// Content packs directory (default: the embedded packs).
    #[arg(long, value_name = "DIR")]
    pub(crate) packs: Option<PathBuf>,
    /// Templates directory (default: the embedded templates).
    #[arg(long, value_name = "DIR")]
    pub(crate) templates: Option<PathBuf>,
    /// Render on threads of this process instead of one child process per
    /// worker (less memory in all, ~15% more CPU per report at -j2; see the
    /// README's batch section).
    #[arg(long)]
    pub(crate) threads: bool,
    /// The date for orders that give no `target.today` (default: today).
    #[arg(long, value_name = "YYYY-MM-DD", value_parser = prepbook::model::parse_ymd)]
    pub(crate) today: Option<time::Date>,
    /// Memo-cache age kept between renders (0 = evict everything; higher
    /// trades memory for reuse across reports).
    #[arg(long, default_value_t = 0, hide = true)]
    pub(crate) cache_age: usize,
    /// Let `{"path": …}` references in the manifest read files in this
    /// directory too (repeatable). By default they may only name files
    /// in the manifest's own directory.
    #[arg(long, value_name = "DIR")]
    pub(crate) allow_path: Vec<PathBuf>,
    /// Internal: run as a child worker of a batch (indices on stdin,
    /// reports on stdout).
    #[arg(long, hide = true)]
    pub(crate) worker: bool,
    /// Print the summary as JSON on stdout.
    #[arg(long)]
    pub(crate) json: bool,
}

#[derive(Args)]
pub(crate) struct InspectArgs {
    /// The PDF to inspect.
    pub(crate) file: PathBuf,
    /// Password for encrypted files.
    #[arg(long)]
    pub(crate) password: Option<String>,
    /// Print JSON instead of text.
    #[arg(long)]
    pub(crate) json: bool,
}

#[cfg(feature = "service")]
#[derive(Args)]
pub(crate) struct QueueArgs {
    /// The job queue: sqlite:PATH (one machine) or postgres://… (many).
    #[arg(long, env = "PREPBOOK_DB", default_value = "sqlite:./prepbook.db")]
    pub(crate) db: String,
    /// Directory for finished PDFs; every machine must see the same one.
    #[arg(
        long,
        env = "PREPBOOK_STORAGE",
        value_name = "DIR",
        default_value = "./playbooks"
    )]
    pub(crate) storage: PathBuf,
    /// Seconds a claim holds a job without renewal; a dead worker's job is
    /// rerun after this.
    #[arg(long, env = "PREPBOOK_LEASE_SECS", default_value_t = 30)]
    pub(crate) lease_secs: u64,
    /// Seconds a stopping worker may finish its render before giving the job back.
    #[arg(long, env = "PREPBOOK_GRACE_SECS", default_value_t = 30)]
    pub(crate) grace_secs: u64,
    /// Milliseconds between looks for due jobs when no notification arrives.
    #[arg(long, env = "PREPBOOK_POLL_MS", default_value_t = 2000)]
    pub(crate) poll_ms: u64,
    /// First retry delay in milliseconds; doubles per attempt, with jitter.
    #[arg(long, env = "PREPBOOK_RETRY_BASE_MS", default_value_t = 2000)]
    pub(crate) retry_base_ms: u64,
    /// Name of this process's workers in leases and logs (default HOST-PID).
    #[arg(long, env = "PREPBOOK_WORKER_NAME")]
    pub(crate) name: Option<String>,
    /// Default completion webhook (http://; TLS ends at a proxy).
    #[arg(long, env = "PREPBOOK_WEBHOOK_URL")]
    pub(crate) webhook_url: Option<String>,
    /// Where webhooks may go (comma-separated): http://host:port, host:port, or host (port 80 only).
    #[arg(long, env = "PREPBOOK_WEBHOOK_HOSTS", value_delimiter = ',')]
    pub(crate) webhook_hosts: Vec<String>,
    /// Days finished jobs are kept; then their order (the resume), PDF and
    /// previews are deleted. 0 keeps them.
    #[arg(long, env = "PREPBOOK_RETAIN_DAYS", default_value_t = 30)]
    pub(crate) retain_days: u64,
}

#[cfg(feature = "service")]
#[derive(Args)]
pub(crate) struct ServeArgs {
    /// Address to listen on. Without PREPBOOK_API_TOKENS only loopback is allowed.
    #[arg(long, env = "PREPBOOK_LISTEN", default_value = "127.0.0.1:8080")]
    pub(crate) listen: std::net::SocketAddr,
    /// Worker tasks in this process.
    #[arg(long, default_value_t = 2)]
    pub(crate) workers: usize,
    /// Attempts per job before it fails for good.
    #[arg(long, env = "PREPBOOK_MAX_ATTEMPTS", default_value_t = 3)]
    pub(crate) max_attempts: u32,
    /// Concurrent synchronous renders (default: the number of cores).
    #[arg(long, env = "PREPBOOK_RENDER_SLOTS")]
    pub(crate) render_slots: Option<usize>,
    /// Longest a request may take, in seconds.
    #[arg(long, env = "PREPBOOK_REQUEST_TIMEOUT_SECS", default_value_t = 120)]
    pub(crate) request_timeout_secs: u64,
    /// Unfinished jobs one token may have before submissions answer 429.
    #[arg(long, env = "PREPBOOK_MAX_PENDING", default_value_t = 100)]
    pub(crate) max_pending: u32,
    #[command(flatten)]
    pub(crate) queue: QueueArgs,
}

#[cfg(feature = "service")]
#[derive(Args)]
pub(crate) struct WorkerArgs {
    /// Worker tasks in this process.
    #[arg(long, default_value_t = 1)]
    pub(crate) workers: usize,
    /// Serve /healthz, /readyz and /metrics on this address.
    #[arg(long, value_name = "ADDR")]
    pub(crate) listen: Option<std::net::SocketAddr>,
    #[command(flatten)]
    pub(crate) queue: QueueArgs,
}

#[derive(Args)]
pub(crate) struct InputArgs {
    /// An order document (JSON); other flags override its fields.
    #[arg(long, value_name = "ORDER.json")]
    pub(crate) order: Option<PathBuf>,
    /// The resume: JSON Resume, or a PDF, DOCX, Markdown or text document
    /// (imported; see `prepbook import`).
    #[arg(long, value_name = "FILE")]
    pub(crate) resume: Option<PathBuf>,
    /// The job: a JSON Resume job document, or .txt/.md description text.
    #[arg(long, value_name = "FILE")]
    pub(crate) job: Option<PathBuf>,
    /// Company id (e.g. google) or a company pack file.
    #[arg(long, value_name = "ID|FILE")]
    pub(crate) company: Option<String>,
    /// Role id: swe, pm, ds, de, mle or tpm.
    #[arg(long, value_name = "ID")]
    pub(crate) role: Option<String>,
    /// Target level as the company names it (e.g. L5).
    #[arg(long)]
    pub(crate) level: Option<String>,
    /// Interview date (YYYY-MM-DD); default four weeks after --today.
    #[arg(long, value_name = "YYYY-MM-DD")]
    pub(crate) interview_date: Option<String>,
    /// The day the plan starts (YYYY-MM-DD); default the current date.
    #[arg(long, value_name = "YYYY-MM-DD")]
    pub(crate) today: Option<String>,
    /// Preparation hours per week (default 8).
    #[arg(long, value_name = "N")]
    pub(crate) hours_per_week: Option<u32>,
    /// Order id for the footer stamp; default derived from the inputs.
    #[arg(long, value_name = "ID")]
    pub(crate) order_id: Option<String>,
    /// Content packs directory (default: the embedded packs).
    #[arg(long, value_name = "DIR")]
    pub(crate) packs: Option<PathBuf>,
    /// Templates directory (default: the embedded templates).
    #[arg(long, value_name = "DIR")]
    pub(crate) templates: Option<PathBuf>,
    /// Conform to a PDF standard: a-2b, a-3b or ua-1.
    #[arg(long, value_name = "STD")]
    pub(crate) pdf_standard: Option<String>,
    /// Encrypt the PDF (AES-256) with this owner password.
    #[arg(long, value_name = "OWNER_PASSWORD")]
    pub(crate) protect: Option<String>,
    /// With --protect: a password needed to open the file at all.
    #[arg(long, value_name = "PW", requires = "protect")]
    pub(crate) user_password: Option<String>,
    /// With --protect: allow copying text (default: restricted).
    #[arg(long, requires = "protect")]
    pub(crate) allow_copy: bool,
    /// With --protect: allow editing (default: restricted).
    #[arg(long, requires = "protect")]
    pub(crate) allow_edit: bool,
    /// With --protect: forbid printing (default: allowed).
    #[arg(long, requires = "protect")]
    pub(crate) no_print: bool,
    /// Print one JSON object on stdout.
    #[arg(long)]
    pub(crate) json: bool,
    /// Let `{"path": …}` references of the order document read files in
    /// this directory too (repeatable). By default they may only name
    /// files in the order file's own directory.
    #[arg(long, value_name = "DIR")]
    pub(crate) allow_path: Vec<PathBuf>,
}

#[derive(Args)]
pub(crate) struct RenderArgs {
    #[command(flatten)]
    pub(crate) input: InputArgs,
    /// Where to write the PDF.
    #[arg(long, value_name = "FILE.pdf")]
    pub(crate) out: PathBuf,
    /// Also write the generated typst project (main.typ, lib.typ, fonts/) here.
    #[arg(long, value_name = "DIR")]
    pub(crate) emit_source: Option<PathBuf>,
    /// Write an untagged PDF (smaller, less accessible).
    #[arg(long)]
    pub(crate) no_tags: bool,
    /// Also write typst's timing trace of this render (Chrome trace JSON,
    /// events point at lines of main.typ and lib.typ) for profiling
    /// templates.
    #[arg(long, value_name = "FILE.json")]
    pub(crate) timings: Option<PathBuf>,
}

#[derive(Args)]
pub(crate) struct PreviewArgs {
    #[command(flatten)]
    pub(crate) input: InputArgs,
    /// The page, counting from 1.
    #[arg(long, value_name = "N")]
    pub(crate) page: usize,
    /// Pixels per point (1.0 = 72 dpi).
    #[arg(long, default_value_t = 1.0)]
    pub(crate) scale: f32,
    /// Where to write the PNG.
    #[arg(long, value_name = "PAGE.png")]
    pub(crate) out: PathBuf,
}

#[derive(Args)]
pub(crate) struct ValidateArgs {
    #[command(flatten)]
    pub(crate) input: InputArgs,
}

impl InputArgs {
    /// The order these flags describe, for the library to read.
    pub(crate) fn flags(&self) -> OrderFlags {
        OrderFlags {
            order: self.order.clone(),
            resume: self.resume.clone(),
            job: self.job.clone(),
            company: self.company.clone(),
            role: self.role.clone(),
            level: self.level.clone(),
            interview_date: self.interview_date.clone(),
            today: self.today.clone(),
            hours_per_week: self.hours_per_week,
            order_id: self.order_id.clone(),
            allow_paths: self.allow_path.clone(),
            pdf_standard: self.pdf_standard.clone(),
            protection: self.protect.as_ref().map(|owner| Protection {
                owner_password: owner.clone(),
                user_password: self.user_password.clone(),
                allow_print: Some(!self.no_print),
                allow_copy: Some(self.allow_copy),
                allow_edit: Some(self.allow_edit),
            }),
        }
    }
}

#[cfg(feature = "service")]
impl QueueArgs {
    /// The workers' settings these flags (and the environment) describe.
    pub(crate) fn worker_options(
        self,
        workers: usize,
    ) -> prepbook::service::WorkerOptions {
        use std::time::Duration;
        prepbook::service::WorkerOptions {
            db: self.db,
            storage: self.storage,
            workers,
            lease: Duration::from_secs(self.lease_secs),
            poll: Duration::from_millis(self.poll_ms),
            grace: Duration::from_secs(self.grace_secs),
            retry_base: Duration::from_millis(self.retry_base_ms),
            webhook: prepbook::service::WebhookOptions {
                default_url: self.webhook_url,
                allow_hosts: self.webhook_hosts,
                // Secrets come from the environment only, never from flags
                // that other users can read in the process list.
                secret: std::env::var("PREPBOOK_WEBHOOK_SECRET")
                    .ok()
                    .filter(|s| !s.is_empty()),
                ..Default::default()
            },
            retain: (self.retain_days > 0)
                .then(|| Duration::from_secs(self.retain_days.saturating_mul(86_400))),
            name: self.name,
            listen: None,
        }
    }
}

#[cfg(feature = "service")]
impl ServeArgs {
    /// `serve`'s settings these flags (and the environment) describe.
    pub(crate) fn serve_options(self) -> prepbook::service::ServeOptions {
        // Tokens come from the environment only (never a flag in `ps`).
        let tokens = std::env::var("PREPBOOK_API_TOKENS")
            .unwrap_or_default()
            .split(',')
            .map(str::trim)
            .filter(|t| !t.is_empty())
            .map(String::from)
            .collect();
        let defaults = prepbook::service::ServeOptions::default();
        prepbook::service::ServeOptions {
            listen: self.listen,
            tokens,
            max_attempts: self.max_attempts,
            render_slots: self.render_slots.unwrap_or(defaults.render_slots),
            max_pending_per_owner: self.max_pending,
            request_timeout: std::time::Duration::from_secs(self.request_timeout_secs),
            worker: self.queue.worker_options(self.workers),
            ..defaults
        }
    }
}
