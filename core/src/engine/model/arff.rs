//! A reader for dense ARFF files (Weka's attribute-relation format) with numeric and nominal
//! attributes, as the Polish bankruptcy data are published. It never panics: any defect is an
//! error that names the line.

/// Why an ARFF file cannot be read.
#[derive(Debug, Clone, PartialEq, thiserror::Error)]
pub enum ArffError {
    /// A defect on one line (1-based).
    #[error("line {line}: {message}")]
    Line { line: usize, message: String },
    /// A defect of the file as a whole (no data section, an attribute the model needs…).
    #[error("{0}")]
    Structure(String),
}

/// A parsed file.
#[derive(Debug, Clone, PartialEq)]
pub struct Arff {
    pub relation: String,
    pub attributes: Vec<Attribute>,
    pub records: Vec<Record>,
}

/// One declared attribute.
#[derive(Debug, Clone, PartialEq)]
pub struct Attribute {
    pub name: String,
    pub kind: Kind,
}

/// The attribute types the reader supports.
#[derive(Debug, Clone, PartialEq)]
pub enum Kind {
    Numeric,
    /// The declared values; a record stores the position of its value in this list.
    Nominal(Vec<String>),
}

impl Attribute {
    /// The stored value that means "1" (for the class: bankrupt).
    pub fn positive_value(&self) -> Option<f64> {
        match &self.kind {
            Kind::Numeric => Some(1.0),
            Kind::Nominal(values) => values.iter().position(|v| v == "1").map(|i| i as f64),
        }
    }
}

/// One data line: a value per attribute (`None` for `?`), numeric values as read and nominal
/// values as their position in the declaration.
#[derive(Debug, Clone, PartialEq)]
pub struct Record {
    pub line: usize,
    pub values: Vec<Option<f64>>,
}

fn line_error(line: usize, message: impl Into<String>) -> ArffError {
    ArffError::Line {
        line,
        message: message.into(),
    }
}

/// Parses a whole file. Blank lines and lines starting with `%` are skipped anywhere; keywords
/// are case-insensitive; names and values may be quoted with `'` or `"`.
pub fn parse(text: &str) -> Result<Arff, ArffError> {
    let text = text.strip_prefix('\u{feff}').unwrap_or(text);
    let mut relation = None;
    let mut attributes: Vec<Attribute> = Vec::new();
    let mut records = Vec::new();
    let mut in_data = false;
    for (index, raw) in text.lines().enumerate() {
        let line = index + 1;
        let content = raw.trim();
        if content.is_empty() || content.starts_with('%') {
            continue;
        }
        if in_data {
            records.push(parse_record(content, line, &attributes)?);
            continue;
        }
        let (keyword, rest) = split_keyword(content);
        match keyword.to_ascii_lowercase().as_str() {
            "@relation" => {
                if relation.is_some() {
                    return Err(line_error(line, "a second @relation"));
                }
                let (name, _) = take_token(rest, line)?;
                relation = Some(name);
            }
            "@attribute" => {
                if relation.is_none() {
                    return Err(line_error(line, "@attribute before @relation"));
                }
                let (name, kind) = take_token(rest, line)?;
                if name.is_empty() {
                    return Err(line_error(line, "an attribute without a name"));
                }
                if attributes
                    .iter()
                    .any(|a| a.name.eq_ignore_ascii_case(&name))
                {
                    return Err(line_error(line, format!("attribute {name} declared twice")));
                }
                let kind = parse_kind(kind.trim(), line)?;
                attributes.push(Attribute { name, kind });
            }
            "@data" => {
                if attributes.is_empty() {
                    return Err(line_error(line, "@data before any @attribute"));
                }
                if !rest.trim().is_empty() {
                    return Err(line_error(line, "unexpected text after @data"));
                }
                in_data = true;
            }
            _ => {
                return Err(line_error(
                    line,
                    format!(
                        "expected @relation, @attribute or @data, found {:?}",
                        short(content)
                    ),
                ))
            }
        }
    }
    if !in_data {
        return Err(ArffError::Structure("no @data section".into()));
    }
    Ok(Arff {
        relation: relation.unwrap_or_default(),
        attributes,
        records,
    })
}

/// At most 40 characters of a line, for error messages.
fn short(text: &str) -> String {
    text.chars().take(40).collect()
}

/// The first whitespace-delimited word and the rest.
fn split_keyword(content: &str) -> (&str, &str) {
    match content.find(char::is_whitespace) {
        Some(at) => content.split_at(at),
        None => (content, ""),
    }
}

