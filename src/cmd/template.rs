//! `scorecard template`: write blank returns for officers to fill in.

use std::path::{Path, PathBuf};

use anyhow::Context;

use crate::blank;
use crate::cli::{TemplateArgs, EXIT_OK};
use crate::config::Templates;
use crate::output::write_atomic;
use crate::validate::nearest;

/// Writes one blank return, or one per service. Returns the exit code.
pub fn execute(args: &TemplateArgs) -> anyhow::Result<u8> {
    let templates = Templates::load(&args.templates)?;
    let services: Vec<_> = match &args.service {
        Some(name) => {
            let Some(s) = templates.service(name) else {
                let names: Vec<&str> = templates.services.iter().map(|s| s.name.as_str()).collect();
                let hint = nearest(name, &names)
                    .map(|n| format!(" Did you mean \"{n}\"?"))
                    .unwrap_or_default();
                anyhow::bail!(
                    "\"{name}\" is not a service in {}.{hint} The services are: {}.",
                    args.templates.join("services.toml").display(),
                    names.join(", ")
                );
            };
            vec![s]
        }
        None => templates.services.iter().collect(),
    };
    let suffix = args
        .period
        .map(|p| format!(" {}", p.id()))
        .unwrap_or_default();
    let target = target(args.output.as_deref(), args.service.is_some())?;
    for service in services {
        let path = match &target {
            Target::File(file) => file.clone(),
            Target::Folder(dir) => dir.join(format!("{} return{suffix}.xlsx", service.code)),
        };
        let bytes = blank::blank_return(&templates, service, args.period, None)
            .with_context(|| format!("making the blank return for {}", service.name))?;
        write_atomic(&path, &bytes)?;
        println!("wrote {} ({})", path.display(), service.name);
    }
    Ok(EXIT_OK)
}

/// Where `-o` sends the blank returns.
#[derive(Debug, PartialEq, Eq)]
enum Target {
    /// One file, named by the user.
    File(PathBuf),
    /// A folder, each return named "<code> return <period>.xlsx" in it.
    Folder(PathBuf),
}

/// Reads `-o FILE_OR_DIR` as a user would mean it: an existing folder, a
/// path ending in `/`, or a name without an extension is a folder (made
/// if needed); a name ending `.xlsx` is the file to write (`--service`
/// only, as `--all` writes several).
fn target(output: Option<&Path>, one_service: bool) -> anyhow::Result<Target> {
    let Some(path) = output else {
        return Ok(Target::Folder(PathBuf::from(".")));
    };
    let text = path.as_os_str().to_string_lossy();
    let trailing_slash = text.ends_with('/') || text.ends_with(std::path::MAIN_SEPARATOR);
    if path.is_dir() || trailing_slash {
        return Ok(Target::Folder(path.to_path_buf()));
    }
    let extension = path.extension().map(|e| e.to_string_lossy().to_lowercase());
    match extension.as_deref() {
        None => Ok(Target::Folder(path.to_path_buf())),
        Some("xlsx") if one_service => Ok(Target::File(path.to_path_buf())),
        Some("xlsx") => anyhow::bail!(
            "-o {} names a file, but --all writes one return per service: name a folder instead (it is made if it does not exist)",
            path.display()
        ),
        Some(other) => anyhow::bail!(
            "-o {} ends .{other}, but a blank return is an Excel workbook (.xlsx): name the file with .xlsx, or name a folder",
            path.display()
        ),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn output_is_read_as_a_user_means_it() {
        let dir = tempfile::tempdir().unwrap();
        let existing = dir.path().to_path_buf();
        assert_eq!(
            target(Some(&existing), true).unwrap(),
            Target::Folder(existing.clone())
        );
        let slash = PathBuf::from(format!("{}/", existing.display()));
        assert_eq!(
            target(Some(&slash), true).unwrap(),
            Target::Folder(slash.clone())
        );
        let new_folder = existing.join("returns/");
        assert!(matches!(
            target(Some(&new_folder), true),
            Ok(Target::Folder(_))
        ));
        assert!(matches!(
            target(Some(Path::new("returns")), false),
            Ok(Target::Folder(_))
        ));
        let file = existing.join("LC.xlsx");
        assert_eq!(
            target(Some(&file), true).unwrap(),
            Target::File(file.clone())
        );
        assert!(target(Some(&file), false).is_err());
        let wrong = target(Some(Path::new("LC.xls")), true).unwrap_err();
        assert!(wrong.to_string().contains(".xlsx"), "{wrong}");
        assert_eq!(
            target(None, true).unwrap(),
            Target::Folder(PathBuf::from("."))
        );
    }
}
