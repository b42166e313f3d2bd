//! One parameter value against its catalog kind: durations, choices, numbers, API
//! operations, SSM documents, media types, process names and traffic sources, each with the
//! message and the fix a spec author needs.

use super::StepProblem;
use crate::base::duration;
use crate::catalog::ParamKind;
use crate::catalog::ssm;
use crate::resources::Resources;

/// The services a task network fault's `sources` may name, spelt as FIS spells them.
const SOURCE_SERVICES: [&str; 2] = ["DYNAMODB", "S3"];

/// One item of `sources`: an IPv4 address, an IPv4 CIDR block, a domain name, `DYNAMODB` or
/// `S3`, the list comma-separated without spaces (`fis-rules.md` §2.3 in the reference
/// material, from the FIS actions reference; the `AWSFIS-Run-Network-*-Sources` documents
/// the ECS task faults run describe it as "IPv4, IPv4/CIDR, Domain name, DYNAMODB|S3"; read
/// 2026-12-07). A service in lower case is a host name to them, and matches nothing.
fn source(item: &str) -> Result<(), String> {
    let shown = item;
    if SOURCE_SERVICES.contains(&item) {
        return Ok(());
    }
    if let Some(service) = SOURCE_SERVICES
        .iter()
        .find(|s| s.eq_ignore_ascii_case(item))
    {
        return Err(format!(
            "`{shown}` would be read as a host name; the service is `{service}`, in capitals"
        ));
    }
    if item.is_empty() {
        return Err("an empty item".to_owned());
    }
    if item.contains(char::is_whitespace) {
        return Err(format!("`{shown}` holds white space"));
    }
    // Digits, dots and a slash are an address or a block, never a name (a name's last label
    // is not a number).
    if item
        .bytes()
        .all(|b| b.is_ascii_digit() || b == b'.' || b == b'/')
    {
        let block = if item.contains('/') {
            item.to_owned()
        } else {
            format!("{item}/32")
        };
        return crate::base::cidr::Cidr::parse(&block)
            .map(|_| ())
            .map_err(|why| why.replace(&format!("`{block}`"), &format!("`{shown}`")));
    }
    let labels: Vec<&str> = item.strip_suffix('.').unwrap_or(item).split('.').collect();
    let label_ok = |l: &&str| {
        (1..=63).contains(&l.len())
            && !l.starts_with('-')
            && !l.ends_with('-')
            && l.bytes().all(|b| b.is_ascii_alphanumeric() || b == b'-')
    };
    let top_ok = labels
        .last()
        .is_some_and(|t| !t.bytes().all(|b| b.is_ascii_digit()));
    if item.len() <= 253 && labels.len() >= 2 && labels.iter().all(label_ok) && top_ok {
        Ok(())
    } else {
        Err(format!(
            "`{shown}` is not an IPv4 address, a CIDR block, a domain name, DYNAMODB or S3"
        ))
    }
}

/// The most alarms `aws:cloudwatch:assert-alarm-state` reads (FIS actions reference).
const MAX_ALARMS: usize = 5;

/// Where a value is read: a lab spec, whose values name the lab's own things (zone numbers,
/// alarm and runbook names, FIS documents by name in the lab's Region), or an FIS template as
/// FIS takes it (`chaoslab lint`), whose values are zone names or IDs and ARNs.
#[derive(Clone, Copy)]
pub enum Scope<'a> {
    Lab(&'a Resources),
    Fis,
}

