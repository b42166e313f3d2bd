//! The `AWSFIS-Run-*` SSM documents `aws:ssm:send-command` may run, and the
//! `documentParameters` each takes, as data: the validator checks a spec's JSON against this
//! table, and the lab README names what the document injects. Adding a document is one entry.
//!
//! Source: "Pre-configured AWS FIS SSM documents" (FIS User Guide, "Use Systems Manager SSM
//! documents with AWS FIS") and `fis-rules.md` §2.3 in the reference material. FIS passes the
//! parameters as a JSON object of strings; every value below is a string in the spec too.

/// What one document parameter's (string) value must be.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum DocValue {
    /// Whole seconds the fault lasts: at least 1, and within the action's `duration` (FIS
    /// cancels the command when the action ends, so a longer fault never runs as written).
    Seconds,
    /// A whole number within [min, max].
    Int { min: u64, max: u64 },
    /// One of the listed values (the documents spell booleans `True` and `False`).
    OneOf(&'static [&'static str]),
    /// A network interface name, e.g. `ens5`: see [`interface_problem`].
    Interface,
}

/// The longest interface name Linux takes: `IFNAMSIZ` (16) bytes with the terminating NUL.
pub const MAX_INTERFACE: usize = 15;

/// Why `name` cannot be the `Interface` of an `AWSFIS-Run-Network-*` document, or `None`.
///
/// Linux refuses an interface name that is empty, 16 bytes or longer, `.` or `..`, or that
/// holds `/`, `:` or white space (`dev_valid_name`, net/core/dev.c). Within that, the documents
/// paste the value into the shell script they run (`tc qdisc add dev <Interface> ...`), so
/// only letters, digits, `.`, `_` and `-` pass, and not a leading `-` (an option to `tc`):
/// `$(reboot)`, `;`, quotes, backticks, `|`, `&`, `<`, `>` and white space never reach it.
pub fn interface_problem(name: &str) -> Option<String> {
    let shell_safe = |b: u8| b.is_ascii_alphanumeric() || b"._-".contains(&b);
    if name.is_empty() || name.len() > MAX_INTERFACE {
        Some(format!(
            "is {} bytes long; Linux interface names are 1 to {MAX_INTERFACE}",
            name.len()
        ))
    } else if let Some(c) = name
        .chars()
        .find(|c| !c.is_ascii() || !shell_safe(*c as u8))
    {
        Some(format!(
            "holds `{}`, which the document's shell command would read as shell syntax or Linux refuses in an interface name",
            c
        ))
    } else if name.starts_with('-') || name == "." || name == ".." {
        Some("is not an interface name Linux or `tc` takes".to_owned())
    } else {
        None
    }
}

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct DocParam {
    pub name: &'static str,
    pub required: bool,
    pub value: DocValue,
}

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Document {
    pub name: &'static str,
    /// What it injects, for the lab README (plain words, no Markdown).
    pub what: &'static str,
    pub params: &'static [DocParam],
}

const fn required(name: &'static str, value: DocValue) -> DocParam {
    DocParam {
        name,
        required: true,
        value,
    }
}

const fn optional(name: &'static str, value: DocValue) -> DocParam {
    DocParam {
        name,
        required: false,
        value,
    }
}

const DURATION_SECONDS: DocParam = required("DurationSeconds", DocValue::Seconds);
/// The documents install their tools (stress-ng, tc) with the package manager unless told not to.
const INSTALL_DEPENDENCIES: DocParam =
    optional("InstallDependencies", DocValue::OneOf(&["True", "False"]));
const PERCENT: DocValue = DocValue::Int { min: 0, max: 100 };
/// The instance's network interface. The documents default to `eth0`; Amazon Linux 2023 on
/// Nitro instances names it `ens5`, so a lab on AL2023 sets it.
const INTERFACE: DocParam = optional("Interface", DocValue::Interface);

pub const DOCUMENTS: &[Document] = &[
    Document {
        name: "AWSFIS-Run-CPU-Stress",
        what: "CPU load with stress-ng",
        params: &[
            DURATION_SECONDS,
            // Stressors; 0 (the default) is one per vCPU. The bound only catches typos.
            optional("CPU", DocValue::Int { min: 0, max: 1024 }),
            optional("LoadPercent", PERCENT),
            INSTALL_DEPENDENCIES,
        ],
    },
    Document {
        name: "AWSFIS-Run-Memory-Stress",
        what: "memory pressure with stress-ng",
        params: &[
            DURATION_SECONDS,
            required("Percent", DocValue::Int { min: 1, max: 100 }),
            optional("Workers", DocValue::Int { min: 1, max: 1024 }),
            INSTALL_DEPENDENCIES,
        ],
    },
    Document {
        name: "AWSFIS-Run-Network-Latency",
        what: "added network latency with tc netem",
        params: &[
            DURATION_SECONDS,
            INTERFACE,
            // Default 200 ms; a delay of a minute or more is a blackhole, not latency.
            optional(
                "DelayMilliseconds",
                DocValue::Int {
                    min: 1,
                    max: 59_999,
                },
            ),
            INSTALL_DEPENDENCIES,
        ],
    },
    Document {
        name: "AWSFIS-Run-Network-Packet-Loss",
        what: "packet loss with tc netem",
        params: &[
            DURATION_SECONDS,
            INTERFACE,
            // Default 7 %.
            optional("LossPercent", PERCENT),
            INSTALL_DEPENDENCIES,
        ],
    },
    Document {
        name: "AWSFIS-Run-Network-Blackhole-Port",
        what: "dropped traffic on one port with iptables",
        params: &[
            DURATION_SECONDS,
            required("Protocol", DocValue::OneOf(&["tcp", "udp"])),
            required(
                "Port",
                DocValue::Int {
                    min: 1,
                    max: 65_535,
                },
            ),
            optional("TrafficType", DocValue::OneOf(&["ingress", "egress"])),
            INSTALL_DEPENDENCIES,
        ],
    },
];

pub fn document(name: &str) -> Option<&'static Document> {
    DOCUMENTS.iter().find(|d| d.name == name)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn interfaces() {
        for ok in ["eth0", "ens5", "enp39s0", "eth0.100", "br_lab-1", "a"] {
            assert_eq!(interface_problem(ok), None, "{ok}");
        }
        for bad in [
            "",
            "$(reboot)",
            "ens5;reboot",
            "`reboot`",
            "eth0 ",
            "eth0|x",
            "eth0&",
            "a<b",
            "a>b",
            "'eth0'",
            "\"eth0\"",
            "eth0:1",
            "a/b",
            "-eth0",
            "..",
            "ä0",
            "sixteen-chars-00",
        ] {
            assert!(interface_problem(bad).is_some(), "{bad}");
        }
    }

    /// Every document takes the fault's length (the action's duration bounds it) and names
    /// each parameter once.
    #[test]
    fn every_document_has_duration_seconds_and_unique_parameters() {
        for d in DOCUMENTS {
            assert!(d.params.contains(&DURATION_SECONDS), "{}", d.name);
            for (i, p) in d.params.iter().enumerate() {
                assert!(
                    d.params.iter().skip(i + 1).all(|q| q.name != p.name),
                    "{}: {} twice",
                    d.name,
                    p.name
                );
            }
            assert!(d.name.starts_with("AWSFIS-Run-"), "{}", d.name);
        }
    }
}
