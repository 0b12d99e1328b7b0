//! From decoded text to [`FecLine`]s: line ends, the header and its columns, the fields of
//! each line and their values.

use super::decode::Encoding;
use super::error::{FecError, ValueProblem};
use super::value::{parse_amount, parse_date, parse_direction, Direction};
use super::{AmountLayout, FecFormat, FecLine, Separator};

/// The columns of the format (LPF A47 A-1, VII and VIII), in their standard order.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(super) enum Column {
    JournalCode,
    JournalLib,
    EcritureNum,
    EcritureDate,
    CompteNum,
    CompteLib,
    CompAuxNum,
    CompAuxLib,
    PieceRef,
    PieceDate,
    EcritureLib,
    Debit,
    Credit,
    EcritureLet,
    DateLet,
    ValidDate,
    Montantdevise,
    Idevise,
    DateRglt,
    ModeRglt,
    NatOp,
    IdClient,
    Montant,
    Sens,
}

impl Column {
    const ALL: [Column; 24] = [
        Column::JournalCode,
        Column::JournalLib,
        Column::EcritureNum,
        Column::EcritureDate,
        Column::CompteNum,
        Column::CompteLib,
        Column::CompAuxNum,
        Column::CompAuxLib,
        Column::PieceRef,
        Column::PieceDate,
        Column::EcritureLib,
        Column::Debit,
        Column::Credit,
        Column::EcritureLet,
        Column::DateLet,
        Column::ValidDate,
        Column::Montantdevise,
        Column::Idevise,
        Column::DateRglt,
        Column::ModeRglt,
        Column::NatOp,
        Column::IdClient,
        Column::Montant,
        Column::Sens,
    ];

    /// The name the format gives the column.
    pub(super) fn name(self) -> &'static str {
        match self {
            Column::JournalCode => "JournalCode",
            Column::JournalLib => "JournalLib",
            Column::EcritureNum => "EcritureNum",
            Column::EcritureDate => "EcritureDate",
            Column::CompteNum => "CompteNum",
            Column::CompteLib => "CompteLib",
            Column::CompAuxNum => "CompAuxNum",
            Column::CompAuxLib => "CompAuxLib",
            Column::PieceRef => "PieceRef",
            Column::PieceDate => "PieceDate",
            Column::EcritureLib => "EcritureLib",
            Column::Debit => "Debit",
            Column::Credit => "Credit",
            Column::EcritureLet => "EcritureLet",
            Column::DateLet => "DateLet",
            Column::ValidDate => "ValidDate",
            Column::Montantdevise => "Montantdevise",
            Column::Idevise => "Idevise",
            Column::DateRglt => "DateRglt",
            Column::ModeRglt => "ModeRglt",
            Column::NatOp => "NatOp",
            Column::IdClient => "IdClient",
            Column::Montant => "Montant",
            Column::Sens => "Sens",
        }
    }

    /// Recognises a header name: case, spaces, `_`, `-`, `.` and accents do not matter.
    fn from_header(name: &str) -> Option<Column> {
        let wanted = normalize(name);
        Column::ALL
            .into_iter()
            .find(|column| normalize(column.name()) == wanted)
    }

    /// Columns the format makes mandatory in every variant (the amounts are checked apart).
    const MANDATORY: [Column; 16] = [
        Column::JournalCode,
        Column::JournalLib,
        Column::EcritureNum,
        Column::EcritureDate,
        Column::CompteNum,
        Column::CompteLib,
        Column::CompAuxNum,
        Column::CompAuxLib,
        Column::PieceRef,
        Column::PieceDate,
        Column::EcritureLib,
        Column::EcritureLet,
        Column::DateLet,
        Column::ValidDate,
        Column::Montantdevise,
        Column::Idevise,
    ];

    /// Columns without which the statements cannot be computed.
    const REQUIRED: [Column; 4] = [
        Column::JournalCode,
        Column::EcritureNum,
        Column::EcritureDate,
        Column::CompteNum,
    ];
}

fn normalize(name: &str) -> String {
    normalized(name).collect()
}

