//! The files that are not HCL: the app bootstrap (a Terraform template file) and the lab's
//! README, rendered with minijinja from the templates in `blueprints/templates/`.
//!
//! Escaping is the environment's job, never a template author's: every value printed into a
//! `.tftpl` has `${`/`%{` doubled, and every value printed into Markdown has its markup
//! characters escaped (the `code` filter makes a safe code span). Undefined variables are
//! errors.

use minijinja::value::Value;
use minijinja::{AutoEscape, Environment, Error as TemplateError, UndefinedBehavior, context};

use crate::base::files::GeneratedFile;
use crate::base::hcl::{Expr, File, Item};
use crate::base::text::code_span;
use crate::experiments::{Lab, Nat, Step, stop_words, tf_name};
use crate::model::before_apply;
use crate::model::{Model, monitoring};
use crate::render::money::dollars;
use crate::resources::app::compute::USER_DATA;
use crate::resources::dynamodb::model::rpo_commands;
use crate::resources::s3::shown_name;

const USER_DATA_J2: &str =
    include_str!("../../blueprints/templates/chaos-shop/user_data.sh.tftpl.j2");
/// The app and its locked requirements: plain files (the app takes its settings from its
/// config file), printed into the bootstrap's heredocs with `${`/`%{` escaped.
const APP_PY: &str = include_str!("../../blueprints/templates/chaos-shop/app.py");
const RPO_PY: &str = include_str!("../../blueprints/templates/rpo.py");
/// Where the RPO script lives in the generated tree.
pub const RPO_SCRIPT: &str = "rpo.py";
const REQUIREMENTS: &str = include_str!("../../blueprints/templates/chaos-shop/requirements.txt");
const README_J2: &str = include_str!("../../blueprints/templates/README.md.j2");

/// The environment with one template loaded: compiling only what is rendered keeps a
/// generate fast.
fn environment(
    name: &'static str,
    source: &'static str,
) -> Result<Environment<'static>, TemplateError> {
    let mut env = Environment::new();
    env.set_undefined_behavior(UndefinedBehavior::Strict);
    env.set_syntax(
        minijinja::syntax::SyntaxConfig::builder()
            .keep_trailing_newline(true)
            .build()?,
    );
    env.set_auto_escape_callback(|name| {
        if name.ends_with(".tftpl.j2") {
            AutoEscape::Custom("tftpl".into())
        } else if name.ends_with(".md.j2") {
            AutoEscape::Custom("markdown".into())
        } else {
            AutoEscape::None
        }
    });
    env.set_formatter(|out, state, value| {
        let escape: fn(&str) -> String = match state.auto_escape() {
            AutoEscape::Custom(name) if name == "tftpl" => escape_tftpl,
            AutoEscape::Custom(name) if name == "markdown" => escape_markdown,
            _ => return minijinja::escape_formatter(out, state, value),
        };
        // Numbers carry no markup: `0.5` must not become `0\.5`.
        let text = if value.is_safe() || value.is_number() {
            value.to_string()
        } else {
            escape(&value.to_string())
        };
        out.write_str(&text).map_err(TemplateError::from)
    });
    env.add_filter("code", |value: Value| {
        Value::from_safe_string(code_span(&value.to_string()))
    });
    env.add_filter("plural", |n: u64| if n == 1 { "" } else { "s" });
    env.add_template(name, source)?;
    Ok(env)
}

/// Literal text in a Terraform template: `${` and `%{` would start interpolation.
pub fn escape_tftpl(s: &str) -> String {
    s.replace("${", "$${").replace("%{", "%%{")
}

/// Text in Markdown prose or a table cell: inline markup escaped, one line, and nothing at its
/// start that Markdown would read as a block (list item, heading, fence, rule).
pub fn escape_markdown(s: &str) -> String {
    block_safe(s, true)
}

/// `escape_markdown` for text that continues a line (no block syntax can start there).
fn escape_inline(s: &str) -> String {
    block_safe(s, false)
}

