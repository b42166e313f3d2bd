//! The files that let one tree serve many labs: `backend.hcl.example` (remote state),
//! `<tenant>.tfvars` (the tenant's name prefix) and `<tenant>.backend.hcl` (its state key).
//!
//! Values go through the HCL writer ([`super::render_attrs`]); tenant names are validated
//! names, so they are safe in file names too.

use super::{BadReference, render_attrs};
use crate::base::files::GeneratedFile;
use crate::base::hcl::Expr;
use crate::experiments::Lab;

pub const BACKEND_EXAMPLE: &str = "backend.hcl.example";

/// Stands in for the state bucket when the spec names none; not a valid bucket name, so
/// `terraform init` fails on it rather than writing state somewhere unintended.
pub const BUCKET_PLACEHOLDER: &str = "<state-bucket>";

pub fn tfvars_name(tenant: &str) -> String {
    format!("{tenant}.tfvars")
}

pub fn backend_name(tenant: &str) -> String {
    format!("{tenant}.backend.hcl")
}

/// `<prefix>-<tenant>`: the tenant's `var.name_prefix`, so every AWS name carries it.
pub fn tenant_prefix(lab: &Lab, tenant: &str) -> String {
    format!("{}-{tenant}", lab.prefix)
}

/// The state object key: one per lab, and one per tenant below it.
pub fn state_key(lab: &Lab, tenant: Option<&str>) -> String {
    match tenant {
        Some(t) => format!("chaoslab/{}/{t}/terraform.tfstate", lab.name),
        None => format!("chaoslab/{}/terraform.tfstate", lab.name),
    }
}

fn backend_attrs(lab: &Lab, tenant: Option<&str>) -> Vec<(&'static str, Expr)> {
    let bucket = lab
        .state
        .as_ref()
        .and_then(|s| s.bucket.clone())
        .unwrap_or_else(|| BUCKET_PLACEHOLDER.to_owned());
    vec![
        ("bucket", Expr::str(bucket)),
        ("key", Expr::str(state_key(lab, tenant))),
        ("region", Expr::str(&lab.region)),
        ("use_lockfile", Expr::Bool(true)),
    ]
}

/// Every tenant and backend file of the lab; none for a single-tenant lab with local state.
pub fn files(lab: &Lab, header: &[String]) -> Result<Vec<GeneratedFile>, BadReference> {
    let mut out = Vec::new();
    let with_note = |note: &[&str]| {
        let mut lines = header.to_vec();
        lines.push(String::new());
        lines.extend(note.iter().map(|l| (*l).to_owned()));
        lines
    };
    if lab.state.is_some() {
        let note = [
            "The S3 backend's settings for a single lab: copy this file to backend.hcl,",
            "set the bucket, then run `terraform init -backend-config=backend.hcl`.",
        ];
        out.push(GeneratedFile {
            name: BACKEND_EXAMPLE.to_owned(),
            content: render_attrs(&backend_attrs(lab, None), &with_note(&note))?,
        });
    }
    for t in &lab.tenants {
        let tfvars = format!(
            "Tenant {t}: `terraform apply -var-file={}`.",
            tfvars_name(t)
        );
        out.push(GeneratedFile {
            name: tfvars_name(t),
            content: render_attrs(
                &[("name_prefix", Expr::str(tenant_prefix(lab, t)))],
                &with_note(&[&tfvars]),
            )?,
        });
        if lab.state.is_some() {
            let init = format!(
                "Tenant {t}'s state: `terraform init -reconfigure -backend-config={}`.",
                backend_name(t)
            );
            out.push(GeneratedFile {
                name: backend_name(t),
                content: render_attrs(&backend_attrs(lab, Some(t)), &with_note(&[&init]))?,
            });
        }
    }
    Ok(out)
}
