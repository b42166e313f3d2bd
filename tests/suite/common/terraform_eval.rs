//! What Terraform computes, computed by Terraform: an attribute of a generated tree (a
//! `jsonencode`, `templatefile`, `base64gzip`, `format`, ... expression) evaluated by the real
//! binary, never by a copy of its functions written from the same belief as the generator.
//!
//! The expression is taken from the tree as written. What only `apply` knows (resource and
//! data source attributes) becomes a fixed stand-in literal; `var.*` takes the variable's
//! default; `each.*` ranges over the resource's own `for_each`; the locals it reads come
//! along, substituted the same way. The result is one module of locals beside the tree's own
//! files (templates/, app/), which `terraform console` evaluates without providers or `init`
//! — the way `scripts/rehearse` renders a bootstrap and a task definition.

use std::collections::{BTreeMap, BTreeSet};
use std::path::PathBuf;
use std::process::{Command, Stdio};

use hcl::edit::expr::{Expression, FuncCall, Traversal, TraversalOperator};
use hcl::edit::parser::parse_body;
use hcl::edit::structure::{Block, BlockLabel, Body};
use hcl::edit::visit::{self, Visit};
use hcl::edit::visit_mut::{self, VisitMut};
use hcl::edit::{Decorated, Ident};

use chaoslab::output::GeneratedFile;

/// Functions whose results the suite has Terraform compute (check 1 of issue 24).
pub const COMPUTED: &[&str] = &[
    "jsonencode",
    "yamlencode",
    "templatefile",
    "templatestring",
    "base64gzip",
    "base64encode",
    "format",
    "formatlist",
    "file",
];

/// The Terraform the trees are evaluated with: `$CHAOSLAB_TERRAFORM_EVAL`, else `terraform`
/// on PATH; it must satisfy the trees' `required_version`. (scripts/install-terraform's 1.0.3
/// in .tools/bin is for `terraform fmt`, whose output is pinned to it; this machine image
/// carries 1.11.4 at /usr/local/bin/terraform, which no registry we reach ships.)
pub fn binary() -> PathBuf {
    let (bin, from) = match std::env::var_os("CHAOSLAB_TERRAFORM_EVAL") {
        Some(p) => (PathBuf::from(p), "$CHAOSLAB_TERRAFORM_EVAL"),
        None => (PathBuf::from("terraform"), "PATH"),
    };
    let floor = chaoslab::model::terraform::TERRAFORM_VERSION
        .trim_start_matches(">=")
        .trim();
    let help = format!(
        "Terraform evaluates the trees' functions in these tests and must satisfy their \
         required_version `>= {floor}`: put one on PATH (this machine image has 1.11.4 at \
         /usr/local/bin/terraform; scripts/install-terraform checks it) or set \
         CHAOSLAB_TERRAFORM_EVAL to its path"
    );
    let out = Command::new(&bin)
        .args(["version", "-json"])
        .env("TF_CLI_CONFIG_FILE", "/dev/null")
        .output()
        .unwrap_or_else(|e| panic!("no Terraform from {from} ({e}). {help}"));
    let version: serde_json::Value = serde_json::from_slice(&out.stdout)
        .unwrap_or_else(|_| panic!("{} from {from} is not Terraform. {help}", bin.display()));
    let v = version["terraform_version"].as_str().unwrap_or("");
    let parse = |s: &str| -> Vec<u32> { s.split('.').filter_map(|p| p.parse().ok()).collect() };
    assert!(
        parse(v) >= parse(floor),
        "{} from {from} is Terraform {v}. {help}",
        bin.display()
    );
    bin
}

/// A generated tree, parsed.
pub struct Tree {
    files: Vec<GeneratedFile>,
    bodies: Vec<(String, Body)>,
}

/// One attribute to evaluate: where it is and its expression as written.
#[derive(Clone)]
pub struct Target {
    /// `aws_scheduler_schedule.weekly.target.input` (resource address, nested blocks, key).
    pub name: String,
    pub expr: Expression,
    /// The resource's `for_each`, when the expression reads `each.*`.
    for_each: Option<Expression>,
}

impl Tree {
    pub fn new(files: &[GeneratedFile]) -> Tree {
        let bodies = files
            .iter()
            .filter(|f| f.name.ends_with(".tf"))
            .map(|f| {
                let body = parse_body(&f.content)
                    .unwrap_or_else(|e| panic!("{} does not parse: {e}", f.name));
                (f.name.clone(), body)
            })
            .collect();
        Tree {
            files: files.to_vec(),
            bodies,
        }
    }

    fn top_blocks(&self) -> impl Iterator<Item = &Block> {
        self.bodies.iter().flat_map(|(_, b)| b.blocks())
    }

