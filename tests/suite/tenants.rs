//! One tree, many tenants: every tenant's AWS names are its own, and every tenant and backend
//! file is HCL that `terraform fmt` leaves alone.

use crate::common;

use std::collections::HashMap;

use chaoslab::output::GeneratedFile;

/// Attributes that name an AWS resource within an account (and Region) namespace. Names
/// scoped by their parent (an inline role policy, a FIS action or target) are not listed.
const NAME_ATTRS: &[&str] = &[
    "name",
    "name_prefix",
    "bucket",
    "identifier",
    "cluster_identifier",
    "alarm_name",
];

/// Resource types whose `name` lives inside another resource, not in the account.
const SCOPED: &[&str] = &["aws_iam_role_policy"];

/// The blueprint with the most resources, 50 tenants and remote state.
fn workshop(tenants: &[String]) -> Vec<GeneratedFile> {
    let spec =
        std::fs::read_to_string(common::root().join("blueprints/chaos-shop-dependencies.yaml"))
            .expect("blueprint");
    let spec = format!(
        "{spec}\nstate: {{backend: s3, bucket: workshop-state}}\ntenants: [{}]\n",
        tenants.join(", ")
    );
    common::generate_str(&spec)
}

fn tenants(n: usize) -> Vec<String> {
    (1..=n).map(|i| format!("s{i}")).collect()
}

fn file<'a>(files: &'a [GeneratedFile], name: &str) -> &'a str {
    &files
        .iter()
        .find(|f| f.name == name)
        .unwrap_or_else(|| panic!("{name} is generated"))
        .content
}

/// Every account-scoped name template of the tree: (resource type, attribute, template).
/// The renderer's output is canonical, so a resource's own attributes are the lines indented
/// by two spaces inside its block.
fn name_templates(files: &[GeneratedFile]) -> Vec<(String, String, String)> {
    let mut out = Vec::new();
    for f in files.iter().filter(|f| f.name.ends_with(".tf")) {
        let mut kind: Option<String> = None;
        for line in f.content.lines() {
            if let Some(rest) = line.strip_prefix("resource \"") {
                kind = rest.split('"').next().map(str::to_owned);
                continue;
            }
            if line == "}" {
                kind = None;
            }
            let Some(kind) = &kind else { continue };
            let Some(attr) = line.strip_prefix("  ").filter(|l| !l.starts_with(' ')) else {
                continue;
            };
            let Some((key, value)) = attr.split_once('=') else {
                continue;
            };
            let key = key.trim();
            let value = value.trim();
            if NAME_ATTRS.contains(&key)
                && value.starts_with('"')
                && !SCOPED.contains(&kind.as_str())
            {
                out.push((kind.clone(), key.to_owned(), value.to_owned()));
            }
        }
    }
    out
}

#[test]
fn fifty_tenants_never_share_an_aws_name() {
    let tenants = tenants(50);
    let files = workshop(&tenants);
    let templates = name_templates(&files);
    assert!(templates.len() > 10, "too few names found: {templates:?}");
    // Every AWS name derives from var.name_prefix, or the tenants would share it.
    for (kind, key, value) in &templates {
        assert!(
            value.starts_with("\"${var.name_prefix}-")
                || value.starts_with("\"/aws/fis/${var.name_prefix}"),
            "{kind}.{key} = {value} does not derive from var.name_prefix"
        );
    }
    let mut owner: HashMap<(String, String), String> = HashMap::new();
    let mut prefixes: HashMap<String, String> = HashMap::new();
    for t in &tenants {
        let tfvars: hcl::Body = hcl::from_str(file(&files, &format!("{t}.tfvars")))
            .unwrap_or_else(|e| panic!("{t}.tfvars: {e}"));
        let prefix = tfvars
            .attributes()
            .find(|a| a.key() == "name_prefix")
            .and_then(|a| match a.expr() {
                hcl::Expression::String(s) => Some(s.clone()),
                _ => None,
            })
            .unwrap_or_else(|| panic!("{t}.tfvars sets name_prefix"));
        assert_eq!(prefix, format!("chaos-lab-{t}"));
        assert!(prefix.len() <= 24, "{prefix} exceeds the variable's limit");
        if let Some(other) = prefixes.insert(prefix.clone(), t.clone()) {
            panic!("{t} and {other} share the name prefix {prefix}");
        }
        for (kind, _, value) in &templates {
            let name = value.replace("${var.name_prefix}", &prefix);
            if let Some(other) = owner.insert((kind.clone(), name.clone()), t.clone()) {
                assert_eq!(&other, t, "{kind} {name} is both {other}'s and {t}'s");
            }
        }
    }
}

