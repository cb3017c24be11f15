//! The `prepbook` command line: argument parsing and output, nothing else.
//! Exit codes: 0 success, 1 invalid input, 2 usage error, 3 internal failure.

use std::io::Write;
use std::path::{Path, PathBuf};
use std::process::ExitCode;

use anyhow::Context;
use clap::{Args, Parser, Subcommand};
use prepbook::model::{OrderDraft, PathPolicy, Source};
use prepbook::{Engine, ErrorKind, Order, RenderOptions};

#[derive(Parser)]
#[command(
    name = "prepbook",
    version,
    about = "Personalised interview-preparation playbooks as PDF"
)]
struct Cli {
    #[command(subcommand)]
    command: Command,
}

#[derive(Subcommand)]
enum Command {
    /// Render one playbook to PDF.
    Render(RenderArgs),
    /// Check an order (or, with only --packs, the packs) without rendering.
    Validate(ValidateArgs),
    /// Render one page of the playbook as PNG (thumbnails).
    Preview(PreviewArgs),
    /// Describe any PDF: pages, metadata, outline, fonts, standards,
    /// encryption, size by kind, order stamp.
    Inspect(InspectArgs),
    /// Render every order of a JSON Lines manifest, in parallel, skipping
    /// those that are up to date.
    Batch(BatchArgs),
    /// Run the HTTP API with in-process workers.
    Serve(ServeArgs),
    /// Run workers only (more machines against one PostgreSQL).
    Worker(WorkerArgs),
    /// Import pay data (LCA disclosure files, generic CSV) into the packs.
    #[command(subcommand)]
    Paydata(PaydataCommand),
}

#[derive(Subcommand)]
enum PaydataCommand {
    /// Import one file into a pay-data store and report what was read,
    /// rejected, unmapped and covered.
    Import(PaydataImportArgs),
    /// Print the coverage of the packs' pay data.
    Coverage(PaydataCoverageArgs),
}

#[derive(Args)]
#[command(group(clap::ArgGroup::new("target").required(true).args(["packs", "store"])))]
struct PaydataImportArgs {
    /// The file: an LCA disclosure spreadsheet saved as CSV, or a generic CSV.
    file: PathBuf,
    /// lca (Department of Labor LCA disclosure data) or csv (generic).
    #[arg(long, value_parser = ["lca", "csv"])]
    format: String,
    /// Packs directory: the store is DIR/paydata/NAME.json.
    #[arg(long, value_name = "DIR")]
    packs: Option<PathBuf>,
    /// The store file itself (its mapping: mapping.json beside it, else
    /// the embedded one).
    #[arg(long, value_name = "PATH")]
    store: Option<PathBuf>,
    /// Store name under DIR/paydata (default: lca, or reported for csv).
    #[arg(long, value_name = "NAME")]
    name: Option<String>,
    /// The source as playbooks print it (kept in the store).
    #[arg(long, value_name = "TEXT")]
    label: Option<String>,
    /// Start the store afresh instead of merging by case number.
    #[arg(long)]
    replace: bool,
    /// Print the report as JSON.
    #[arg(long)]
    json: bool,
}

#[derive(Args)]
struct PaydataCoverageArgs {
    /// Packs directory (default: the embedded packs).
    #[arg(long, value_name = "DIR")]
    packs: Option<PathBuf>,
    /// Print JSON.
    #[arg(long)]
    json: bool,
}

#[derive(Args)]
struct BatchArgs {
    /// One order document per line (paths relative to the manifest).
    #[arg(long, value_name = "ORDERS.jsonl")]
    manifest: PathBuf,
    /// Output directory: <order id>.pdf and summary.json.
    #[arg(long, value_name = "DIR")]
    out: PathBuf,
    /// Parallel renders (default: the number of cores).
    #[arg(short = 'j', long, value_name = "N", default_value_t = 0)]
    jobs: usize,
    /// Render every order, even those whose output is up to date.
    #[arg(long)]
    force: bool,
    /// Stop starting new orders after the first failure.
    #[arg(long)]
    fail_fast: bool,
    /// Content packs directory (default: the embedded packs).
    #[arg(long, value_name = "DIR")]
    packs: Option<PathBuf>,
    /// Templates directory (default: the embedded templates).
    #[arg(long, value_name = "DIR")]
    templates: Option<PathBuf>,
    /// Render on threads of this process instead of one child process per
    /// worker (less memory in all, ~15% more CPU per report at -j2; see the
    /// README's batch section).
    #[arg(long)]
    threads: bool,
    /// The date for orders that give no `target.today` (default: today).
    #[arg(long, value_name = "YYYY-MM-DD")]
    today: Option<String>,
    /// Memo-cache age kept between renders (0 = evict everything; higher
    /// trades memory for reuse across reports).
    #[arg(long, default_value_t = 0, hide = true)]
    cache_age: usize,
    /// Internal: run as a child worker of a batch (indices on stdin,
    /// reports on stdout).
    #[arg(long, hide = true)]
    worker: bool,
    /// Print the summary as JSON on stdout.
    #[arg(long)]
    json: bool,
}