    /// `address` is `type.name` for a resource or `data.type.name`; `path` the nested block
    /// identifiers and the attribute key, e.g. `["target", "input"]`.
    pub fn attribute(&self, address: &str, path: &[&str]) -> Target {
        let (kind, labels): (&str, Vec<&str>) = match address.strip_prefix("data.") {
            Some(rest) => ("data", rest.split('.').collect()),
            None => ("resource", address.split('.').collect()),
        };
        let block = self
            .top_blocks()
            .find(|b| b.ident.as_str() == kind && label_strs(b) == labels)
            .unwrap_or_else(|| panic!("no {address} in the tree"));
        let (key, blocks) = path.split_last().expect("an attribute key");
        let mut body = &block.body;
        for ident in blocks {
            body = body
                .get_blocks(ident)
                .next()
                .map(|b| &b.body)
                .unwrap_or_else(|| panic!("{address} has no `{ident}` block"));
        }
        let attr = body
            .get_attribute(key)
            .unwrap_or_else(|| panic!("{address} has no `{}`", path.join(".")));
        Target {
            name: format!("{address}.{}", path.join(".")),
            expr: attr.value.clone(),
            for_each: block
                .body
                .get_attribute("for_each")
                .map(|a| a.value.clone()),
        }
    }

    /// Every attribute of a resource or data source (nested blocks included) whose expression
    /// calls one of `functions`.
    pub fn attributes_calling(&self, functions: &[&str]) -> Vec<Target> {
        let mut out = Vec::new();
        for block in self.top_blocks() {
            let labels = label_strs(block);
            let address = match block.ident.as_str() {
                "resource" => labels.join("."),
                "data" => format!("data.{}", labels.join(".")),
                _ => continue,
            };
            let for_each = block
                .body
                .get_attribute("for_each")
                .map(|a| a.value.clone());
            let mut stack = vec![(String::new(), &block.body)];
            while let Some((prefix, body)) = stack.pop() {
                for attr in body.attributes() {
                    let mut calls = Calls::default();
                    calls.visit_expr(&attr.value);
                    if calls.0.iter().any(|c| functions.contains(&c.as_str())) {
                        out.push(Target {
                            name: format!("{address}.{prefix}{}", attr.key.as_str()),
                            expr: attr.value.clone(),
                            for_each: for_each.clone(),
                        });
                    }
                }
                for b in body.blocks() {
                    stack.push((format!("{prefix}{}.", b.ident.as_str()), &b.body));
                }
            }
        }
        out.sort_by(|a, b| a.name.cmp(&b.name));
        out
    }

    /// Every `data "<data_type>" "<name>"` block as one target, `data.<data_type>.<name>`: its
    /// body written as an HCL object (attributes as they are, nested blocks as lists of
    /// objects under their identifier), so Terraform evaluates every expression it holds.
    pub fn data_blocks(&self, data_type: &str) -> Vec<Target> {
        fn object(body: &Body) -> String {
            let mut fields: Vec<String> = body
                .attributes()
                .map(|a| format!("{} = ({})", a.key.as_str(), a.value.to_string().trim()))
                .collect();
            let mut idents: Vec<&str> = body.blocks().map(|b| b.ident.as_str()).collect();
            idents.dedup();
            let mut seen = BTreeSet::new();
            for ident in idents.into_iter().filter(|i| seen.insert(*i)) {
                let items: Vec<String> = body.get_blocks(ident).map(|b| object(&b.body)).collect();
                fields.push(format!("{ident} = [{}]", items.join(", ")));
            }
            format!("{{\n{}\n}}", fields.join("\n"))
        }
        self.top_blocks()
            .filter(|b| b.ident.as_str() == "data" && label_strs(b).first() == Some(&data_type))
            .map(|b| {
                let text = object(&b.body);
                Target {
                    name: format!("data.{}", label_strs(b).join(".")),
                    expr: hcl::edit::parser::parse_expr(&text)
                        .unwrap_or_else(|e| panic!("{text} does not parse: {e}")),
                    for_each: b.body.get_attribute("for_each").map(|a| a.value.clone()),
                }
            })
            .collect()
    }

    fn variable_defaults(&self) -> BTreeMap<String, Expression> {
        self.top_blocks()
            .filter(|b| b.ident.as_str() == "variable")
            .filter_map(|b| {
                let name = label_strs(b).first()?.to_string();
                Some((name, b.body.get_attribute("default")?.value.clone()))
            })
            .collect()
    }

    fn locals(&self) -> BTreeMap<String, Expression> {
        self.top_blocks()
            .filter(|b| b.ident.as_str() == "locals")
            .flat_map(|b| b.body.attributes())
            .map(|a| (a.key.as_str().to_owned(), a.value.clone()))
            .collect()
    }