/// Reads a possibly quoted token at the start of `text`; returns it and the rest.
fn take_token(text: &str, line: usize) -> Result<(String, &str), ArffError> {
    let text = text.trim_start();
    let Some(first) = text.chars().next() else {
        return Err(line_error(line, "a name is missing"));
    };
    if first == '\'' || first == '"' {
        let body = &text[first.len_utf8()..];
        let mut value = String::new();
        let mut escaped = false;
        for (at, c) in body.char_indices() {
            if escaped {
                value.push(c);
                escaped = false;
            } else if c == '\\' {
                escaped = true;
            } else if c == first {
                return Ok((value, &body[at + c.len_utf8()..]));
            } else {
                value.push(c);
            }
        }
        Err(line_error(line, format!("unterminated quote {first}")))
    } else {
        let (token, rest) = split_keyword(text);
        Ok((token.to_string(), rest))
    }
}

fn parse_kind(spec: &str, line: usize) -> Result<Kind, ArffError> {
    if let Some(inner) = spec.strip_prefix('{') {
        let Some(inner) = inner.trim_end().strip_suffix('}') else {
            return Err(line_error(line, "a nominal type without its closing }"));
        };
        let values = split_fields(inner, line)?;
        if values.iter().any(|v| v.is_empty()) {
            return Err(line_error(line, "an empty nominal value"));
        }
        return Ok(Kind::Nominal(values));
    }
    match spec.to_ascii_lowercase().as_str() {
        "numeric" | "real" | "integer" => Ok(Kind::Numeric),
        "" => Err(line_error(line, "an attribute without a type")),
        other => Err(line_error(
            line,
            format!("unsupported attribute type {:?}", short(other)),
        )),
    }
}

/// Splits on commas outside quotes; fields are trimmed and unquoted.
fn split_fields(text: &str, line: usize) -> Result<Vec<String>, ArffError> {
    let mut fields = Vec::new();
    let mut current = String::new();
    // Inside quotes: the quote character and whether the last character was a backslash.
    let mut quote: Option<(char, bool)> = None;
    // The current field was quoted and its quote is closed.
    let mut closed = false;
    for c in text.chars() {
        match quote {
            Some((q, true)) => {
                current.push(c);
                quote = Some((q, false));
            }
            Some((q, false)) => {
                if c == '\\' {
                    quote = Some((q, true));
                } else if c == q {
                    quote = None;
                    closed = true;
                } else {
                    current.push(c);
                }
            }
            None if c == ',' => {
                fields.push(if closed {
                    std::mem::take(&mut current)
                } else {
                    current.trim().to_string()
                });
                current.clear();
                closed = false;
            }
            None if closed => {
                if !c.is_whitespace() {
                    return Err(line_error(line, "text after a closing quote"));
                }
            }
            None if (c == '\'' || c == '"') && current.trim().is_empty() => {
                current.clear();
                quote = Some((c, false));
            }
            None => current.push(c),
        }
    }
    if quote.is_some() {
        return Err(line_error(line, "unterminated quote"));
    }
    fields.push(if closed {
        current
    } else {
        current.trim().to_string()
    });
    Ok(fields)
}

fn parse_record(content: &str, line: usize, attributes: &[Attribute]) -> Result<Record, ArffError> {
    if content.starts_with('{') {
        return Err(line_error(line, "sparse data lines are not supported"));
    }
    let fields = split_fields(content, line)?;
    if fields.len() != attributes.len() {
        return Err(line_error(
            line,
            format!(
                "{} values for {} attributes",
                fields.len(),
                attributes.len()
            ),
        ));
    }
    let values = fields
        .iter()
        .zip(attributes)
        .map(|(field, attribute)| parse_value(field, attribute, line))
        .collect::<Result<Vec<_>, _>>()?;
    Ok(Record { line, values })
}

