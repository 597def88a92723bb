//! One tenant's state: taxonomy, rules, aliases, counters.

use crate::error::{Error, Result};
use crate::memory::AliasMemory;
use crate::model::Taxonomy;
use crate::rules::{Rule, RuleSet};
use crate::store::snapshot::TenantSnapshot;

use super::stats::Stats;

#[derive(Debug, Clone)]
pub(crate) struct TenantState {
    pub taxonomy: Taxonomy,
    /// Rules in the order they were added.
    pub rules: Vec<Rule>,
    pub ruleset: RuleSet,
    pub aliases: AliasMemory,
    pub stats: Stats,
}

impl Default for TenantState {
    fn default() -> Self {
        TenantState {
            taxonomy: Taxonomy::builtin(),
            rules: Vec::new(),
            ruleset: RuleSet::default(),
            aliases: AliasMemory::default(),
            stats: Stats::default(),
        }
    }
}

impl TenantState {
    /// Checks that every rule's category exists, then compiles; on error nothing changes.
    pub fn set_rules(&mut self, rules: Vec<Rule>) -> Result<()> {
        for r in &rules {
            if let Some(c) = &r.then.category {
                if !self.taxonomy.contains(c) {
                    return Err(Error::not_found(
                        "category",
                        format!("{c} (in rule {:?})", r.id),
                    ));
                }
            }
        }
        let ruleset = RuleSet::new(rules.clone())?;
        self.rules = rules;
        self.ruleset = ruleset;
        Ok(())
    }

    pub fn to_snapshot(&self) -> TenantSnapshot {
        TenantSnapshot {
            categories: self.taxonomy.custom().cloned().collect(),
            rules: self.rules.clone(),
            aliases: self
                .aliases
                .entries()
                .into_iter()
                .map(|(k, e)| (k.clone(), e.clone()))
                .collect(),
        }
    }

    pub fn from_snapshot(s: TenantSnapshot) -> Result<Self> {
        let mut t = TenantState::default();
        // Parents may come after children in id order; add until no progress.
        let mut pending = s.categories;
        while !pending.is_empty() {
            let before = pending.len();
            let mut rest = Vec::new();
            for c in pending {
                let parent_ok = c.parent.as_deref().is_none_or(|p| t.taxonomy.contains(p));
                if parent_ok {
                    t.taxonomy.add(&c.id, &c.name, c.parent.as_deref())?;
                } else {
                    rest.push(c);
                }
            }
            if rest.len() == before {
                return Err(Error::CorruptSnapshot(format!(
                    "category {:?} has a missing parent",
                    rest[0].id
                )));
            }
            pending = rest;
        }
        t.set_rules(s.rules)?;
        for (k, e) in s.aliases {
            for c in e.votes.keys() {
                if !t.taxonomy.contains(c) {
                    return Err(Error::CorruptSnapshot(format!(
                        "alias {k:?} votes for unknown category {c:?}"
                    )));
                }
            }
            t.aliases.put(&k, e);
        }
        Ok(t)
    }
}
