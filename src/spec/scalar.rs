//! A YAML scalar whose type the author chose: `5` is a number, `"5"` and `five` are text.
//!
//! Used where the type carries meaning (DynamoDB seed items map it to `N`, `S` or `BOOL`).
//! Booleans are YAML 1.2 only: `yes`/`no` stay text (the loader runs in strict mode).

use std::fmt;

use serde::de::{Deserialize, Deserializer, Error, Visitor};

#[derive(Clone, Debug, PartialEq)]
pub enum Scalar {
    Text(String),
    /// The number in its shortest decimal form (`1.50` becomes `1.5`).
    Number(String),
    Bool(bool),
}

impl<'de> Deserialize<'de> for Scalar {
    fn deserialize<D: Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        struct V;
        impl Visitor<'_> for V {
            type Value = Scalar;
            fn expecting(&self, f: &mut fmt::Formatter) -> fmt::Result {
                f.write_str("a string, number or boolean")
            }
            fn visit_str<E: Error>(self, v: &str) -> Result<Scalar, E> {
                Ok(Scalar::Text(v.to_owned()))
            }
            fn visit_bool<E: Error>(self, v: bool) -> Result<Scalar, E> {
                Ok(Scalar::Bool(v))
            }
            fn visit_i64<E: Error>(self, v: i64) -> Result<Scalar, E> {
                Ok(Scalar::Number(v.to_string()))
            }
            fn visit_u64<E: Error>(self, v: u64) -> Result<Scalar, E> {
                Ok(Scalar::Number(v.to_string()))
            }
            fn visit_f64<E: Error>(self, v: f64) -> Result<Scalar, E> {
                if v.is_finite() {
                    Ok(Scalar::Number(v.to_string()))
                } else {
                    Err(E::custom("numbers must be finite"))
                }
            }
        }
        deserializer.deserialize_any(V)
    }
}
