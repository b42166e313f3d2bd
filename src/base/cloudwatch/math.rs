//! CloudWatch metric math, the part chaoslab's alarms use: numbers, metric ids, `+ - * /`,
//! unary minus, the comparison operators, `AND`/`&&`, `OR`/`||`, `IF` and `FILL(ts, number)`.
//!
//! Semantics as "Using metric math" documents them (the examples are tests below):
//! every series has one slot per timestamp of the query, `None` where the metric has no value;
//! between two series a missing value counts as 0 when the other has one, and a timestamp
//! neither has stays missing; a division by zero drops the data point; `IF` drops a point
//! whose condition is missing, or whose chosen branch is a missing point of the false branch,
//! and gives 0 for a missing point of the true branch; `FILL` fills every missing slot.
//! Anything else is refused with an error, never guessed.

use std::collections::BTreeMap;

/// A value of a metric math expression.
#[derive(Clone, Debug, PartialEq)]
pub enum Value {
    Scalar(f64),
    /// One slot per timestamp, oldest first; `None`: no data point.
    Series(Vec<Option<f64>>),
}

/// A parsed expression.
#[derive(Clone, Debug, PartialEq)]
pub enum Expr {
    Number(f64),
    /// A metric or expression id of the alarm's queries.
    Id(String),
    Neg(Box<Expr>),
    Binary(Op, Box<Expr>, Box<Expr>),
    If(Box<Expr>, Box<Expr>, Option<Box<Expr>>),
    Fill(Box<Expr>, Box<Expr>),
}

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Op {
    Add,
    Sub,
    Mul,
    Div,
    Lt,
    Le,
    Gt,
    Ge,
    Eq,
    Ne,
    And,
    Or,
}

impl Op {
    fn apply(self, a: f64, b: f64) -> Option<f64> {
        let truth = |c: bool| Some(if c { 1.0 } else { 0.0 });
        match self {
            Op::Add => Some(a + b),
            Op::Sub => Some(a - b),
            Op::Mul => Some(a * b),
            // "If the value of a data point causes a function to attempt to divide by zero,
            // the data point is dropped."
            Op::Div => (b != 0.0).then_some(a / b),
            Op::Lt => truth(a < b),
            Op::Le => truth(a <= b),
            Op::Gt => truth(a > b),
            Op::Ge => truth(a >= b),
            Op::Eq => truth(a == b),
            Op::Ne => truth(a != b),
            Op::And => truth(a != 0.0 && b != 0.0),
            Op::Or => truth(a != 0.0 || b != 0.0),
        }
    }
}

/// Parses an expression; `Err` names what is not supported or not well formed.
pub fn parse(source: &str) -> Result<Expr, String> {
    let tokens = lex(source)?;
    let mut p = Parser { tokens, at: 0 };
    let e = p.or()?;
    match p.tokens.get(p.at) {
        None => Ok(e),
        Some(t) => Err(format!("unexpected `{t:?}` after the expression")),
    }
}