#[derive(Args)]
struct InspectArgs {
    /// The PDF to inspect.
    file: PathBuf,
    /// Password for encrypted files.
    #[arg(long)]
    password: Option<String>,
    /// Print JSON instead of text.
    #[arg(long)]
    json: bool,
}

#[derive(Args)]
struct QueueArgs {
    /// The job queue: sqlite:PATH (one machine) or postgres://… (many).
    #[arg(long, env = "PREPBOOK_DB", default_value = "sqlite:./prepbook.db")]
    db: String,
    /// Directory for finished PDFs; every machine must see the same one.
    #[arg(
        long,
        env = "PREPBOOK_STORAGE",
        value_name = "DIR",
        default_value = "./playbooks"
    )]
    storage: PathBuf,
    /// Seconds a claim holds a job without renewal; a dead worker's job is
    /// rerun after this.
    #[arg(long, env = "PREPBOOK_LEASE_SECS", default_value_t = 30)]
    lease_secs: u64,
    /// Seconds a stopping worker may finish its render before giving the job back.
    #[arg(long, env = "PREPBOOK_GRACE_SECS", default_value_t = 30)]
    grace_secs: u64,
    /// Milliseconds between looks for due jobs when no notification arrives.
    #[arg(long, env = "PREPBOOK_POLL_MS", default_value_t = 2000)]
    poll_ms: u64,
    /// First retry delay in milliseconds; doubles per attempt, with jitter.
    #[arg(long, env = "PREPBOOK_RETRY_BASE_MS", default_value_t = 2000)]
    retry_base_ms: u64,
    /// Name of this process's workers in leases and logs (default HOST-PID).
    #[arg(long, env = "PREPBOOK_WORKER_NAME")]
    name: Option<String>,
    /// Default completion webhook (http://; TLS ends at a proxy).
    #[arg(long, env = "PREPBOOK_WEBHOOK_URL")]
    webhook_url: Option<String>,
    /// Hosts (host or host:port, comma-separated) webhooks may go to.
    #[arg(long, env = "PREPBOOK_WEBHOOK_HOSTS", value_delimiter = ',')]
    webhook_hosts: Vec<String>,
}

#[derive(Args)]
struct ServeArgs {
    /// Address to listen on. Without PREPBOOK_API_TOKENS only loopback is allowed.
    #[arg(long, env = "PREPBOOK_LISTEN", default_value = "127.0.0.1:8080")]
    listen: std::net::SocketAddr,
    /// Worker tasks in this process.
    #[arg(long, default_value_t = 2)]
    workers: usize,
    /// Attempts per job before it fails for good.
    #[arg(long, env = "PREPBOOK_MAX_ATTEMPTS", default_value_t = 3)]
    max_attempts: u32,
    /// Concurrent synchronous renders (default: the number of cores).
    #[arg(long, env = "PREPBOOK_RENDER_SLOTS")]
    render_slots: Option<usize>,
    /// Longest a request may take, in seconds.
    #[arg(long, env = "PREPBOOK_REQUEST_TIMEOUT_SECS", default_value_t = 120)]
    request_timeout_secs: u64,
    #[command(flatten)]
    queue: QueueArgs,
}

#[derive(Args)]
struct WorkerArgs {
    /// Worker tasks in this process.
    #[arg(long, default_value_t = 1)]
    workers: usize,
    /// Serve /healthz, /readyz and /metrics on this address.
    #[arg(long, value_name = "ADDR")]
    listen: Option<std::net::SocketAddr>,
    #[command(flatten)]
    queue: QueueArgs,
}