/// Checks one parameter value against its kind, where it is read: the problem, if any.
pub fn check_param(
    kind: ParamKind,
    value: &str,
    action: &str,
    scope: Scope,
) -> Option<StepProblem> {
    let value_owned = || value.to_owned();
    let lab = match (scope, kind) {
        (Scope::Lab(lab), _) => lab,
        (Scope::Fis, ParamKind::Zones | ParamKind::Zone) => {
            let items: Vec<&str> = value.split(',').collect();
            let single = kind == ParamKind::Zone;
            let ok = items.iter().all(|z| fis_zone(z)) && (!single || items.len() == 1);
            return (!ok).then(|| StepProblem::NotFisZones {
                value: value_owned(),
                single,
            });
        }
        (Scope::Fis, ParamKind::Alarms) => {
            let count = value.split(',').count();
            if count > MAX_ALARMS {
                return Some(StepProblem::TooManyAlarms {
                    count,
                    max: MAX_ALARMS,
                });
            }
            return value
                .split(',')
                .find(|a| !arn_of(a, "cloudwatch", "alarm:"))
                .map(|a| StepProblem::NotArn {
                    value: a.to_owned(),
                    what: "a CloudWatch alarm",
                });
        }
        (Scope::Fis, ParamKind::SsmDocument | ParamKind::Runbook) => {
            return (!arn_of(value, "ssm", "document/")).then(|| StepProblem::NotArn {
                value: value_owned(),
                what: "an SSM document",
            });
        }
        // FIS's rule for any document's parameters: strings, or lists of strings.
        (Scope::Fis, ParamKind::DocumentParameters) => {
            return runbook_parameters(value)
                .err()
                .map(|why| StepProblem::NotRunbookParameters {
                    value: value_owned(),
                    why,
                });
        }
        (Scope::Fis, _) => return check_plain(kind, value, action),
    };
    let region = lab.region.as_str();
    match kind {
        ParamKind::SsmDocument => match ssm_document(value, region) {
            Err(problem) => Some(*problem),
            Ok(name) if ssm::document(&name).is_some() => None,
            Ok(name) => Some(StepProblem::UnknownDocument { name }),
        },
        ParamKind::Zones => {
            zones(value, lab.network.azs)
                .is_none()
                .then(|| StepProblem::NotZones {
                    value: value_owned(),
                    azs: lab.network.azs,
                })
        }
        ParamKind::Zone => match zones(value, lab.network.azs) {
            Some(z) if z.len() == 1 => None,
            _ => Some(StepProblem::NotZone {
                value: value_owned(),
                azs: lab.network.azs,
            }),
        },
        ParamKind::Alarms => {
            let names: Vec<&str> = lab.alarms.iter().map(|a| a.name.as_str()).collect();
            let count = value.split(',').count();
            if count > MAX_ALARMS {
                return Some(StepProblem::TooManyAlarms {
                    count,
                    max: MAX_ALARMS,
                });
            }
            value.split(',').find_map(|item| {
                (!names.contains(&item)).then(|| StepProblem::NotAlarm {
                    value: value_owned(),
                    item: item.to_owned(),
                    alarms: names.iter().map(|n| (*n).to_owned()).collect(),
                })
            })
        }
        ParamKind::Runbook => (!runbook_name(value)).then(|| StepProblem::NotRunbook {
            value: value_owned(),
        }),
        _ => check_plain(kind, value, action),
    }
}

