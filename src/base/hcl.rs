//! The small slice of HCL that chaoslab emits, as typed values.
//!
//! Spec text can only enter as [`Expr::Str`], a map key or a literal [`Part::Lit`] of a
//! template; the renderer escapes all three. Raw HCL (references, function names, block and
//! attribute names) comes from chaoslab's own code and validated names only.

/// A Terraform expression.
#[derive(Clone, Debug, PartialEq)]
pub enum Expr {
    /// A literal string, escaped on output.
    Str(String),
    /// A number literal, made by [`Expr::int`] or [`Expr::num`].
    Num(String),
    Bool(bool),
    List(Vec<Expr>),
    /// Entries in output order.
    Map(Vec<(Key, Expr)>),
    /// A reference such as `aws_subnet.private[*].arn`.
    Ref(String),
    Call(&'static str, Vec<Expr>),
    /// A string template mixing literal text and interpolations.
    Template(Vec<Part>),
    /// `a + n`: index arithmetic such as `count.index + 1`.
    Add(Box<Expr>, i64),
}

#[derive(Clone, Debug, PartialEq)]
pub enum Part {
    Lit(String),
    Interp(Expr),
}

/// An object key: bare when it is a plain identifier, quoted otherwise.
#[derive(Clone, Debug, PartialEq)]
pub struct Key(pub String);

impl Expr {
    pub fn str(s: impl Into<String>) -> Expr {
        Expr::Str(s.into())
    }

    pub fn int(n: i64) -> Expr {
        Expr::Num(n.to_string())
    }

    pub fn num(n: f64) -> Expr {
        Expr::Num(n.to_string())
    }

    /// A reference built by chaoslab; see the module docs.
    pub fn r(path: impl Into<String>) -> Expr {
        Expr::Ref(path.into())
    }

    pub fn plus(e: Expr, n: i64) -> Expr {
        Expr::Add(Box::new(e), n)
    }

    pub fn call(name: &'static str, args: Vec<Expr>) -> Expr {
        Expr::Call(name, args)
    }

    pub fn map<K: Into<String>>(entries: impl IntoIterator<Item = (K, Expr)>) -> Expr {
        Expr::Map(
            entries
                .into_iter()
                .map(|(k, v)| (Key(k.into()), v))
                .collect(),
        )
    }

    /// A template; a lone interpolation collapses to the bare expression, as `terraform fmt`
    /// would not accept `"${x}"` as canonical.
    pub fn template(parts: Vec<Part>) -> Expr {
        match <[Part; 1]>::try_from(parts) {
            Ok([Part::Interp(e)]) => e,
            Ok([Part::Lit(s)]) => Expr::Str(s),
            Err(parts) => Expr::Template(parts),
        }
    }
}

/// Shorthand for template parts: `lit("x-")`, `interp(expr)`.
pub fn lit(s: impl Into<String>) -> Part {
    Part::Lit(s.into())
}

pub fn interp(e: Expr) -> Part {
    Part::Interp(e)
}

/// One line of a block body.
#[derive(Clone, Debug, PartialEq)]
pub enum Item {
    Attr(&'static str, Expr),
    Block(Block),
    /// An empty line, to separate meta-arguments from the rest.
    Blank,
}

#[derive(Clone, Debug, PartialEq)]
pub struct Block {
    pub kind: &'static str,
    pub labels: Vec<String>,
    pub body: Vec<Item>,
}

impl Block {
    pub fn new(kind: &'static str, labels: &[&str]) -> Block {
        Block {
            kind,
            labels: labels.iter().map(|l| (*l).to_owned()).collect(),
            body: Vec::new(),
        }
    }

    pub fn resource(kind: &str, name: &str) -> Block {
        Block::new("resource", &[kind, name])
    }

    pub fn data(kind: &str, name: &str) -> Block {
        Block::new("data", &[kind, name])
    }

    pub fn attr(mut self, key: &'static str, value: Expr) -> Block {
        self.body.push(Item::Attr(key, value));
        self
    }

    pub fn attr_opt(self, key: &'static str, value: Option<Expr>) -> Block {
        match value {
            Some(v) => self.attr(key, v),
            None => self,
        }
    }

    pub fn block(mut self, block: Block) -> Block {
        self.body.push(Item::Block(block));
        self
    }

    /// Adds each block of `blocks` (none for an empty or `None` one).
    pub fn blocks(mut self, blocks: impl IntoIterator<Item = Block>) -> Block {
        for b in blocks {
            self = self.block(b);
        }
        self
    }

    pub fn blank(mut self) -> Block {
        self.body.push(Item::Blank);
        self
    }
}

/// One generated `.tf` file.
#[derive(Clone, Debug, PartialEq)]
pub struct File {
    pub name: &'static str,
    pub blocks: Vec<Block>,
}
