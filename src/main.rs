//! The `prepbook` command line: argument parsing ([`cli`]) and output,
//! nothing else; every step is a library call.
//! Exit codes: 0 success, 1 invalid input (or some orders of a batch
//! failed), 2 usage error, 3 internal failure.

mod cli;

use std::io::Write;
use std::process::ExitCode;

use clap::Parser;
use cli::{
    BatchArgs, Cli, Command, ImportArgs, InputArgs, InspectArgs, PaydataCommand,
    PaydataCoverageArgs, PaydataImportArgs, PreviewArgs, RenderArgs,
};
use prepbook::batch::{BatchOptions, ChildCommand, Status, Workers};
use prepbook::{Engine, Order, ReadOptions, RenderOptions};

/// How a command that ran to its end went.
enum Outcome {
    /// Everything it was asked to do is done.
    Done,
    /// It finished, but some of the work failed (a batch with failed
    /// orders): exit 1, the rest is written.
    Partial,
}

fn main() -> ExitCode {
    let cli = Cli::parse();
    let json = match &cli.command {
        Command::Render(a) => a.input.json,
        Command::Validate(a) => a.input.json,
        Command::Analyze(a) => a.input.json,
        Command::Preview(a) => a.input.json,
        Command::Inspect(a) => a.json,
        Command::Batch(a) => a.json,
        #[cfg(feature = "service")]
        Command::Serve(_) | Command::Worker(_) => false,
        Command::Paydata(PaydataCommand::Import(a)) => a.json,
        Command::Paydata(PaydataCommand::Coverage(a)) => a.json,
        Command::Import(_) => false,
    };
    let result = match cli.command {
        Command::Render(args) => render(args),
        Command::Validate(args) => validate(args.input),
        Command::Analyze(args) => analyze(&args.input),
        Command::Preview(args) => preview(args),
        Command::Inspect(args) => inspect(args),
        Command::Batch(args) => batch(args),
        #[cfg(feature = "service")]
        Command::Serve(args) => {
            let opts = args.serve_options();
            run_service(|stop| prepbook::service::serve(opts, stop))
        }
        #[cfg(feature = "service")]
        Command::Worker(args) => {
            let mut opts = args.queue.worker_options(args.workers);
            opts.listen = args.listen;
            run_service(|stop| prepbook::service::run_worker(opts, stop))
        }
        Command::Paydata(PaydataCommand::Import(args)) => paydata_import(args),
        Command::Paydata(PaydataCommand::Coverage(args)) => paydata_coverage(args),
        Command::Import(args) => import(&args),
    };
    match result {
        Ok(Outcome::Done) => ExitCode::SUCCESS,
        Ok(Outcome::Partial) => ExitCode::from(1),
        Err(err) => report(&err, json),
    }
}

/// Prints an error once: a library error as `error[stage]: message` with
/// its cause and located diagnostics (its `Display`), anything else with
/// each cause that its message does not already contain. A closed pipe
/// (`prepbook … | head`) is not a failure.
fn report(err: &anyhow::Error, json: bool) -> ExitCode {
    let broken_pipe = err.chain().any(|e| {
        e.downcast_ref::<std::io::Error>()
            .is_some_and(|io| io.kind() == std::io::ErrorKind::BrokenPipe)
    });
    if broken_pipe {
        return ExitCode::SUCCESS;
    }
    let lib = err.downcast_ref::<prepbook::Error>();
    if json {
        let body = lib.map_or_else(
            || serde_json::json!({"message": format!("{err:#}")}),
            |e| e.to_json(),
        );
        println!("{}", serde_json::json!({ "error": body }));
    }
    match lib {
        Some(e) => eprintln!("error[{}]: {e}", e.stage()),
        None => {
            let mut said = err.to_string();
            eprintln!("error: {said}");
            for cause in err.chain().skip(1).map(|c| c.to_string()) {
                if !said.contains(&cause) {
                    eprintln!("  caused by: {cause}");
                    said.push_str(&cause);
                }
            }
        }
    }
    match lib.map(prepbook::Error::kind) {
        Some(prepbook::ErrorKind::InvalidInput) => ExitCode::from(1),
        _ => ExitCode::from(3),
    }
}

/// The engine and the order the flags describe. The only wall-clock read:
/// the CLI's default for `today`; rendering never looks at the clock.
fn load(input: &InputArgs) -> anyhow::Result<(Engine, Order)> {
    let mut engine =
        Engine::with_overrides(input.packs.as_deref(), input.templates.as_deref())?;
    let read = ReadOptions {
        today: Some(time::OffsetDateTime::now_utc().date()),
        roles: Some(engine.packs.roles.keys().cloned().collect()),
        ..ReadOptions::default()
    };
    let order = engine.read_order(&input.flags(), &read)?;
    Ok((engine, order))
}