#[derive(Args)]
struct InputArgs {
    /// An order document (JSON); other flags override its fields.
    #[arg(long, value_name = "ORDER.json")]
    order: Option<PathBuf>,
    /// The resume (JSON Resume).
    #[arg(long, value_name = "FILE")]
    resume: Option<PathBuf>,
    /// The job: a JSON Resume job document, or .txt/.md description text.
    #[arg(long, value_name = "FILE")]
    job: Option<PathBuf>,
    /// Company id (e.g. google) or a company pack file.
    #[arg(long, value_name = "ID|FILE")]
    company: Option<String>,
    /// Role id: swe, pm, ds, de, mle or tpm.
    #[arg(long, value_name = "ID")]
    role: Option<String>,
    /// Target level as the company names it (e.g. L5).
    #[arg(long)]
    level: Option<String>,
    /// Interview date (YYYY-MM-DD); default four weeks after --today.
    #[arg(long, value_name = "YYYY-MM-DD")]
    interview_date: Option<String>,
    /// The day the plan starts (YYYY-MM-DD); default the current date.
    #[arg(long, value_name = "YYYY-MM-DD")]
    today: Option<String>,
    /// Preparation hours per week (default 8).
    #[arg(long, value_name = "N")]
    hours_per_week: Option<u32>,
    /// Order id for the footer stamp; default derived from the inputs.
    #[arg(long, value_name = "ID")]
    order_id: Option<String>,
    /// Content packs directory (default: the embedded packs).
    #[arg(long, value_name = "DIR")]
    packs: Option<PathBuf>,
    /// Templates directory (default: the embedded templates).
    #[arg(long, value_name = "DIR")]
    templates: Option<PathBuf>,
    /// Conform to a PDF standard: a-2b, a-3b or ua-1.
    #[arg(long, value_name = "STD")]
    pdf_standard: Option<String>,
    /// Encrypt the PDF (AES-256) with this owner password.
    #[arg(long, value_name = "OWNER_PASSWORD")]
    protect: Option<String>,
    /// With --protect: a password needed to open the file at all.
    #[arg(long, value_name = "PW", requires = "protect")]
    user_password: Option<String>,
    /// With --protect: allow copying text (default: restricted).
    #[arg(long, requires = "protect")]
    allow_copy: bool,
    /// With --protect: allow editing (default: restricted).
    #[arg(long, requires = "protect")]
    allow_edit: bool,
    /// With --protect: forbid printing (default: allowed).
    #[arg(long, requires = "protect")]
    no_print: bool,
    /// Print one JSON object on stdout.
    #[arg(long)]
    json: bool,
}

#[derive(Args)]
struct RenderArgs {
    #[command(flatten)]
    input: InputArgs,
    /// Where to write the PDF.
    #[arg(long, value_name = "FILE.pdf")]
    out: PathBuf,
    /// Also write the generated typst project (main.typ, lib.typ, fonts/) here.
    #[arg(long, value_name = "DIR")]
    emit_source: Option<PathBuf>,
    /// Write an untagged PDF (smaller, less accessible).
    #[arg(long)]
    no_tags: bool,
    /// Also write typst's timing trace of this render (Chrome trace JSON,
    /// events point at lines of main.typ and lib.typ) for profiling
    /// templates.
    #[arg(long, value_name = "FILE.json")]
    timings: Option<PathBuf>,
}

#[derive(Args)]
struct PreviewArgs {
    #[command(flatten)]
    input: InputArgs,
    /// The page, counting from 1.
    #[arg(long, value_name = "N")]
    page: usize,
    /// Pixels per point (1.0 = 72 dpi).
    #[arg(long, default_value_t = 1.0)]
    scale: f32,
    /// Where to write the PNG.
    #[arg(long, value_name = "PAGE.png")]
    out: PathBuf,
}

#[derive(Args)]
struct ValidateArgs {
    #[command(flatten)]
    input: InputArgs,
}

