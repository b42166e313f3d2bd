//! `report:` on an experiment: FIS writes a PDF of each run, with snapshots of the lab
//! dashboard from `pre` before the start to `post` after the end, to the lab's report bucket.
//! Source: "Experiment report configurations for AWS FIS" (FIS User Guide); the provider's
//! `experiment_report_configuration` defaults both durations to PT20M.

use super::{Report, Validator};
use crate::base::duration;
use crate::base::errors::Code;
use crate::spec::{RawReport, Spanned, pos};

/// The spec name of the bucket FIS writes the reports to (`<prefix>-fis-reports-<account>`).
pub const BUCKET: &str = "fis-reports";

/// The provider's and the console's default for both durations.
pub const DEFAULT_SPAN: &str = "PT20M";

impl Validator {
    pub(super) fn report(
        &mut self,
        field: &str,
        raw: &Spanned<RawReport>,
        app: bool,
    ) -> Option<Report> {
        if !app {
            self.err(
                Code::E043,
                pos(raw),
                field.to_owned(),
                "the spec has no app, so there is no lab dashboard for the report to show",
                "add `app:` to the spec, or remove `report:`",
            );
            return None;
        }
        let before = self.diags.len();
        let pre = self.span(&format!("{field}.pre"), raw.value.pre.as_ref());
        let post = self.span(&format!("{field}.post"), raw.value.post.as_ref());
        (self.diags.len() == before).then_some(Report { pre, post })
    }

    /// A report duration: ISO 8601 as FIS takes it, and not zero.
    fn span(&mut self, field: &str, raw: Option<&Spanned<String>>) -> String {
        let Some(raw) = raw else {
            return DEFAULT_SPAN.to_owned();
        };
        match duration::parse(&raw.value) {
            Ok(0) => self.err(
                Code::E006,
                pos(raw),
                field.to_owned(),
                "a report span of zero shows nothing around the run",
                "give at least `PT1M`, or leave the key out for the default PT20M",
            ),
            Ok(_) => {}
            Err(why) => self.err(
                Code::E007,
                pos(raw),
                field.to_owned(),
                why,
                "write an ISO 8601 duration such as `PT10M` or `PT1H`",
            ),
        }
        raw.value.clone()
    }
}
