//! The file's delimiter, from how consistently each candidate splits its first records.

use super::split::Splitter;

/// Delimiters tried, in the order that breaks ties.
const DELIMITERS: [char; 4] = [',', ';', '\t', '|'];
/// Records looked at to choose.
const SAMPLE_RECORDS: usize = 60;

/// The delimiter whose records most often share one cell count (give or take the trailing
/// delimiter some exports add), weighted by that count: a `,` that only splits decimal
/// commas makes two cells, a `;` between columns makes many.
pub(crate) fn delimiter(text: &str) -> char {
    let mut best = (0usize, 0usize, DELIMITERS[0]);
    for d in DELIMITERS {
        let counts: Vec<usize> = Splitter::new(text, d)
            .take(SAMPLE_RECORDS)
            .filter(|r| !r.is_blank())
            .map(|r| r.cells.len())
            .collect();
        let (support, width) = support(&counts);
        if (support, width) > (best.0, best.1) {
            best = (support, width, d);
        }
    }
    best.2
}

/// The best score of a cell count of two or more (records with exactly that count weigh the
/// count, those one off weigh half of it), and that count.
fn support(counts: &[usize]) -> (usize, usize) {
    let mut best = (0, 0);
    for &width in counts.iter().filter(|c| **c >= 2) {
        let score: usize = counts
            .iter()
            .map(|c| match c.abs_diff(width) {
                0 => width * 2,
                1 => width,
                _ => 0,
            })
            .sum();
        if (score, width) > best {
            best = (score, width);
        }
    }
    best
}