fn block_safe(s: &str, line_start: bool) -> String {
    let s = if line_start { s.trim_start() } else { s };
    let mut out = String::with_capacity(s.len());
    let leading_digits = if line_start {
        s.chars().take_while(char::is_ascii_digit).count()
    } else {
        0
    };
    if line_start && matches!(s.chars().next(), Some('-' | '+' | '=')) {
        out.push('\\');
    }
    for (i, c) in s.chars().enumerate() {
        if i == leading_digits && leading_digits > 0 && matches!(c, '.' | ')') {
            out.push('\\');
        }
        match c {
            '\\' | '`' | '*' | '_' | '[' | ']' | '|' | '#' | '!' | '~' | '$' => {
                out.push('\\');
                out.push(c);
            }
            '<' => out.push_str("&lt;"),
            '>' => out.push_str("&gt;"),
            '&' => out.push_str("&amp;"),
            '\n' | '\r' => out.push(' '),
            // Defence in depth (E009 keeps them out of specs): shown, never passed on.
            c if crate::base::text::unsafe_char(c) => {
                out.push_str(&crate::base::text::printable(c.encode_utf8(&mut [0; 4])))
            }
            c => out.push(c),
        }
    }
    out
}

/// The rendered app bootstrap, when the lab has an app.
pub fn user_data(lab: &Lab, header: &[String]) -> Result<Option<GeneratedFile>, TemplateError> {
    let Some(app) = lab.app.as_ref().filter(|a| a.fargate().is_none()) else {
        return Ok(None);
    };
    let env = environment("user_data.sh.tftpl.j2", USER_DATA_J2)?;
    let content = env
        .get_template("user_data.sh.tftpl.j2")?
        .render(context! {
            header => header.iter().map(|l| format!("# {l}")).collect::<Vec<_>>().join("\n"),
            app_py => APP_PY,
            requirements => REQUIREMENTS,
            workers => app.workers,
            threads => app.threads,
            port => app.port,
        })?;
    Ok(Some(GeneratedFile {
        name: USER_DATA.to_owned(),
        content,
    }))
}

const ECS_BOOT: &str = include_str!("../../blueprints/templates/chaos-shop/ecs_boot.py");
const SSM_AGENT_SIDECAR: &str =
    include_str!("../../blueprints/templates/chaos-shop/ssm_agent_sidecar.sh");

/// The files a Fargate task definition reads with `file()`: the boot program, the app and
/// its requirements (the very files the instance bootstrap embeds), and the SSM agent
/// sidecar with fault injection. chaoslab's own text: the spec reaches them only through the
/// task's environment.
pub fn ecs_files(lab: &Lab, header: &[String]) -> Vec<GeneratedFile> {
    use crate::resources::app::ecs;
    let Some(fargate) = lab.app.as_ref().and_then(|a| a.fargate()) else {
        return Vec::new();
    };
    let comments: String = header.iter().map(|l| format!("# {l}\n")).collect();
    let file = |name: &str, content: String| GeneratedFile {
        name: name.to_owned(),
        content,
    };
    let mut out = vec![
        file(ecs::BOOT, format!("{comments}{ECS_BOOT}")),
        file(ecs::APP, format!("{comments}{APP_PY}")),
        file(ecs::REQUIREMENTS, format!("{comments}{REQUIREMENTS}")),
    ];
    if fargate.fault_injection
        && let Some((shebang, body)) = SSM_AGENT_SIDECAR.split_once('\n')
    {
        out.push(file(ecs::SIDECAR, format!("{shebang}\n{comments}{body}")));
    }
    out
}

/// The RPO measurement of Article 9, shipped with a lab whose tables have replicas. It is
/// chaoslab's own script: every lab value reaches it as a command-line argument the lab
/// README spells out, never inside its source.
pub fn rpo_script(lab: &Lab, header: &[String]) -> Option<GeneratedFile> {
    if lab.tables.iter().all(|t| t.replicas.is_empty()) {
        return None;
    }
    let (shebang, body) = RPO_PY.split_once('\n')?;
    let comments: String = header.iter().map(|l| format!("# {l}\n")).collect();
    Some(GeneratedFile {
        name: RPO_SCRIPT.to_owned(),
        content: format!("{shebang}\n{comments}{body}"),
    })
}

