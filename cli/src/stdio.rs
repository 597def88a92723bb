//! Standard output and standard error without panics.
//!
//! A reader that stops early (`xspense eval FILE | head -1`) closes the pipe; the next write
//! fails with `BrokenPipe` (Rust ignores SIGPIPE, so the process is not killed by it). The
//! command then ends with [`CliError::OutputClosed`]: `main` exits with status 0 and prints
//! nothing, because the reader has what it asked for. Messages to standard error never fail
//! a command: when standard error is closed too there is nobody left to tell.

use std::fmt;
use std::io::{self, Write};

/// Why a command stopped early.
#[derive(Debug)]
pub enum CliError {
    /// Something went wrong; `main` prints it and exits with status 2.
    Failed(String),
    /// Standard output was closed by its reader; `main` exits with status 0, silently.
    OutputClosed,
}

impl fmt::Display for CliError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            CliError::Failed(message) => f.write_str(message),
            CliError::OutputClosed => f.write_str("standard output was closed"),
        }
    }
}

impl From<String> for CliError {
    fn from(message: String) -> Self {
        CliError::Failed(message)
    }
}

impl From<&str> for CliError {
    fn from(message: &str) -> Self {
        CliError::Failed(message.to_string())
    }
}

/// The error of a failed write to standard output (or to a stream that may be it): a closed
/// pipe ends the command quietly, anything else is reported as `what failed: error`.
pub fn write_error(what: &str, e: &io::Error) -> CliError {
    if e.kind() == io::ErrorKind::BrokenPipe {
        CliError::OutputClosed
    } else {
        CliError::Failed(format!("{what}: {e}"))
    }
}

/// Standard output for reports. `writeln!(out, ...)` returns a [`crate::CliResult`], so `?`
/// ends the command quietly when the reader has gone.
pub struct Stdout(io::StdoutLock<'static>);

impl Stdout {
    /// Locks standard output for the life of the value.
    pub fn lock() -> Stdout {
        Stdout(io::stdout().lock())
    }

    /// What `write!` and `writeln!` call.
    pub fn write_fmt(&mut self, args: fmt::Arguments<'_>) -> Result<(), CliError> {
        io::Write::write_fmt(&mut self.0, args)
            .map_err(|e| write_error("cannot write to standard output", &e))
    }

    /// Flushes what is buffered.
    pub fn flush(&mut self) -> Result<(), CliError> {
        self.0
            .flush()
            .map_err(|e| write_error("cannot write to standard output", &e))
    }
}

/// Writes a message line to standard error, ignoring a closed or failing stream.
pub fn write_note(args: fmt::Arguments<'_>) {
    let mut err = io::stderr().lock();
    let _ = err.write_fmt(args).and_then(|()| err.write_all(b"\n"));
}

/// `note!("...", args)`: [`write_note`] with `format!` arguments.
macro_rules! note {
    ($($arg:tt)*) => {
        $crate::stdio::write_note(format_args!($($arg)*))
    };
}
pub(crate) use note;
