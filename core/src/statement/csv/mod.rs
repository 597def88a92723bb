//! Delimited exports. Detection runs once over the whole text (delimiter, header, the role
//! of each column, per-column decisions from all values); rows are then read one at a time.

mod columns;
mod dates;
mod direction;
mod header;
mod layouts;
mod numbers;
mod plan;
mod roles;
mod rows;
mod shape;
mod signals;
mod split;
mod vocabulary;

use std::borrow::Cow;

use self::header::HeaderCell;
use self::plan::Plan;
use self::split::{Record, Splitter};
use self::vocabulary::Role;
use super::hints::{DateOrder, Hints};
use super::report::{ColumnReport, Decided, Format, Report};
use crate::error::Result;
use crate::model::Currency;

pub(crate) use self::rows::Outcome;

/// Where the table starts and what is above it.
struct Table {
    header: Option<Vec<HeaderCell>>,
    preamble: String,
    /// Byte offset and line of the first row after the header (or of the first row).
    start: (usize, usize),
    /// The header's line.
    header_line: Option<usize>,
    width: usize,
}

/// A record with where it starts.
struct Placed {
    record: Record,
    at: (usize, usize),
}

fn first_records(text: &str, delimiter: char) -> Vec<Placed> {
    let mut splitter = Splitter::new(text, delimiter);
    let mut out = Vec::new();
    while out.len() <= header::MAX_PREAMBLE {
        let at = splitter.position();
        match splitter.next() {
            Some(record) => out.push(Placed { record, at }),
            None => break,
        }
    }
    out
}

/// A row of a table without a header: a date and an amount among its cells.
fn looks_like_row(r: &Record) -> bool {
    let date = r.cells.iter().any(|c| super::dates::parse(c).is_some());
    let money = r
        .cells
        .iter()
        .any(|c| super::amounts::clean(c).is_some_and(|a| a.core.contains(['.', ','])));
    r.cells.len() >= 2 && date && money
}

fn find_table(text: &str, delimiter: char) -> Option<Table> {
    let first = first_records(text, delimiter);
    let preamble_of = |n: usize| -> String {
        first[..n]
            .iter()
            .map(|p| p.record.cells.join(" "))
            .collect::<Vec<_>>()
            .join("\n")
    };
    for (i, p) in first.iter().enumerate() {
        let cells = header::cells(&p.record);
        if header::is_header(&cells) {
            let start = first
                .get(i + 1)
                .map(|n| n.at)
                .unwrap_or((text.len(), p.record.line + 1));
            let header_line = Some(p.record.line);
            return Some(Table {
                width: cells.len(),
                header: Some(cells),
                preamble: preamble_of(i),
                start,
                header_line,
            });
        }
    }
    let i = first.iter().position(|p| looks_like_row(&p.record))?;
    Some(Table {
        width: first[i].record.cells.len(),
        header: None,
        preamble: preamble_of(i),
        start: first[i].at,
        header_line: None,
    })
}

/// Reads a delimited export one row at a time.
#[derive(Clone)]
pub(crate) struct CsvReader<'a> {
    text: Cow<'a, str>,
    delimiter: char,
    pos: (usize, usize),
    plan: Plan,
    /// The record the last transaction was read from.
    last: Option<Record>,
}

impl<'a> CsvReader<'a> {
    /// Detects everything and returns the reader with the report of what it detected.
    pub(crate) fn open(
        text: Cow<'a, str>,
        hints: &Hints,
        encoding: Decided<String>,
    ) -> Result<(Self, Report)> {
        let delimiter = shape::delimiter(&text);
        let table = find_table(&text, delimiter).ok_or_else(|| {
            crate::Error::invalid("no table of transactions found: no header with a date and an amount column, and no row with a date and an amount")
        })?;
        let splitter = Splitter::at(&text, delimiter, table.start.0, table.start.1);
        let scan = columns::scan(splitter, table.width);
        let (plan, report) = detect::detect(&table, &scan, hints, delimiter, encoding)?;
        let reader = CsvReader {
            delimiter,
            pos: table.start,
            plan,
            text,
            last: None,
        };
        Ok((reader, report))
    }