/// `variable` or `output` blocks of the rendered model, with their descriptions.
fn described(files: &[File], kind: &str) -> Vec<Value> {
    let text = |e: Option<&Expr>| match e {
        Some(Expr::Str(s)) => s.clone(),
        Some(Expr::Num(n)) => n.clone(),
        _ => String::new(),
    };
    files
        .iter()
        .flat_map(|f| &f.blocks)
        .filter(|b| b.kind == kind)
        .map(|b| {
            let attr = |key: &str| {
                b.body.iter().find_map(|i| match i {
                    Item::Attr(k, v) if *k == key => Some(v),
                    _ => None,
                })
            };
            context! {
                name => b.labels.first().cloned().unwrap_or_default(),
                description => text(attr("description")),
                default => text(attr("default")),
            }
        })
        .collect()
}

/// The lab's README.md.
pub fn readme(lab: &Lab, model: &Model, header: &[String]) -> Result<GeneratedFile, TemplateError> {
    let env = environment("README.md.j2", README_J2)?;
    let app = lab.app.as_ref().map(|a| {
        let probe_id = crate::resources::app::reviews_probe_id(lab.app.as_ref(), &lab.tables);
        context! {
            instances => a.instances,
            instance_type => match &a.runtime {
                crate::experiments::Runtime::Ec2 { instance_type, .. } => Some(instance_type.clone()),
                crate::experiments::Runtime::Ecs(_) => None,
            },
            fargate => a.fargate().map(|f| context! {
                cpu => f.cpu,
                vcpu => f64::from(f.cpu) / 1024.0,
                memory => f.memory,
                fault_injection => f.fault_injection,
            }),
            workers => a.workers,
            threads => a.threads,
            port => a.port,
            connect_timeout => a.timeouts.connect,
            read_timeout => a.timeouts.read,
            retries => a.timeouts.retries,
            deadline => a.timeouts.deadline(),
            probe_timeout => a.timeouts.probe_limit(),
            bulkhead => a.bulkhead,
            breaker => a.circuit_breaker.map(|b| context! {
                failures => b.failures,
                reset_seconds => b.reset_seconds,
            }),
            reviews_table => format!("{}-{}", lab.prefix, a.reviews_table),
            promo_key => a.promo_key.clone(),
            promo_bucket => shown_name(&lab.prefix, &a.promo_bucket),
            probe_id => Value::from_safe_string(probe_id),
        }
    });
    let experiments: Vec<Value> = lab
        .experiments
        .iter()
        .map(|e| {
            let stops = stop_words::what_stops(lab, e);
            let target = |s: &Step| match s.selection() {
                None => "none".to_owned(),
                Some(sel) => format!(
                    "{}, selection {} (target {})",
                    sel.describe(),
                    s.selection_mode,
                    code_span(&sel.name())
                ),
            };
            let view = lab.view();
            let expect = |s: &Step| Value::from_safe_string((s.action.expect)(&view, s));
            // One step is shown on the experiment's own lines; several, one line each.
            let single = e.steps.first().filter(|_| e.steps.len() == 1);
            let steps: Vec<Value> = if single.is_some() {
                Vec::new()
            } else {
                e.actions()
                    .map(|s| context! {
                        name => s.name.clone(),
                        action => s.action.id,
                        parameters => s.parameters.iter().map(|(k, v)| format!("{k}={v}")).collect::<Vec<_>>(),
                        target => Value::from_safe_string(target(s)),
                        after => s.start_after.clone(),
                        expect => expect(s),
                    })
                    .collect()
            };
            context! {
                steps => steps,
                name => e.name.clone(),
                description => e.description.clone(),
                scenario => e.scenario.map(|sc| context! {
                    name => sc.name,
                    summary => Value::from_safe_string(sc.summary.to_owned()),
                    omits => Value::from_safe_string(sc.omits.to_owned()),
                    url => sc.url,
                }),
                action => single.map(|s| s.action.id),
                parameters => single.map(|s| s.parameters.iter().map(|(k, v)| format!("{k}={v}")).collect::<Vec<_>>()),
                target => single.map(|s| Value::from_safe_string(target(s))),
                stops => Value::from_safe_string(escape_or_keep_spans(&stops)),
                stops_within => stop_words::stops_within(lab, e).map(Value::from_safe_string),
                expect => single.map(expect),
                hypothesis => e.hypothesis.as_ref().zip(lab.app.as_ref()).map(|(h, a)| {
                    Value::from_safe_string(h.describe(a.timeouts.deadline()))
                }),
                output => identifier(&format!("{}_start_command", tf_name(&e.name))),
                schedule => e.schedule.as_ref().map(|s| context! {
                    when => Value::from_safe_string(schedule_when(s)),
                    enabled => s.enabled,
                    output => identifier(&format!("{}_schedule", tf_name(&e.name))),
                }),
                report => e.report.as_ref().map(|r| context! {
                    pre => r.pre.clone(),
                    post => r.post.clone(),
                    prefix => crate::model::reports::prefix(&e.name),
                }),
                guard => crate::experiments::replacement_guard(lab, e).map(|(before, after)| context! {
                    before => Value::from_safe_string(before),
                    after => Value::from_safe_string(after),
                }),
            }
        })
        .collect();
    let tradeoffs: Vec<Value> = model
        .accepted
        .iter()
        .map(|a| {
            context! { finding => Value::from_safe_string(a.findings.to_owned()), reason => Value::from_safe_string(a.reason.to_owned()) }
        })
        .collect();
    let content = env.get_template("README.md.j2")?.render(context! {
        header => Value::from_safe_string(header.join(" ").replace("--", "- -")),
        lab => context! {
            name => lab.name.clone(),
            description => lab.description.clone(),
            region => lab.region.clone(),
            prefix => lab.prefix.clone(),
        },
        network => context! {
            cidr => lab.network.cidr.clone(),
            azs => lab.network.azs,
            nat => match lab.network.nat { Nat::Single => "one gateway", Nat::PerAz => "one gateway per zone", Nat::None => "none" },
        },
        app => app,
        aurora => lab.aurora.as_ref().map(|a| context! {
            engine => a.engine.clone(),
            engine_version => a.engine_version.clone(),
            readers => a.readers,
            proxy => a.proxy,
            reads_from_readers => a.reads_from_readers,
            paused => a.min_capacity == 0.0,
            min_capacity => Value::from_safe_string(a.min_capacity.to_string()),
            max_capacity => Value::from_safe_string(a.max_capacity.to_string()),
            database => a.database.clone(),
        }),
        tables => lab.tables.iter().map(|t| context! { name => format!("{}-{}", lab.prefix, t.name), items => t.items.len() }).collect::<Vec<_>>(),
        buckets => lab.buckets.iter().map(|b| context! { name => shown_name(&lab.prefix, &b.name), objects => b.objects.len() }).collect::<Vec<_>>(),
        functions => lab.functions.iter().map(|f| context! {
            name => format!("{}-{}", lab.prefix, f.name),
            runtime => f.runtime.clone(),
            architecture => f.architecture.name(),
            memory => f.memory,
            timeout => f.timeout,
            path => lab.app.as_ref().map(|_| crate::resources::functions::path(&f.name)),
            fault_injection => f.fault_injection,
            poll_wait => crate::model::functions::poll_wait_ms(f),
        }).collect::<Vec<_>>(),
        config_bucket => shown_name(&lab.prefix, crate::resources::functions::CONFIG_BUCKET),
        // The extension's documented ramp (data/fis-facts.json), the same for every Lambda action.
        lambda_lag => crate::catalog::facts::lag("aws:lambda:invocation-error").map(|l| context! {
            ramp_up => l.seconds,
            ramp_down => l.after_end,
            url => Value::from_safe_string(l.url),
        }),
        before => before_apply_context(lab, model),
        workshop => workshop_context(lab, model),
        on_its_own => on_its_own(lab),
        alarms => lab.alarms.iter().map(|a| context! { name => a.name.clone(), description => monitoring::describe(a) }).collect::<Vec<_>>(),
        experiments => experiments,
        gameday => lab.gameday,
        rpo => rpo_commands(&lab.tables, &lab.region).into_iter().map(|c| context! {
            table => c.table,
            replica => c.replica,
            command => Value::from_safe_string(c.command),
        }).collect::<Vec<_>>(),
        scheduled => lab.experiments.iter().any(|e| e.schedule.is_some()),
        stop_conditions => lab.experiments.iter().any(|e| !e.stop_conditions.is_empty()).then(|| context! {
            url => Value::from_safe_string(stop_words::GUIDE.0.to_owned()),
            read => stop_words::GUIDE.1,
        }),
        reports => crate::model::reports::wanted(lab),
        variables => described(&model.files, "variable"),
        outputs => described(&model.files, "output"),
        tradeoffs => tradeoffs,
    })?;
    Ok(GeneratedFile {
        name: "README.md".to_owned(),
        content,
    })
}