fn main() -> ExitCode {
    let cli = Cli::parse();
    let json = match &cli.command {
        Command::Render(a) => a.input.json,
        Command::Validate(a) => a.input.json,
        Command::Preview(a) => a.input.json,
        Command::Inspect(a) => a.json,
        Command::Batch(a) => a.json,
        Command::Serve(_) | Command::Worker(_) => false,
        Command::Paydata(PaydataCommand::Import(a)) => a.json,
        Command::Paydata(PaydataCommand::Coverage(a)) => a.json,
    };
    match run(cli) {
        Ok(()) => ExitCode::SUCCESS,
        Err(err) => {
            // A closed pipe (`prepbook ... | head`) is not a failure.
            if err.chain().any(|e| {
                e.downcast_ref::<std::io::Error>()
                    .is_some_and(|io| io.kind() == std::io::ErrorKind::BrokenPipe)
            }) {
                return ExitCode::SUCCESS;
            }
            let lib = err.chain().find_map(|e| e.downcast_ref::<prepbook::Error>());
            let code = match lib.map(|e| e.kind()) {
                Some(ErrorKind::InvalidInput) => 1,
                _ => 3,
            };
            if json {
                let body = lib.map_or_else(
                    || serde_json::json!({"message": format!("{err:#}")}),
                    |e| e.to_json(),
                );
                println!("{}", serde_json::json!({ "error": body }));
            }
            eprintln!("error: {err}");
            for cause in err.chain().skip(1) {
                if cause.downcast_ref::<prepbook::Error>().is_none() {
                    eprintln!("  caused by: {cause}");
                }
            }
            ExitCode::from(code)
        }
    }
}

fn run(cli: Cli) -> anyhow::Result<()> {
    match cli.command {
        Command::Render(args) => render(args),
        Command::Validate(args) => validate(args),
        Command::Preview(args) => preview(args),
        Command::Inspect(args) => inspect(args),
        Command::Batch(args) => batch(args),
        Command::Serve(args) => serve(args),
        Command::Worker(args) => worker(args),
        Command::Paydata(PaydataCommand::Import(args)) => paydata_import(args),
        Command::Paydata(PaydataCommand::Coverage(args)) => paydata_coverage(args),
    }
}

fn paydata_import(args: PaydataImportArgs) -> anyhow::Result<()> {
    use prepbook::paydata::{Format, ImportOptions};
    let format = if args.format == "lca" { Format::Lca } else { Format::Csv };
    let packs = match &args.packs {
        Some(dir) => prepbook::Packs::from_dir(dir)?,
        None => prepbook::Packs::embedded()?,
    };
    let name = args.name.as_deref().unwrap_or(format.default_store());
    if name.is_empty()
        || name == "mapping"
        || !name.chars().all(|c| c.is_ascii_alphanumeric() || c == '-' || c == '_')
    {
        anyhow::bail!(
            "--name: expected letters, digits, - or _ (and not \"mapping\"), got {name:?}"
        );
    }
    let store = match (&args.store, &args.packs) {
        (Some(path), _) => path.clone(),
        (None, Some(dir)) => dir.join("paydata").join(format!("{name}.json")),
        (None, None) => unreachable!("clap requires --packs or --store"),
    };
    let opts = ImportOptions {
        label: args.label,
        replace: args.replace,
        ..ImportOptions::new(format)
    };
    let report = prepbook::paydata::import_file(&args.file, &store, &packs, &opts)?;
    let mut out = std::io::stdout().lock();
    if args.json {
        writeln!(out, "{}", serde_json::to_string_pretty(&report)?)?;
    } else {
        write!(out, "{report}")?;
    }
    Ok(())
}

fn paydata_coverage(args: PaydataCoverageArgs) -> anyhow::Result<()> {
    let packs = match &args.packs {
        Some(dir) => prepbook::Packs::from_dir(dir)?,
        None => prepbook::Packs::embedded()?,
    };
    let cells = packs.pay.cells();
    let mut out = std::io::stdout().lock();
    if args.json {
        writeln!(out, "{}", serde_json::to_string_pretty(cells)?)?;
        return Ok(());
    }
    if cells.is_empty() {
        writeln!(
            out,
            "no pay data imported; every compensation figure is the packs' estimate"
        )?;
    }
    for c in cells {
        writeln!(
            out,
            "{} {} {} {} {} ({}): n = {}, median {}, IQR {}–{}, {} to {}{}",
            c.company,
            c.role,
            c.level,
            c.metro,
            c.currency,
            c.store,
            c.n,
            c.base.median,
            c.base.p25,
            c.base.p75,
            c.from,
            c.to,
            if c.shown() { "" } else { " [below minimum]" }
        )?;
    }
    Ok(())
}

