//! The lab directory's `.gitignore`: `terraform init/apply` leaves the provider cache, state
//! (every resource's attributes), plans and variable files beside the checked-in tree, and one
//! `git add -A` would commit them all.
//!
//! `.terraform.lock.hcl` is not ignored: it pins the provider builds and belongs in git. It is
//! the user's file (chaoslab never writes, deletes or compares it).

use crate::base::files::GeneratedFile;

pub const GITIGNORE: &str = ".gitignore";

/// What Terraform writes that must never be committed.
pub const PATTERNS: &[&str] = &[
    ".terraform/",
    "*.tfstate",
    "*.tfstate.*",
    ".terraform.tfstate.lock.info",
    "*.tfplan",
    "tfplan",
    "*.tfvars",
    "*.tfvars.json",
    "!*.tfvars.example",
    "crash.log",
    "crash.*.log",
];

/// `tenant_tfvars`: the generated per-tenant variable files, kept in git (they hold a name
/// prefix, no secret) despite `*.tfvars`. `built`: what `plan` itself builds in the tree
/// (the functions' zip), ignored too.
pub fn gitignore(
    header: &[String],
    tenant_tfvars: &[String],
    built: Option<&str>,
) -> GeneratedFile {
    let mut content: String = header.iter().map(|l| format!("# {l}\n")).collect();
    content.push_str(
        "#\n# Terraform's working files: provider cache, state, plans, variable values and crash\n# logs. Commit .terraform.lock.hcl (it pins the provider builds).\n",
    );
    for p in PATTERNS {
        content.push_str(p);
        content.push('\n');
    }
    content.push_str("# chaoslab's working folder while it writes this tree.\n");
    content.push_str(crate::base::files::STAGING);
    content.push_str("/\n");
    if let Some(dir) = built {
        content.push_str("# Built by `terraform plan` from the generated files.\n");
        content.push_str(dir);
        content.push('\n');
    }
    if !tenant_tfvars.is_empty() {
        content.push_str("# The tenants' variable files are generated: keep them.\n");
        for name in tenant_tfvars {
            content.push('!');
            content.push_str(name);
            content.push('\n');
        }
    }
    GeneratedFile {
        name: GITIGNORE.to_owned(),
        content,
    }
}