/// The remote-state and tenant section; `None` (no section) for a single lab on local state.
/// The snippets are built from validated names (tenants, the lab name) only.
fn workshop_context(lab: &Lab, model: &Model) -> Option<Value> {
    use crate::render::tenants::{backend_name, tenant_prefix, tfvars_name};
    if lab.state.is_none() && lab.tenants.is_empty() {
        return None;
    }
    let state = lab.state.is_some();
    let shell = lab
        .tenants
        .iter()
        .map(|t| {
            let apply = format!("terraform apply -var-file={}", tfvars_name(t));
            if state {
                format!(
                    "terraform init -reconfigure -backend-config={} && {apply}",
                    backend_name(t)
                )
            } else {
                // Local state: a workspace per tenant keeps their states apart.
                format!("terraform workspace select -or-create {t} && {apply}")
            }
        })
        .collect::<Vec<_>>()
        .join("\n");
    let mut atlantis = String::from("version: 3\nprojects:\n");
    for t in &lab.tenants {
        atlantis.push_str(&format!(
            "  - name: {t}\n    dir: .\n    workspace: {t}\n    workflow: chaoslab\n"
        ));
    }
    atlantis.push_str("workflows:\n  chaoslab:\n    plan:\n      steps:\n");
    if state {
        atlantis.push_str(
            "        - run: terraform init -input=false -reconfigure -backend-config=$PROJECT_NAME.backend.hcl\n",
        );
    } else {
        atlantis.push_str("        - init\n");
    }
    atlantis.push_str(
        "        - run: terraform plan -input=false -var-file=$PROJECT_NAME.tfvars -out=$PLANFILE\n    apply:\n      steps:\n        - apply",
    );
    let first = lab.tenants.first();
    let safe = |s: String| Value::from_safe_string(s);
    let needs = before_apply::quota_needs(lab);
    let tenants = lab.tenants.len();
    let over: Vec<&str> = needs
        .iter()
        .filter(|n| n.total > n.default)
        .map(|n| n.quota)
        .collect();
    let total = before_apply::total(&model.slots.cost_rows()) * tenants as f64;
    Some(context! {
        quotas => needs.iter().map(|n| context! {
            quota => n.quota,
            per_tenant => n.per_tenant,
            total => n.total,
            default => n.default,
            over => n.total > n.default,
        }).collect::<Vec<_>>(),
        quota_verdict => safe(if over.is_empty() {
            format!("{tenants} tenant{} fit in the default quotas", if tenants == 1 { "" } else { "s" })
        } else {
            format!(
                "{tenants} tenants need more than the default quotas ({}): ask for an increase in the Service Quotas console (Amazon VPC and Amazon EC2) before applying",
                over.join("; ")
            )
        }),
        quota_source => safe(before_apply::QUOTA_SOURCE.0.to_owned()),
        quota_read => before_apply::QUOTA_SOURCE.1,
        total_cost => safe(dollars(total)),
        state => state,
        tenants => lab.tenants.clone(),
        shell => safe(shell),
        atlantis => safe(atlantis),
        example_workspace => first.map(|t| format!("{}-{t}", lab.name)),
        example_prefix => first.map(|t| tenant_prefix(lab, t)),
    })
}

