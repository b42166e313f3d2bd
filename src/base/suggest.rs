//! "Did you mean …?": the nearest allowed word to a typo, for the fix text of a diagnostic.
//!
//! Shared by the loader (unknown keys) and the validator (unknown choices and references), so it
//! sits below both.

/// "did you mean `x`?" for a near miss, else the fallback text.
pub fn did_you_mean(got: &str, allowed: &[&str], otherwise: impl FnOnce() -> String) -> String {
    match suggest(got, allowed) {
        Some(s) => format!("did you mean `{s}`?"),
        None => otherwise(),
    }
}

/// The allowed word closest to `got`, if it is close enough to be a typo.
pub fn suggest<'a>(got: &str, allowed: &[&'a str]) -> Option<&'a str> {
    // A typo changes a few characters: far longer or shorter words are never suggested, which
    // also keeps this cheap when a spec holds long names.
    let len = got.chars().count();
    let near = |a: &str| {
        a.len() <= 128 && len.abs_diff(a.chars().count()) <= (a.chars().count() / 3).max(1)
    };
    allowed
        .iter()
        .filter(|a| near(a))
        .map(|a| (edit_distance(&got.to_lowercase(), &a.to_lowercase()), *a))
        .filter(|(d, a)| *d <= (a.chars().count() / 3).max(1))
        .min()
        .map(|(_, a)| a)
}

fn edit_distance(a: &str, b: &str) -> usize {
    let b: Vec<char> = b.chars().collect();
    let mut prev: Vec<usize> = (0..=b.len()).collect();
    for (i, ca) in a.chars().enumerate() {
        let mut cur = Vec::with_capacity(b.len() + 1);
        cur.push(i + 1);
        for (cb, pair) in b.iter().zip(prev.windows(2)) {
            let (diag, up) = match pair {
                [d, u] => (*d, *u),
                _ => continue,
            };
            let left = cur.last().copied().unwrap_or(i + 1);
            cur.push((diag + usize::from(ca != *cb)).min(up + 1).min(left + 1));
        }
        prev = cur;
    }
    prev.last().copied().unwrap_or(0)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn suggestions() {
        assert_eq!(suggest("privte", &["public", "private"]), Some("private"));
        assert_eq!(suggest("zzz", &["public", "private"]), None);
        assert_eq!(
            suggest(
                "aws:network:disrupt-conectivity",
                &["aws:network:disrupt-connectivity"]
            ),
            Some("aws:network:disrupt-connectivity")
        );
    }
}
