//! Protection: AES-256 encryption (PDF 2.0 security handler, revision 6)
//! with permissions, applied by lopdf after preflight.

use std::collections::BTreeMap;
use std::sync::Arc;

use lopdf::encryption::crypt_filters::{Aes256CryptFilter, CryptFilter};
use lopdf::{Document, EncryptionState, EncryptionVersion, Permissions};

use crate::error::{Error, ErrorKind, Result, Stage};
use crate::model::Protection;

/// Encrypts `pdf` with the owner password (all permissions) and an
/// optional user password (needed to open the file at all). Printing is
/// allowed unless turned off; copying and editing only when allowed.
///
/// The file key is derived from the passwords and the unencrypted bytes
/// rather than drawn at random, so it cannot be predicted without the
/// content; AES initialisation vectors are still random, so protected
/// files are not byte-for-byte reproducible.
pub fn protect(pdf: &[u8], p: &Protection) -> Result<Vec<u8>> {
    let failed = |what: &str, e: &dyn std::fmt::Display| {
        Error::new(
            ErrorKind::Render,
            Stage::Pdf,
            format!("protection failed: {what} ({e})"),
        )
    };
    let mut doc =
        Document::load_mem(pdf).map_err(|e| failed("cannot read the pdf", &e))?;
    // Assistive technology may always extract text (PDF 2.0 requires it).
    let mut perms = Permissions::COPYABLE_FOR_ACCESSIBILITY;
    if p.allow_print.unwrap_or(true) {
        perms |= Permissions::PRINTABLE | Permissions::PRINTABLE_IN_HIGH_QUALITY;
    }
    if p.allow_copy.unwrap_or(false) {
        perms |= Permissions::COPYABLE;
    }
    if p.allow_edit.unwrap_or(false) {
        perms |= Permissions::MODIFIABLE
            | Permissions::ANNOTABLE
            | Permissions::FILLABLE
            | Permissions::ASSEMBLABLE;
    }
    let mut material = blake3::Hasher::new();
    material.update(p.owner_password.as_bytes());
    material.update(&[0]);
    material.update(p.user_password.as_deref().unwrap_or("").as_bytes());
    material.update(&[0]);
    material.update(pdf);
    let key = blake3::derive_key(
        "prepbook pdf file encryption key v1",
        material.finalize().as_bytes(),
    );
    let filter: Arc<dyn CryptFilter> = Arc::new(Aes256CryptFilter);
    let state = EncryptionState::try_from(EncryptionVersion::V5 {
        encrypt_metadata: true,
        crypt_filters: BTreeMap::from([(b"StdCF".to_vec(), filter)]),
        file_encryption_key: &key,
        stream_filter: b"StdCF".to_vec(),
        string_filter: b"StdCF".to_vec(),
        owner_password: &p.owner_password,
        user_password: p.user_password.as_deref().unwrap_or(""),
        permissions: perms,
    })
    .map_err(|e| failed("cannot set up AES-256", &e))?;
    doc.encrypt(&state).map_err(|e| failed("cannot encrypt", &e))?;
    let mut out = Vec::new();
    doc.save_to(&mut out).map_err(|e| failed("cannot write", &e))?;
    Ok(out)
}