fn parse_value(field: &str, attribute: &Attribute, line: usize) -> Result<Option<f64>, ArffError> {
    if field == "?" {
        return Ok(None);
    }
    match &attribute.kind {
        Kind::Numeric => match field.parse::<f64>() {
            Ok(v) if v.is_finite() => Ok(Some(v)),
            _ => Err(line_error(
                line,
                format!(
                    "{}: {:?} is not a finite number",
                    attribute.name,
                    short(field)
                ),
            )),
        },
        Kind::Nominal(values) => values
            .iter()
            .position(|v| v == field)
            .map(|i| Some(i as f64))
            .ok_or_else(|| {
                line_error(
                    line,
                    format!(
                        "{}: {:?} is not a declared value",
                        attribute.name,
                        short(field)
                    ),
                )
            }),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    const SMALL: &str = "% a comment\n\n@RELATION 'polish bankruptcy, year 5'\n\
        @attribute Attr1 numeric\n@attribute 'Attr 2' REAL\n@attribute class {0,1}\n\n@data\n\
        % data comment\n0.5,?,0\n-1e-3, 2 ,'1'\n";

    #[test]
    fn a_small_file_with_comments_quotes_and_missing_values_is_read() {
        let arff = parse(SMALL).unwrap();
        assert_eq!(arff.relation, "polish bankruptcy, year 5");
        assert_eq!(arff.attributes.len(), 3);
        assert_eq!(arff.attributes[1].name, "Attr 2");
        assert_eq!(arff.records.len(), 2);
        assert_eq!(arff.records[0].values, vec![Some(0.5), None, Some(0.0)]);
        assert_eq!(
            arff.records[1].values,
            vec![Some(-0.001), Some(2.0), Some(1.0)]
        );
        assert_eq!(arff.records[1].line, 11);
    }

    #[test]
    fn windows_line_ends_and_a_byte_order_mark_are_accepted() {
        let text = format!("\u{feff}{}", SMALL.replace('\n', "\r\n"));
        assert_eq!(parse(&text).unwrap(), parse(SMALL).unwrap());
    }

    #[test]
    fn a_wrong_number_of_values_names_the_line() {
        let text = SMALL.replace("0.5,?,0", "0.5,0");
        assert_eq!(
            parse(&text).unwrap_err(),
            ArffError::Line {
                line: 10,
                message: "2 values for 3 attributes".into()
            }
        );
    }

    #[test]
    fn bad_values_name_the_line_and_the_attribute() {
        let err = parse(&SMALL.replace("0.5,?,0", "abc,?,0")).unwrap_err();
        assert_eq!(
            err.to_string(),
            "line 10: Attr1: \"abc\" is not a finite number"
        );
        let err = parse(&SMALL.replace("0.5,?,0", "NaN,?,0")).unwrap_err();
        assert!(err.to_string().starts_with("line 10:"), "{err}");
        let err = parse(&SMALL.replace("0.5,?,0", "0.5,?,2")).unwrap_err();
        assert_eq!(
            err.to_string(),
            "line 10: class: \"2\" is not a declared value"
        );
    }

    #[test]
    fn structural_defects_are_errors() {
        assert_eq!(
            parse("@relation r\n@attribute a numeric\n").unwrap_err(),
            ArffError::Structure("no @data section".into())
        );
        let err = parse("@relation r\n@attribute a date\n@data\n").unwrap_err();
        assert!(err.to_string().starts_with("line 2: unsupported"), "{err}");
        let err = parse("@relation 'r\n").unwrap_err();
        assert!(err.to_string().starts_with("line 1: unterminated"), "{err}");
        let err = parse("@relation r\n@attribute a numeric\n@data\n{0 1}\n").unwrap_err();
        assert!(err.to_string().contains("sparse"), "{err}");
        let err = parse("hello\n").unwrap_err();
        assert!(err.to_string().starts_with("line 1: expected"), "{err}");
        let err = parse("@relation r\n@attribute a numeric\n@attribute A numeric\n@data\n");
        assert!(err.unwrap_err().to_string().contains("declared twice"));
    }

    proptest! {
        #[test]
        fn arbitrary_text_never_panics(text in "\\PC{0,300}") {
            let _ = parse(&text);
        }

        #[test]
        fn files_built_from_arff_fragments_never_panic(
            parts in proptest::collection::vec(
                prop_oneof![
                    Just("@relation r".to_string()),
                    Just("@relation 'q".to_string()),
                    Just("@attribute a numeric".to_string()),
                    Just("@attribute \"b c\" {0,1}".to_string()),
                    Just("@attribute c {".to_string()),
                    Just("@data".to_string()),
                    Just("% comment".to_string()),
                    Just(String::new()),
                    "[0-9?,.'\" e+-]{0,12}",
                ],
                0..12,
            )
        ) {
            let _ = parse(&parts.join("\n"));
        }

        #[test]
        fn numbers_written_in_a_record_are_read_back(
            values in proptest::collection::vec(proptest::option::of(-1e6f64..1e6), 1..6)
        ) {
            let mut text = String::from("@relation r\n");
            for i in 0..values.len() {
                text.push_str(&format!("@attribute a{i} numeric\n"));
            }
            let fields: Vec<String> = values
                .iter()
                .map(|v| v.map_or("?".to_string(), |v| v.to_string()))
                .collect();
            text.push_str(&format!("@data\n{}\n", fields.join(",")));
            let arff = parse(&text).unwrap();
            prop_assert_eq!(&arff.records[0].values, &values);
        }
    }
}