    /// The next row's outcome, `None` at the end.
    pub(crate) fn next_row(&mut self) -> Option<Result<Outcome>> {
        let mut splitter = Splitter::at(&self.text, self.delimiter, self.pos.0, self.pos.1);
        let record = splitter.next()?;
        self.pos = splitter.position();
        let outcome = rows::read(&self.plan, &record);
        if matches!(outcome, Ok(Outcome::Transaction(_))) {
            self.last = Some(record);
        }
        Some(outcome)
    }

    /// The header's cells, `None` without a header row.
    pub(crate) fn header(&self) -> Option<&[String]> {
        self.plan.header.as_deref()
    }

    /// The cells of the record the last transaction was read from.
    pub(crate) fn record(&self) -> Option<&[String]> {
        self.last.as_ref().map(|r| r.cells.as_slice())
    }
}

mod detect {
    //! From the table and its statistics to the plan and the report.

    use super::*;
    use crate::statement::report::{DecidedBy, SignConvention};

    fn names(table: &Table, width: usize) -> Vec<String> {
        (0..width)
            .map(|i| match table.header.as_ref().and_then(|h| h.get(i)) {
                Some(c) if !c.raw.is_empty() => c.raw.clone(),
                _ => format!("column {}", i + 1),
            })
            .collect()
    }

    /// Roles, layout and language.
    type Detected = (
        Vec<Option<Role>>,
        Option<&'static layouts::Layout>,
        Option<&'static str>,
    );

    /// Roles, layout and language.
    fn roles(table: &Table, scan: &columns::Scan, hints: &Hints) -> Result<Detected> {
        let (mut roles, layout, language) = match &table.header {
            Some(cells) => {
                let keys: Vec<String> = cells.iter().map(|c| c.key.clone()).collect();
                let layout =
                    layouts::by_header(&keys, &crate::statement::text::fold(&table.preamble));
                (
                    roles::from_header(cells, &scan.stats, layout),
                    layout,
                    header::language(cells),
                )
            }
            None => {
                let kinds: String = scan.stats.iter().map(roles::kind).collect();
                (
                    roles::headerless(&scan.stats),
                    layouts::by_shape(&kinds),
                    None,
                )
            }
        };
        roles::apply_hints(&mut roles, table.header.as_deref(), hints)?;
        Ok((roles, layout, language))
    }

