//! The case vocabulary. Every word has exactly one spelling (`as_str`), which is also its serde
//! name and what the database stores; `parse` is its inverse and `ALL` lists the words in the
//! order screens offer them. A word the code does not know is refused where it enters (a form,
//! a query, a stored row), never passed along as a string.

use serde::{Deserialize, Serialize};
use std::fmt;
use std::str::FromStr;

/// A word that is not part of a vocabulary: names the vocabulary and lists what it accepts.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct UnknownWord {
    pub vocabulary: &'static str,
    pub word: String,
    pub allowed: &'static [&'static str],
}

impl fmt::Display for UnknownWord {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(
            f,
            "{:?} is not a {}: must be one of {}",
            self.word,
            self.vocabulary,
            self.allowed.join(", ")
        )
    }
}

impl std::error::Error for UnknownWord {}

macro_rules! vocabulary {
    (
        $(#[$meta:meta])*
        $name:ident ($what:literal) {
            $( $(#[$vmeta:meta])* $variant:ident => $word:literal ),+ $(,)?
        }
    ) => {
        $(#[$meta])*
        #[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
        #[serde(rename_all = "snake_case")]
        pub enum $name {
            $( $(#[$vmeta])* $variant ),+
        }

        impl $name {
            /// Every word, in the order screens offer them.
            pub const ALL: &'static [$name] = &[$($name::$variant),+];
            /// Every spelling, in the same order.
            pub const WORDS: &'static [&'static str] = &[$($word),+];

            /// The one spelling: serde name, database value and URL value.
            pub const fn as_str(self) -> &'static str {
                match self {
                    $($name::$variant => $word),+
                }
            }

            /// The word spelled `s`, if it is one.
            pub fn parse(s: &str) -> Result<$name, UnknownWord> {
                match s {
                    $($word => Ok($name::$variant),)+
                    _ => Err(UnknownWord {
                        vocabulary: $what,
                        word: s.to_owned(),
                        allowed: Self::WORDS,
                    }),
                }
            }
        }

        #[cfg(feature = "openapi")]
        impl utoipa::PartialSchema for $name {
            fn schema() -> utoipa::openapi::RefOr<utoipa::openapi::schema::Schema> {
                utoipa::openapi::schema::ObjectBuilder::new()
                    .schema_type(utoipa::openapi::schema::Type::String)
                    .enum_values(Some(Self::WORDS.iter().copied()))
                    .into()
            }
        }

        #[cfg(feature = "openapi")]
        impl utoipa::ToSchema for $name {}

        impl fmt::Display for $name {
            fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
                f.write_str(self.as_str())
            }
        }

        impl FromStr for $name {
            type Err = UnknownWord;
            fn from_str(s: &str) -> Result<Self, Self::Err> {
                $name::parse(s)
            }
        }

        impl TryFrom<String> for $name {
            type Error = UnknownWord;
            fn try_from(s: String) -> Result<Self, Self::Error> {
                $name::parse(&s)
            }
        }

        impl PartialEq<&str> for $name {
            fn eq(&self, other: &&str) -> bool {
                self.as_str() == *other
            }
        }

        impl PartialEq<$name> for &str {
            fn eq(&self, other: &$name) -> bool {
                *self == other.as_str()
            }
        }
    };
}

vocabulary! {
    /// What the lender asks for.
    Product ("product") {
        /// B2B buy now, pay later: a purchase paid in instalments.
        Bnpl => "bnpl",
        /// Instant invoice factoring: an advance on one invoice.
        Factoring => "factoring",
        /// A higher limit on an existing credit line.
        CreditLineIncrease => "credit_line_increase",
    }
}

vocabulary! {
    /// What happened to a credit line.
    LineChange ("credit-line change") {
        /// Opened, or set again, by a grant.
        Granted => "granted",
        Increased => "increased",
        Reduced => "reduced",
        /// Withdrawn: the limit is zero.
        Closed => "closed",
    }
}

vocabulary! {
    /// Who changed a credit line.
    LineActor ("credit-line actor") {
        /// An automated grant.
        Engine => "engine",
        /// An automatic increase on a monitoring check.
        Monitoring => "monitoring",
        /// A credit manager (or a rep's approved application).
        Person => "person",
    }
}

vocabulary! {
    /// What the engine decides.
    Outcome ("decision outcome") {
        Approve => "approve",
        Refer => "refer",
        Decline => "decline",
    }
}

vocabulary! {
    /// A person's decision on a case.
    HumanOutcome ("human outcome") {
        Approve => "approve",
        Decline => "decline",
        /// Approve a different limit than the one asked for.
        CounterOffer => "counter_offer",
    }
}

vocabulary! {
    /// Why a case goes to a person. The engine gives the first six; monitoring gives
    /// `risk_changed` to the review it opens when a watched company gets worse, and
    /// `increase_proposed` to an automatic increase beyond the engine's authority.
    Referral ("referral") {
        UncertainScore => "uncertain_score",
        LowCoverage => "low_coverage",
        FraudSignal => "fraud_signal",
        AboveAuthority => "above_authority",
        AboveLimit => "above_limit",
        /// No accounts at all: a person decides rather than the score alone.
        ThinFile => "thin_file",
        /// Monitoring found a granted company worse than when it was last seen.
        RiskChanged => "risk_changed",
        /// Monitoring would raise a line beyond what the engine may grant on its own.
        IncreaseProposed => "increase_proposed",
    }
}

vocabulary! {
    /// Where a decision's case stands.
    CaseStatus ("case status") {
        /// Decided by the engine; nobody needs to look.
        Decided => "decided",
        /// Waiting for a credit manager.
        InReview => "in_review",
        /// A manager's decision above the four-eyes amount, waiting for a second manager.
        AwaitingConfirmation => "awaiting_confirmation",
        /// Decided by a person.
        Resolved => "resolved",
    }
}

impl CaseStatus {
    /// A credit manager still has to act.
    pub const fn is_open(self) -> bool {
        matches!(
            self,
            CaseStatus::InReview | CaseStatus::AwaitingConfirmation
        )
    }
}

/// The outcome in force on a case, as lists filter it: the engine's referral while nobody has
/// decided, otherwise the automated or human outcome.
pub const OUTCOMES_IN_FORCE: [&str; 4] = ["approve", "decline", "counter_offer", "refer"];

impl Outcome {
    /// The engine's outcome in a person's words, as it stands in force on a case; a referral is
    /// nobody's decision yet.
    pub const fn in_force(self) -> Option<HumanOutcome> {
        match self {
            Outcome::Approve => Some(HumanOutcome::Approve),
            Outcome::Decline => Some(HumanOutcome::Decline),
            Outcome::Refer => None,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn spelled_alike<T>(
        all: &[T],
        as_str: fn(T) -> &'static str,
        parse: fn(&str) -> Result<T, UnknownWord>,
    ) where
        T: Copy + Serialize + PartialEq + fmt::Debug,
    {
        for &w in all {
            let serde = serde_json::to_value(w).unwrap();
            assert_eq!(serde.as_str(), Some(as_str(w)), "{w:?}");
            assert_eq!(parse(as_str(w)), Ok(w));
        }
    }

    #[test]
    fn every_word_has_one_spelling_in_json_in_the_database_and_in_urls() {
        spelled_alike(Product::ALL, Product::as_str, Product::parse);
        spelled_alike(Outcome::ALL, Outcome::as_str, Outcome::parse);
        spelled_alike(HumanOutcome::ALL, HumanOutcome::as_str, HumanOutcome::parse);
        spelled_alike(Referral::ALL, Referral::as_str, Referral::parse);
        spelled_alike(CaseStatus::ALL, CaseStatus::as_str, CaseStatus::parse);
        spelled_alike(LineChange::ALL, LineChange::as_str, LineChange::parse);
        spelled_alike(LineActor::ALL, LineActor::as_str, LineActor::parse);
    }

    #[test]
    fn an_unknown_word_is_refused_naming_what_is_allowed() {
        let e = Referral::parse("risk_change").unwrap_err();
        assert_eq!(e.vocabulary, "referral");
        assert!(e.to_string().contains("risk_changed"), "{e}");
        assert!(CaseStatus::parse("").is_err());
        assert!(Product::parse("BNPL").is_err(), "spellings are exact");
    }

    #[test]
    fn the_outcomes_in_force_are_the_human_outcomes_and_the_referral() {
        let mut expected: Vec<&str> = HumanOutcome::ALL.iter().map(|o| o.as_str()).collect();
        expected.push(Outcome::Refer.as_str());
        let mut listed = OUTCOMES_IN_FORCE.to_vec();
        listed.sort_unstable();
        expected.sort_unstable();
        assert_eq!(listed, expected);
    }

    #[test]
    fn a_word_compares_with_its_spelling() {
        assert_eq!(CaseStatus::InReview, "in_review");
        assert!("resolved" == CaseStatus::Resolved);
        assert_ne!(CaseStatus::Decided, "resolved");
    }
}