/// A column name as compared: unquoted, lower case, without spaces, underscores, hyphens, dots
/// or accents.
fn normalized(name: &str) -> impl Iterator<Item = char> + '_ {
    unquote(name.trim().trim_start_matches('\u{feff}'))
        .chars()
        .filter(|c| !matches!(c, ' ' | '_' | '-' | '.'))
        .flat_map(char::to_lowercase)
        .map(|c| match c {
            'é' | 'è' | 'ê' | 'ë' => 'e',
            'à' | 'â' => 'a',
            'î' | 'ï' => 'i',
            'ô' => 'o',
            'û' | 'ù' | 'ü' => 'u',
            'ç' => 'c',
            other => other,
        })
}

/// Drops one pair of double quotes around a value, which some exports add.
fn unquote(value: &str) -> &str {
    value
        .strip_prefix('"')
        .and_then(|v| v.strip_suffix('"'))
        .unwrap_or(value)
}

/// Splits text into physical lines, numbered from 1. A line ends at LF, CR LF, CR, or
/// CR CR LF (written by some Windows exports), each counting as one line end.
pub(super) struct PhysicalLines<'a> {
    text: &'a str,
    position: usize,
    number: usize,
}

impl<'a> PhysicalLines<'a> {
    pub(super) fn new(text: &'a str) -> Self {
        Self {
            text,
            position: 0,
            number: 0,
        }
    }
}

impl<'a> Iterator for PhysicalLines<'a> {
    type Item = (usize, &'a str);

    fn next(&mut self) -> Option<Self::Item> {
        let rest = self.text.get(self.position..)?;
        if rest.is_empty() {
            return None;
        }
        self.number += 1;
        let bytes = rest.as_bytes();
        let Some(end) = bytes.iter().position(|&b| b == b'\n' || b == b'\r') else {
            self.position = self.text.len();
            return Some((self.number, rest));
        };
        let terminator = match (bytes.get(end), bytes.get(end + 1), bytes.get(end + 2)) {
            (Some(b'\r'), Some(b'\n'), _) => 2,
            (Some(b'\r'), Some(b'\r'), Some(b'\n')) => 3,
            _ => 1,
        };
        self.position += end + terminator;
        // `end` is the index of an ASCII byte, hence a character boundary.
        Some((self.number, rest.get(..end).unwrap_or("")))
    }
}

/// Where each known column sits in the lines.
struct Layout {
    indices: [Option<usize>; Column::ALL.len()],
    width: usize,
    amounts: AmountLayout,
}

impl Layout {
    fn index(&self, column: Column) -> Option<usize> {
        self.indices.get(column as usize).copied().flatten()
    }

    fn from_header(line: usize, fields: &[&str]) -> Result<(Layout, Vec<String>), FecError> {
        let mut indices = [None; Column::ALL.len()];
        for (at, field) in fields.iter().enumerate() {
            let Some(column) = Column::from_header(field) else {
                continue;
            };
            if let Some(slot) = indices.get_mut(column as usize) {
                if slot.is_some() {
                    return Err(FecError::DuplicateColumn {
                        line,
                        column: column.name().to_owned(),
                    });
                }
                *slot = Some(at);
            }
        }
        let has = |column: Column| indices.get(column as usize).copied().flatten().is_some();
        let mut missing: Vec<String> = Column::REQUIRED
            .into_iter()
            .filter(|&c| !has(c))
            .map(|c| c.name().to_owned())
            .collect();
        let amounts = if has(Column::Debit) || has(Column::Credit) {
            missing.extend(
                [Column::Debit, Column::Credit]
                    .into_iter()
                    .filter(|&c| !has(c))
                    .map(|c| c.name().to_owned()),
            );
            AmountLayout::DebitCredit
        } else if has(Column::Montant) || has(Column::Sens) {
            missing.extend(
                [Column::Montant, Column::Sens]
                    .into_iter()
                    .filter(|&c| !has(c))
                    .map(|c| c.name().to_owned()),
            );
            AmountLayout::MontantSens
        } else {
            missing.push("Debit and Credit (or Montant and Sens)".to_owned());
            AmountLayout::DebitCredit
        };
        if !missing.is_empty() {
            return Err(FecError::MissingColumns {
                line,
                columns: missing,
            });
        }
        let warnings = Column::MANDATORY
            .into_iter()
            .filter(|&c| !has(c))
            .map(|c| format!("the header lacks the mandatory column {}", c.name()))
            .collect();
        Ok((
            Layout {
                indices,
                width: fields.len(),
                amounts,
            },
            warnings,
        ))
    }
}

/// One line's fields, with the line number for errors.
struct Record<'a, 'l> {
    line: usize,
    fields: &'a [&'a str],
    layout: &'l Layout,
}

