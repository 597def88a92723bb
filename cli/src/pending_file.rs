//! A file replaced only when everything written to it succeeded.
//!
//! The content goes to a temporary file with a unique name in the target's folder (so the
//! final rename stays on one file system); [`PendingFile::commit`] renames it over the target.
//! Dropping a pending file without committing it removes the temporary file, so no failure
//! leaves one behind. An existing target keeps its permissions; a symbolic link is followed
//! and its target replaced, so the link stays a link.

use std::fs::File;
use std::io::{BufWriter, Write};
use std::path::{Path, PathBuf};

use tempfile::NamedTempFile;

use crate::CliResult;

/// Most symbolic links followed from the given path, as the kernel's own limit (`ELOOP`).
const MAX_SYMLINK_HOPS: usize = 40;

/// Size of the write buffer in front of the temporary file.
const WRITE_BUFFER_BYTES: usize = 64 * 1024;

/// Mode of a new file before the umask, as `open(2)` with `O_CREAT` and `fopen` create it.
#[cfg(unix)]
const NEW_FILE_MODE: u32 = 0o666;

/// A temporary file that becomes `target` on [`PendingFile::commit`].
pub struct PendingFile {
    target: PathBuf,
    writer: BufWriter<NamedTempFile>,
}

/// The file `path` names once every symbolic link is followed (it may not exist yet).
fn resolve_links(path: &Path) -> CliResult<PathBuf> {
    let mut current = path.to_path_buf();
    for _ in 0..MAX_SYMLINK_HOPS {
        match std::fs::symlink_metadata(&current) {
            Ok(meta) if meta.file_type().is_symlink() => {
                let link = std::fs::read_link(&current)
                    .map_err(|e| format!("cannot read the link {}: {e}", current.display()))?;
                current = match current.parent() {
                    Some(dir) if link.is_relative() => dir.join(link),
                    _ => link,
                };
            }
            _ => return Ok(current),
        }
    }
    Err(format!("{}: too many levels of symbolic links", path.display()).into())
}

/// The folder a file named `path` is created in.
fn folder_of(path: &Path) -> &Path {
    match path.parent() {
        Some(dir) if !dir.as_os_str().is_empty() => dir,
        _ => Path::new("."),
    }
}

impl PendingFile {
    /// A temporary file beside the file `path` resolves to, with that file's permissions when
    /// it exists (else those of a new file under the umask).
    pub fn create(path: &Path) -> CliResult<PendingFile> {
        let target = resolve_links(path)?;
        let existing = std::fs::metadata(&target).ok();
        if existing.as_ref().is_some_and(|m| m.is_dir()) {
            return Err(format!("{} is a folder", path.display()).into());
        }
        let mut builder = tempfile::Builder::new();
        builder.prefix(".xspense-").suffix(".tmp");
        #[cfg(unix)]
        let new_mode =
            <std::fs::Permissions as std::os::unix::fs::PermissionsExt>::from_mode(NEW_FILE_MODE);
        #[cfg(unix)]
        builder.permissions(new_mode);
        let file = builder
            .tempfile_in(folder_of(&target))
            .map_err(|e| format!("cannot write beside {}: {e}", target.display()))?;
        if let Some(meta) = existing {
            file.as_file()
                .set_permissions(meta.permissions())
                .map_err(|e| format!("cannot keep the permissions of {}: {e}", path.display()))?;
        }
        Ok(PendingFile {
            target,
            writer: BufWriter::with_capacity(WRITE_BUFFER_BYTES, file),
        })
    }

    /// Where the content goes before the commit.
    pub fn writer(&mut self) -> &mut impl Write {
        &mut self.writer
    }

    /// Flushes and syncs the temporary file, so that what remains for [`PendingFile::commit`]
    /// is the rename.
    pub fn sync(&mut self) -> CliResult<()> {
        let fail =
            |e: &dyn std::fmt::Display| format!("cannot write {}: {e}", self.target.display());
        self.writer.flush().map_err(|e| fail(&e))?;
        File::sync_all(self.writer.get_ref().as_file()).map_err(|e| fail(&e))?;
        Ok(())
    }

    /// Flushes, syncs and renames the temporary file over the target.
    pub fn commit(self) -> CliResult<()> {
        let target = self.target;
        let fail = |e: &dyn std::fmt::Display| format!("cannot write {}: {e}", target.display());
        let file = self.writer.into_inner().map_err(|e| fail(e.error()))?;
        File::sync_all(file.as_file()).map_err(|e| fail(&e))?;
        file.persist(&target).map_err(|e| fail(&e.error))?;
        Ok(())
    }
}

/// Writes `bytes` to `path` through a [`PendingFile`].
pub fn write_atomically(path: &Path, bytes: &[u8]) -> CliResult<()> {
    let mut pending = PendingFile::create(path)?;
    pending
        .writer()
        .write_all(bytes)
        .map_err(|e| format!("cannot write {}: {e}", path.display()))?;
    pending.commit()
}
