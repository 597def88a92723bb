//! Per-tenant counters.

use std::collections::BTreeMap;

use serde::{Deserialize, Serialize};

use crate::model::{Band, Source};

/// What the engine did for a tenant since it was created (not persisted in snapshots).
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "schema", derive(schemars::JsonSchema))]
pub struct Stats {
    /// Transactions categorized (including those that needed the LLM).
    pub total: u64,
    /// Decisions by source (`llm` counts resolved answers).
    pub by_source: BTreeMap<Source, u64>,
    /// Decisions by confidence band.
    pub by_band: BTreeMap<Band, u64>,
    /// LLM requests returned.
    pub llm_requests: u64,
    /// Share of categorize calls that returned an LLM request.
    pub llm_share: f64,
    /// Mean confidence of the decisions made.
    pub mean_confidence: f64,
    /// Feedback votes received.
    pub feedback: u64,
    #[serde(skip)]
    pub(crate) confidence_sum: f64,
    #[serde(skip)]
    pub(crate) decided: u64,
}

impl Stats {
    pub(crate) fn record_decision(&mut self, source: Source, confidence: f64, count_total: bool) {
        if count_total {
            self.total += 1;
        }
        *self.by_source.entry(source).or_default() += 1;
        *self.by_band.entry(Band::of(confidence)).or_default() += 1;
        self.decided += 1;
        self.confidence_sum += confidence;
        self.refresh();
    }

    pub(crate) fn record_llm_request(&mut self) {
        self.total += 1;
        self.llm_requests += 1;
        self.refresh();
    }

    fn refresh(&mut self) {
        self.mean_confidence = if self.decided == 0 {
            0.0
        } else {
            self.confidence_sum / self.decided as f64
        };
        self.llm_share = if self.total == 0 {
            0.0
        } else {
            self.llm_requests as f64 / self.total as f64
        };
    }
}