    pub(super) fn detect(
        table: &Table,
        scan: &columns::Scan,
        hints: &Hints,
        delimiter: char,
        encoding: Decided<String>,
    ) -> Result<(Plan, Report)> {
        let width = scan.stats.len().max(table.width);
        let names = names(table, width);
        let (mut roles, layout, language) = roles(table, scan, hints)?;
        roles.resize(width, None);
        let mut warnings = Vec::new();
        if let Some(c) = roles::fallback_description(&mut roles, &scan.stats) {
            warnings.push(format!(
                "no column is named as the payee or description: column {:?} is read as the description by its values; name another with the columns hint (--columns description=NAME)",
                names[c]
            ));
        }
        if table.header.is_none() {
            let amount_cols: Vec<usize> = (0..width)
                .filter(|c| matches!(roles[*c], Some(Role::Amount(_))))
                .collect();
            let ctx = numbers::Context {
                hint: hints.decimal,
                currency: hints.currency,
                delimiter,
                names: &names,
            };
            let (marks, _) = numbers::decide(&amount_cols, &scan.stats, &ctx)?;
            let mut all = vec![None; width];
            for (c, m) in marks {
                all[c] = m;
            }
            direction::headerless_money(&mut roles, &scan.stats, &scan.rows, &all, &mut warnings);
        }
        let col_currency: Vec<Option<Currency>> = (0..width)
            .map(|i| {
                table
                    .header
                    .as_ref()
                    .and_then(|h| h.get(i))
                    .and_then(|c| c.currency)
            })
            .collect();
        let placeholder = Currency::new("XXX").expect("XXX is a currency code");
        let mut plan = plan::assemble(roles, &scan.stats, names, col_currency, placeholder)?;
        plan.header = table
            .header
            .as_ref()
            .map(|h| h.iter().map(|c| c.raw.clone()).collect());
        let around = signals::Surroundings {
            preamble: &table.preamble,
            layout,
            language,
            delimiter,
        };
        let stated = signals::stated_currency(hints, &plan, &scan.stats, &around);
        let ctx = numbers::Context {
            hint: hints.decimal,
            currency: stated.as_ref().map(|d| d.value),
            delimiter,
            names: &plan.names,
        };
        let (marks, decimal) = numbers::decide(&plan.money.columns(), &scan.stats, &ctx)?;
        for (c, m) in marks {
            plan.marks[c] = m;
        }
        let signals = signals::order_signals(
            stated.as_ref(),
            &around,
            signals::is_comma(decimal.as_ref()),
        );
        let order = dates::decide(
            &plan.dates,
            &scan.stats,
            &plan.names,
            hints.date_order,
            &signals,
        )?;
        plan.order = order.as_ref().map(|o| o.value);
        let currency = stated.unwrap_or_else(|| signals::fallback_currency(order.as_ref()));
        if currency.by == DecidedBy::Default {
            warnings.push(format!("nothing in the file names its currency: {} is assumed; pass the currency hint (--currency)", currency.value));
        }
        plan.currency = currency.value;
        let sign = direction::decide(
            &mut plan,
            &scan.stats,
            &scan.payments,
            hints,
            layout,
            &mut warnings,
        );
        let report = report(
            table,
            &plan,
            &scan.stats,
            delimiter,
            encoding,
            Parts {
                layout,
                language,
                order,
                decimal,
                sign,
                currency,
                warnings,
            },
        );
        Ok((plan, report))
    }

    /// The decisions the report states.
    struct Parts {
        layout: Option<&'static layouts::Layout>,
        language: Option<&'static str>,
        order: Option<Decided<DateOrder>>,
        decimal: Option<Decided<crate::statement::hints::DecimalMark>>,
        sign: Decided<SignConvention>,
        currency: Decided<Currency>,
        warnings: Vec<String>,
    }

    fn report(
        table: &Table,
        plan: &Plan,
        stats: &[columns::Stats],
        delimiter: char,
        encoding: Decided<String>,
        parts: Parts,
    ) -> Report {
        let columns = (0..plan.names.len())
            .map(|i| ColumnReport {
                index: i + 1,
                name: table
                    .header
                    .as_ref()
                    .and_then(|h| h.get(i))
                    .map(|c| c.raw.clone()),
                role: plan.roles.get(i).copied().flatten().map(roles::public),
                decimal: plan.marks.get(i).copied().flatten(),
                date_order: (plan.dates.contains(&i)
                    && stats.get(i).is_some_and(|s| s.numeric_dates > 0))
                .then_some(plan.order)
                .flatten(),
                currency: plan.col_currency.get(i).copied().flatten(),
            })
            .collect();
        Report {
            format: Format::Csv,
            encoding,
            delimiter: Some(delimiter.to_string()),
            header_row: table.header_line,
            columns,
            layout: parts.layout.map(|l| l.name.to_string()),
            language: parts.language.map(str::to_string),
            date_order: parts.order,
            decimal: parts.decimal,
            sign: parts.sign,
            currency: parts.currency,
            transactions: 0,
            skipped: Vec::new(),
            warnings: parts.warnings,
        }
    }
}

impl Iterator for CsvReader<'_> {
    type Item = Result<Outcome>;

    fn next(&mut self) -> Option<Self::Item> {
        self.next_row()
    }
}
