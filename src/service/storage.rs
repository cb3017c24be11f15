//! Where finished PDFs (and cached page previews) live: a local directory.
//!
//! Keys are deterministic — `ORDER_ID/JOB_ID.pdf` — and every write is
//! atomic (temporary file, sync, rename), so a rerun of the same job after
//! a crash replaces the file instead of leaving a second copy, and a reader
//! never sees half a PDF. Several machines share results by mounting the
//! same directory (see README, "Worker service"); an object store would
//! implement the same three operations.

use std::path::{Path, PathBuf};

use super::error::ServiceError;

/// A directory of playbooks.
#[derive(Debug, Clone)]
pub(crate) struct Storage {
    root: PathBuf,
}

impl Storage {
    /// Uses `root`, creating it if needed.
    pub(crate) fn open(root: &Path) -> Result<Self, ServiceError> {
        std::fs::create_dir_all(root).map_err(|e| {
            ServiceError::Config(format!(
                "cannot create storage {} ({e})",
                root.display()
            ))
        })?;
        Ok(Self { root: root.to_path_buf() })
    }

    /// The key of a job's PDF. Both parts are restricted to a safe alphabet
    /// (order ids by the input model, job ids by the service), so a key
    /// never leaves the storage directory.
    pub(crate) fn pdf_key(order_id: &str, job_id: &str) -> String {
        format!("{order_id}/{job_id}.pdf")
    }

    /// The key of a cached page preview.
    pub(crate) fn png_key(
        order_id: &str,
        job_id: &str,
        page: usize,
        scale: f32,
    ) -> String {
        format!("{order_id}/{job_id}.p{page}@{scale}.png")
    }

    fn path(&self, key: &str) -> Result<PathBuf, ServiceError> {
        let safe = !key.is_empty()
            && key.split('/').all(|part| {
                !part.is_empty()
                    && !part.starts_with('.')
                    && part
                        .bytes()
                        .all(|b| b.is_ascii_alphanumeric() || b"-_.@".contains(&b))
            });
        if !safe {
            return Err(ServiceError::Corrupt(format!("unsafe storage key {key:?}")));
        }
        Ok(self.root.join(key))
    }

    /// Writes `bytes` under `key` atomically, replacing what was there.
    /// Blocking: call it off the async runtime.
    pub(crate) fn put(&self, key: &str, bytes: &[u8]) -> Result<(), ServiceError> {
        let path = self.path(key)?;
        if let Some(dir) = path.parent() {
            std::fs::create_dir_all(dir).map_err(ServiceError::Io)?;
        }
        crate::write_atomic(&path, bytes).map_err(ServiceError::Engine)
    }

    /// Removes every object of one job (its PDF and page previews), and
    /// the order's folder once it is empty. Blocking.
    pub(crate) fn remove_job(
        &self,
        order_id: &str,
        job_id: &str,
    ) -> Result<(), ServiceError> {
        let dir = self.path(order_id)?;
        // The job id is checked as a key part, so the prefix cannot
        // match another job's files (ids have a fixed length).
        self.path(&Storage::pdf_key(order_id, job_id))?;
        let entries = match std::fs::read_dir(&dir) {
            Ok(e) => e,
            Err(e) if e.kind() == std::io::ErrorKind::NotFound => return Ok(()),
            Err(e) => return Err(ServiceError::Io(e)),
        };
        let prefix = format!("{job_id}.");
        for entry in entries.flatten() {
            if entry.file_name().to_str().is_some_and(|n| n.starts_with(&prefix)) {
                std::fs::remove_file(entry.path()).map_err(ServiceError::Io)?;
            }
        }
        // Fails harmlessly while other jobs of the order remain.
        let _ = std::fs::remove_dir(&dir);
        Ok(())
    }

    /// Reads `key`; `None` when there is no such object. Blocking.
    pub(crate) fn get(&self, key: &str) -> Result<Option<Vec<u8>>, ServiceError> {
        match std::fs::read(self.path(key)?) {
            Ok(bytes) => Ok(Some(bytes)),
            Err(e) if e.kind() == std::io::ErrorKind::NotFound => Ok(None),
            Err(e) => Err(ServiceError::Io(e)),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::Storage;

    #[test]
    fn rewriting_a_key_leaves_one_file() {
        let dir = tempfile::tempdir().unwrap();
        let s = Storage::open(dir.path()).unwrap();
        let key = Storage::pdf_key("A-1", "j1");
        s.put(&key, b"one").unwrap();
        s.put(&key, b"two").unwrap();
        assert_eq!(s.get(&key).unwrap().unwrap(), b"two");
        let files: Vec<_> = std::fs::read_dir(dir.path().join("A-1")).unwrap().collect();
        assert_eq!(files.len(), 1, "no temporary files or second copies remain");
        assert!(s.get("A-1/missing.pdf").unwrap().is_none());
    }

    #[test]
    fn keys_cannot_escape_the_directory() {
        let dir = tempfile::tempdir().unwrap();
        let s = Storage::open(dir.path()).unwrap();
        for key in ["../x.pdf", "/etc/passwd", "a//b", ".hidden/x", "a/../../b", ""] {
            assert!(s.put(key, b"x").is_err(), "{key:?} was accepted");
        }
    }
}
