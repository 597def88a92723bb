//! Splitting delimited text into records: quoted cells (`""` inside quotes is a quote,
//! line breaks allowed), `\n`, `\r\n` or `\r` line ends, every cell trimmed. Blank lines are
//! records of one empty cell, so that the reader can list them as skipped rows.

/// One record and the 1-based line it starts on.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct Record {
    pub cells: Vec<String>,
    pub line: usize,
}

impl Record {
    /// Whether every cell is empty.
    pub(crate) fn is_blank(&self) -> bool {
        self.cells.iter().all(|c| c.is_empty())
    }

    /// The cell at `i`, `""` past the end.
    pub(crate) fn get(&self, i: usize) -> &str {
        self.cells.get(i).map(String::as_str).unwrap_or("")
    }
}

/// Reads records from a byte offset of a text.
#[derive(Debug, Clone)]
pub(crate) struct Splitter<'t> {
    text: &'t str,
    pos: usize,
    line: usize,
    delimiter: char,
}

impl<'t> Splitter<'t> {
    /// A splitter at the start of `text`; `delimiter` is ASCII.
    pub(crate) fn new(text: &'t str, delimiter: char) -> Self {
        Splitter {
            text,
            pos: 0,
            line: 1,
            delimiter,
        }
    }

    /// A splitter at byte `pos`, which is on line `line`.
    pub(crate) fn at(text: &'t str, delimiter: char, pos: usize, line: usize) -> Self {
        Splitter {
            text,
            pos,
            line,
            delimiter,
        }
    }

    /// The byte offset and line of the next record.
    pub(crate) fn position(&self) -> (usize, usize) {
        (self.pos, self.line)
    }

    /// One cell starting at `self.pos`; returns it and whether the record ended after it.
    fn cell(&mut self) -> (String, bool) {
        let bytes = self.text.as_bytes();
        let mut out = String::new();
        let mut i = self.pos;
        // spaces before an opening quote belong to no one
        let mut j = i;
        while j < bytes.len() && (bytes[j] == b' ' || (bytes[j] == b'\t' && self.delimiter != '\t'))
        {
            j += 1;
        }
        if j < bytes.len() && bytes[j] == b'"' {
            i = self.quoted(j + 1, &mut out);
        }
        let start = i;
        while i < bytes.len() {
            let b = bytes[i];
            if b == b'\n' || b == b'\r' || b == self.delimiter as u8 {
                break;
            }
            i += 1;
        }
        out.push_str(&self.text[start..i]);
        let ended = self.finish_cell(i);
        (out.trim().to_string(), ended)
    }

    /// Reads a quoted cell's content from `i` (after the quote) into `out`; returns the
    /// offset after the closing quote.
    fn quoted(&mut self, mut i: usize, out: &mut String) -> usize {
        let bytes = self.text.as_bytes();
        let mut start = i;
        while i < bytes.len() {
            match bytes[i] {
                b'"' if bytes.get(i + 1) == Some(&b'"') => {
                    out.push_str(&self.text[start..=i]);
                    i += 2;
                    start = i;
                }
                b'"' => {
                    out.push_str(&self.text[start..i]);
                    return i + 1;
                }
                b'\n' => {
                    self.line += 1;
                    i += 1;
                }
                _ => i += 1,
            }
        }
        out.push_str(&self.text[start..i]);
        i
    }

    /// Moves past the delimiter or line end at `i`; true when the record ended.
    fn finish_cell(&mut self, i: usize) -> bool {
        let rest = &self.text[i..];
        if rest.starts_with(self.delimiter) {
            self.pos = i + self.delimiter.len_utf8();
            return false;
        }
        let skip = if rest.starts_with("\r\n") {
            2
        } else if rest.is_empty() {
            0
        } else {
            1
        };
        if skip > 0 {
            self.line += 1;
        }
        self.pos = i + skip;
        true
    }
}

impl Iterator for Splitter<'_> {
    type Item = Record;

    fn next(&mut self) -> Option<Record> {
        if self.pos >= self.text.len() {
            return None;
        }
        let line = self.line;
        let mut cells = Vec::new();
        loop {
            let (cell, ended) = self.cell();
            cells.push(cell);
            if ended {
                break;
            }
        }
        Some(Record { cells, line })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn splits_quotes_line_breaks_and_blank_lines() {
        let text = "a,\"b \"\"q\"\"\nc\",d\r\n\r\n x , y\n";
        let recs: Vec<Record> = Splitter::new(text, ',').collect();
        assert_eq!(recs.len(), 3);
        assert_eq!(recs[0].cells, ["a", "b \"q\"\nc", "d"]);
        assert_eq!(recs[1].line, 3);
        assert!(recs[1].is_blank());
        assert_eq!(
            (recs[2].line, recs[2].cells.clone()),
            (4, vec!["x".to_string(), "y".to_string()])
        );
    }
}