/// How a batch starts a child worker: this executable, `batch --worker`
/// with the same manifest, output, content and date. Each child renders
/// one report at a time on one thread (typst's own parallelism inside a
/// render would otherwise put N children × cores threads on N cores).
fn worker_command(
    args: &BatchArgs,
    today: time::Date,
) -> anyhow::Result<impl Fn() -> std::process::Command + Send + Sync + 'static> {
    let exe = std::env::current_exe().context("cannot find the prepbook executable")?;
    let mut argv: Vec<std::ffi::OsString> = vec![
        "batch".into(),
        "--worker".into(),
        "--manifest".into(),
        args.manifest.clone().into(),
        "--out".into(),
        args.out.clone().into(),
        "--today".into(),
        today.to_string().into(),
        "--cache-age".into(),
        args.cache_age.to_string().into(),
    ];
    if args.force {
        argv.push("--force".into());
    }
    for (flag, dir) in [("--packs", &args.packs), ("--templates", &args.templates)] {
        if let Some(dir) = dir {
            argv.push(flag.into());
            argv.push(dir.clone().into());
        }
    }
    Ok(move || {
        let mut c = std::process::Command::new(&exe);
        c.args(&argv).env("RAYON_NUM_THREADS", "1");
        c
    })
}

/// A batch child exits when its parent is gone (killed with SIGKILL, say)
/// instead of finishing a render nobody will collect: the parent's rerun
/// would otherwise race it for the same output.
fn exit_with_parent() {
    let parent = std::os::unix::process::parent_id();
    std::thread::spawn(move || {
        loop {
            std::thread::sleep(std::time::Duration::from_millis(100));
            if std::os::unix::process::parent_id() != parent {
                std::process::exit(1);
            }
        }
    });
}

fn batch(args: BatchArgs) -> anyhow::Result<()> {
    let engine =
        Engine::with_overrides(args.packs.as_deref(), args.templates.as_deref())?;
    std::fs::create_dir_all(&args.out)
        .with_context(|| format!("cannot create {}", args.out.display()))?;
    let today = match &args.today {
        Some(s) => time::Date::parse(
            s,
            time::macros::format_description!("[year]-[month]-[day]"),
        )
        .with_context(|| format!("--today: expected YYYY-MM-DD, got {s:?}"))?,
        // The only clock read: the default "today" for orders without one.
        None => time::OffsetDateTime::now_utc().date(),
    };
    let workers = if args.threads || args.worker {
        prepbook::batch::Workers::Threads
    } else {
        prepbook::batch::Workers::Processes(Box::new(worker_command(&args, today)?))
    };
    let opts = prepbook::batch::BatchOptions {
        jobs: args.jobs,
        workers,
        force: args.force,
        fail_fast: args.fail_fast,
        cache_age: args.cache_age,
        progress: true,
        today,
    };
    if args.worker {
        exit_with_parent();
        return Ok(prepbook::batch::serve(
            &engine,
            &args.manifest,
            &args.out,
            &opts,
            std::io::stdin().lock(),
            std::io::stdout().lock(),
        )?);
    }
    let summary = prepbook::batch::run(&engine, &args.manifest, &args.out, &opts)?;
    if args.json {
        writeln!(std::io::stdout(), "{}", serde_json::to_string(&summary)?)?;
    }
    eprintln!(
        "{} orders: {} rendered, {} up to date, {} failed{} in {:.1} s ({} reports/s, -j{}, peak {} MiB)",
        summary.total,
        summary.rendered,
        summary.skipped,
        summary.failed,
        if summary.not_started > 0 {
            format!(", {} not started", summary.not_started)
        } else {
            String::new()
        },
        summary.elapsed_ms / 1000.0,
        summary.reports_per_second,
        summary.jobs,
        summary.peak_rss_mib.unwrap_or(0.0),
    );
    if summary.failed > 0 {
        for o in
            summary.orders.iter().filter(|o| o.status == prepbook::batch::Status::Failed)
        {
            let msg = o.error.as_ref().and_then(|e| e["message"].as_str()).unwrap_or("");
            eprintln!(
                "failed: line {} {}: {msg}",
                o.line,
                o.id.as_deref().unwrap_or("?")
            );
        }
        // Exit 1: some orders failed; the others are written.
        std::process::exit(1);
    }
    Ok(())
}