    /// Evaluates each target with the real Terraform. `stand_ins` maps a reference as written
    /// (`aws_fis_experiment_template.x.id`) to the HCL literal it becomes; any other resource
    /// or data attribute becomes the string `stand-in:<reference>` (a one-element list of it
    /// behind a splat). Returns each target's value as JSON, by name. Panics with Terraform's
    /// own message when it refuses an expression.
    pub fn evaluate(
        &self,
        targets: &[Target],
        stand_ins: &[(&str, &str)],
    ) -> BTreeMap<String, serde_json::Value> {
        let mut subst = Substitute {
            resource_types: self
                .top_blocks()
                .filter(|b| b.ident.as_str() == "resource")
                .filter_map(|b| label_strs(b).first().map(|s| s.to_string()))
                .collect(),
            defaults: self.variable_defaults(),
            stand_ins: stand_ins
                .iter()
                .map(|(k, v)| (k.to_string(), v.to_string()))
                .collect(),
            locals_read: BTreeSet::new(),
        };
        let mut lines = Vec::new();
        for (i, t) in targets.iter().enumerate() {
            let mut expr = t.expr.clone();
            subst.visit_expr_mut(&mut expr);
            let text = match &t.for_each {
                Some(fe) if reads_each(&t.expr) => {
                    let mut fe = fe.clone();
                    subst.visit_expr_mut(&mut fe);
                    format!("{{ for each_key, each_value in ({fe}) : each_key => ({expr}) }}")
                }
                _ => format!("({expr})"),
            };
            lines.push(format!("  chaoslab_eval_{i} = {text}\n"));
        }
        // The locals the targets read, and the locals those read.
        let all = self.locals();
        let mut done = BTreeSet::new();
        while let Some(name) = subst
            .locals_read
            .iter()
            .find(|n| !done.contains(*n))
            .cloned()
        {
            done.insert(name.clone());
            let mut expr = all
                .get(&name)
                .unwrap_or_else(|| panic!("local.{name} is read but not defined"))
                .clone();
            subst.visit_expr_mut(&mut expr);
            lines.push(format!("  {name} = ({expr})\n"));
        }
        let dir = tempfile::tempdir().expect("temp dir");
        for f in self.files.iter().filter(|f| !f.name.ends_with(".tf")) {
            let path = dir.path().join(&f.name);
            std::fs::create_dir_all(path.parent().expect("parent")).expect("mkdir");
            std::fs::write(path, &f.content).expect("write");
        }
        let module = format!("locals {{\n{}}}\n", lines.concat());
        std::fs::write(dir.path().join("main.tf"), &module).expect("write main.tf");
        let names: Vec<String> = (0..targets.len())
            .map(|i| format!("t{i} = local.chaoslab_eval_{i}"))
            .collect();
        let query = format!("base64encode(jsonencode({{ {} }}))\n", names.join(", "));
        let mut child = Command::new(binary())
            .arg("console")
            .current_dir(dir.path())
            .env("TF_CLI_CONFIG_FILE", "/dev/null")
            .env("TF_IN_AUTOMATION", "1")
            .env("NO_COLOR", "1")
            .stdin(Stdio::piped())
            .stdout(Stdio::piped())
            .stderr(Stdio::piped())
            .spawn()
            .expect("terraform console starts");
        {
            use std::io::Write;
            let mut stdin = child.stdin.take().expect("stdin");
            stdin.write_all(query.as_bytes()).expect("query written");
        }
        let out = child.wait_with_output().expect("terraform console ends");
        let stdout = String::from_utf8_lossy(&out.stdout);
        assert!(
            out.status.success() && stdout.trim().starts_with('"'),
            "Terraform refuses what the tree computes:\n{}{}\nmodule:\n{module}",
            strip_ansi(&stdout),
            strip_ansi(&String::from_utf8_lossy(&out.stderr)),
        );
        let b64 = stdout.trim().trim_matches('"');
        let json = unbase64(b64);
        let mut all: serde_json::Map<String, serde_json::Value> =
            serde_json::from_slice(&json).expect("Terraform's jsonencode is JSON");
        targets
            .iter()
            .enumerate()
            .map(|(i, t)| {
                let v = all
                    .remove(&format!("t{i}"))
                    .expect("every target evaluated");
                (t.name.clone(), v)
            })
            .collect()
    }

    /// One target's value (see [`Tree::evaluate`]).
    pub fn evaluate_one(&self, target: &Target, stand_ins: &[(&str, &str)]) -> serde_json::Value {
        self.evaluate(std::slice::from_ref(target), stand_ins)
            .remove(&target.name)
            .expect("evaluated")
    }
}

