//! `chaoslab report`: one self-contained HTML page from `verify` or `rehearse` journals (no
//! network, no script): per run, the verdict and why, the hypothesis, the timings, the judged
//! tables, and per endpoint every request over time (latency up, failures in red) with the
//! phases and the FIS events marked. Every journal value reaches the page through minijinja's
//! HTML escaping (the template is `.html`), so a journal cannot add markup.

use minijinja::Environment;
use serde_json::{Value, json};

const TEMPLATE: &str = include_str!("report.html");

/// What every report has in its first KiB: how `chaoslab report` knows a file it may replace.
pub const MARK: &str = "<title>chaoslab report</title>";

/// The chart's drawing area, in SVG units.
const WIDTH: f64 = 860.0;
const HEIGHT: f64 = 120.0;

/// The runs a journal holds: a `rehearse` journal's `runs`, or a `verify` journal itself.
pub fn runs(journal: &Value) -> Vec<&Value> {
    match journal.get("runs").and_then(Value::as_array) {
        Some(runs) => runs.iter().collect(),
        None => vec![journal],
    }
}

/// The page for `runs`, each with the name of the file it came from.
pub fn render(runs: &[(String, &Value)]) -> Result<String, String> {
    let mut env = Environment::new();
    env.add_template("report.html", TEMPLATE)
        .map_err(|e| format!("the report template: {e}"))?;
    let runs: Vec<Value> = runs.iter().map(|(file, run)| view(file, run)).collect();
    env.get_template("report.html")
        .and_then(|t| t.render(template_value(&json!({ "runs": runs }))))
        .map_err(|e| format!("rendering the report: {e}"))
}

/// A JSON value as the template sees it (minijinja is built without its serde support).
fn template_value(v: &Value) -> minijinja::Value {
    match v {
        Value::Null => minijinja::Value::from(()),
        Value::Bool(b) => minijinja::Value::from(*b),
        Value::Number(n) => match n.as_i64() {
            Some(i) => minijinja::Value::from(i),
            None => minijinja::Value::from(n.as_f64().unwrap_or(0.0)),
        },
        Value::String(s) => minijinja::Value::from(s.as_str()),
        Value::Array(a) => minijinja::Value::from(a.iter().map(template_value).collect::<Vec<_>>()),
        Value::Object(o) => minijinja::Value::from(
            o.iter()
                .map(|(k, v)| (k.clone(), template_value(v)))
                .collect::<std::collections::BTreeMap<String, minijinja::Value>>(),
        ),
    }
}

static NULL: Value = Value::Null;

/// The value at `path` in `v`, or null: a journal may lack any field.
fn at<'a>(v: &'a Value, path: &[&str]) -> &'a Value {
    path.iter().fold(v, |v, k| v.get(*k).unwrap_or(&NULL))
}

fn num(v: &Value) -> f64 {
    v.as_f64().unwrap_or(0.0)
}

