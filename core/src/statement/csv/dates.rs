//! The order of numeric dates, decided per column from all its values (a day above 12
//! decides), then for the whole file from another date column, then from signals (a
//! recognised layout, the currency, the header's language, `;` with decimal commas).
//! When nothing decides, the file is refused naming `--date-order`.

use super::columns::Stats;
use crate::error::{Error, Result};
use crate::statement::hints::DateOrder;
use crate::statement::report::{Decided, DecidedBy};

/// A signal that can decide the order, strongest first.
pub(crate) type Signal = (DateOrder, DecidedBy, String);

/// What one column's numeric dates allow.
fn column(s: &Stats, name: &str) -> Result<Option<Option<DateOrder>>> {
    if s.numeric_dates == 0 {
        return Ok(None);
    }
    match s.orders() {
        (true, true) => Ok(Some(None)),
        (true, false) => Ok(Some(Some(DateOrder::Dmy))),
        (false, true) => Ok(Some(Some(DateOrder::Mdy))),
        (false, false) => Err(Error::InvalidInput(format!(
            "column {name:?} mixes day-first and month-first dates; pass the date order hint \
             (--date-order dmy or --date-order mdy)"
        ))),
    }
}

/// The order for the date columns `cols`; `None` when no date there is numeric.
pub(crate) fn decide(
    cols: &[usize],
    stats: &[Stats],
    names: &[String],
    hint: Option<DateOrder>,
    signals: &[Signal],
) -> Result<Option<Decided<DateOrder>>> {
    if let Some(h) = hint {
        return Ok(Some(Decided::new(
            h,
            DecidedBy::Hint,
            "the date order hint",
        )));
    }
    let empty = Stats::default();
    let mut open: Option<usize> = None;
    let mut decided: Option<(DateOrder, usize)> = None;
    for &c in cols {
        match column(stats.get(c).unwrap_or(&empty), &names[c])? {
            None => {}
            Some(None) => {
                open.get_or_insert(c);
            }
            Some(Some(o)) => match decided {
                Some((d, first)) if d != o => {
                    return Err(Error::InvalidInput(format!(
                        "columns {:?} and {:?} disagree on the date order; pass the date order hint (--date-order)",
                        names[first], names[c]
                    )))
                }
                _ => decided = Some((o, c)),
            },
        }
    }
    if let Some((o, c)) = decided {
        let detail = format!("a day above 12 in column {:?}", names[c]);
        return Ok(Some(Decided::new(o, DecidedBy::Values, detail)));
    }
    let Some(c) = open else { return Ok(None) };
    match signals.first() {
        Some((o, by, detail)) => Ok(Some(Decided::new(*o, *by, detail.clone()))),
        None => Err(ambiguous(&names[c])),
    }
}

/// The error for dates whose order nothing decides.
pub(crate) fn ambiguous(name: &str) -> Error {
    Error::InvalidInput(format!(
        "cannot tell day-first from month-first dates in column {name:?}: no day is above 12 and \
         nothing in the file (layout, currency, language) decides; pass the date order hint \
         (--date-order dmy or --date-order mdy)"
    ))
}