fn render(args: RenderArgs) -> anyhow::Result<Outcome> {
    let (engine, order) = load(&args.input)?;
    if args.timings.is_some() {
        prepbook::enable_timings();
    }
    let opts = RenderOptions { tagged: !args.no_tags, ..Default::default() };
    let out = engine.render(&order, &opts)?;
    prepbook::write_atomic(&args.out, &out.pdf)?;
    if let Some(path) = &args.timings {
        let mut trace = Vec::new();
        prepbook::write_timings(&mut trace, &out.source, engine.templates.lib())
            .map_err(|e| anyhow::anyhow!("cannot write the timing trace ({e})"))?;
        prepbook::write_atomic(path, &trace)?;
    }
    if let Some(dir) = &args.emit_source {
        prepbook::layout::write_project(dir, &out.source, engine.templates.lib())?;
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
    Ok(Outcome::Done)
}

fn preview(args: PreviewArgs) -> anyhow::Result<Outcome> {
    let (engine, order) = load(&args.input)?;
    let p = engine.preview(&order, args.page, args.scale)?;
    prepbook::write_atomic(&args.out, &p.png)?;
    let (out, page) = (&args.out, args.page);
    if args.input.json {
        let v = serde_json::json!({
            "out": out, "page": page, "pages": p.pages, "width": p.width, "height": p.height,
        });
        writeln!(std::io::stdout(), "{v}")?;
    } else {
        let (pages, w, h) = (p.pages, p.width, p.height);
        eprintln!("wrote {} (page {page} of {pages}, {w}×{h} px)", out.display());
    }
    Ok(Outcome::Done)
}

fn validate(input: InputArgs) -> anyhow::Result<Outcome> {
    if input.order.is_none() && input.resume.is_none() {
        return validate_packs(&input);
    }
    let (engine, order) = load(&input)?;
    let a = engine.validate(&order)?;
    let (fit, reqs, gaps) = (a.fit.score, a.requirements.len(), a.gaps.len());
    let (stories, weeks) = (a.stories.len(), a.plan.weeks.len());
    if input.json {
        let v = serde_json::json!({
            "ok": true, "order_id": order.order_id, "fit_score": fit, "requirements": reqs,
            "gaps": gaps, "stories": stories, "weeks": weeks,
        });
        println!("{v}");
    } else {
        eprintln!(
            "order {} is valid: fit {fit}/100, {reqs} requirements, {gaps} gaps, \
             {stories} stories, {weeks} weeks",
            order.order_id
        );
    }
    Ok(Outcome::Done)
}

/// `analyze`: the analysis the playbook is written from.
fn analyze(input: &InputArgs) -> anyhow::Result<Outcome> {
    let (engine, order) = load(input)?;
    let analysis = engine.validate(&order)?;
    let mut out = std::io::stdout().lock();
    if input.json {
        writeln!(out, "{}", serde_json::to_string_pretty(&analysis)?)?;
    } else {
        write!(out, "{analysis}")?;
    }
    Ok(Outcome::Done)
}

/// The pack check for content authors (`validate` with only `--packs`).
fn validate_packs(input: &InputArgs) -> anyhow::Result<Outcome> {
    let engine =
        Engine::with_overrides(input.packs.as_deref(), input.templates.as_deref())?;
    let root = input.packs.as_deref().map_or("packs".into(), |p| p.display().to_string());
    let diags = prepbook::check_packs(&engine.packs, &root);
    if input.json {
        println!("{}", serde_json::json!({"ok": diags.is_empty(), "problems": diags}));
    }
    if diags.is_empty() {
        let p = &engine.packs;
        let (companies, roles) = (p.companies.len(), p.roles.len());
        let concepts = p.taxonomy.concepts.len();
        eprintln!("packs ok: {companies} companies, {roles} roles, {concepts} concepts");
        return Ok(Outcome::Done);
    }
    Err(prepbook::Error::invalid(
        prepbook::Stage::Packs,
        format!("{} problems in the packs", diags.len()),
        diags,
    )
    .into())
}

fn inspect(args: InspectArgs) -> anyhow::Result<Outcome> {
    let bytes = std::fs::read(&args.file)
        .map_err(|e| prepbook::Error::io(prepbook::Stage::Input, &args.file, e))?;
    let i = prepbook::pdf::inspect(&bytes, args.password.as_deref())?;
    let mut out = std::io::stdout().lock();
    if args.json {
        writeln!(out, "{}", serde_json::to_string_pretty(&i)?)?;
    } else {
        write!(out, "file:       {}\n{i}", args.file.display())?;
    }
    Ok(Outcome::Done)
}

fn batch(args: BatchArgs) -> anyhow::Result<Outcome> {
    let (packs, templates) = (args.packs.clone(), args.templates.clone());
    let engine = Engine::with_overrides(packs.as_deref(), templates.as_deref())?;
    std::fs::create_dir_all(&args.out)
        .map_err(|e| prepbook::Error::io(prepbook::Stage::Output, &args.out, e))?;
    let workers = if args.threads || args.worker {
        Workers::Threads
    } else {
        Workers::Processes(ChildCommand {
            exe: std::env::current_exe()?,
            packs,
            templates,
        })
    };
    let opts = BatchOptions {
        jobs: args.jobs,
        workers,
        force: args.force,
        fail_fast: args.fail_fast,
        cache_age: args.cache_age,
        allow_paths: args.allow_path.clone(),
        progress: true,
        // The only clock read: the default "today" for orders without one.
        today: args.today.unwrap_or_else(|| time::OffsetDateTime::now_utc().date()),
    };
    if args.worker {
        prepbook::batch::run_child(&engine, &args.manifest, &args.out, &opts)?;
        return Ok(Outcome::Done);
    }
    let s = prepbook::batch::run(&engine, &args.manifest, &args.out, &opts)?;
    if args.json {
        writeln!(std::io::stdout(), "{}", serde_json::to_string(&s)?)?;
    }
    let not_started = match s.not_started {
        0 => String::new(),
        n => format!(", {n} not started"),
    };
    eprintln!(
        "{} orders: {} rendered, {} up to date, {} failed{not_started} in {:.1} s \
         ({} reports/s, -j{}, peak {} MiB)",
        s.total,
        s.rendered,
        s.skipped,
        s.failed,
        s.elapsed_ms / 1000.0,
        s.reports_per_second,
        s.jobs,
        s.peak_rss_mib.unwrap_or(0.0),
    );
    for o in s.orders.iter().filter(|o| o.status == Status::Failed) {
        let msg = o.error.as_ref().and_then(|e| e["message"].as_str()).unwrap_or("");
        eprintln!("failed: line {} {}: {msg}", o.line, o.id.as_deref().unwrap_or("?"));
    }
    Ok(if s.failed > 0 { Outcome::Partial } else { Outcome::Done })
}

#[cfg(feature = "service")]
/// Runs a service future on a multi-threaded runtime, with logs on stderr
/// and SIGTERM/SIGINT wired to graceful shutdown.
fn run_service<F, Fut>(f: F) -> anyhow::Result<Outcome>
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
    Ok(Outcome::Done)
}