/// Prerequisites, times and the cost table (chaoslab's own text and numbers: printed as is).
fn before_apply_context(lab: &Lab, model: &Model) -> Value {
    let costs = model.slots.cost_rows();
    let (apply, destroy) = model.slots.apply_time();
    let safe = |s: String| Value::from_safe_string(s);
    let services: Vec<Value> = before_apply::services(model)
        .into_iter()
        .map(|s| match s.what.as_slice() {
            [] => safe(s.name),
            what => safe(format!("{}: {}", s.name, what.join(", "))),
        })
        .collect();
    context! {
        terraform => crate::model::terraform::terraform_version(lab),
        services => services,
        sidecar => lab.app.as_ref().and_then(|a| a.fargate()).is_some_and(|f| f.fault_injection),
        apply => apply,
        destroy => destroy,
        costs => costs.iter().map(|c| context! {
            component => c.component.clone(),
            count => safe(c.count.to_string()),
            unit => safe(c.unit_hour.map_or("see note".to_owned(), dollars)),
            hourly => safe(c.unit_hour.map_or("?".to_owned(), |p| dollars(p * c.count))),
            note => safe(c.note.to_owned()),
        }).collect::<Vec<_>>(),
        total => safe(dollars(before_apply::total(&costs))),
        unpriced => costs.iter().any(|c| c.unit_hour.is_none()),
        source => safe(before_apply::PRICE_SOURCE.to_owned()),
    }
}

