//! `scorecard template`: write blank returns for officers to fill in.

use std::path::PathBuf;

use anyhow::Context;

use crate::blank;
use crate::cli::{TemplateArgs, EXIT_OK};
use crate::output::write_atomic;
use crate::templates::Templates;
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
    for service in services {
        let path = match (&args.output, args.service.is_some()) {
            (Some(file), true) => file.clone(),
            (dir, _) => dir
                .clone()
                .unwrap_or_else(|| PathBuf::from("."))
                .join(format!("{} return{suffix}.xlsx", service.code)),
        };
        let bytes = blank::blank_return(&templates, service, args.period, None)
            .with_context(|| format!("making the blank return for {}", service.name))?;
        write_atomic(&path, &bytes)?;
        println!("wrote {} ({})", path.display(), service.name);
    }
    Ok(EXIT_OK)
}
