//! Categories and the taxonomy (built-in tree plus a tenant's own categories).

use std::collections::BTreeMap;

use serde::{Deserialize, Serialize};

use super::taxonomy_default::DEFAULT_CATEGORIES;
use crate::error::{Error, Result};

/// One category of the taxonomy.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "schema", derive(schemars::JsonSchema))]
pub struct Category {
    /// Stable identifier, e.g. `food.coffee` (built-in) or any text a tenant chose.
    pub id: String,
    /// Human-readable name.
    pub name: String,
    /// The parent category's id, for detailed categories.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub parent: Option<String>,
    /// Whether this category ships with xspense (as opposed to a tenant's own).
    #[serde(default)]
    pub builtin: bool,
}

/// The set of categories a tenant may use: the built-in tree plus the tenant's additions.
///
/// ```
/// use xspense::Taxonomy;
/// let t = Taxonomy::builtin();
/// assert_eq!(t.get("food.coffee").unwrap().parent.as_deref(), Some("food"));
/// ```
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Taxonomy {
    categories: BTreeMap<String, Category>,
}

/// Id of the catch-all category the engine uses when nothing is known.
pub const UNCATEGORIZED: &str = "uncategorized";

/// Longest category id accepted, in bytes.
const MAX_CATEGORY_ID: usize = 128;

impl Taxonomy {
    /// The built-in default tree.
    pub fn builtin() -> Self {
        let mut categories = BTreeMap::new();
        for (id, name) in DEFAULT_CATEGORIES {
            let parent = id.rsplit_once('.').map(|(p, _)| p.to_string());
            categories.insert(
                id.to_string(),
                Category {
                    id: id.to_string(),
                    name: name.to_string(),
                    parent,
                    builtin: true,
                },
            );
        }
        Taxonomy { categories }
    }

    /// Looks a category up by id.
    pub fn get(&self, id: &str) -> Option<&Category> {
        self.categories.get(id)
    }

    /// Whether a category with this id exists.
    pub fn contains(&self, id: &str) -> bool {
        self.categories.contains_key(id)
    }

    /// Looks a category up by id, or returns a `not_found` error.
    pub fn require(&self, id: &str) -> Result<&Category> {
        self.get(id).ok_or_else(|| Error::not_found("category", id))
    }

    /// All categories ordered by id.
    pub fn iter(&self) -> impl Iterator<Item = &Category> {
        self.categories.values()
    }

    /// Number of categories.
    pub fn len(&self) -> usize {
        self.categories.len()
    }

    /// Whether the taxonomy is empty (never true for one built from [`Taxonomy::builtin`]).
    pub fn is_empty(&self) -> bool {
        self.categories.is_empty()
    }

    /// Adds a tenant category. Its parent, if given, must exist; an existing id is a conflict
    /// unless the definition is identical (adding is idempotent).
    pub fn add(&mut self, id: &str, name: &str, parent: Option<&str>) -> Result<bool> {
        validate_category_id(id)?;
        if name.trim().is_empty() {
            return Err(Error::invalid("category name must not be empty"));
        }
        if let Some(p) = parent {
            self.require(p)?;
        }
        let cat = Category {
            id: id.to_string(),
            name: name.trim().to_string(),
            parent: parent.map(str::to_string),
            builtin: false,
        };
        match self.categories.get(id) {
            Some(existing) if existing.name == cat.name && existing.parent == cat.parent => {
                Ok(false)
            }
            Some(_) => Err(Error::Conflict(format!(
                "category {id:?} already exists with a different definition"
            ))),
            None => {
                self.categories.insert(id.to_string(), cat);
                Ok(true)
            }
        }
    }

    /// The tenant-added categories (for snapshots).
    pub(crate) fn custom(&self) -> impl Iterator<Item = &Category> {
        self.categories.values().filter(|c| !c.builtin)
    }
}

/// Checks that a category id is usable: non-empty, at most 128 bytes, no control characters.
pub(crate) fn validate_category_id(id: &str) -> Result<()> {
    if id.trim().is_empty() || id.trim() != id {
        return Err(Error::invalid(format!(
            "category id must be non-empty without surrounding spaces, got {id:?}"
        )));
    }
    if id.len() > MAX_CATEGORY_ID || id.chars().any(char::is_control) {
        return Err(Error::invalid(format!(
            "category id must be at most {MAX_CATEGORY_ID} bytes without control characters"
        )));
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn builtin_tree_is_consistent() {
        let t = Taxonomy::builtin();
        assert!(t.len() > 90);
        for c in t.iter() {
            if let Some(p) = &c.parent {
                assert!(t.contains(p), "{} has missing parent {p}", c.id);
            }
        }
        assert!(t.contains(UNCATEGORIZED));
    }

    #[test]
    fn tenant_categories() {
        let mut t = Taxonomy::builtin();
        assert!(t.add("food.pizza", "Pizza", Some("food")).unwrap());
        assert!(!t.add("food.pizza", "Pizza", Some("food")).unwrap());
        assert_eq!(
            t.add("food.pizza", "Pie", None).unwrap_err().code(),
            crate::ErrorCode::Conflict
        );
        assert_eq!(
            t.add("x", "X", Some("nope")).unwrap_err().code(),
            crate::ErrorCode::NotFound
        );
        assert!(t.add(" ", "X", None).is_err());
        assert_eq!(t.custom().count(), 1);
    }
}