/// The checks a value's kind makes wherever it is read.
fn check_plain(kind: ParamKind, value: &str, action: &str) -> Option<StepProblem> {
    let value_owned = || value.to_owned();
    match kind {
        ParamKind::Duration { min_secs, max_secs } => match duration::parse(value) {
            Err(why) => Some(StepProblem::NotDuration { why }),
            Ok(secs) if secs < min_secs || secs > max_secs => Some(StepProblem::DurationRange {
                value: value_owned(),
                action: action.to_owned(),
                min_secs,
                max_secs,
            }),
            Ok(_) => None,
        },
        ParamKind::OneOf { values, advice } => {
            (!values.contains(&value)).then(|| StepProblem::NotOneOf {
                value: value_owned(),
                values: values.to_vec(),
                advice,
            })
        }
        ParamKind::Bool => (!["true", "false"].contains(&value)).then(|| StepProblem::NotBool {
            value: value_owned(),
        }),
        ParamKind::Int { min, max } => {
            let ok = value.parse::<u64>().is_ok_and(|n| (min..=max).contains(&n));
            (!ok).then(|| StepProblem::NotWholeNumber {
                value: value_owned(),
                min,
                max,
            })
        }
        ParamKind::Percent {
            min_tenths,
            max_tenths,
        } => {
            let tenths = tenths(value).filter(|t| (min_tenths..=max_tenths).contains(t));
            tenths.is_none().then(|| StepProblem::NotDecimal {
                value: value_owned(),
                min_tenths,
                max_tenths,
            })
        }
        ParamKind::Operations => {
            let ok = !value.is_empty()
                && value.split(',').all(|op| {
                    op.starts_with(|c: char| c.is_ascii_uppercase())
                        && op.chars().all(|c| c.is_ascii_alphanumeric())
                });
            (!ok).then(|| StepProblem::NotOperations {
                value: value_owned(),
            })
        }
        ParamKind::Identifier => {
            let ok = !value.is_empty() && !value.chars().any(char::is_whitespace);
            (!ok).then(|| StepProblem::NotIdentifier {
                value: value_owned(),
            })
        }
        ParamKind::MediaType => {
            let essence = value.split(';').next().unwrap_or_default().trim();
            let token = |t: &str| {
                !t.is_empty()
                    && t.bytes()
                        .all(|b| b.is_ascii_alphanumeric() || b"!#$&-^_.+".contains(&b))
            };
            let ok = value.len() <= 256
                && !value.chars().any(char::is_control)
                && essence
                    .split_once('/')
                    .is_some_and(|(t, s)| token(t) && token(s));
            (!ok).then(|| StepProblem::NotMediaType {
                value: value_owned(),
            })
        }
        ParamKind::ProcessName => {
            let ok = (1..=64).contains(&value.len())
                && value
                    .bytes()
                    .all(|b| b.is_ascii_alphanumeric() || b"._+-".contains(&b));
            (!ok).then(|| StepProblem::NotProcessName {
                value: value_owned(),
            })
        }
        ParamKind::Sources => value.split(',').find_map(|item| match source(item) {
            Ok(()) => None,
            Err(why) => Some(StepProblem::NotSources {
                value: value_owned(),
                why,
            }),
        }),
        ParamKind::AnyOf { values } => {
            let items: Vec<&str> = value.split(',').collect();
            let bad = items
                .iter()
                .enumerate()
                .find(|(n, i)| !values.contains(i) || items.iter().take(*n).any(|j| j == *i));
            bad.map(|(_, item)| StepProblem::NotAnyOf {
                value: value_owned(),
                item: (*item).to_owned(),
                values: values.to_vec(),
            })
        }
        ParamKind::RunbookParameters => {
            runbook_parameters(value)
                .err()
                .map(|why| StepProblem::NotRunbookParameters {
                    value: value_owned(),
                    why,
                })
        }
        // The keys and values are checked against the document (`document_parameters`).
        ParamKind::DocumentParameters => {
            json_object(value)
                .is_none()
                .then(|| StepProblem::NotJsonObject {
                    value: value_owned(),
                })
        }
        // Read where they are: `check_param`.
        ParamKind::SsmDocument
        | ParamKind::Zones
        | ParamKind::Zone
        | ParamKind::Alarms
        | ParamKind::Runbook => None,
    }
}

/// An SSM document name of the account's own: 3 to 128 letters, digits, `_`, `-` and `.`
/// (SSM CreateDocument, `Name`), not beginning with a prefix AWS keeps for its own documents
/// (`aws`, `amazon`, `amzn`, in any case).
fn runbook_name(value: &str) -> bool {
    let lower = value.to_ascii_lowercase();
    (3..=128).contains(&value.len())
        && value
            .bytes()
            .all(|b| b.is_ascii_alphanumeric() || b"_-.".contains(&b))
        && !["aws", "amazon", "amzn"]
            .iter()
            .any(|p| lower.starts_with(p))
}