fn inspect(args: InspectArgs) -> anyhow::Result<()> {
    let bytes = std::fs::read(&args.file)
        .with_context(|| format!("cannot read {}", args.file.display()))?;
    let i = prepbook::pdf::inspect(&bytes, args.password.as_deref())?;
    let mut out = std::io::stdout().lock();
    if args.json {
        writeln!(out, "{}", serde_json::to_string_pretty(&i)?)?;
        return Ok(());
    }
    writeln!(out, "file:       {}", args.file.display())?;
    writeln!(out, "version:    PDF {}", i.version)?;
    let size =
        i.page_size.map(|(w, h)| format!(" ({w:.0} × {h:.0} pt)")).unwrap_or_default();
    writeln!(out, "pages:      {}{size}", i.pages)?;
    for (k, v) in &i.metadata {
        writeln!(out, "{:<11} {v}", format!("{}:", k.to_lowercase()))?;
    }
    writeln!(out, "order id:   {}", i.order_id.as_deref().unwrap_or("(none found)"))?;
    writeln!(out, "tagged:     {}", if i.tagged { "yes" } else { "no" })?;
    let stds =
        if i.standards.is_empty() { "none".to_string() } else { i.standards.join(", ") };
    writeln!(out, "standards:  {stds}")?;
    match &i.encryption {
        None => writeln!(out, "encryption: none")?,
        Some(e) => writeln!(
            out,
            "encryption: {} (V{} R{}); print {}, copy {}, edit {}, annotate {}",
            e.algorithm,
            e.version,
            e.revision,
            yes(e.print),
            yes(e.copy),
            yes(e.edit),
            yes(e.annotate)
        )?,
    }
    writeln!(
        out,
        "sizes:      total {} B; fonts {} B, images {} B, page content {} B, other {} B",
        i.sizes.total, i.sizes.fonts, i.sizes.images, i.sizes.content, i.sizes.other
    )?;
    writeln!(out, "fonts:")?;
    for f in &i.fonts {
        writeln!(
            out,
            "  {} ({}){}{}",
            f.name,
            f.subtype,
            if f.embedded { ", embedded" } else { ", NOT EMBEDDED" },
            if f.subset { ", subset" } else { "" }
        )?;
    }
    writeln!(out, "outline:")?;
    fn tree(
        out: &mut impl Write,
        items: &[prepbook::pdf::OutlineEntry],
        depth: usize,
    ) -> std::io::Result<()> {
        for e in items {
            writeln!(out, "{}{}", "  ".repeat(depth + 1), e.title)?;
            tree(out, &e.children, depth + 1)?;
        }
        Ok(())
    }
    tree(&mut out, &i.outline, 0)?;
    Ok(())
}

fn yes(b: bool) -> &'static str {
    if b { "yes" } else { "no" }
}

fn worker_options(q: QueueArgs, workers: usize) -> prepbook::service::WorkerOptions {
    use std::time::Duration;
    prepbook::service::WorkerOptions {
        db: q.db,
        storage: q.storage,
        workers,
        lease: Duration::from_secs(q.lease_secs),
        poll: Duration::from_millis(q.poll_ms),
        grace: Duration::from_secs(q.grace_secs),
        retry_base: Duration::from_millis(q.retry_base_ms),
        webhook: prepbook::service::WebhookOptions {
            default_url: q.webhook_url,
            allow_hosts: q.webhook_hosts,
            // Secrets come from the environment only, never from flags that
            // other users can read in the process list.
            secret: std::env::var("PREPBOOK_WEBHOOK_SECRET")
                .ok()
                .filter(|s| !s.is_empty()),
            ..Default::default()
        },
        name: q.name,
        listen: None,
    }
}