impl Record<'_, '_> {
    /// The trimmed value of a column; blank when the column is absent or the line short.
    fn text(&self, column: Column) -> &str {
        self.layout
            .index(column)
            .and_then(|at| self.fields.get(at))
            .map(|value| unquote(value.trim()).trim())
            .unwrap_or("")
    }

    fn owned(&self, column: Column) -> String {
        self.text(column).to_owned()
    }

    fn error(&self, column: Column, problem: ValueProblem) -> FecError {
        FecError::Value {
            line: self.line,
            column: column.name().to_owned(),
            value: self.text(column).to_owned(),
            problem,
        }
    }

    fn amount(&self, column: Column) -> Result<i64, FecError> {
        parse_amount(self.text(column))
            .map(|cents| cents.unwrap_or(0))
            .map_err(|problem| self.error(column, problem))
    }

    fn date(&self, column: Column) -> Result<Option<chrono::NaiveDate>, FecError> {
        parse_date(self.text(column)).map_err(|problem| self.error(column, problem))
    }

    /// Whether this line repeats the header (each part of a split file starts with it).
    fn is_header(&self) -> bool {
        [Column::JournalCode, Column::CompteNum]
            .into_iter()
            .all(|column| normalized(self.text(column)).eq(normalized(column.name())))
    }

    fn to_line(&self) -> Result<FecLine, FecError> {
        let entry_date = self
            .date(Column::EcritureDate)?
            .ok_or_else(|| self.error(Column::EcritureDate, ValueProblem::Missing))?;
        let (debit, credit) = match self.layout.amounts {
            AmountLayout::DebitCredit => {
                (self.amount(Column::Debit)?, self.amount(Column::Credit)?)
            }
            AmountLayout::MontantSens => {
                let amount = self.amount(Column::Montant)?;
                match parse_direction(self.text(Column::Sens)) {
                    Ok(Direction::Debit) => (amount, 0),
                    Ok(Direction::Credit) => (0, amount),
                    Err(ValueProblem::Missing) if amount == 0 => (0, 0),
                    Err(problem) => return Err(self.error(Column::Sens, problem)),
                }
            }
        };
        Ok(FecLine {
            line_number: self.line,
            journal_code: self.owned(Column::JournalCode),
            journal_label: self.owned(Column::JournalLib),
            entry_number: self.owned(Column::EcritureNum),
            entry_date,
            account_number: self.owned(Column::CompteNum),
            account_label: self.owned(Column::CompteLib),
            aux_account_number: self.owned(Column::CompAuxNum),
            aux_account_label: self.owned(Column::CompAuxLib),
            piece_ref: self.owned(Column::PieceRef),
            piece_date: self.date(Column::PieceDate)?,
            label: self.owned(Column::EcritureLib),
            debit,
            credit,
            lettering: self.owned(Column::EcritureLet),
            lettering_date: self.date(Column::DateLet)?,
            validation_date: self.date(Column::ValidDate)?,
            currency_amount: self.owned(Column::Montantdevise),
            currency: self.owned(Column::Idevise),
            payment_date: self.date(Column::DateRglt)?,
            payment_method: self.owned(Column::ModeRglt),
            operation_nature: self.owned(Column::NatOp),
            client_id: self.owned(Column::IdClient),
        })
    }
}

/// What the reader produced from the text.
pub(super) struct Read {
    pub(super) lines: Vec<FecLine>,
    pub(super) format: FecFormat,
    pub(super) warnings: Vec<String>,
}

fn is_blank(line: &str) -> bool {
    line.trim_matches(|c: char| c.is_whitespace() || c == '\u{feff}')
        .is_empty()
}