/// A Terraform identifier, printed as is (it is used inside code blocks); anything that is not
/// a plain identifier is escaped like any other value.
fn identifier(s: &str) -> Value {
    if s.chars().all(|c| c.is_ascii_alphanumeric() || c == '_') {
        Value::from_safe_string(s.to_owned())
    } else {
        Value::from(s)
    }
}

/// Text that mixes chaoslab-built code spans (kept) with plain prose (escaped).
fn escape_or_keep_spans(s: &str) -> String {
    // Code spans are built by `code_span`; everything outside them came from chaoslab's own
    // wording or validated names, but escape it anyway so a future change cannot leak markup.
    let mut out = String::new();
    for (i, part) in s.split('`').enumerate() {
        if i % 2 == 1 {
            out.push('`');
            out.push_str(part);
            out.push('`');
        } else if i == 0 {
            out.push_str(&escape_markdown(part));
        } else {
            out.push_str(&escape_inline(part));
        }
    }
    out
}

/// The experiments EventBridge Scheduler starts by itself once the lab is applied, for the
/// README's first lines: which, what it does, how often (in words where the expression is a
/// plain one, always with the expression), and whether it is created paused.
fn on_its_own(lab: &Lab) -> Vec<Value> {
    lab.experiments
        .iter()
        .filter_map(|e| e.schedule.as_ref().map(|s| (e, s)))
        .map(|(e, s)| {
            let exact = format!(
                "time zone {}, {}",
                code_span(&s.timezone),
                code_span(&s.expression)
            );
            let when = match crate::render::schedule_text::how_often(&s.expression) {
                Some(words) => format!("{words} ({exact})"),
                None => format!("at the times of {exact}"),
            };
            let what = e
                .actions()
                .map(|a| {
                    let target = a.target.as_ref().map_or(String::new(), |t| {
                        format!(
                            " on {}, selection {}",
                            escape_markdown(&t.selection.describe()),
                            escape_markdown(&a.selection_mode)
                        )
                    });
                    format!("{}{target}", code_span(a.action.id))
                })
                .collect::<Vec<_>>()
                .join(" and ");
            context! {
                name => e.name.clone(),
                when => Value::from_safe_string(when),
                what => Value::from_safe_string(what),
                description => e.description.clone(),
                enabled => s.enabled,
            }
        })
        .collect()
}

/// When a schedule starts its experiment, in the README's words. Every value was checked to
/// be in a fixed form (no Markdown specials beyond what `code_span` escapes).
fn schedule_when(s: &crate::experiments::Schedule) -> String {
    let mut when = format!(
        "{} in time zone {}",
        code_span(&s.expression),
        code_span(&s.timezone)
    );
    if let Some(start) = &s.start {
        when.push_str(&format!(", not before {}", code_span(start)));
    }
    if let Some(end) = &s.end {
        when.push_str(&format!(", not after {}", code_span(end)));
    }
    when
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn escapes() {
        assert_eq!(escape_tftpl("a ${b} %{c}"), "a $${b} %%{c}");
        assert_eq!(
            escape_markdown("a|b <i> *x*\nnext"),
            "a\\|b &lt;i&gt; \\*x\\* next"
        );
        assert_eq!(code_span("a_b"), "`a_b`");
        assert_eq!(code_span("a`b"), "`` a`b ``");
    }
}
