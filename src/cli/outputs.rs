//! The applied tree's outputs, as `probe` and `verify` read them: `terraform output -json`,
//! parsed, each value checked for the shape its use needs.
//!
//! Not `terraform output -raw NAME`: before `terraform apply` Terraform prints its
//! "No outputs found" warning (with terminal colour codes) on stdout and exits 0, for
//! `-raw NAME` as for a plain `output` (Terraform 1.11.4, and 1.0.3 alike). `-json` prints
//! `{}` there, so a missing output is a missing key, never text taken for a value.

use std::path::Path;

use serde_json::{Map, Value};

use crate::base::errors::Error;

/// The shape a value must have for its use.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Shape {
    /// An `http://` or `https://` URL with a host.
    Url,
    /// An FIS experiment template id: `EXT` and letters and digits, at most 64 characters.
    TemplateId,
}

impl Shape {
    fn fits(self, value: &str) -> bool {
        match self {
            Shape::Url => ["http://", "https://"].iter().any(|scheme| {
                value.strip_prefix(scheme).is_some_and(|rest| {
                    let host = rest.split(['/', ':']).next().unwrap_or_default();
                    !host.is_empty() && !rest.chars().any(|c| c.is_whitespace() || c.is_control())
                })
            }),
            Shape::TemplateId => is_template_id(value),
        }
    }

    fn text(self) -> &'static str {
        match self {
            Shape::Url => "an http(s) URL",
            Shape::TemplateId => {
                "an FIS experiment template id (`EXT` followed by letters and digits)"
            }
        }
    }
}

/// The FIS API accepts a template id of at most 64 non-blank characters (API reference,
/// GetExperimentTemplate, `id`: "Maximum length of 64", pattern `[\S]+`;
/// https://docs.aws.amazon.com/fis/latest/APIReference/API_GetExperimentTemplate.html, read
/// 2026-12-07). The ids FIS issues, the ones Terraform's `aws_fis_experiment_template.id`
/// holds, are `EXT` followed by letters and digits.
pub fn is_template_id(value: &str) -> bool {
    value.len() <= 64
        && value
            .strip_prefix("EXT")
            .is_some_and(|rest| !rest.is_empty() && rest.chars().all(|c| c.is_ascii_alphanumeric()))
}

/// What an id given with `--template-id` must be: the API's own limit (see
/// [`is_template_id`]), nothing stricter, so an id from elsewhere still goes through.
pub fn is_api_template_id(value: &str) -> bool {
    !value.is_empty() && value.chars().count() <= 64 && !value.chars().any(char::is_whitespace)
}

/// The outputs of the tree in `dir`.
pub struct Outputs {
    dir: String,
    values: Map<String, Value>,
}

impl Outputs {
    /// Runs `terraform -chdir=DIR output -json` and parses what it prints.
    pub fn read(dir: &Path) -> Result<Outputs, Error> {
        let shown = dir.display().to_string();
        let out = std::process::Command::new("terraform")
            .arg(format!("-chdir={shown}"))
            .args(["output", "-no-color", "-json"])
            .output()
            .map_err(|e| {
                Error::Usage(format!(
                    "cannot run `terraform output` in {shown}: {e}; install Terraform, or pass the values as flags (--url, --template-id)"
                ))
            })?;
        if !out.status.success() {
            return Err(Error::Usage(format!(
                "`terraform output -json` in {shown} failed: {}; run `terraform init` and `terraform apply` there first, or pass the values as flags (--url, --template-id)",
                plain(&String::from_utf8_lossy(&out.stderr))
            )));
        }
        let stdout = String::from_utf8_lossy(&out.stdout);
        match serde_json::from_str::<Value>(&stdout) {
            Ok(Value::Object(values)) => Ok(Outputs { dir: shown, values }),
            _ => Err(Error::Usage(format!(
                "`terraform output -json` in {shown} printed no JSON object (it printed: {}); run it there yourself to see why, or pass the values as flags (--url, --template-id)",
                plain(&stdout)
            ))),
        }
    }

    /// The output `name`, which must be a string of `shape`; `flag` is how to give it instead.
    pub fn get(&self, name: &str, shape: Shape, flag: &str) -> Result<String, Error> {
        let dir = &self.dir;
        let Some(entry) = self.values.get(name) else {
            return Err(Error::Usage(if self.values.is_empty() {
                format!(
                    "the lab in {dir} has no output `{name}`: Terraform has no outputs there, so the lab is not applied yet: run `terraform apply` in {dir} first, or pass {flag}"
                )
            } else {
                let mut names: Vec<&str> = self.values.keys().map(String::as_str).collect();
                names.sort_unstable();
                format!(
                    "the tree applied in {dir} has no output `{name}` (it has: {}): it was applied from another spec or an older tree; generate this spec's tree and run `terraform apply` there, or pass {flag}",
                    names.join(", ")
                )
            }));
        };
        match entry.get("value") {
            Some(Value::String(v)) if shape.fits(v) => Ok(v.clone()),
            other => Err(Error::Usage(format!(
                "output `{name}` in {dir} is {}, not {}: run `terraform apply` there with this spec's tree, or pass {flag}",
                other.map_or_else(|| "without a value".to_owned(), |v| shorten(&v.to_string())),
                shape.text()
            ))),
        }
    }
}

/// Text from Terraform for a one-line message: terminal escapes and box drawing removed,
/// whitespace folded, at most 200 characters.
fn plain(text: &str) -> String {
    let mut out = String::new();
    let mut chars = text.chars().peekable();
    while let Some(c) = chars.next() {
        if c == '\u{1b}' {
            // CSI: ESC [ parameters final-byte.
            if chars.peek() == Some(&'[') {
                chars.next();
                for c in chars.by_ref() {
                    if ('@'..='~').contains(&c) {
                        break;
                    }
                }
            }
            continue;
        }
        if c.is_control() || ('\u{2500}'..='\u{257f}').contains(&c) {
            out.push(' ');
        } else {
            out.push(c);
        }
    }
    shorten(&out.split_whitespace().collect::<Vec<_>>().join(" "))
}

fn shorten(text: &str) -> String {
    let text = text.escape_debug().to_string();
    match text.char_indices().nth(200) {
        Some((i, _)) => format!("{}…", text.get(..i).unwrap_or_default()),
        None => text,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn shapes() {
        assert!(Shape::Url.fits("http://chaos-lab-123.us-east-1.elb.amazonaws.com"));
        assert!(Shape::Url.fits("https://x.example:8443/base"));
        assert!(!Shape::Url.fits("chaos-lab.example.com"));
        assert!(!Shape::Url.fits("http://"));
        assert!(!Shape::Url.fits("http://a b"));
        assert!(Shape::TemplateId.fits("EXT5ZByKtF4sgEL"));
        assert!(!Shape::TemplateId.fits("EXT"));
        assert!(!Shape::TemplateId.fits("\u{1b}[33m╷"));
        assert!(!Shape::TemplateId.fits(&format!("EXT{}", "a".repeat(62))));
        assert!(is_api_template_id("disrupt_dynamodb"));
        assert!(!is_api_template_id("No outputs found"));
    }

    #[test]
    fn terraforms_warning_becomes_one_plain_line() {
        let warning = "\u{1b}[33m╷\u{1b}[0m\u{1b}[0m\n\u{1b}[33m│\u{1b}[0m \u{1b}[0m\u{1b}[1m\u{1b}[33mWarning: \u{1b}[0m\u{1b}[0m\u{1b}[1mNo outputs found\u{1b}[0m\n";
        assert_eq!(plain(warning), "Warning: No outputs found");
    }
}
