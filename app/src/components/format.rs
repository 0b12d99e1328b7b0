//! How amounts, products, outcomes and other codes read in the interface language.

use crate::i18n::{Lang, Msg};
use crate::model::{CaseStatus, HumanOutcome, Outcome, Product, Referral};

/// An amount in euros from cents: `15 000,00 €` in French, `€15,000.00` in English.
pub fn eur(cents: i64, lang: Lang) -> String {
    let negative = cents < 0;
    let cents = cents.unsigned_abs();
    let (units, rest) = (cents / 100, cents % 100);
    let digits = units.to_string();
    let sep = match lang {
        Lang::En => ",",
        Lang::Fr => "\u{202f}",
    };
    let mut grouped = String::new();
    for (i, c) in digits.chars().enumerate() {
        if i > 0 && (digits.len() - i).is_multiple_of(3) {
            grouped.push_str(sep);
        }
        grouped.push(c);
    }
    let sign = if negative { "-" } else { "" };
    match lang {
        Lang::En => format!("{sign}€{grouped}.{rest:02}"),
        Lang::Fr => format!("{sign}{grouped},{rest:02}\u{a0}€"),
    }
}

/// A percentage with one decimal, from a fraction.
pub fn percent(fraction: f64, lang: Lang) -> String {
    let text = format!("{:.1}", fraction * 100.0);
    match lang {
        Lang::En => format!("{text} %"),
        Lang::Fr => format!("{}\u{a0}%", text.replace('.', ",")),
    }
}

// Each label is an exhaustive match on its word: a word added to the vocabulary does not
// compile until it has a label.

pub fn product(code: &str) -> Option<Msg> {
    Some(match Product::parse(code).ok()? {
        Product::Bnpl => Msg::ProductBnpl,
        Product::Factoring => Msg::ProductFactoring,
        Product::CreditLineIncrease => Msg::ProductCreditLine,
    })
}

/// An outcome in force: the engine's (`refer` while nobody has decided) or a person's.
pub fn outcome(code: &str) -> Option<Msg> {
    if let Ok(o) = HumanOutcome::parse(code) {
        return Some(match o {
            HumanOutcome::Approve => Msg::OutcomeApprove,
            HumanOutcome::Decline => Msg::OutcomeDecline,
            HumanOutcome::CounterOffer => Msg::OutcomeCounterOffer,
        });
    }
    Some(match Outcome::parse(code).ok()? {
        Outcome::Approve => Msg::OutcomeApprove,
        Outcome::Refer => Msg::OutcomeRefer,
        Outcome::Decline => Msg::OutcomeDecline,
    })
}

/// The badge class of an outcome.
pub fn outcome_class(code: &str) -> &'static str {
    match HumanOutcome::parse(code) {
        Ok(HumanOutcome::Approve | HumanOutcome::CounterOffer) => "badge badge-approve",
        Ok(HumanOutcome::Decline) => "badge badge-decline",
        Err(_) => "badge badge-refer",
    }
}

pub fn status(code: &str) -> Option<Msg> {
    Some(match CaseStatus::parse(code).ok()? {
        CaseStatus::Decided => Msg::StatusDecided,
        CaseStatus::InReview => Msg::StatusInReview,
        CaseStatus::AwaitingConfirmation => Msg::StatusAwaiting,
        CaseStatus::Resolved => Msg::StatusResolved,
    })
}

pub fn referral(code: &str) -> Option<Msg> {
    Some(match Referral::parse(code).ok()? {
        Referral::UncertainScore => Msg::ReferralUncertainScore,
        Referral::LowCoverage => Msg::ReferralLowCoverage,
        Referral::FraudSignal => Msg::ReferralFraudSignal,
        Referral::AboveAuthority => Msg::ReferralAboveAuthority,
        Referral::AboveLimit => Msg::ReferralAboveLimit,
        Referral::ThinFile => Msg::ReferralThinFile,
        Referral::RiskChanged => Msg::ReferralRiskChanged,
        Referral::IncreaseProposed => Msg::ReferralIncreaseProposed,
    })
}

pub const REFERRALS: &[&str] = Referral::WORDS;

pub const PRODUCTS: &[&str] = Product::WORDS;

pub fn category(code: &str) -> Option<Msg> {
    Some(match code {
        "additional_documents" => Msg::CategoryAdditionalDocuments,
        "guarantee" => Msg::CategoryGuarantee,
        "relationship_history" => Msg::CategoryRelationshipHistory,
        "data_error" => Msg::CategoryDataError,
        "risk_appetite" => Msg::CategoryRiskAppetite,
        "fraud_suspected" => Msg::CategoryFraudSuspected,
        "fraud_cleared" => Msg::CategoryFraudCleared,
        "other" => Msg::CategoryOther,
        _ => return None,
    })
}

pub fn event(kind: &str) -> Option<Msg> {
    Some(match kind {
        "claimed" => Msg::EventClaimed,
        "released" => Msg::EventReleased,
        "note" => Msg::EventNote,
        "decision_proposed" => Msg::EventProposed,
        "decision_confirmed" => Msg::EventConfirmed,
        "proposal_rejected" => Msg::EventRejected,
        "human_decision" => Msg::EventDecided,
        _ => return None,
    })
}

/// A code's label, or the code itself when it has none.
pub fn label(code: &str, f: fn(&str) -> Option<Msg>, lang: Lang) -> String {
    f(code)
        .map(|m| m.text(lang).to_owned())
        .unwrap_or_else(|| code.to_owned())
}

/// An age in minutes as `45 min`, `3 h 05`, `2 d 4 h`.
pub fn age(minutes: i64, lang: Lang) -> String {
    let day = match lang {
        Lang::En => "d",
        Lang::Fr => "j",
    };
    match minutes {
        m if m < 60 => format!("{m} min"),
        m if m < 24 * 60 => format!("{} h {:02}", m / 60, m % 60),
        m => format!("{} {day} {} h", m / (24 * 60), (m % (24 * 60)) / 60),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn amounts_read_the_local_way() {
        assert_eq!(eur(1_500_000, Lang::En), "€15,000.00");
        assert_eq!(eur(1_500_050, Lang::Fr), "15\u{202f}000,50\u{a0}€");
        assert_eq!(eur(99, Lang::En), "€0.99");
        assert_eq!(eur(-123_456_789, Lang::En), "-€1,234,567.89");
        assert_eq!(percent(0.0312, Lang::Fr), "3,1\u{a0}%");
    }

    #[test]
    fn every_code_the_server_sends_has_a_label() {
        for code in crate::model::DECISION_CATEGORIES {
            assert!(category(code).is_some(), "{code}");
        }
        for code in REFERRALS {
            assert!(referral(code).is_some(), "{code}");
        }
        for code in PRODUCTS {
            assert!(product(code).is_some(), "{code}");
        }
        for code in crate::model::OUTCOMES_IN_FORCE {
            assert!(outcome(code).is_some(), "{code}");
        }
        for code in CaseStatus::WORDS {
            assert!(status(code).is_some(), "{code}");
        }
        assert_eq!(age(185, Lang::En), "3 h 05");
        assert_eq!(age(3000, Lang::Fr), "2 j 2 h");
    }
}
