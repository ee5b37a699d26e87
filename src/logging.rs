//! Log setup shared by the window and the CLI: `RUST_LOG` filters, output
//! goes to stderr. Secrets never reach a log call in the first place.

pub fn init() {
    let mut filter = tracing_subscriber::EnvFilter::try_from_default_env()
        .unwrap_or_else(|_| tracing_subscriber::EnvFilter::new("warn"));
    // async-imap traces every command and response: server replies carry
    // mail content, which has no place in a log at any level.
    if let Ok(directive) = "async_imap=info".parse() {
        filter = filter.add_directive(directive);
    }
    // Ignore "already set": tests and the GUI may call this more than once.
    let _ = tracing_subscriber::fmt()
        .with_env_filter(filter)
        .with_writer(std::io::stderr)
        .try_init();
}
