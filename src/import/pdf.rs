//! Placeholder for the PDF reader (branch `pdf`), replaced on merge.

use super::{Budget, ImportError, ImportLimits, Line};

/// The lines of a PDF in reading order.
pub(crate) fn read(
    _bytes: &[u8],
    _limits: &ImportLimits,
    _budget: &mut Budget,
) -> Result<Vec<Line>, ImportError> {
    Err(ImportError::Unsupported("a PDF (the PDF reader is not built yet)".into()))
}