fn label_strs(b: &Block) -> Vec<&str> {
    b.labels
        .iter()
        .map(|l| match l {
            BlockLabel::Ident(i) => i.as_str(),
            BlockLabel::String(s) => s.as_str(),
        })
        .collect()
}

#[derive(Default)]
struct Calls(BTreeSet<String>);

impl Visit for Calls {
    fn visit_func_call(&mut self, node: &FuncCall) {
        self.0.insert(node.name.name.as_str().to_owned());
        visit::visit_func_call(self, node);
    }
}

fn root(t: &Traversal) -> Option<&str> {
    match &t.expr {
        Expression::Variable(v) => Some(v.as_str()),
        _ => None,
    }
}

fn reads_each(e: &Expression) -> bool {
    struct Each(bool);
    impl Visit for Each {
        fn visit_traversal(&mut self, t: &Traversal) {
            self.0 |= root(t) == Some("each");
            visit::visit_traversal(self, t);
        }
    }
    let mut v = Each(false);
    v.visit_expr(e);
    v.0
}

struct Substitute {
    resource_types: BTreeSet<String>,
    defaults: BTreeMap<String, Expression>,
    stand_ins: BTreeMap<String, String>,
    locals_read: BTreeSet<String>,
}

impl Substitute {
    fn replacement(&mut self, t: &Traversal) -> Option<Expression> {
        let root = root(t)?;
        let attr = |i: usize| match t.operators.get(i).map(|o| o.value()) {
            Some(TraversalOperator::GetAttr(a)) => Some(a.as_str().to_owned()),
            _ => None,
        };
        let text = Expression::Traversal(Box::new(t.clone())).to_string();
        let text = text.trim();
        if let Some(literal) = self.stand_ins.get(text) {
            return Some(hcl::edit::parser::parse_expr(literal).expect("stand-in is HCL"));
        }
        match root {
            "local" => {
                self.locals_read.insert(attr(0)?);
                None
            }
            "each" => {
                let var = format!("each_{}", attr(0)?);
                let rest = t.operators[1..].to_vec();
                let var = Expression::Variable(Decorated::new(Ident::new(var)));
                Some(if rest.is_empty() {
                    var
                } else {
                    Expression::Traversal(Box::new(Traversal::new(var, rest)))
                })
            }
            "var" => {
                let default = self.defaults.get(&attr(0)?).cloned();
                Some(default.unwrap_or_else(|| Expression::from(format!("stand-in:{text}"))))
            }
            "data" => Some(stand_in(t, text)),
            r if self.resource_types.contains(r) => Some(stand_in(t, text)),
            _ => None,
        }
    }
}

fn stand_in(t: &Traversal, text: &str) -> Expression {
    let s = Expression::from(format!("stand-in:{text}"));
    let splat = t.operators.iter().any(|o| {
        matches!(
            o.value(),
            TraversalOperator::AttrSplat(_) | TraversalOperator::FullSplat(_)
        )
    });
    if splat {
        Expression::Array(vec![s].into_iter().collect())
    } else {
        s
    }
}

impl VisitMut for Substitute {
    fn visit_expr_mut(&mut self, node: &mut Expression) {
        if let Expression::Traversal(t) = node
            && let Some(new) = self.replacement(t)
        {
            *node = new;
            return;
        }
        visit_mut::visit_expr_mut(self, node);
    }
}

/// `input` through a standard tool (`base64 -d`, `gzip -dc`): decoders only, no Terraform
/// semantics.
fn filter(tool: &str, args: &[&str], input: &[u8]) -> Vec<u8> {
    let out = Command::new(tool)
        .args(args)
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .spawn()
        .and_then(|mut c| {
            use std::io::Write;
            c.stdin.take().expect("stdin").write_all(input)?;
            c.wait_with_output()
        })
        .unwrap_or_else(|e| panic!("{tool} does not run: {e}"));
    assert!(out.status.success(), "{tool} {args:?} refuses its input");
    out.stdout
}

/// Base64 text decoded (Terraform's `base64encode`, `base64gzip`).
pub fn unbase64(s: &str) -> Vec<u8> {
    filter("base64", &["-d"], s.as_bytes())
}

/// Gzip data decompressed (what cloud-init does to gzipped user data).
pub fn gunzip(bytes: &[u8]) -> Vec<u8> {
    filter("gzip", &["-dc"], bytes)
}

fn strip_ansi(s: &str) -> String {
    let mut out = String::new();
    let mut chars = s.chars();
    while let Some(c) = chars.next() {
        if c == '\u{1b}' {
            for d in chars.by_ref() {
                if d.is_ascii_alphabetic() {
                    break;
                }
            }
        } else {
            out.push(c);
        }
    }
    out
}