/// Evaluates `expr` with the given series for its ids; every series must have `slots` slots.
pub fn eval(
    expr: &Expr,
    ids: &BTreeMap<String, Vec<Option<f64>>>,
    slots: usize,
) -> Result<Value, String> {
    Ok(match expr {
        Expr::Number(n) => Value::Scalar(*n),
        Expr::Id(id) => match ids.get(id) {
            Some(s) if s.len() == slots => Value::Series(s.clone()),
            Some(s) => return Err(format!("`{id}` has {} slots, not {slots}", s.len())),
            None => return Err(format!("no metric or expression with id `{id}`")),
        },
        Expr::Neg(e) => match eval(e, ids, slots)? {
            Value::Scalar(v) => Value::Scalar(-v),
            Value::Series(s) => Value::Series(s.into_iter().map(|v| v.map(|v| -v)).collect()),
        },
        Expr::Binary(op, a, b) => binary(*op, eval(a, ids, slots)?, eval(b, ids, slots)?)?,
        Expr::Fill(series, with) => {
            let Value::Series(s) = eval(series, ids, slots)? else {
                return Err("FILL takes a time series first".to_owned());
            };
            let Value::Scalar(w) = eval(with, ids, slots)? else {
                return Err("chaoslab's FILL takes a number to fill with".to_owned());
            };
            Value::Series(s.into_iter().map(|v| Some(v.unwrap_or(w))).collect())
        }
        Expr::If(cond, then, otherwise) => {
            let then = eval(then, ids, slots)?;
            let otherwise = otherwise
                .as_ref()
                .map(|e| eval(e, ids, slots))
                .transpose()?;
            match eval(cond, ids, slots)? {
                Value::Scalar(c) if c != 0.0 => then,
                Value::Scalar(_) => otherwise.unwrap_or(Value::Series(vec![None; slots])),
                Value::Series(c) => Value::Series(
                    c.iter()
                        .enumerate()
                        .map(|(i, c)| match c {
                            None => None,
                            Some(c) if *c != 0.0 => match &then {
                                Value::Scalar(v) => Some(*v),
                                Value::Series(s) => {
                                    Some(s.get(i).copied().flatten().unwrap_or(0.0))
                                }
                            },
                            Some(_) => match &otherwise {
                                None => None,
                                Some(Value::Scalar(v)) => Some(*v),
                                Some(Value::Series(s)) => s.get(i).copied().flatten(),
                            },
                        })
                        .collect(),
                ),
            }
        }
    })
}

fn binary(op: Op, a: Value, b: Value) -> Result<Value, String> {
    Ok(match (a, b) {
        (Value::Scalar(a), Value::Scalar(b)) => {
            Value::Scalar(op.apply(a, b).ok_or("division of two numbers by zero")?)
        }
        (Value::Series(s), Value::Scalar(b)) => Value::Series(
            s.into_iter()
                .map(|a| a.and_then(|a| op.apply(a, b)))
                .collect(),
        ),
        (Value::Scalar(a), Value::Series(s)) => Value::Series(
            s.into_iter()
                .map(|b| b.and_then(|b| op.apply(a, b)))
                .collect(),
        ),
        (Value::Series(x), Value::Series(y)) => Value::Series(
            x.into_iter()
                .zip(y)
                .map(|pair| match pair {
                    (None, None) => None,
                    (a, b) => op.apply(a.unwrap_or(0.0), b.unwrap_or(0.0)),
                })
                .collect(),
        ),
    })
}

#[derive(Clone, Debug, PartialEq)]
enum Token {
    Number(f64),
    Word(String),
    Op(Op),
    Open,
    Close,
    Comma,
}

fn lex(source: &str) -> Result<Vec<Token>, String> {
    let mut out = Vec::new();
    let mut chars = source.chars().peekable();
    while let Some(&c) = chars.peek() {
        if c.is_whitespace() {
            chars.next();
        } else if c.is_ascii_digit() || c == '.' {
            let mut text = String::new();
            while let Some(&d) = chars.peek().filter(|d| d.is_ascii_digit() || **d == '.') {
                text.push(d);
                chars.next();
            }
            out.push(Token::Number(
                text.parse()
                    .map_err(|_| format!("`{text}` is not a number"))?,
            ));
        } else if c.is_ascii_alphabetic() || c == '_' {
            let mut text = String::new();
            while let Some(&d) = chars
                .peek()
                .filter(|d| d.is_ascii_alphanumeric() || **d == '_')
            {
                text.push(d);
                chars.next();
            }
            out.push(match text.as_str() {
                "AND" => Token::Op(Op::And),
                "OR" => Token::Op(Op::Or),
                _ => Token::Word(text),
            });
        } else {
            chars.next();
            let next = chars.peek().copied();
            let mut two = |op: Op| {
                chars.next();
                Token::Op(op)
            };
            out.push(match (c, next) {
                ('<', Some('=')) => two(Op::Le),
                ('>', Some('=')) => two(Op::Ge),
                ('=', Some('=')) => two(Op::Eq),
                ('!', Some('=')) => two(Op::Ne),
                ('&', Some('&')) => two(Op::And),
                ('|', Some('|')) => two(Op::Or),
                ('<', _) => Token::Op(Op::Lt),
                ('>', _) => Token::Op(Op::Gt),
                ('+', _) => Token::Op(Op::Add),
                ('-', _) => Token::Op(Op::Sub),
                ('*', _) => Token::Op(Op::Mul),
                ('/', _) => Token::Op(Op::Div),
                ('(', _) => Token::Open,
                (')', _) => Token::Close,
                (',', _) => Token::Comma,
                _ => return Err(format!("`{c}` is not supported in chaoslab's metric math")),
            });
        }
    }
    Ok(out)
}