/// What the template draws for one run: numbers worked out here, text as the journal has it.
fn view(file: &str, run: &Value) -> Value {
    let samples: &[Value] = at(run, &["samples"]).as_array().map_or(&[], Vec::as_slice);
    let end_s = samples
        .iter()
        .map(|s| num(at(s, &["t_ms"])) / 1000.0)
        .fold(1.0_f64, f64::max);
    let x = |t: f64| (t / end_s * WIDTH * 10.0).round() / 10.0;
    let mut names: Vec<String> = Vec::new();
    for s in samples {
        if let Some(e) = at(s, &["endpoint"]).as_str()
            && !names.iter().any(|n| n == e)
        {
            names.push(e.to_owned());
        }
    }
    let max_latency = samples
        .iter()
        .map(|s| num(at(s, &["latency_ms"])))
        .fold(1.0_f64, f64::max);
    let y = |ms: f64| (HEIGHT - ms / max_latency * (HEIGHT - 6.0) - 3.0).round();
    let charts: Vec<Value> = names
        .iter()
        .map(|name| {
            let mine: Vec<&Value> = samples
                .iter()
                .filter(|s| at(s, &["endpoint"]).as_str() == Some(name.as_str()))
                .collect();
            let dots: Vec<Value> = mine
                .iter()
                .map(|s| {
                    json!({
                        "x": x(num(at(s, &["t_ms"])) / 1000.0),
                        "y": y(num(at(s, &["latency_ms"]))),
                        "ok": at(s, &["ok"]).as_bool() == Some(true),
                        "title": format!(
                            "{:.1} s: {} in {} ms{}",
                            num(at(s, &["t_ms"])) / 1000.0,
                            at(s, &["status"]).as_u64().map_or("no answer".to_owned(), |c| format!("HTTP {c}")),
                            num(at(s, &["latency_ms"])).round(),
                            at(s, &["reason"]).as_str().map(|r| format!(" ({r})")).unwrap_or_default()
                        ),
                    })
                })
                .collect();
            let ok = mine.iter().filter(|s| at(s, &["ok"]).as_bool() == Some(true)).count();
            json!({ "name": name, "dots": dots, "ok": ok, "failed": mine.len() - ok })
        })
        .collect();
    // Phases: the span of each phase's samples, in the order they came.
    let mut phases: Vec<(String, f64, f64)> = Vec::new();
    for s in samples {
        let Some(p) = at(s, &["phase"]).as_str() else {
            continue;
        };
        let t = num(at(s, &["t_ms"])) / 1000.0;
        match phases.iter_mut().find(|(n, _, _)| n == p) {
            Some(span) => {
                span.1 = span.1.min(t);
                span.2 = span.2.max(t);
            }
            None => phases.push((p.to_owned(), t, t)),
        }
    }
    let phases: Vec<Value> = phases
        .iter()
        .enumerate()
        // Labels alternate between two lines: a short phase's would run into the next one's.
        .map(|(i, (n, a, b))| {
            json!({ "name": n, "x": x(*a), "width": (x(*b) - x(*a)).max(1.0), "label_y": 11 + 11 * (i % 2) })
        })
        .collect();
    let moments = &at(run, &["moments"]);
    let events: Vec<Value> = [
        ("StartExperiment", "start_s"),
        ("running", "running_s"),
        ("ended", "ended_s"),
    ]
    .iter()
    .enumerate()
    .filter_map(|(i, (label, key))| {
        let y = if i % 2 == 0 {
            HEIGHT - 4.0
        } else {
            HEIGHT - 16.0
        };
        moments
            .get(*key)
            .unwrap_or(&NULL)
            .as_f64()
            .map(|t| json!({ "label": label, "x": x(t), "label_y": y }))
    })
    .collect();
    let judged: Vec<Value> = ["before", "during", "after"]
        .iter()
        .filter_map(|k| {
            at(run, &["steady_states", k])
                .as_object()
                .map(|p| json!({ "phase": k, "probes": p.get("probes").cloned().unwrap_or(Value::Null) }))
        })
        .collect();
    json!({
        "file": file,
        "title": at(run, &["experiment", "title"]),
        "template": at(run, &["experiment", "experiment_template_id"]),
        "status": at(run, &["status"]),
        "deviated": at(run, &["deviated"]),
        "reason": at(run, &["reason"]),
        "hypothesis": at(run, &["experiment", "steady_state_hypothesis"]),
        "timings": at(run, &["timings"]),
        "judged": judged,
        "charts": charts,
        "phases": phases,
        "events": events,
        "width": WIDTH,
        "height": HEIGHT,
        "end_s": (end_s * 10.0).round() / 10.0,
        "max_latency_ms": max_latency.round() as i64,
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn journal_text_cannot_add_markup() {
        let run = json!({
            "experiment": {"title": "<script>alert(1)</script>", "steady_state_hypothesis": {}},
            "status": "deviated",
            "samples": [{"endpoint": "a\"><b>", "t_ms": 10, "latency_ms": 5.0, "ok": false,
                         "phase": "during", "reason": "<i>", "status": 503}],
        });
        let html = render(&[("j<.json".into(), &run)]).expect("renders");
        assert!(!html.contains("<script>alert"), "{html}");
        assert!(!html.contains("<b>") && !html.contains("<i>"), "{html}");
        assert!(html.contains("&lt;script&gt;"), "{html}");
        // No network and no script of its own.
        assert!(
            !html.contains("<script") && !html.contains("http://") && !html.contains("https://")
        );
    }
}
