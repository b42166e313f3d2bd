//! What `chaoslab lint` finds beyond the spec validator's own problems: a file it cannot read
//! as a template, a role policy without a permission the template's actions need, and a
//! provider constraint older than an action's target key.

use crate::base::diag::problems;

problems! {
    /// A finding of `chaoslab lint` that a lab spec cannot have.
    pub enum Problem in "lint::Problem" {
        /// `why`: the parser's words.
        Unreadable { why: String } => E087,
        NoTemplate => E087,
        /// `known`: the keys FIS defines there.
        UnknownField { key: String, known: Vec<&'static str> } => E089,
        /// `statements`: the catalog's statement ids that grant it.
        MissingPermission { action: String, permission: String, sid: String } => E088,
        /// `constraint`: as the file writes it; `floor`: the release the key needs.
        ProviderTooOld { constraint: String, action: String, key: String, floor: String } => W007,
    }
}

impl crate::base::diag::Problem for Problem {
    fn message(&self) -> String {
        match self {
            Problem::Unreadable { why } => format!("not Terraform lint can parse: {why}"),
            Problem::NoTemplate => {
                "no FIS experiment template or IAM policy in this file".to_owned()
            }
            Problem::UnknownField { key, .. } => {
                format!("FIS defines no field `{key}` here: the API refuses the template")
            }
            Problem::MissingPermission {
                action, permission, ..
            } => format!("{action} needs `{permission}`, and no policy in these files allows it"),
            Problem::ProviderTooOld {
                constraint,
                action,
                key,
                floor,
            } => format!(
                "hashicorp/aws `{constraint}` admits releases before {floor}, which refuse {action}'s target key `{key}`"
            ),
        }
    }

    fn help(&self) -> String {
        match self {
            Problem::Unreadable { .. } => "fix the syntax at that line (`terraform fmt` shows it too)".to_owned(),
            Problem::UnknownField { key, known } => crate::base::suggest::did_you_mean(key, known, || {
                format!("use only {}", known.join(", "))
            }),
            Problem::NoTemplate => "lint FIS templates (`actions` and `targets`, `AWS::FIS::ExperimentTemplate`, `aws_fis_experiment_template`) and the role policies beside them".to_owned(),
            Problem::MissingPermission { permission, sid, .. } => format!(
                "add `{permission}` to the experiment role's policy (chaoslab grants it as `{sid}`; `chaoslab actions ID` shows the whole statement)"
            ),
            Problem::ProviderTooOld { floor, .. } => {
                format!("require hashicorp/aws {floor} or newer")
            }
        }
    }
}