/// `import`: a resume document into JSON Resume on stdout.
fn import(args: &ImportArgs) -> anyhow::Result<Outcome> {
    use prepbook::{Diagnostic, Error, Stage};
    let shown = args.file.display().to_string();
    let limits = prepbook::ImportLimits::default();
    let refuse = |m: String| {
        Error::invalid(
            Stage::Input,
            "cannot import the resume",
            vec![Diagnostic::new(m).in_file(&shown)],
        )
    };
    let size = std::fs::metadata(&args.file)
        .map_err(|e| Error::io(Stage::Input, &args.file, e))?
        .len();
    if size > limits.max_bytes {
        return Err(refuse(format!(
            "the file is {size} bytes; at most {} bytes are imported",
            limits.max_bytes
        ))
        .into());
    }
    let bytes =
        std::fs::read(&args.file).map_err(|e| Error::io(Stage::Input, &args.file, e))?;
    if prepbook::import::is_json(&bytes) {
        return Err(refuse(
            "the file is already JSON; render, validate and analyze read JSON Resume as it is"
                .into(),
        )
        .into());
    }
    let mut imported =
        prepbook::import::import(&bytes, &limits).map_err(|e| refuse(e.to_string()))?;
    let report = imported.resume["meta"]["prepbook"]["import"].clone();
    if args.no_report
        && let Some(doc) = imported.resume.as_object_mut()
    {
        doc.remove("meta");
    }
    let mut out = std::io::stdout().lock();
    writeln!(out, "{}", serde_json::to_string_pretty(&imported.resume)?)?;
    if !args.no_report {
        let count = |k: &str| report[k].as_array().map_or(0, Vec::len);
        let uncertain = report["entries"].as_array().map_or(0, |e| {
            e.iter()
                .filter(|e| e["uncertain"].as_array().is_some_and(|u| !u.is_empty()))
                .count()
        });
        eprintln!(
            "imported {shown} ({}): {} sections, {} entries ({uncertain} with guessed fields), \
             {} lines unplaced; see meta.prepbook.import",
            imported.kind.name(),
            count("sections"),
            count("entries"),
            count("unplaced"),
        );
    }
    Ok(Outcome::Done)
}

fn paydata_import(args: PaydataImportArgs) -> anyhow::Result<Outcome> {
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
    Ok(Outcome::Done)
}

fn paydata_coverage(args: PaydataCoverageArgs) -> anyhow::Result<Outcome> {
    let packs = match &args.packs {
        Some(dir) => prepbook::Packs::from_dir(dir)?,
        None => prepbook::Packs::embedded()?,
    };
    let cells = packs.pay.cells();
    let mut out = std::io::stdout().lock();
    if args.json {
        writeln!(out, "{}", serde_json::to_string_pretty(cells)?)?;
        return Ok(Outcome::Done);
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
    Ok(Outcome::Done)
}
