//! `chaoslab lint FILE...`: FIS experiment templates people already have, checked against
//! everything the catalog and the lab rules know, with file, line and column.
//!
//! Three readers turn a file into the same neutral [`Template`]s: [`json`] (the FIS API's
//! JSON, `create-experiment-template` input or `get-experiment-template` output, and
//! CloudFormation's `AWS::FIS::ExperimentTemplate` in JSON or YAML) and [`terraform`]
//! (`aws_fis_experiment_template` blocks). Each also gathers the IAM policies and the
//! hashicorp/aws constraint it finds, which [`checks`] holds the templates of the whole file
//! set to. The checks report the spec validator's own problems (an unknown action is E040
//! here as in a spec), so one mistake has one code wherever chaoslab meets it.

pub mod checks;
pub mod json;
pub mod node;
pub mod problem;
pub mod terraform;

use crate::base::errors::{Diagnostic, Pos};

/// A value and where it starts.
#[derive(Clone, Debug, PartialEq)]
pub struct At<T> {
    pub value: T,
    pub pos: Pos,
}

impl<T> At<T> {
    pub fn new(value: T, pos: Pos) -> At<T> {
        At { value, pos }
    }
}

/// A parameter or attribute value: text, or an expression only Terraform can evaluate (a
/// reference, a function call), which no check reads.
#[derive(Clone, Debug, PartialEq)]
pub enum Value {
    Text(String),
    Computed,
}

impl Value {
    pub fn text(&self) -> Option<&str> {
        match self {
            Value::Text(t) => Some(t),
            Value::Computed => None,
        }
    }
}

/// One FIS experiment template, as any reader found it.
#[derive(Clone, Debug, Default)]
pub struct Template {
    /// How the file names it: `aws_fis_experiment_template.x`, `Resources.X`, or the file.
    pub name: String,
    pub pos: Pos,
    /// The field path of its parts, e.g. `Resources.X.Properties.`; empty at a document's top.
    pub field: String,
    pub actions: Vec<TemplateAction>,
    pub targets: Vec<TemplateTarget>,
    pub stop_conditions: Vec<StopCondition>,
    /// Where the stop conditions are (or the template, when it has none).
    pub stops_pos: Pos,
    /// Parts only Terraform can know (`dynamic` blocks, computed action ids): what is missing
    /// is not reported, since it may be there.
    pub partial: bool,
    /// Keys of an action or a target that FIS does not define, each with the field path and
    /// the keys it does define.
    pub unknown: Vec<(At<String>, String, &'static [&'static str])>,
    /// The role FIS assumes, as the file names it (`aws_iam_role.fis`, a CloudFormation
    /// logical id, an ARN); `None` when computed or absent.
    pub role: Option<String>,
}

#[derive(Clone, Debug)]
pub struct TemplateAction {
    pub name: At<String>,
    pub id: At<String>,
    pub parameters: Vec<(At<String>, At<Value>)>,
    /// (target key, target name).
    pub targets: Vec<(At<String>, At<String>)>,
    pub start_after: Vec<At<String>>,
    pub field: String,
}

#[derive(Clone, Debug)]
pub struct TemplateTarget {
    pub name: At<String>,
    pub resource_type: Option<At<Value>>,
    pub selection_mode: Option<At<Value>>,
    pub field: String,
}

#[derive(Clone, Debug)]
pub struct StopCondition {
    pub source: At<Value>,
    pub value: Option<At<Value>>,
    pub field: String,
}

/// What a policy grants a role: the IAM actions it allows (patterns, `ec2:*` and `*`
/// included), or, for a policy lint cannot read (an AWS managed policy attached by ARN),
/// anything.
#[derive(Clone, Debug, Default)]
pub struct Grant {
    /// The role it is attached to, as the file names it; `None` for a policy document on its
    /// own (a JSON file), which may be any template's.
    pub role: Option<String>,
    pub allowed: Vec<String>,
    pub opaque: bool,
}

/// What one file holds, read.
#[derive(Clone, Debug, Default)]
pub struct Read {
    pub templates: Vec<Template>,
    pub grants: Vec<Grant>,
    /// A `required_providers` constraint for hashicorp/aws, e.g. `~> 5.0`.
    pub provider: Option<At<String>>,
}

/// One file to lint.
pub struct Source {
    pub file: String,
    pub text: String,
}

/// What one file came to: how many templates it holds, and every finding.
pub struct Linted {
    pub templates: usize,
    pub diagnostics: Vec<Diagnostic>,
}

/// Every diagnostic of each file, in the order given; the role policies and the provider
/// constraint of the whole set apply to every template in it.
pub fn lint(sources: &[Source]) -> Vec<Linted> {
    let read: Vec<Result<Read, Diagnostic>> = sources.iter().map(read).collect();
    let grants: Vec<Grant> = read
        .iter()
        .filter_map(|r| r.as_ref().ok())
        .flat_map(|r| r.grants.iter().cloned())
        .collect();
    let provider = read
        .iter()
        .filter_map(|r| r.as_ref().ok())
        .find_map(|r| r.provider.clone());
    read.into_iter()
        .map(|r| match r {
            Err(d) => Linted {
                templates: 0,
                diagnostics: vec![d],
            },
            Ok(r) => Linted {
                templates: r.templates.len(),
                diagnostics: r
                    .templates
                    .iter()
                    .flat_map(|t| {
                        let allowed = allowed_for(t, &grants);
                        checks::template(t, allowed.as_deref(), provider.as_ref())
                    })
                    .collect(),
            },
        })
        .collect()
}

/// What the file set lets a template's role do: its role's grants, or, when the files attach
/// none to it (a template naming its role by ARN), the stand-alone policy documents; `None`
/// when that is unknown (no policy of it read, or one lint cannot read).
fn allowed_for(t: &Template, grants: &[Grant]) -> Option<Vec<String>> {
    // The role's own grants; only without any, the policy documents on their own.
    let own: Vec<&Grant> = grants
        .iter()
        .filter(|g| g.role.is_some() && g.role == t.role)
        .collect();
    let mine: Vec<&Grant> = if own.is_empty() {
        grants.iter().filter(|g| g.role.is_none()).collect()
    } else {
        own
    };
    if mine.is_empty() || mine.iter().any(|g| g.opaque) {
        return None;
    }
    Some(
        mine.iter()
            .flat_map(|g| g.allowed.iter().cloned())
            .collect(),
    )
}

/// A file by its kind: Terraform by its `.tf` name (a module's other files hold no template,
/// which is fine), anything else as JSON or YAML, which must hold something lint reads.
fn read(source: &Source) -> Result<Read, Diagnostic> {
    if source.file.ends_with(".tf") {
        return terraform::read(&source.text);
    }
    let read = json::read(&source.text)?;
    if read.templates.is_empty() && read.grants.is_empty() {
        return Err(crate::base::diag::Problem::at(
            &problem::Problem::NoTemplate,
            Pos::default(),
            "",
        ));
    }
    Ok(read)
}
