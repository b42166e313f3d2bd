//! The dotted field path of a position in a spec, for loader errors that only carry a line and
//! column. Reads block-style YAML by indentation, plus one flow mapping on the line
//! (`app: {timeout: 2}` → `app.timeout`); good enough to name the field in a diagnostic.

/// `(path, line of the innermost enclosing key)` for the key at or before (line, column).
pub fn at(source: &str, line: u64, column: u64) -> (String, u64) {
    let lines: Vec<&str> = source.lines().collect();
    let Some(idx) = usize::try_from(line).ok().and_then(|l| l.checked_sub(1)) else {
        return (String::new(), line);
    };
    let Some(text) = lines.get(idx) else {
        return (String::new(), line);
    };
    let col = usize::try_from(column.saturating_sub(1)).unwrap_or(0);
    let mut path: Vec<String> = Vec::new();
    // Keys inside flow mappings on this line, up to the column.
    let before: String = text.chars().take(col).collect();
    if let Some((head, inner)) = before.split_once('{') {
        // Keys on this line, outermost first: the block key, the keys of nested flow
        // mappings opened before the column, then the entry the column is in.
        let mut keys: Vec<String> = key_of(head).into_iter().collect();
        let mut pieces: Vec<&str> = inner.split('{').collect();
        let current = pieces.pop().unwrap_or_default();
        for piece in pieces {
            let entry = piece.rsplit(',').next().unwrap_or_default();
            if let Some((k, _)) = entry.split_once(':') {
                keys.push(k.trim().trim_matches(['\'', '"']).to_owned());
            }
        }
        let entry = current.rsplit(',').next().unwrap_or_default();
        match entry.split_once(':') {
            // The column is at a value: the entry's own key names it.
            Some((k, _)) => keys.push(k.trim().trim_matches(['\'', '"']).to_owned()),
            // The column is at a key.
            None => {
                let after: String = text.chars().skip(col).collect();
                keys.extend(key_of(&after));
            }
        }
        path.extend(keys.into_iter().filter(|k| !k.is_empty()).rev());
    } else if let Some(k) = key_of(text) {
        path.push(k);
    }
    let mut indent = indentation(text);
    let mut key_line = line;
    for (i, prev) in lines.iter().take(idx).enumerate().rev() {
        let trimmed = prev.trim_start();
        if trimmed.is_empty() || trimmed.starts_with('#') {
            continue;
        }
        let ind = indentation(prev);
        if ind < indent {
            if let Some(k) = key_of(prev) {
                path.push(k);
                if key_line == line {
                    key_line = i as u64 + 1;
                }
            }
            indent = ind;
            if ind == 0 {
                break;
            }
        }
    }
    path.reverse();
    (path.join("."), key_line)
}

/// Indentation of a line, counting a `- ` list marker as indentation.
fn indentation(line: &str) -> usize {
    let spaces = line.len() - line.trim_start().len();
    let rest = line.trim_start();
    if rest.starts_with("- ") {
        spaces + 2
    } else {
        spaces
    }
}

/// The block key a line starts with, if any.
fn key_of(line: &str) -> Option<String> {
    let t = line.trim_start().trim_start_matches("- ").trim_start();
    let (k, _) = t
        .split_once(':')
        .or_else(|| t.ends_with(':').then_some((t.trim_end_matches(':'), "")))?;
    let k = k.trim().trim_matches(['\'', '"']);
    (!k.is_empty() && !k.contains(['{', '[', ' ', ','])).then(|| k.to_owned())
}

#[cfg(test)]
mod tests {
    use super::at;

    const SRC: &str = "lab: x\nnetwork:\n  cidr: 10.0.0.0/16\n  privat: []\napp: {timeout: 2}\n";

    #[test]
    fn paths() {
        assert_eq!(at(SRC, 4, 3), ("network.privat".to_owned(), 2));
        assert_eq!(at(SRC, 1, 1), ("lab".to_owned(), 1));
        assert_eq!(at(SRC, 5, 7).0, "app.timeout");
        assert_eq!(at("app: {instances: four}\n", 1, 18).0, "app.instances");
        assert_eq!(
            at("app: {timeouts: {connec: 1}}\n", 1, 18).0,
            "app.timeouts.connec"
        );
        assert_eq!(
            at("p: {documentArn: arn:aws:x}\n", 1, 18).0,
            "p.documentArn"
        );
        assert_eq!(at(SRC, 99, 1).0, "");
    }
}
