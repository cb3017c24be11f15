//! The service's error type, shared by every part of it.

use std::fmt;

/// Why the service could not start or go on.
#[derive(Debug)]
#[non_exhaustive]
pub enum ServiceError {
    /// A setting is wrong (address, database URL, storage directory).
    Config(String),
    /// The queue database failed.
    Database(sqlx::Error),
    /// A file or socket failed.
    Io(std::io::Error),
    /// The render engine failed to load or to run.
    Engine(crate::Error),
    /// Stored data is not what this version wrote.
    Corrupt(String),
}

impl fmt::Display for ServiceError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            ServiceError::Config(m) => write!(f, "invalid configuration ({m})"),
            ServiceError::Database(e) => write!(f, "queue database failed ({e})"),
            ServiceError::Io(e) => write!(f, "i/o failed ({e})"),
            ServiceError::Engine(e) => write!(f, "render engine failed ({e})"),
            ServiceError::Corrupt(m) => write!(f, "unexpected stored data ({m})"),
        }
    }
}

impl std::error::Error for ServiceError {
    fn source(&self) -> Option<&(dyn std::error::Error + 'static)> {
        match self {
            ServiceError::Database(e) => Some(e),
            ServiceError::Io(e) => Some(e),
            ServiceError::Engine(e) => Some(e),
            _ => None,
        }
    }
}

impl From<sqlx::Error> for ServiceError {
    fn from(e: sqlx::Error) -> Self {
        ServiceError::Database(e)
    }
}

impl From<std::io::Error> for ServiceError {
    fn from(e: std::io::Error) -> Self {
        ServiceError::Io(e)
    }
}
