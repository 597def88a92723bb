//! How often the guesses for merchants a tenant had never filed turned out right, by the stage
//! that guessed and the confidence it claimed. The confidence the engine shows for such a guess
//! is what guesses like it have been worth for this tenant, so a weak guess does not outrank
//! the built-in knowledge and the high band stays precise.

use crate::model::Source;

/// Confidence buckets of width 0.1.
const BUCKETS: usize = 10;
/// Weight of the claimed confidence, in outcomes, before a bucket has seen any.
const PRIOR: f64 = 5.0;

/// Outcomes per guessing stage and claimed-confidence bucket: (guesses, right ones).
#[derive(Debug, Clone, Default, PartialEq)]
pub(crate) struct Calibration {
    similarity: [(f64, f64); BUCKETS],
    classifier: [(f64, f64); BUCKETS],
}

fn bucket(raw: f64) -> usize {
    ((raw.clamp(0.0, 1.0) * BUCKETS as f64) as usize).min(BUCKETS - 1)
}

impl Calibration {
    fn row(&self, source: Source) -> Option<&[(f64, f64); BUCKETS]> {
        match source {
            Source::Similarity => Some(&self.similarity),
            Source::Classifier => Some(&self.classifier),
            _ => None,
        }
    }

    fn row_mut(&mut self, source: Source) -> Option<&mut [(f64, f64); BUCKETS]> {
        match source {
            Source::Similarity => Some(&mut self.similarity),
            Source::Classifier => Some(&mut self.classifier),
            _ => None,
        }
    }

    /// Records whether a guess that claimed `raw` was right. Other sources than similarity
    /// and classifier are not calibrated and are ignored.
    pub fn record(&mut self, source: Source, raw: f64, right: bool) {
        let Some(row) = self.row_mut(source) else {
            return;
        };
        let b = &mut row[bucket(raw)];
        b.0 += 1.0;
        b.1 += f64::from(u8::from(right));
    }

    /// The confidence a guess claiming `raw` has earned: its bucket's rate of right guesses,
    /// shrunk towards `raw` while the bucket has few outcomes; and how many there were.
    pub fn calibrate(&self, source: Source, raw: f64) -> (f64, u32) {
        match self.row(source) {
            Some(row) => {
                let (n, right) = row[bucket(raw)];
                ((right + PRIOR * raw) / (n + PRIOR), n as u32)
            }
            None => (raw, 0),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn an_overconfident_stage_is_brought_down_and_an_honest_one_kept() {
        let mut c = Calibration::default();
        assert_eq!(c.calibrate(Source::Classifier, 0.65), (0.65, 0));
        for i in 0..40 {
            c.record(Source::Classifier, 0.65, i % 5 == 0);
            c.record(Source::Similarity, 0.92, i % 10 != 0);
        }
        let (low, n) = c.calibrate(Source::Classifier, 0.62);
        assert_eq!(n, 40);
        assert!((low - (8.0 + 5.0 * 0.62) / 45.0).abs() < 1e-12, "{low}");
        let (kept, _) = c.calibrate(Source::Similarity, 0.92);
        assert!((kept - 0.9).abs() < 0.01, "{kept}");
        // other buckets and sources are untouched
        assert_eq!(c.calibrate(Source::Classifier, 0.85), (0.85, 0));
        assert_eq!(c.calibrate(Source::Knowledge, 0.7), (0.7, 0));
    }
}
