//! Error types and their exit codes.

use std::fmt;

/// Where in the input something went wrong, and what.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct InputError {
    /// File name as given (or `<stdin>`, `<embedded reference scenario>`).
    pub file: String,
    /// 1-based line, 0 when unknown.
    pub line: u64,
    /// 1-based column, 0 when unknown.
    pub column: u64,
    /// The object, e.g. `HorizontalPodAutoscaler default/api`, when known.
    pub object: Option<String>,
    /// The field path, e.g. `spec.maxReplicas`, when known.
    pub field: Option<String>,
    /// What is wrong.
    pub message: String,
}

impl InputError {
    /// An error about a whole file.
    pub fn file(file: &str, message: impl Into<String>) -> Self {
        InputError {
            file: file.to_string(),
            line: 0,
            column: 0,
            object: None,
            field: None,
            message: message.into(),
        }
    }
}

impl fmt::Display for InputError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}", self.file)?;
        if self.line > 0 {
            write!(f, ":{}", self.line)?;
            if self.column > 0 {
                write!(f, ":{}", self.column)?;
            }
        }
        write!(f, ": ")?;
        if let Some(o) = &self.object {
            write!(f, "{o}: ")?;
        }
        if let Some(field) = &self.field {
            write!(f, "field `{field}`: ")?;
        }
        write!(f, "{}", self.message)
    }
}

impl std::error::Error for InputError {}

/// Every error ksim reports.
#[derive(Debug, thiserror::Error)]
pub enum Error {
    /// Bad input: exit status 2.
    #[error("{0}")]
    Input(Box<InputError>),
    /// A run refused by a resource guard: exit status 2.
    #[error("{0}")]
    Budget(String),
    /// An I/O failure writing results: exit status 1.
    #[error("{context}: {source}")]
    Io {
        /// What was being done.
        context: String,
        /// The underlying error.
        source: std::io::Error,
    },
    /// An internal invariant failed: exit status 1.
    #[error("internal error: {0}")]
    Internal(String),
}

impl From<InputError> for Error {
    fn from(e: InputError) -> Self {
        Error::Input(Box::new(e))
    }
}

impl Error {
    /// The process exit status for this error: 2 for bad input and refused runs, 1 otherwise.
    pub fn exit_code(&self) -> i32 {
        match self {
            Error::Input(_) | Error::Budget(_) => 2,
            Error::Io { .. } | Error::Internal(_) => 1,
        }
    }

    /// Wraps an I/O error with context.
    pub fn io(context: impl Into<String>, source: std::io::Error) -> Self {
        Error::Io {
            context: context.into(),
            source,
        }
    }
}

/// Result alias.
pub type Result<T, E = Error> = std::result::Result<T, E>;
