//! `functions:`: Lambda functions running chaoslab's handler, and their defaults.

use super::{Architecture, Function, Validator};
use crate::spec::{RawFunction, Spanned};

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

impl Validator {
    pub(super) fn function(
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
    pub(super) fn reserved_bucket(&mut self, raw: &crate::spec::RawSpec, functions: &[Function]) {
        if !functions.iter().any(|f| f.fault_injection) {
            return;
        }
        for (name, _) in raw.s3.iter().filter(|(n, _)| n.value == CONFIG_BUCKET) {
            self.err(
                crate::errors::Code::E010,
                crate::spec::pos(name),
                format!("s3.{CONFIG_BUCKET}"),
                format!(
                    "`{CONFIG_BUCKET}` is the bucket FIS writes Lambda fault configurations to"
                ),
                "give the bucket another name",
            );
        }
    }
}