struct Parser {
    tokens: Vec<Token>,
    at: usize,
}

impl Parser {
    fn peek(&self) -> Option<&Token> {
        self.tokens.get(self.at)
    }

    fn eat(&mut self, t: &Token) -> bool {
        let hit = self.peek() == Some(t);
        if hit {
            self.at += 1;
        }
        hit
    }

    /// One precedence level: `next` operands joined by any of `ops`, left to right.
    fn level(
        &mut self,
        ops: &[Op],
        next: fn(&mut Parser) -> Result<Expr, String>,
    ) -> Result<Expr, String> {
        let mut left = next(self)?;
        while let Some(Token::Op(op)) = self.peek().cloned() {
            if !ops.contains(&op) {
                break;
            }
            self.at += 1;
            left = Expr::Binary(op, Box::new(left), Box::new(next(self)?));
        }
        Ok(left)
    }

    fn or(&mut self) -> Result<Expr, String> {
        self.level(&[Op::Or], Parser::and)
    }

    fn and(&mut self) -> Result<Expr, String> {
        self.level(&[Op::And], Parser::comparison)
    }

    fn comparison(&mut self) -> Result<Expr, String> {
        self.level(
            &[Op::Lt, Op::Le, Op::Gt, Op::Ge, Op::Eq, Op::Ne],
            Parser::sum,
        )
    }

    fn sum(&mut self) -> Result<Expr, String> {
        self.level(&[Op::Add, Op::Sub], Parser::product)
    }

    fn product(&mut self) -> Result<Expr, String> {
        self.level(&[Op::Mul, Op::Div], Parser::unary)
    }

    fn unary(&mut self) -> Result<Expr, String> {
        if self.eat(&Token::Op(Op::Sub)) {
            return Ok(Expr::Neg(Box::new(self.unary()?)));
        }
        self.primary()
    }

    fn primary(&mut self) -> Result<Expr, String> {
        let token = self.peek().cloned();
        self.at += 1;
        match token {
            Some(Token::Number(n)) => Ok(Expr::Number(n)),
            Some(Token::Open) => {
                let e = self.or()?;
                if self.eat(&Token::Close) {
                    Ok(e)
                } else {
                    Err("`(` without its `)`".to_owned())
                }
            }
            Some(Token::Word(w)) if self.peek() == Some(&Token::Open) => {
                self.at += 1;
                let mut args = vec![self.or()?];
                while self.eat(&Token::Comma) {
                    args.push(self.or()?);
                }
                if !self.eat(&Token::Close) {
                    return Err(format!("`{w}(` without its `)`"));
                }
                let mut args = args.into_iter().map(Box::new);
                match (
                    w.as_str(),
                    args.next(),
                    args.next(),
                    args.next(),
                    args.next(),
                ) {
                    ("IF", Some(c), Some(t), f, None) => Ok(Expr::If(c, t, f)),
                    ("FILL", Some(s), Some(v), None, None) => Ok(Expr::Fill(s, v)),
                    ("IF" | "FILL", ..) => Err(format!("wrong number of arguments to {w}")),
                    _ => Err(format!(
                        "function `{w}` is not supported in chaoslab's metric math"
                    )),
                }
            }
            Some(Token::Word(w)) => Ok(Expr::Id(w)),
            Some(t) => Err(format!("unexpected `{t:?}`")),
            None => Err("the expression ends too soon".to_owned()),
        }
    }
}
