//! Typed change events.

use serde::{Deserialize, Serialize};

use crate::memory::{AliasEntry, LabelHabit};
use crate::model::Category;
use crate::rules::Rule;

/// One change to a tenant's state. Replaying a tenant's changes in order on an empty engine
/// rebuilds that tenant's state exactly.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "schema", derive(schemars::JsonSchema))]
#[serde(tag = "type", rename_all = "snake_case")]
pub enum Change {
    /// A tenant category was added.
    CategoryAdded {
        /// Tenant.
        tenant: String,
        /// The category.
        category: Category,
    },
    /// A rule was added (appended to the tenant's rule list).
    RuleAdded {
        /// Tenant.
        tenant: String,
        /// The rule.
        rule: Rule,
    },
    /// A rule was removed.
    RuleRemoved {
        /// Tenant.
        tenant: String,
        /// The rule id.
        id: String,
    },
    /// An alias entry now has this state (after a feedback vote or an LLM answer).
    AliasLearned {
        /// Tenant.
        tenant: String,
        /// Merchant key.
        key: String,
        /// The whole entry after the vote.
        entry: AliasEntry,
    },
    /// A naming habit now has this many votes (after a feedback vote): the tenant's `label`
    /// for what the built-in tables call `builtin`.
    LabelVoted {
        /// Tenant.
        tenant: String,
        /// The habit the votes belong to.
        habit: LabelHabit,
        /// A built-in category id.
        builtin: String,
        /// The tenant's category.
        label: String,
        /// Total weight of the votes after this one.
        votes: f64,
    },
    /// An alias entry was forgotten.
    AliasForgotten {
        /// Tenant.
        tenant: String,
        /// Merchant key.
        key: String,
    },
}

impl Change {
    /// The tenant the change belongs to.
    pub fn tenant(&self) -> &str {
        match self {
            Change::CategoryAdded { tenant, .. }
            | Change::RuleAdded { tenant, .. }
            | Change::RuleRemoved { tenant, .. }
            | Change::AliasLearned { tenant, .. }
            | Change::LabelVoted { tenant, .. }
            | Change::AliasForgotten { tenant, .. } => tenant,
        }
    }
}
