//! The decimal mark of each amount column, decided from all its values: a mark followed by
//! one or two digits, or both marks in one value, decide; values such as `2.450` alone do
//! not. Then, in order: the caller's hint, another amount column of the file, the currency
//! (a mark before three digits cannot be the decimal mark of a two-decimal currency), a `;`
//! delimiter. Otherwise the file is refused naming `--decimal`.

use super::columns::Stats;
use crate::error::{Error, Result};
use crate::model::Currency;
use crate::statement::amounts::other;
use crate::statement::hints::DecimalMark;
use crate::statement::report::{Decided, DecidedBy};

/// What decides the columns the values leave open.
pub(crate) struct Context<'a> {
    pub hint: Option<DecimalMark>,
    /// The statement's currency when the file, its layout or a hint says it.
    pub currency: Option<Currency>,
    pub delimiter: char,
    pub names: &'a [String],
}

/// What a column's own values decide.
enum Own {
    NoMarks,
    Decided(DecimalMark),
    /// Only values like `1.000`: this mark before three digits.
    Open(DecimalMark),
}

fn own(s: &Stats, name: &str) -> Result<Own> {
    let (dot, comma, three_dot, three_comma) = s.evidence();
    match (dot > 0, comma > 0) {
        (true, true) => Err(Error::InvalidInput(format!(
            "column {name:?} mixes decimal marks ({dot} values read with \".\", {comma} with \",\"); \
             pass the decimal hint (--decimal . or --decimal ,)"
        ))),
        (true, false) => Ok(Own::Decided(DecimalMark::Dot)),
        (false, true) => Ok(Own::Decided(DecimalMark::Comma)),
        _ if three_dot > 0 && three_comma > 0 => Err(Error::InvalidInput(format!(
            "column {name:?} has values like \"1.000\" and \"1,000\"; pass the decimal hint (--decimal)"
        ))),
        _ if three_dot > 0 => Ok(Own::Open(DecimalMark::Dot)),
        _ if three_comma > 0 => Ok(Own::Open(DecimalMark::Comma)),
        _ => Ok(Own::NoMarks),
    }
}

/// Each column's mark (`None`: its values have no mark).
pub(crate) type Marks = Vec<(usize, Option<DecimalMark>)>;

/// The mark of every column in `cols` (`None`: its values have no mark), and the file's mark
/// as the report states it.
pub(crate) fn decide(
    cols: &[usize],
    stats: &[Stats],
    ctx: &Context<'_>,
) -> Result<(Marks, Option<Decided<DecimalMark>>)> {
    if let Some(h) = ctx.hint {
        let marks = cols.iter().map(|c| (*c, Some(h))).collect();
        return Ok((
            marks,
            Some(Decided::new(h, DecidedBy::Hint, "the decimal hint")),
        ));
    }
    let empty = Stats::default();
    let mut owns = Vec::with_capacity(cols.len());
    for &c in cols {
        owns.push((c, own(stats.get(c).unwrap_or(&empty), &ctx.names[c])?));
    }
    let decided: Vec<(usize, DecimalMark)> = owns
        .iter()
        .filter_map(|(c, o)| match o {
            Own::Decided(m) => Some((*c, *m)),
            _ => None,
        })
        .collect();
    let mut file = decided.first().map(|(c, m)| {
        Decided::new(
            *m,
            DecidedBy::Values,
            format!("the values of column {:?}", ctx.names[*c]),
        )
    });
    let mut marks = Vec::with_capacity(cols.len());
    for (c, o) in owns {
        let mark = match o {
            Own::NoMarks => None,
            Own::Decided(m) => Some(m),
            Own::Open(m) => {
                let d = open(c, m, file.as_ref(), ctx)?;
                let mark = d.value;
                file.get_or_insert(d);
                Some(mark)
            }
        };
        marks.push((c, mark));
    }
    Ok((marks, file))
}

/// Settles a column whose values only show `mark` before three digits.
fn open(
    col: usize,
    mark: DecimalMark,
    file: Option<&Decided<DecimalMark>>,
    ctx: &Context<'_>,
) -> Result<Decided<DecimalMark>> {
    if let Some(f) = file {
        return Ok(Decided::new(
            f.value,
            f.by,
            format!("{} (another amount column)", f.detail),
        ));
    }
    if let Some(cur) = ctx.currency.filter(|c| c.exponent() < 3) {
        let detail = format!(
            "{cur} has {} decimals, so {:?} before three digits groups thousands",
            cur.exponent(),
            mark.as_char()
        );
        return Ok(Decided::new(other(mark), DecidedBy::Currency, detail));
    }
    if ctx.delimiter == ';' && mark == DecimalMark::Dot {
        return Ok(Decided::new(
            DecimalMark::Comma,
            DecidedBy::Delimiter,
            "a \";\" delimiter",
        ));
    }
    Err(Error::InvalidInput(format!(
        "cannot tell the decimal mark of column {:?}: every value is like \"1{}000\" (thousands or \
         decimals) and nothing in the file decides; pass the decimal hint (--decimal . or --decimal ,)",
        ctx.names[col],
        mark.as_char()
    )))
}