/// A runbook's parameters: a JSON object whose values are strings or lists of strings, with
/// an `AutomationAssumeRole` (if any) that is an IAM role's ARN, which the FIS role may pass.
fn runbook_parameters(value: &str) -> Result<(), String> {
    let bad = |why: &str| why.to_owned();
    let object = json_object(value).ok_or_else(|| bad("not a JSON object"))?;
    for (key, v) in &object {
        let strings = match v {
            serde_json::Value::String(s) => vec![s.as_str()],
            serde_json::Value::Array(items) => items
                .iter()
                .map(serde_json::Value::as_str)
                .collect::<Option<Vec<_>>>()
                .ok_or_else(|| bad(&format!("`{key}` is not a string or a list of strings")))?,
            _ => {
                return Err(bad(&format!(
                    "`{key}` is not a string or a list of strings"
                )));
            }
        };
        if key == "AutomationAssumeRole" && !matches!(strings.as_slice(), [one] if role_arn(one)) {
            return Err(bad("`AutomationAssumeRole` is not one IAM role ARN"));
        }
    }
    Ok(())
}

/// `arn:<partition>:iam::<12 digits>:role/<path and name>`.
fn role_arn(value: &str) -> bool {
    let mut fields = value.splitn(6, ':');
    let parts: Vec<&str> = fields.by_ref().collect();
    matches!(parts.as_slice(), ["arn", partition, "iam", "", account, resource]
    if partition.starts_with("aws")
        && account.len() == 12
        && account.bytes().all(|b| b.is_ascii_digit())
        && resource.strip_prefix("role/").is_some_and(|r| {
            !r.is_empty() && r.bytes().all(|b| b.is_ascii_alphanumeric() || b"+=,.@_-/".contains(&b))
        }))
}

/// A decimal with at most one decimal place, in tenths: `12.5` → 125.
fn tenths(value: &str) -> Option<u64> {
    let (whole, tenth) = value.split_once('.').unwrap_or((value, "0"));
    let digits = |s: &str| !s.is_empty() && s.bytes().all(|b| b.is_ascii_digit());
    if !digits(whole) || !digits(tenth) || tenth.len() != 1 {
        return None;
    }
    let whole: u64 = whole.parse().ok()?;
    let tenth: u64 = tenth.parse().ok()?;
    whole.checked_mul(10)?.checked_add(tenth)
}

/// A zone as FIS takes it: a name, its Region and a letter (`us-east-1a`, `us-west-2-lax-1a`
/// for a Local Zone is not a FIS target and is refused), or an ID (`use1-az1`).
fn fis_zone(z: &str) -> bool {
    let letters = z.len() - z.trim_end_matches(|c: char| c.is_ascii_lowercase()).len();
    let name = letters == 1
        && z.get(..z.len() - 1)
            .is_some_and(|region| crate::base::regions::find(region).is_some());
    let id = z.split_once("-az").is_some_and(|(code, n)| {
        code.len() >= 4
            && code
                .bytes()
                .all(|b| b.is_ascii_lowercase() || b.is_ascii_digit())
            && !n.is_empty()
            && n.bytes().all(|b| b.is_ascii_digit())
    });
    name || id
}

/// `arn:<partition>:<service>:<region>:<account>:<resource>` with the resource beginning
/// `kind` (`alarm:`, `document/`).
pub fn arn_of(value: &str, service: &str, kind: &str) -> bool {
    let parts: Vec<&str> = value.splitn(6, ':').collect();
    matches!(parts.as_slice(), ["arn", partition, s, _, _, resource]
        if partition.starts_with("aws") && *s == service && resource.len() > kind.len() && resource.starts_with(kind))
}

/// The lab's zones a `Zones` value names, 0-based, in the order given: numbers from 1 to the
/// lab's zone count, comma-separated, each once; `None` for anything else.
fn zones(value: &str, azs: usize) -> Option<Vec<usize>> {
    let mut out = Vec::new();
    for item in value.split(',') {
        let n = Some(item)
            .filter(|i| !i.is_empty() && i.bytes().all(|b| b.is_ascii_digit()))
            .and_then(|i| i.parse::<usize>().ok())
            .filter(|n| (1..=azs).contains(n))?;
        if out.contains(&(n - 1)) {
            return None;
        }
        out.push(n - 1);
    }
    Some(out)
}