/// Reads the decoded text of a FEC file.
pub(super) fn read(text: &str, encoding: Encoding) -> Result<Read, FecError> {
    let mut physical = PhysicalLines::new(text).filter(|(_, line)| !is_blank(line));
    let (header_line, header) = physical.next().ok_or(FecError::Empty)?;
    let header = header.trim_start_matches('\u{feff}');
    let tabs = header.matches('\t').count();
    let pipes = header.matches('|').count();
    let separator = match (tabs, pipes) {
        (0, 0) => return Err(FecError::NoSeparator { line: header_line }),
        (tabs, pipes) if tabs >= pipes => Separator::Tab,
        _ => Separator::Pipe,
    };
    let header_fields: Vec<&str> = header.split(separator.as_char()).collect();
    let (layout, mut warnings) = Layout::from_header(header_line, &header_fields)?;
    let columns: Vec<String> = header_fields
        .iter()
        .map(|name| unquote(name.trim()).to_owned())
        .collect();

    // One line of the file per line read, at most: allocated once. Lines end in LF (after a
    // CR or not) or, in old files, in a CR alone.
    let ends = |end: u8| text.bytes().filter(|&b| b == end).count();
    let line_feeds = ends(b'\n');
    let mut lines = Vec::with_capacity(
        if line_feeds > 0 {
            line_feeds
        } else {
            ends(b'\r')
        } + 1,
    );
    let mut repeated_headers = 0_usize;
    let mut magnitude: i64 = 0;
    let mut fields: Vec<&str> = Vec::with_capacity(layout.width);
    for (number, raw) in physical {
        fields.clear();
        fields.extend(
            raw.trim_start_matches('\u{feff}')
                .split(separator.as_char()),
        );
        let found = fields.len();
        while fields.len() > layout.width && fields.last().is_some_and(|f| f.trim().is_empty()) {
            fields.pop();
        }
        if fields.len() > layout.width {
            return Err(FecError::TooManyFields {
                line: number,
                found,
                expected: layout.width,
            });
        }
        let record = Record {
            line: number,
            fields: &fields,
            layout: &layout,
        };
        if record.is_header() {
            repeated_headers += 1;
            continue;
        }
        let line = record.to_line()?;
        magnitude = [line.debit, line.credit]
            .into_iter()
            .try_fold(magnitude, |sum, amount| {
                i64::try_from(amount.unsigned_abs())
                    .ok()
                    .and_then(|a| sum.checked_add(a))
            })
            .ok_or(FecError::Overflow { line: number })?;
        lines.push(line);
    }
    if repeated_headers > 0 {
        warnings.push(format!(
            "the header is repeated {repeated_headers} time(s) inside the file (a split file)"
        ));
    }
    Ok(Read {
        lines,
        format: FecFormat {
            encoding,
            separator,
            columns,
            amounts: layout.amounts,
            repeated_headers,
        },
        warnings,
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    fn physical(text: &str) -> Vec<(usize, &str)> {
        PhysicalLines::new(text).collect()
    }

    #[test]
    fn every_kind_of_line_end_counts_as_one() {
        assert_eq!(
            physical("a\nb\r\nc\rd\r\r\ne"),
            vec![(1, "a"), (2, "b"), (3, "c"), (4, "d"), (5, "e")]
        );
        assert_eq!(physical("a\r\n"), vec![(1, "a")]);
        assert_eq!(physical("a\n\nb"), vec![(1, "a"), (2, ""), (3, "b")]);
        assert_eq!(physical(""), vec![]);
    }

    #[test]
    fn header_names_are_matched_whatever_their_case_and_spacing() {
        assert_eq!(
            Column::from_header("JOURNALCODE"),
            Some(Column::JournalCode)
        );
        assert_eq!(
            Column::from_header(" Montant devise "),
            Some(Column::Montantdevise)
        );
        assert_eq!(Column::from_header("\"Débit\""), Some(Column::Debit));
        assert_eq!(Column::from_header("compte_num"), Some(Column::CompteNum));
        assert_eq!(Column::from_header("Solde"), None);
    }
}
