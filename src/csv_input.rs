//! CSV input files: price tables, spot price and demand traces, spot interruption tables, and
//! the traces of saved result directories.
//!
//! One reading convention for all of them: a line starting with `#` is a comment, cells are
//! trimmed, each record is one line (a quoted cell holding a line break is refused, so that
//! line numbers stay exact), the header must name every required column (in any order; others
//! are ignored), and every error names the file and, where it can, the line and the field.

use crate::error::InputError;
use serde::de::DeserializeOwned;

/// A whole CSV file, read and split into its header and data rows.
#[derive(Debug, Clone)]
pub struct CsvInput {
    /// File name, as errors show it.
    pub file: String,
    /// The header row.
    pub headers: csv::StringRecord,
    /// Data rows with their 1-based line numbers in the file.
    pub rows: Vec<(u64, csv::StringRecord)>,
}

impl CsvInput {
    /// Reads `text`, requiring the columns `required` (the error lists them all, in order).
    pub fn parse(file: &str, text: &str, required: &[&str]) -> Result<CsvInput, InputError> {
        let mut rdr = csv::ReaderBuilder::new()
            .comment(Some(b'#'))
            .trim(csv::Trim::All)
            .from_reader(text.as_bytes());
        let headers = rdr
            .headers()
            .map_err(|e| InputError::file(file, format!("cannot read CSV header: {e}")))?
            .clone();
        if let Some(want) = required.iter().find(|w| !headers.iter().any(|h| h == **w)) {
            return Err(InputError::file(
                file,
                format!(
                    "missing column `{want}`; the header must be {}",
                    required.join(",")
                ),
            ));
        }
        // The reader's own positions miscount lines around comments and blank lines, so each
        // record takes the number of the next line that is neither (records span one line).
        let mut lines = text
            .lines()
            .enumerate()
            .filter(|(_, l)| !l.starts_with('#') && !l.trim_end_matches('\r').is_empty())
            .map(|(i, _)| i as u64 + 1)
            .skip(1);
        let mut rows = Vec::new();
        for rec in rdr.records() {
            let line = lines.next().unwrap_or(0);
            let rec = rec.map_err(|e| InputError {
                line,
                ..InputError::file(file, format!("invalid CSV: {e}"))
            })?;
            if rec.iter().any(|c| c.contains(['\n', '\r'])) {
                return Err(InputError {
                    line,
                    ..InputError::file(
                        file,
                        "a quoted cell holds a line break: each record must be one line",
                    )
                });
            }
            rows.push((line, rec));
        }
        Ok(CsvInput {
            file: file.to_string(),
            headers,
            rows,
        })
    }

    /// Reads a file from disk (see [`CsvInput::parse`]).
    pub fn read(path: &std::path::Path, required: &[&str]) -> Result<CsvInput, InputError> {
        let file = path.display().to_string();
        let text = std::fs::read_to_string(path)
            .map_err(|e| InputError::file(&file, format!("cannot read it: {e}")))?;
        CsvInput::parse(&file, &text, required)
    }

    /// The index of a column, if the header has it.
    pub fn column(&self, name: &str) -> Option<usize> {
        self.headers.iter().position(|h| h == name)
    }

    /// The index of a column that must be there (an error names it otherwise).
    pub fn required_column(&self, name: &str) -> Result<usize, InputError> {
        self.column(name)
            .ok_or_else(|| self.error(1, Some(name), "missing column"))
    }

    /// The cell of data row `row` in column `col` as a number; an empty cell is `None`.
    pub fn number(&self, row: usize, col: usize) -> Result<Option<f64>, InputError> {
        let (line, rec) = &self.rows[row];
        let cell = rec.get(col).unwrap_or("");
        if cell.is_empty() {
            return Ok(None);
        }
        cell.parse::<f64>().map(Some).map_err(|_| {
            self.error(
                *line,
                self.headers.get(col),
                format!("not a number: {cell:?}"),
            )
        })
    }

    /// A column that must be there, as numbers (empty cells as 0).
    pub fn numbers(&self, name: &str) -> Result<Vec<f64>, InputError> {
        let c = self.required_column(name)?;
        (0..self.rows.len())
            .map(|i| Ok(self.number(i, c)?.unwrap_or(0.0)))
            .collect()
    }

    /// Data row `i` as a `T` whose fields are named like the columns.
    pub fn row<T: DeserializeOwned>(&self, i: usize) -> Result<T, InputError> {
        let (line, rec) = &self.rows[i];
        rec.deserialize(Some(&self.headers))
            .map_err(|e| self.error(*line, None, format!("invalid CSV: {e}")))
    }

    /// An error at a line (0: unknown) and, if given, a field.
    pub fn error(&self, line: u64, field: Option<&str>, message: impl Into<String>) -> InputError {
        InputError {
            line,
            field: field.map(str::to_string),
            ..InputError::file(&self.file, message)
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn comments_trimming_lines_and_missing_columns() {
        let t = CsvInput::parse("t.csv", "# c\na, b\n# c\n 1 ,2\n\n3,4\n", &["b", "a"]).unwrap();
        assert_eq!(t.column("b"), Some(1));
        assert_eq!(t.rows.len(), 2);
        assert_eq!((t.rows[0].0, t.rows[1].0), (4, 6));
        assert_eq!(&t.rows[0].1[0], "1");
        let e = CsvInput::parse("t.csv", "a\n1\n", &["a", "b"]).unwrap_err();
        assert_eq!(
            e.to_string(),
            "t.csv: missing column `b`; the header must be a,b"
        );
        let e = CsvInput::parse("t.csv", "a,b\n1,2\n# c\n3\n", &[]).unwrap_err();
        assert_eq!(e.line, 4);
        let e = CsvInput::parse("t.csv", "a,b\n1,2\n3,\"x\ny\"\n", &[]).unwrap_err();
        assert_eq!(e.line, 3);
        assert!(
            e.to_string().contains("each record must be one line"),
            "{e}"
        );
    }
}