/// The name of an AWSFIS-Run-* document given by name or by ARN. An ARN must be the lab
/// Region's AWS-owned document (`arn:<partition>:ssm:<region>::document/<name>`): the FIS role
/// may send only those, so another Region or an account's own document would fail at run time.
pub(super) fn ssm_document(value: &str, region: &str) -> Result<String, Box<StepProblem>> {
    let value_owned = || value.to_owned();
    let name = match value.strip_prefix("arn:") {
        None => value,
        Some(rest) => {
            let mut fields = rest.splitn(5, ':');
            let (_partition, service, arn_region, account, resource) = (
                fields.next(),
                fields.next(),
                fields.next().unwrap_or_default(),
                fields.next().unwrap_or_default(),
                fields.next().unwrap_or_default(),
            );
            let Some(name) = resource
                .strip_prefix("document/")
                .filter(|_| service == Some("ssm"))
            else {
                return Err(Box::new(StepProblem::NotDocumentArn {
                    value: value_owned(),
                }));
            };
            if arn_region != region {
                return Err(Box::new(StepProblem::DocumentRegion {
                    value: value_owned(),
                    arn_region: arn_region.to_owned(),
                    region: region.to_owned(),
                }));
            }
            if !account.is_empty() {
                return Err(Box::new(StepProblem::DocumentAccount {
                    value: value_owned(),
                    account: account.to_owned(),
                }));
            }
            name
        }
    };
    let valid = name.strip_prefix("AWSFIS-Run-").is_some_and(|rest| {
        !rest.is_empty()
            && rest
                .bytes()
                .all(|b| b.is_ascii_alphanumeric() || b"-_.".contains(&b))
    });
    if valid {
        Ok(name.to_owned())
    } else {
        Err(Box::new(StepProblem::NotFisDocument {
            value: value_owned(),
        }))
    }
}

/// A JSON object, or `None` when the text is not one.
pub(super) fn json_object(value: &str) -> Option<serde_json::Map<String, serde_json::Value>> {
    match serde_json::from_str(value) {
        Ok(serde_json::Value::Object(o)) => Some(o),
        _ => None,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn zones_as_fis_takes_them() {
        for ok in [
            "us-east-1a",
            "eu-west-3b",
            "ap-southeast-2c",
            "use1-az1",
            "euw3-az12",
        ] {
            assert!(fis_zone(ok), "{ok}");
        }
        for bad in [
            "us-east-1",
            "us-east-1ab",
            "us-east-9a",
            "1",
            "your_zone",
            "use1-az",
            "",
        ] {
            assert!(!fis_zone(bad), "{bad}");
        }
    }

    #[test]
    fn sources() {
        for ok in [
            "DYNAMODB",
            "S3",
            "DYNAMODB,S3",
            "S3,10.0.0.0/16",
            "10.0.0.1",
            "0.0.0.0/0",
            "example.com",
            "api.example.com.",
            "dynamodb.us-east-1.amazonaws.com",
        ] {
            let all = ok.split(',').map(source).collect::<Result<Vec<_>, _>>();
            assert!(all.is_ok(), "{ok}: {all:?}");
        }
        for bad in [
            "dynamodb",
            "s3",
            "Dynamodb",
            "1.2.3.4/33",
            "10.0.300.0/24",
            "10.0.0.1/24",
            "1.2.3",
            "1.2.3.4.5",
            "",
            " S3",
            "DYNAMODB; S3",
            "$(reboot)",
            "localhost",
            "-bad.example.com",
            "example.123",
        ] {
            assert!(source(bad).is_err(), "{bad}");
        }
        assert_eq!(
            source("dynamodb"),
            Err(
                "`dynamodb` would be read as a host name; the service is `DYNAMODB`, in capitals"
                    .to_owned()
            )
        );
    }
}
