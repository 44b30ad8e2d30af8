//! Finding the top-level forms (or the elements of one enclosing vector or
//! list) of an EDN text, with their positions, without parsing them.

use crate::error::ParseError;

/// Deeper nesting than this is rejected before the EDN parser (which
/// recurses) sees it.
pub(crate) const DEPTH_MAX: usize = 64;

/// One form's text and where it starts.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) struct Form<'a> {
    pub(crate) text: &'a str,
    pub(crate) line: usize,
    pub(crate) column: usize,
}

struct Open {
    closer: char,
    line: usize,
    column: usize,
}

/// A character cursor that tracks line and column.
struct Cursor<'a> {
    text: &'a str,
    chars: std::iter::Peekable<std::str::CharIndices<'a>>,
    line: usize,
    column: usize,
}

impl<'a> Cursor<'a> {
    fn next(&mut self) -> Option<(usize, char, usize, usize)> {
        let (at, c) = self.chars.next()?;
        let pos = (at, c, self.line, self.column);
        if c == '\n' {
            self.line += 1;
            self.column = 1;
        } else {
            self.column += 1;
        }
        Some(pos)
    }

    fn peek(&mut self) -> Option<char> {
        self.chars.peek().map(|&(_, c)| c)
    }

    fn offset(&mut self) -> usize {
        self.chars.peek().map_or(self.text.len(), |&(at, _)| at)
    }
}

fn is_delimiter(c: char) -> bool {
    c.is_whitespace() || matches!(c, ',' | ';' | '"' | '(' | ')' | '[' | ']' | '{' | '}')
}

/// Splits `text` into the forms that each describe one event.
///
/// If the first form is a vector or list, its elements are returned (and
/// nothing may follow it); otherwise the top-level forms are. Unbalanced
/// brackets, unterminated strings and excessive nesting are errors.
pub(crate) fn split(text: &str) -> Result<Vec<Form<'_>>, ParseError> {
    let mut cur = Cursor {
        text,
        chars: text.char_indices().peekable(),
        line: 1,
        column: 1,
    };
    let mut stack: Vec<Open> = Vec::new();
    let mut forms = Vec::new();
    // (byte offset, line, column) of the form being read at the target depth.
    let mut start: Option<(usize, usize, usize)> = None;
    let mut enclosed: Option<bool> = None;
    let mut closed_at: Option<(usize, usize)> = None;
    while let Some((at, c, line, column)) = cur.next() {
        if c.is_whitespace() || c == ',' || c == ';' {
            if c == ';' {
                while cur.peek().is_some_and(|n| n != '\n') {
                    cur.next();
                }
            }
            continue;
        }
        if let Some((l, col)) = closed_at {
            return Err(ParseError::new(
                line,
                column,
                format!("unexpected input after the history's closing bracket at line {l}, column {col}"),
            ));
        }
        let target = usize::from(enclosed == Some(true));
        let at_target = stack.len() == target;
        if enclosed.is_none() {
            enclosed = Some(c == '[' || c == '(');
            if c == '[' || c == '(' {
                stack.push(Open {
                    closer: if c == '[' { ']' } else { ')' },
                    line,
                    column,
                });
                continue;
            }
        }
        if at_target && start.is_none() {
            start = Some((at, line, column));
        }
        match c {
            '"' => skip_string(&mut cur, line, column)?,
            '\\' => {
                cur.next();
                skip_atom(&mut cur);
            }
            '(' | '[' | '{' => open(&mut stack, c, line, column)?,
            '#' if cur.peek() == Some('{') => {
                cur.next();
                open(&mut stack, '{', line, column)?;
            }
            ')' | ']' | '}' => {
                let Some(top) = stack.pop() else {
                    return Err(ParseError::new(
                        line,
                        column,
                        format!("unexpected {c}: nothing is open"),
                    ));
                };
                if top.closer != c {
                    return Err(ParseError::new(
                        line,
                        column,
                        format!(
                            "unexpected {c}: expected {} to close the bracket opened at line {}, column {}",
                            top.closer, top.line, top.column
                        ),
                    ));
                }
                if enclosed == Some(true) && stack.is_empty() {
                    closed_at = Some((line, column));
                    continue;
                }
            }
            _ => skip_atom(&mut cur),
        }
        if stack.len() == target {
            if let Some((from, l, col)) = start.take() {
                let to = cur.offset();
                forms.push(Form {
                    text: &text[from..to],
                    line: l,
                    column: col,
                });
            }
        }
    }
    if let Some(top) = stack.last() {
        return Err(ParseError::new(
            cur.line,
            cur.column,
            format!(
                "unexpected end of input: the {} opened at line {}, column {} is not closed (is the file truncated?)",
                opener_of(top.closer),
                top.line,
                top.column
            ),
        ));
    }
    Ok(forms)
}

fn opener_of(closer: char) -> char {
    match closer {
        ')' => '(',
        ']' => '[',
        _ => '{',
    }
}

fn open(stack: &mut Vec<Open>, c: char, line: usize, column: usize) -> Result<(), ParseError> {
    if stack.len() >= DEPTH_MAX {
        return Err(ParseError::new(
            line,
            column,
            format!("nesting deeper than {DEPTH_MAX} levels"),
        ));
    }
    let closer = match c {
        '(' => ')',
        '[' => ']',
        _ => '}',
    };
    stack.push(Open {
        closer,
        line,
        column,
    });
    Ok(())
}

fn skip_string(cur: &mut Cursor<'_>, line: usize, column: usize) -> Result<(), ParseError> {
    while let Some((_, c, _, _)) = cur.next() {
        match c {
            '"' => return Ok(()),
            '\\' => {
                cur.next();
            }
            _ => {}
        }
    }
    Err(ParseError::new(
        cur.line,
        cur.column,
        format!("unexpected end of input: the string opened at line {line}, column {column} is not closed"),
    ))
}

fn skip_atom(cur: &mut Cursor<'_>) {
    while cur.peek().is_some_and(|c| !is_delimiter(c)) {
        cur.next();
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn texts(text: &str) -> Vec<&str> {
        split(text).unwrap().into_iter().map(|f| f.text).collect()
    }

    #[test]
    fn top_level_maps_and_enclosures() {
        assert_eq!(
            texts("{:a 1}\n{:b \"}\"} ; c\n"),
            vec!["{:a 1}", "{:b \"}\"}"]
        );
        assert_eq!(texts("[{:a 1}\n {:b [2]}]"), vec!["{:a 1}", "{:b [2]}"]);
        assert_eq!(texts("; only\n({:a 1} {:b 2})\n"), vec!["{:a 1}", "{:b 2}"]);
        assert_eq!(texts(""), Vec::<&str>::new());
    }

    #[test]
    fn positions_are_one_based() {
        let forms = split("[\n  {:a 1}]").unwrap();
        assert_eq!((forms[0].line, forms[0].column), (2, 3));
    }

    #[test]
    fn truncated_and_unbalanced() {
        let e = split("{:a 1}\n{:b [1 2").unwrap_err();
        assert!(e.message.contains("not closed"), "{e}");
        assert!(split("{:a 1]").is_err());
        assert!(split("[{:a 1}] {:b 2}").is_err());
        assert!(split("{:a \"open").is_err());
        assert!(split(&"[".repeat(200)).is_err());
    }
}
