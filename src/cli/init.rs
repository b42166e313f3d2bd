//! `chaoslab init`: a starter spec from a blueprint, with the schema beside it, so an editor
//! with the YAML language server completes and checks it from the first keystroke.

use std::io::Write as _;
use std::path::Path;

use crate::base::errors::{Error, Refusal};
use crate::schema::{COMMENT, FILE, MODELINE};

/// The blueprints, compiled in so an installed chaoslab can start a lab anywhere. A test checks
/// that this lists every blueprints/*.yaml.
pub const BLUEPRINTS: &[(&str, &str)] = &[
    (
        "chaos-shop-dependencies",
        include_str!("../../blueprints/chaos-shop-dependencies.yaml"),
    ),
    (
        "chaos-shop-az-failure",
        include_str!("../../blueprints/chaos-shop-az-failure.yaml"),
    ),
    (
        "chaos-shop-first-experiment",
        include_str!("../../blueprints/chaos-shop-first-experiment.yaml"),
    ),
    (
        "chaos-shop-stop-conditions",
        include_str!("../../blueprints/chaos-shop-stop-conditions.yaml"),
    ),
    (
        "chaos-shop-database",
        include_str!("../../blueprints/chaos-shop-database.yaml"),
    ),
    (
        "chaos-shop-stress",
        include_str!("../../blueprints/chaos-shop-stress.yaml"),
    ),
    (
        "chaos-shop-degradation",
        include_str!("../../blueprints/chaos-shop-degradation.yaml"),
    ),
    (
        "chaos-shop-containers-serverless",
        include_str!("../../blueprints/chaos-shop-containers-serverless.yaml"),
    ),
    (
        "chaos-shop-multi-region",
        include_str!("../../blueprints/chaos-shop-multi-region.yaml"),
    ),
    (
        "chaos-program",
        include_str!("../../blueprints/chaos-program.yaml"),
    ),
    (
        "chaos-shop-az-power",
        include_str!("../../blueprints/chaos-shop-az-power.yaml"),
    ),
    (
        "chaos-shop-spot",
        include_str!("../../blueprints/chaos-shop-spot.yaml"),
    ),
];

/// The spec file `init` writes.
pub const SPEC: &str = "lab.yaml";

/// The blueprint's text, its lab named after `dir` when that makes a valid lab name (the
/// prefix too, so two labs in one account do not collide), the modeline on top.
pub fn starter(blueprint: &str, text: &str, dir: &Path) -> String {
    let name = dir
        .canonicalize()
        .ok()
        .and_then(|d| d.file_name().map(|n| n.to_string_lossy().into_owned()))
        .or_else(|| dir.file_name().map(|n| n.to_string_lossy().into_owned()));
    let body = text.strip_prefix(MODELINE).map_or(text, str::trim_start);
    let header = format!(
        "{MODELINE}\n# Started from the blueprint {blueprint} by `chaoslab init`. The schema beside this file\n\
         # gives an editor with the YAML language server completion and checks; `chaoslab actions`\n\
         # documents every FIS action. Then: chaoslab validate lab.yaml && chaoslab generate lab.yaml\n"
    );
    let plain = format!("{header}{body}");
    let Some(name) = name.filter(|n| n != blueprint) else {
        return plain;
    };
    let renamed: Vec<String> = body
        .lines()
        .map(|l| {
            if l.starts_with("lab: ") {
                format!("lab: {name}")
            } else if l.starts_with("prefix: ") && name.len() <= 24 {
                format!("prefix: {name}")
            } else {
                l.to_owned()
            }
        })
        .collect();
    let renamed = format!("{header}{}\n", renamed.join("\n"));
    // A directory name that is no valid lab name keeps the blueprint's.
    match crate::load(SPEC, &renamed) {
        Ok(_) => renamed,
        Err(_) => plain,
    }
}

/// A schema chaoslab wrote: JSON whose `$comment` is exactly chaoslab's (a file that merely
/// mentions chaoslab is the user's).
fn is_our_schema(bytes: &[u8]) -> bool {
    serde_json::from_slice::<serde_json::Value>(bytes)
        .ok()
        .and_then(|v| {
            v.get("$comment")
                .and_then(|c| c.as_str())
                .map(|c| c == COMMENT)
        })
        .unwrap_or(false)
}

/// A file `init` will not replace (exit 3, like any file chaoslab does not own).
fn refuse(path: std::path::PathBuf, why: &str) -> Error {
    let message = format!(
        "{why}; `chaoslab init` never overwrites a file: pick another directory, or move it"
    );
    Error::io(
        path,
        std::io::Error::new(std::io::ErrorKind::AlreadyExists, message),
    )
}

/// Writes `dir/lab.yaml` (never over an existing file) and the schema beside it (replacing
/// only an older chaoslab schema). Returns what it wrote, for the user.
pub fn init(blueprint: &str, dir: &Path) -> Result<String, Error> {
    let Some((name, text)) = BLUEPRINTS.iter().find(|(n, _)| *n == blueprint) else {
        let names: Vec<&str> = BLUEPRINTS.iter().map(|(n, _)| *n).collect();
        let help = crate::base::suggest::did_you_mean(blueprint, &names, || {
            format!("the blueprints are: {}", names.join(", "))
        });
        return Err(Error::Usage(format!(
            "there is no blueprint `{blueprint}`\n  = help: {help}"
        )));
    };
    std::fs::create_dir_all(dir).map_err(|e| Error::io(dir, e))?;
    let spec = dir.join(SPEC);
    let schema = dir.join(FILE);
    let new_schema = crate::schema::text();
    let write_schema = match std::fs::symlink_metadata(&schema) {
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => true,
        Err(e) => return Err(Error::io(schema, e)),
        // Never through a link (a dangling one would plant the schema wherever it points).
        Ok(m) if m.file_type().is_symlink() => {
            return Err(Error::Refused {
                path: schema,
                reason: Refusal::Symlink,
            });
        }
        Ok(m) if !m.is_file() || m.len() > 4 << 20 => {
            return Err(refuse(schema, "is not chaoslab's schema"));
        }
        Ok(_) => {
            let old = std::fs::read(&schema).map_err(|e| Error::io(&schema, e))?;
            if old == new_schema.as_bytes() {
                false
            } else if is_our_schema(&old) {
                true
            } else {
                return Err(refuse(schema, "is not chaoslab's schema"));
            }
        }
    };
    let content = starter(name, text, dir);
    let mut file = std::fs::OpenOptions::new()
        .write(true)
        .create_new(true)
        .open(&spec)
        .map_err(|e| match e.kind() {
            std::io::ErrorKind::AlreadyExists => refuse(spec.clone(), "exists"),
            _ => Error::io(&spec, e),
        })?;
    file.write_all(content.as_bytes())
        .map_err(|e| Error::io(&spec, e))?;
    let mut out = format!("wrote {} (from the blueprint {name})\n", spec.display());
    if write_schema {
        // Replaces the old schema atomically, and never writes through whatever the name
        // points to.
        super::replace_whole(&schema, &new_schema)?;
        out.push_str(&format!("wrote {}\n", schema.display()));
    }
    out.push_str(&format!(
        "next: chaoslab validate {0} && chaoslab generate {0}\n",
        spec.display()
    ));
    Ok(out)
}
