//! Turning `-f` arguments into the list of inputs to read.

use std::fs;
use std::path::{Path, PathBuf};

use super::LoadError;

/// One input to read: a file or standard input.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) enum Input {
    /// A file, named as the user named it (directory entries joined onto the directory).
    File(PathBuf),
    /// Standard input (`-`).
    Stdin,
}

/// Whether a file found inside a directory is read: `.yaml`, `.yml` or `.json`.
pub(crate) fn has_manifest_extension(path: &Path) -> bool {
    path.extension()
        .and_then(|e| e.to_str())
        .map(|e| {
            let e = e.to_ascii_lowercase();
            e == "yaml" || e == "yml" || e == "json"
        })
        .unwrap_or(false)
}

/// Expands one argument. A named file is read whatever its extension; a directory is read
/// recursively, keeping only manifest files, sorted by path. Directories reached through a
/// symbolic link are not entered, so a link cycle cannot loop.
pub(crate) fn expand(arg: &Path, inputs: &mut Vec<Input>, errors: &mut Vec<LoadError>) {
    if arg.as_os_str() == "-" {
        inputs.push(Input::Stdin);
        return;
    }
    match fs::metadata(arg) {
        Err(error) => errors.push(LoadError::Read {
            path: arg.display().to_string(),
            message: error.to_string(),
        }),
        Ok(meta) if meta.is_dir() => {
            let mut files = Vec::new();
            walk(arg, &mut files, errors);
            files.sort();
            inputs.extend(files.into_iter().map(Input::File));
        }
        Ok(_) => inputs.push(Input::File(arg.to_path_buf())),
    }
}

fn walk(dir: &Path, files: &mut Vec<PathBuf>, errors: &mut Vec<LoadError>) {
    let entries = match fs::read_dir(dir) {
        Ok(entries) => entries,
        Err(error) => {
            errors.push(LoadError::Read {
                path: dir.display().to_string(),
                message: error.to_string(),
            });
            return;
        }
    };
    for entry in entries {
        let entry = match entry {
            Ok(entry) => entry,
            Err(error) => {
                errors.push(LoadError::Read {
                    path: dir.display().to_string(),
                    message: error.to_string(),
                });
                continue;
            }
        };
        let path = entry.path();
        let Ok(file_type) = entry.file_type() else {
            continue;
        };
        if file_type.is_dir() {
            walk(&path, files, errors);
        } else if has_manifest_extension(&path) {
            // Symbolic links to files are read; links to directories are skipped.
            if file_type.is_symlink() && fs::metadata(&path).map(|m| m.is_dir()).unwrap_or(false) {
                continue;
            }
            files.push(path);
        }
    }
}
