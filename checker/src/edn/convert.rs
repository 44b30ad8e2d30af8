//! Converting parsed EDN values into the checker's [`Value`], iteratively.

use edn_format::Value as Edn;

use crate::value::Value;

enum Work<'a> {
    Visit(&'a Edn),
    /// Collect the last `n` converted values into a list.
    Build(usize),
}

/// Converts an EDN value: `nil`, booleans, integers, strings, keywords (as
/// their name, with any namespace) and vectors/lists of those.
pub(crate) fn to_value(edn: &Edn) -> Result<Value, String> {
    let mut work = vec![Work::Visit(edn)];
    let mut out: Vec<Value> = Vec::new();
    while let Some(item) = work.pop() {
        match item {
            Work::Visit(Edn::Vector(items) | Edn::List(items)) => {
                work.push(Work::Build(items.len()));
                work.extend(items.iter().rev().map(Work::Visit));
            }
            Work::Visit(scalar) => out.push(scalar_to_value(scalar)?),
            Work::Build(n) => {
                let items = out.split_off(out.len() - n);
                out.push(Value::List(items));
            }
        }
    }
    Ok(out.pop().unwrap_or_default())
}

fn scalar_to_value(edn: &Edn) -> Result<Value, String> {
    match edn {
        Edn::Nil => Ok(Value::Nil),
        Edn::Boolean(b) => Ok(Value::Bool(*b)),
        Edn::Integer(i) => Ok(Value::Int(*i)),
        Edn::String(s) => Ok(Value::Str(s.clone())),
        Edn::Keyword(k) => Ok(Value::Str(keyword_name(k))),
        other => Err(format!(
            "unsupported value {other}: expected nil, a boolean, an integer, a string, a keyword or a vector of those"
        )),
    }
}

/// A keyword's name without the colon, with its namespace if any.
pub(crate) fn keyword_name(k: &edn_format::Keyword) -> String {
    match k.namespace() {
        Some(ns) => format!("{ns}/{}", k.name()),
        None => k.name().to_string(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn nested_vectors_keep_order() {
        let edn = edn_format::parse_str("[1 [2 nil] :x \"s\" (true)]").unwrap();
        let expected = Value::List(vec![
            Value::Int(1),
            Value::pair(Value::Int(2), Value::Nil),
            Value::Str("x".into()),
            Value::Str("s".into()),
            Value::List(vec![Value::Bool(true)]),
        ]);
        assert_eq!(to_value(&edn), Ok(expected));
    }

    #[test]
    fn floats_are_rejected() {
        let edn = edn_format::parse_str("[1 2.5]").unwrap();
        assert!(to_value(&edn).unwrap_err().contains("2.5"));
    }
}
