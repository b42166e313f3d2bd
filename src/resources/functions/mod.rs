//! `functions:`: Lambda functions running chaoslab's handler, and their defaults.

use super::Validator;
use super::tf_name;
use crate::base::address::Address;
use crate::base::diag::problems;
use crate::spec::{RawFunction, Spanned};

pub mod model;

/// A Lambda function running chaoslab's recommendations handler.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Function {
    /// Spec name: `<prefix>-<name>` in AWS, `/fn/<name>` on the load balancer.
    pub name: String,
    pub runtime: String,
    /// MiB.
    pub memory: u32,
    /// Seconds.
    pub timeout: u32,
    pub architecture: Architecture,
    /// Carries the AWS FIS Lambda extension (layer, wrapper, configuration location).
    pub fault_injection: bool,
}

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Architecture {
    X86_64,
    Arm64,
}

impl Architecture {
    pub const ALL: [(&'static str, Architecture); 2] = [
        ("x86_64", Architecture::X86_64),
        ("arm64", Architecture::Arm64),
    ];

    /// Lambda's name for it, which the FIS extension's SSM parameter names too.
    pub fn name(self) -> &'static str {
        match self {
            Architecture::X86_64 => "x86_64",
            Architecture::Arm64 => "arm64",
        }
    }
}

/// Python runtimes Lambda supports and hashicorp/aws 6.0 accepts (`python3.14` needs 6.21).
pub const RUNTIMES: [&str; 4] = ["python3.10", "python3.11", "python3.12", "python3.13"];

/// Lambda's longest timeout, in seconds.
pub const MAX_TIMEOUT: u32 = 900;

pub mod defaults {
    pub const RUNTIME: &str = "python3.12";
    /// Lambda's own defaults: 128 MiB, 3 seconds.
    pub const MEMORY: u32 = 128;
    pub const TIMEOUT: u32 = 3;
    /// On by default: a lab's functions exist to take faults, and E052 names the switch when
    /// a fault meets a function without the extension.
    pub const FAULT_INJECTION: bool = true;
}

problems! {
    /// What can be wrong in `functions:`.
    pub enum Problem in "resources::functions::Problem" {
        /// A bucket of the spec takes the name of the one FIS writes fault configurations to.
        ConfigBucketTaken => E010,
    }
}

impl crate::base::diag::Problem for Problem {
    fn message(&self) -> String {
        match self {
            Problem::ConfigBucketTaken => {
                format!("`{CONFIG_BUCKET}` is the bucket FIS writes Lambda fault configurations to")
            }
        }
    }

    fn help(&self) -> String {
        match self {
            Problem::ConfigBucketTaken => "give the bucket another name".to_owned(),
        }
    }
}

impl Validator {
    pub(crate) fn function(
        &mut self,
        name: &Spanned<String>,
        raw: &Spanned<RawFunction>,
    ) -> Function {
        let f = &raw.value;
        let field = |k: &str| format!("functions.{}.{k}", name.value);
        let runtime = match &f.runtime {
            None => defaults::RUNTIME.to_owned(),
            Some(r) => {
                if !RUNTIMES.contains(&r.value.as_str()) {
                    self.choice(r, &field("runtime"), &r.value, &RUNTIMES);
                }
                r.value.clone()
            }
        };
        let architecture = match &f.architecture {
            None => Architecture::X86_64,
            Some(a) => match Architecture::ALL.iter().find(|(n, _)| *n == a.value) {
                Some((_, arch)) => *arch,
                None => {
                    let names: Vec<&str> = Architecture::ALL.iter().map(|(n, _)| *n).collect();
                    self.choice(a, &field("architecture"), &a.value, &names);
                    Architecture::X86_64
                }
            },
        };
        // Lambda's limits: 128 MiB to 10 240 MiB, 1 to 900 seconds.
        let memory = self.bounded(&f.memory, &field("memory"), 128..=10240, defaults::MEMORY);
        let timeout = self.bounded(
            &f.timeout,
            &field("timeout"),
            1..=MAX_TIMEOUT,
            defaults::TIMEOUT,
        );
        Function {
            name: name.value.clone(),
            runtime,
            memory,
            timeout,
            architecture,
            fault_injection: f
                .fault_injection
                .as_ref()
                .map_or(defaults::FAULT_INJECTION, |b| b.value),
        }
    }
}

/// The spec name of the bucket FIS writes Lambda fault configurations to: built like a lab
/// bucket (`<prefix>-fis-config-<account>`, `aws_s3_bucket.fis_config`), so a lab bucket may
/// not take the name while a function carries the extension.
pub const CONFIG_BUCKET: &str = "fis-config";

impl Validator {
    pub(crate) fn reserved_bucket(&mut self, raw: &crate::spec::RawSpec, functions: &[Function]) {
        if !functions.iter().any(|f| f.fault_injection) {
            return;
        }
        for (name, _) in raw.s3.iter().filter(|(n, _)| n.value == CONFIG_BUCKET) {
            let at = crate::spec::pos(name);
            self.flag(
                at,
                format!("s3.{CONFIG_BUCKET}"),
                Problem::ConfigBucketTaken,
            );
        }
    }
}

/// `aws_lambda_function.fn_<name>`: every block of a function is named `fn_<name>`, so no
/// function name can meet the app's or FIS's own roles and log groups.
pub fn function_address(name: &str) -> Address {
    Address::resource("aws_lambda_function", id(name))
}

pub fn id(name: &str) -> String {
    format!("fn_{}", tf_name(name))
}

/// The load balancer path a function answers on.
pub fn path(name: &str) -> String {
    format!("/fn/{name}")
}
