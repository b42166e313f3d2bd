//! `report:` on an experiment: FIS writes a PDF of each run, with snapshots of the lab
//! dashboard from `pre` before the start to `post` after the end, to the lab's report bucket.
//! Source: "Experiment report configurations for AWS FIS" (FIS User Guide); the provider's
//! `experiment_report_configuration` defaults both durations to PT20M.

use super::{Problem, Report, Validator};
use crate::base::duration;
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
            self.flag(pos(raw), field, Problem::ReportWithoutApp);
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
            Ok(0) => self.flag(pos(raw), field, Problem::ReportSpanZero),
            Ok(_) => {}
            Err(why) => self.flag(pos(raw), field, Problem::ReportSpanNotDuration { why }),
        }
        raw.value.clone()
    }
}