#[test]
fn every_tenant_has_its_own_state_key() {
    let tenants = tenants(50);
    let files = workshop(&tenants);
    let mut keys = HashMap::new();
    for t in &tenants {
        let body: hcl::Body = hcl::from_str(file(&files, &format!("{t}.backend.hcl")))
            .unwrap_or_else(|e| panic!("{t}.backend.hcl: {e}"));
        let get = |k: &str| {
            body.attributes()
                .find(|a| a.key() == k)
                .map(|a| a.expr().clone())
                .unwrap_or_else(|| panic!("{t}.backend.hcl sets {k}"))
        };
        assert_eq!(get("bucket"), hcl::Expression::from("workshop-state"));
        assert_eq!(get("region"), hcl::Expression::from("us-east-1"));
        assert_eq!(get("use_lockfile"), hcl::Expression::Bool(true));
        let key = format!("{:?}", get("key"));
        assert!(key.contains(&format!("/{t}/")), "{t}'s key {key}");
        if let Some(other) = keys.insert(key.clone(), t.clone()) {
            panic!("{t} and {other} share the state key {key}");
        }
    }
    // The tree itself: an empty backend block and the Terraform that has use_lockfile.
    let versions = file(&files, "versions.tf");
    assert!(versions.contains("  backend \"s3\" {}\n"), "{versions}");
    assert!(
        versions.contains("required_version = \">= 1.10.0\""),
        "{versions}"
    );
    assert!(file(&files, "backend.hcl.example").contains("use_lockfile = true\n"));
    // The tenants' tfvars stay in git despite `*.tfvars`.
    assert!(file(&files, ".gitignore").contains("\n!s50.tfvars\n"));
}

#[test]
fn tenant_and_backend_files_are_terraform_fmt_canonical() {
    let files = workshop(&tenants(50));
    let tmp = tempfile::tempdir().expect("tempdir");
    let mut n = 0;
    for f in &files {
        // terraform fmt reads only .tf and .tfvars names; a -backend-config file has the
        // same syntax, so it is checked under a .tfvars name.
        let name = if f.name.ends_with(".tfvars") {
            f.name.clone()
        } else if f.name.ends_with(".backend.hcl") || f.name == "backend.hcl.example" {
            format!("{}.tfvars", f.name.replace('.', "_"))
        } else {
            continue;
        };
        std::fs::write(tmp.path().join(name), &f.content).expect("write");
        n += 1;
    }
    assert_eq!(n, 101);
    crate::fmt_conformance::assert_fmt_clean(tmp.path());
}

#[test]
fn without_state_or_tenants_nothing_changes() {
    let files = common::generate_str(common::MINIMAL);
    assert!(
        !files
            .iter()
            .any(|f| f.name.ends_with(".tfvars") || f.name.contains("backend"))
    );
    assert!(file(&files, "versions.tf").contains("\">= 1.5.0\""));
    // Tenants on local state: tfvars, no backend files, a workspace per tenant in the README.
    let files = common::generate_str(&format!("{}tenants: [alice, bob]\n", common::MINIMAL));
    let names: Vec<&str> = files.iter().map(|f| f.name.as_str()).collect();
    assert!(
        names.contains(&"alice.tfvars") && names.contains(&"bob.tfvars"),
        "{names:?}"
    );
    assert!(!names.iter().any(|n| n.contains("backend")), "{names:?}");
    assert!(!file(&files, "versions.tf").contains("backend"));
    assert!(file(&files, "README.md").contains(
        "terraform workspace select -or-create bob && terraform apply -var-file=bob.tfvars"
    ));
}
