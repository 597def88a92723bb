//! Rule and category administration: what a tenant's own categories and rules are, and rules
//! proposed from its confirmed history.

use sha2::{Digest, Sha256};

use super::context::RuleTexts;
use super::engine::Engine;
use super::tenant::TenantState;
use crate::error::{Error, Result};
use crate::model::transaction_check_id;
use crate::rules::{parse_rules, Labelled, MiningOptions, MiningRow, Rule, RuleSuggestion};
use crate::store::Change;

/// Prefix the parser gives unnamed rules; replaced by a content hash.
const AUTO_ID: &str = "~auto~";

impl Engine {
    /// Adds a tenant category; returns `false` if an identical one exists.
    pub fn add_category(
        &mut self,
        tenant: &str,
        id: &str,
        name: &str,
        parent: Option<&str>,
    ) -> Result<bool> {
        let added = self.change_tenant(tenant, |t| {
            if t.taxonomy.add(id, name, parent)? {
                Ok(Some(t.taxonomy.require(id)?.clone()))
            } else {
                Ok(None)
            }
        })?;
        if let Some(category) = &added {
            self.changes.push(Change::CategoryAdded {
                tenant: tenant.to_string(),
                category: category.clone(),
            });
        }
        Ok(added.is_some())
    }

    /// Parses rule text (one rule per line) and adds the rules after the tenant's existing ones.
    /// Unnamed rules get an id derived from their content. Returns the new ids. On any error
    /// (parse error with line and column, unknown category, duplicate id) nothing is added.
    pub fn add_rules(&mut self, tenant: &str, text: &str) -> Result<Vec<String>> {
        let mut rules = parse_rules(text, AUTO_ID)?;
        for r in &mut rules {
            if r.id.starts_with(AUTO_ID) {
                r.id = content_id(r);
            }
        }
        self.add_rule_list(tenant, rules)
    }

    /// Adds already-built rules (e.g. from their JSON form). Same guarantees as [`Engine::add_rules`].
    pub fn add_rule_list(&mut self, tenant: &str, rules: Vec<Rule>) -> Result<Vec<String>> {
        let ids: Vec<String> = rules.iter().map(|r| r.id.clone()).collect();
        self.change_tenant(tenant, |t| {
            let mut all = t.rules.clone();
            all.extend(rules.iter().cloned());
            t.set_rules(all)
        })?;
        for rule in rules {
            self.changes.push(Change::RuleAdded {
                tenant: tenant.to_string(),
                rule,
            });
        }
        Ok(ids)
    }

    /// Removes a rule by id.
    pub fn remove_rule(&mut self, tenant: &str, id: &str) -> Result<()> {
        let t = self
            .tenants
            .get_mut(tenant)
            .ok_or_else(|| Error::not_found("rule", id))?;
        let mut rules = t.rules.clone();
        let before = rules.len();
        rules.retain(|r| r.id != id);
        if rules.len() == before {
            return Err(Error::not_found("rule", id));
        }
        t.set_rules(rules)?;
        self.changes.push(Change::RuleRemoved {
            tenant: tenant.to_string(),
            id: id.to_string(),
        });
        Ok(())
    }

    /// The tenant's rules in the order they were added.
    pub fn rules(&self, tenant: &str) -> Vec<Rule> {
        self.tenants
            .get(tenant)
            .map(|t| t.rules.clone())
            .unwrap_or_default()
    }

    /// Proposes rules from the tenant's confirmed history (transactions with the category a
    /// person gave or accepted), each with its backtest over that history: support, precision,
    /// coverage, the rows it would save, conflicting rows and conflicting existing rules. Nothing
    /// changes; accept a suggestion with [`Engine::add_rule_list`] or [`Engine::add_rules`].
    ///
    /// Every transaction must belong to `tenant` and every category must exist for it; otherwise
    /// a typed error names the first bad row.
    ///
    /// ```
    /// use xspense::rules::{Labelled, MiningOptions};
    /// use xspense::Engine;
    /// let mut engine = Engine::new();
    /// let history: Vec<Labelled> = ["SQ *BLUE BOTTLE 0042 OAKLAND CA", "BLUE BOTTLE COFFEE SF", "SQ *BLUE BOTTLE 0043"]
    ///     .iter()
    ///     .enumerate()
    ///     .map(|(i, d)| serde_json::from_value(serde_json::json!({
    ///         "transaction": {"id": format!("t{i}"), "tenant": "alice", "descriptor": d,
    ///             "amount": {"minor": 475, "currency": "USD"}, "direction": "debit", "date": "2026-11-02"},
    ///         "category": "food.coffee"
    ///     })).unwrap())
    ///     .collect();
    /// let s = engine.suggest_rules("alice", &history, &MiningOptions::default()).unwrap();
    /// assert_eq!(s[0].text, r#"rule suggested-blue-bottle: merchant contains "blue bottle" => food.coffee"#);
    /// assert_eq!((s[0].support, s[0].precision), (3, 1.0));
    /// engine.add_rule_list("alice", vec![s[0].rule.clone()]).unwrap();
    /// ```
    pub fn suggest_rules(
        &self,
        tenant: &str,
        history: &[Labelled],
        options: &MiningOptions,
    ) -> Result<Vec<RuleSuggestion>> {
        transaction_check_id("tenant", tenant)?;
        options.validate()?;
        let empty = TenantState::new(&self.embedders);
        let t = self.tenants.get(tenant).unwrap_or(&empty);
        let mut rows = Vec::with_capacity(history.len());
        for (i, h) in history.iter().enumerate() {
            let tx = &h.transaction;
            tx.validate()
                .map_err(|e| Error::invalid(format!("history row {i}: {e}")))?;
            if tx.tenant != tenant {
                return Err(Error::invalid(format!(
                    "history row {i} (transaction {:?}) belongs to another tenant",
                    tx.id
                )));
            }
            if !t.taxonomy.contains(&h.category) {
                return Err(Error::not_found(
                    "category",
                    format!("{} (history row {i})", h.category),
                ));
            }
            let keys = self.normalize_transaction(tx);
            let texts = RuleTexts::of(tx, &keys);
            rows.push(MiningRow {
                tx,
                category: &h.category,
                merchant: texts.merchant,
                descriptor: texts.descriptor,
                key: keys.key.into_string(),
            });
        }
        let ids = t.rules.iter().map(|r| r.id.clone()).collect();
        crate::rules::suggest(&rows, &t.ruleset, &ids, options)
    }
}

/// A stable id for an unnamed rule: `r` and 10 hex digits of the hash of its text.
fn content_id(r: &Rule) -> String {
    let mut anon = r.clone();
    anon.id = "x".into();
    let h = Sha256::digest(anon.to_string().as_bytes());
    format!("r{}", &hex::encode(h)[..10])
}
