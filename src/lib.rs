//! chaoslab: a YAML lab spec in, the Terraform tree of an AWS chaos-engineering lab out.
//!
//! The pipeline, one folder per layer, each importing only from those below it (a test,
//! `tests/suite/layers.rs`, reads the source for it): [`base`] (diagnostics, HCL syntax,
//! escaping) → [`spec`] (YAML → spanned raw types) → [`resources`] (the checked nouns, one
//! folder per kind, each with its model) → [`catalog`] (FIS actions as data, one module per
//! target kind) → [`experiments`] (the checked [`experiments::Lab`]: experiments as steps) →
//! [`model`] (→ the tree's Terraform blocks) → [`render`] (→ `terraform fmt`-canonical text)
//! → [`output`] (atomic write, manifest, drift check). The library never prints; [`cli`]
//! returns text for the binary to show, and never links the AWS SDK: [`verify`] reaches FIS
//! through the `chaoslab-fis` helper binary.

#![warn(clippy::print_stdout, clippy::print_stderr)]
// User input must never reach a panic: no unwrap, expect or unchecked indexing in the library.
#![cfg_attr(
    not(test),
    deny(
        clippy::unwrap_used,
        clippy::expect_used,
        clippy::indexing_slicing,
        clippy::string_slice,
        clippy::panic
    )
)]

pub mod base;
pub mod catalog;
pub mod cli;
pub mod experiments;
pub mod lint;
pub mod model;
pub mod output;
pub mod probe;
pub mod rehearse;
pub mod render;
pub mod report;
pub mod resources;
pub mod schema;
pub mod spec;
pub mod verify;

use base::errors::{Error, SpecErrors};
use experiments::Lab;
use output::{GeneratedFile, MARKER};

/// Parses and validates a spec; `file` is only used to label diagnostics.
pub fn load(file: &str, source: &str) -> Result<Lab, Error> {
    let fail = |diagnostics| {
        Error::Spec(Box::new(SpecErrors {
            file: file.to_owned(),
            source: source.to_owned(),
            diagnostics,
        }))
    };
    let raw = spec::parse(source).map_err(fail)?;
    experiments::validate(&raw).map_err(fail)
}

/// Renders every file of the lab's tree, sorted by name.
pub fn generate(lab: &Lab) -> Result<Vec<GeneratedFile>, Error> {
    let header = [
        format!("{MARKER} from the lab spec \"{}\". Do not edit:", lab.name),
        "change the spec and run `chaoslab generate` instead.".to_owned(),
    ];
    let model = model::build(lab).map_err(|bad| {
        Error::Bug(format!(
            "reference `{}` in {} to nothing the tree declares",
            bad.0, bad.1
        ))
    })?;
    let mut out = model
        .files
        .iter()
        .map(|file| {
            let content = render::render_file(file, &header)
                .map_err(|bad| Error::Bug(format!("reference `{}` in {}", bad.0, file.name)))?;
            Ok(GeneratedFile {
                name: file.name.to_owned(),
                content,
            })
        })
        .collect::<Result<Vec<_>, Error>>()?;
    let template_bug = |e: minijinja::Error| Error::Bug(format!("template: {e:#}"));
    out.extend(render::templates::user_data(lab, &header).map_err(template_bug)?);
    out.extend(render::templates::rpo_script(lab, &header));
    out.extend(render::templates::ecs_files(lab, &header));
    out.push(render::templates::readme(lab, &model, &header).map_err(template_bug)?);
    let tenant_bug = |bad: render::BadReference| Error::Bug(format!("reference `{}`", bad.0));
    out.extend(render::tenants::files(lab, &header).map_err(tenant_bug)?);
    let tfvars: Vec<String> = lab
        .tenants
        .iter()
        .map(|t| render::tenants::tfvars_name(t))
        .collect();
    let built = (!lab.functions.is_empty()).then_some(model::functions::BUILD_DIR);
    out.push(render::gitignore::gitignore(&header, &tfvars, built));
    out.sort_by(|a, b| a.name.cmp(&b.name));
    Ok(out)
}