/// Runs a service future on a multi-threaded runtime, with logs on stderr
/// and SIGTERM/SIGINT wired to graceful shutdown.
fn run_service<F, Fut>(f: F) -> anyhow::Result<()>
where
    F: FnOnce(prepbook::service::Shutdown) -> Fut,
    Fut: std::future::Future<Output = Result<(), prepbook::service::ServiceError>>,
{
    tracing_subscriber::fmt()
        .with_writer(std::io::stderr)
        .with_max_level(tracing::Level::INFO)
        .with_ansi(false)
        .init();
    let runtime = tokio::runtime::Builder::new_multi_thread().enable_all().build()?;
    runtime.block_on(async { f(prepbook::service::Shutdown::on_signals()).await })?;
    Ok(())
}

fn serve(args: ServeArgs) -> anyhow::Result<()> {
    // Tokens come from the environment only (never a flag in `ps`).
    let tokens = std::env::var("PREPBOOK_API_TOKENS")
        .unwrap_or_default()
        .split(',')
        .map(str::trim)
        .filter(|t| !t.is_empty())
        .map(String::from)
        .collect();
    let defaults = prepbook::service::ServeOptions::default();
    let opts = prepbook::service::ServeOptions {
        listen: args.listen,
        tokens,
        max_attempts: args.max_attempts,
        render_slots: args.render_slots.unwrap_or(defaults.render_slots),
        request_timeout: std::time::Duration::from_secs(args.request_timeout_secs),
        worker: worker_options(args.queue, args.workers),
        ..defaults
    };
    run_service(|shutdown| prepbook::service::serve(opts, shutdown))
}

fn worker(args: WorkerArgs) -> anyhow::Result<()> {
    let mut opts = worker_options(args.queue, args.workers);
    opts.listen = args.listen;
    run_service(|shutdown| prepbook::service::run_worker(opts, shutdown))
}

fn preview(args: PreviewArgs) -> anyhow::Result<()> {
    let (engine, order) = load(&args.input)?;
    let p = engine.preview(&order, args.page, args.scale)?;
    prepbook::write_atomic(&args.out, &p.png)?;
    if args.input.json {
        let v = serde_json::json!({
            "out": args.out, "page": args.page, "pages": p.pages, "width": p.width, "height": p.height,
        });
        writeln!(std::io::stdout(), "{v}")?;
    } else {
        eprintln!(
            "wrote {} (page {} of {}, {}×{} px)",
            args.out.display(),
            args.page,
            p.pages,
            p.width,
            p.height
        );
    }
    Ok(())
}

/// Loads the engine and the order the flags describe.
fn load(input: &InputArgs) -> anyhow::Result<(Engine, Order)> {
    let mut engine =
        Engine::with_overrides(input.packs.as_deref(), input.templates.as_deref())?;
    let mut draft = match &input.order {
        Some(path) => {
            let text = std::fs::read_to_string(path)
                .with_context(|| format!("cannot read order {}", path.display()))?;
            let base = path.parent().map(Path::to_path_buf).unwrap_or_default();
            OrderDraft::from_json(
                &text,
                Some(&path.display().to_string()),
                &PathPolicy::RelativeTo(base),
            )?
        }
        None => OrderDraft::default(),
    };
    let mut company = input.company.clone();
    if let Some(c) = &company {
        let p = Path::new(c);
        if c.ends_with(".json") || p.components().count() > 1 {
            company = Some(engine.packs.add_company_file(p)?);
        }
    }
    if input.protect.is_some()
        && input.pdf_standard.as_deref().is_some_and(|s| s.starts_with("a-"))
    {
        use clap::CommandFactory;
        Cli::command()
            .error(
                clap::error::ErrorKind::ArgumentConflict,
                "--protect cannot be combined with a PDF/A standard: PDF/A forbids encryption",
            )
            .exit();
    }
    let delivery = prepbook::model::Delivery {
        pdf_standard: input.pdf_standard.clone(),
        protection: input.protect.as_ref().map(|owner| prepbook::model::Protection {
            owner_password: owner.clone(),
            user_password: input.user_password.clone(),
            allow_print: Some(!input.no_print),
            allow_copy: Some(input.allow_copy),
            allow_edit: Some(input.allow_edit),
        }),
    };
    draft.overlay(OrderDraft {
        order_id: input.order_id.clone(),
        resume: input.resume.clone().map(Source::File),
        job: input.job.clone().map(Source::File),
        company,
        role: input.role.clone(),
        level: input.level.clone(),
        interview_date: input.interview_date.clone(),
        hours_per_week: input.hours_per_week,
        today: input.today.clone(),
        delivery,
    });
    // The only wall-clock read: the CLI's default for `today`. Rendering
    // itself never looks at the clock.
    let now = time::OffsetDateTime::now_utc().date();
    let order = draft.resolve(now)?;
    Ok((engine, order))
}

