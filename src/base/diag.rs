//! Problems: what went wrong in a spec, as data, with its code, message and fix written once.
//!
//! Each area (`spec`, each resource kind, the experiments; later the FIS catalog) declares
//! one enum of its problems with `problems!`: a variant per finding, holding
//! the values the message quotes, and the [`Code`] it reports under, side by side in one table.
//! The area then implements [`Problem`] (`message` and `help`, one match arm per variant, as
//! just's `CompileErrorKind` has one `Display`). A check reports a finding by passing data: the
//! position, the field path and the variant ([`Problem::at`], or `Validator::flag` in the
//! resource checks); no call site writes prose. The model is cargo-deny's per-check `Code` with
//! a description and a struct per finding.
//!
//! Adopting the pattern in a new area (the catalog's target kinds, a new resource kind) needs
//! nothing here: declare `problems! { pub enum Problem { … } }` in the area, implement
//! [`Problem`] for it, report through [`Problem::at`], and add the enum to the list in
//! `tests/suite/codes.rs`, whose one-meaning test then covers it.

pub use crate::base::errors::Pos;
use crate::base::errors::{Code, Diagnostic};

/// What `problems!` generates for an enum: each variant's code, its name,
/// and every variant built with default data (for the one-meaning test).
pub trait Coded: Sized {
    /// The enum's name as its area reads it, e.g. `resources::network::Problem`.
    const AREA: &'static str;
    fn code(&self) -> Code;
    fn variant(&self) -> &'static str;
    fn examples() -> Vec<Self>;
}

/// One kind of finding: its code (from the `problems!` table), and the
/// message and fix it prints, from the data it holds.
pub trait Problem: Coded {
    fn message(&self) -> String;
    fn help(&self) -> String;

    /// The diagnostic for this finding at `pos`, on `field`: an error or a warning as its
    /// code is (`W…` codes warn).
    fn at(&self, pos: Pos, field: impl Into<String>) -> Diagnostic {
        Diagnostic {
            severity: self.code().severity(),
            code: self.code(),
            pos,
            field: field.into(),
            message: self.message(),
            help: self.help(),
        }
    }
}

/// Declares an area's problem enum from a table of `Variant { data } => Code` rows, and
/// implements [`Coded`] for it. Variants hold only types with a `Default`.
macro_rules! problems {
    (
        $(#[$meta:meta])*
        $vis:vis enum $name:ident in $area:literal {
            $(
                $(#[$vmeta:meta])*
                $variant:ident $({ $($field:ident : $ty:ty),* $(,)? })? => $code:ident,
            )*
        }
    ) => {
        $(#[$meta])*
        #[derive(Clone, Debug, PartialEq)]
        $vis enum $name {
            $($(#[$vmeta])* $variant $({ $($field: $ty),* })?,)*
        }

        impl $crate::base::diag::Coded for $name {
            const AREA: &'static str = $area;

            fn code(&self) -> $crate::base::errors::Code {
                match self {
                    $(Self::$variant { .. } => $crate::base::errors::Code::$code,)*
                }
            }

            fn variant(&self) -> &'static str {
                match self {
                    $(Self::$variant { .. } => stringify!($variant),)*
                }
            }

            fn examples() -> Vec<Self> {
                vec![$(Self::$variant $({ $($field: <$ty>::default()),* })?,)*]
            }
        }
    };
}

pub(crate) use problems;