fn render(args: RenderArgs) -> anyhow::Result<()> {
    let (engine, order) = load(&args.input)?;
    if args.timings.is_some() {
        prepbook::enable_timings();
    }
    let out = engine
        .render(&order, &RenderOptions { tagged: !args.no_tags, ..Default::default() })?;
    prepbook::write_atomic(&args.out, &out.pdf)?;
    if let Some(path) = &args.timings {
        let mut trace = Vec::new();
        prepbook::write_timings(&mut trace, &out.source, engine.templates.lib())
            .map_err(|e| anyhow::anyhow!("cannot write the timing trace: {e}"))?;
        prepbook::write_atomic(path, &trace)?;
    }
    if let Some(dir) = &args.emit_source {
        emit_source(&engine, dir, &out.source)?;
    }
    for w in &out.warnings {
        eprintln!("warning: {w}");
    }
    if args.input.json {
        let v = serde_json::json!({
            "out": args.out,
            "order_id": order.order_id,
            "pages": out.pages,
            "bytes": out.pdf.len(),
            "fit_score": out.analysis.fit.score,
            "timings_ms": out.timings,
        });
        writeln!(std::io::stdout(), "{v}")?;
    } else {
        eprintln!(
            "wrote {} ({} pages, {} bytes, fit {}/100)",
            args.out.display(),
            out.pages,
            out.pdf.len(),
            out.analysis.fit.score
        );
    }
    Ok(())
}

/// Writes a typst project that the typst CLI compiles into the same pages:
/// `typst compile --font-path DIR/fonts --ignore-system-fonts DIR/main.typ`.
fn emit_source(engine: &Engine, dir: &Path, main: &str) -> anyhow::Result<()> {
    std::fs::create_dir_all(dir.join("fonts"))?;
    std::fs::write(dir.join("main.typ"), main)?;
    std::fs::write(dir.join("lib.typ"), engine.templates.lib())?;
    for (name, bytes) in prepbook::embedded_fonts() {
        std::fs::write(dir.join("fonts").join(name), bytes)?;
    }
    Ok(())
}

fn validate(args: ValidateArgs) -> anyhow::Result<()> {
    let input = &args.input;
    let order_given = input.order.is_some() || input.resume.is_some();
    if !order_given {
        // Pack check for content authors.
        let engine =
            Engine::with_overrides(input.packs.as_deref(), input.templates.as_deref())?;
        let root = input
            .packs
            .as_deref()
            .map_or("packs".to_string(), |p| p.display().to_string());
        let diags = prepbook::check_packs(&engine.packs, &root);
        if input.json {
            println!(
                "{}",
                serde_json::json!({"ok": diags.is_empty(), "problems": diags})
            );
        }
        if diags.is_empty() {
            eprintln!(
                "packs ok: {} companies, {} roles, {} concepts",
                engine.packs.companies.len(),
                engine.packs.roles.len(),
                engine.packs.taxonomy.concepts.len()
            );
            return Ok(());
        }
        for d in &diags {
            eprintln!("{d}");
        }
        return Err(prepbook::Error::invalid(
            prepbook::Stage::Packs,
            format!("{} problems in the packs", diags.len()),
            Vec::new(),
        )
        .into());
    }
    let (engine, order) = load(input)?;
    let analysis = engine.validate(&order)?;
    if input.json {
        println!(
            "{}",
            serde_json::json!({
                "ok": true,
                "order_id": order.order_id,
                "fit_score": analysis.fit.score,
                "requirements": analysis.requirements.len(),
                "gaps": analysis.gaps.len(),
                "stories": analysis.stories.len(),
                "weeks": analysis.plan.weeks.len(),
            })
        );
    } else {
        eprintln!(
            "order {} is valid: fit {}/100, {} requirements, {} gaps, {} stories, {} weeks",
            order.order_id,
            analysis.fit.score,
            analysis.requirements.len(),
            analysis.gaps.len(),
            analysis.stories.len(),
            analysis.plan.weeks.len()
        );
    }
    Ok(())
}
