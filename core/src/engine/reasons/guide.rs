//! The reason-code guide: for each code of the [`CATALOGUE`](super::CATALOGUE), what it does to
//! a decision, what triggers it and what the company (or the lender's integrator) can do about
//! it, in English and French. The developer portal and `GET /api/v1/reason-codes` serve it.
//!
//! Thresholds are named by their policy setting, with the value of the default policy
//! (`policies/default.toml`); a lender's policy in force may set others. Scored reasons are
//! listed in the outcome's direction: adverse ones (01) on a decline or a referral, favourable
//! ones (11) on an approval.

/// What a reason code does to a decision.
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[derive(Debug, Clone, Copy, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Role {
    /// Declines the application by itself.
    KnockOut,
    /// Sends the application to a credit manager.
    Referral,
    /// Moves the probability of default and the score (adverse or favourable).
    ScoreFactor,
    /// Shapes the proposed limit.
    Limit,
    /// A rule of the automatic credit-line increase (grants, caps or blocks an increase).
    Increase,
}

/// One code of the guide.
#[derive(Debug, Clone, Copy, PartialEq, Eq, serde::Serialize)]
pub struct Guide {
    pub code: &'static str,
    pub role: Role,
    /// What triggers the code, in English and French.
    pub trigger_en: &'static str,
    pub trigger_fr: &'static str,
    /// What the company (or the lender's integrator) can do about it.
    pub remedy_en: &'static str,
    pub remedy_fr: &'static str,
}

/// Nothing to do for a code that lowers the risk.
const FAVOURABLE_EN: &str = "Nothing to do: it lowers the risk.";
const FAVOURABLE_FR: &str = "Rien à faire : il réduit le risque.";

/// A first-version ratio code on a recorded decision.
const FIRST_VERSION_EN: &str = "Nothing on a recorded decision. A new decision reads the accounts again and gives the reason by group of ratios; only more recent accounts (an up-to-date FEC file) showing a better ratio change it.";
const FIRST_VERSION_FR: &str = "Rien sur une décision enregistrée. Une nouvelle décision relit les comptes et donne le motif par groupe de ratios ; seuls des comptes plus récents (un fichier FEC à jour) présentant un meilleur ratio le changent.";

/// One entry per code of the catalogue, in the catalogue's order.
pub const GUIDE: &[Guide] = &[
    // Cash flow: the expert scorecard's bank signals.
    Guide {
        code: "CF01",
        role: Role::ScoreFactor,
        trigger_en: "Bank transactions (PSD2): the end-of-day balance of the connected euro accounts, summed, was negative on 6 or more of the last 90 days. Expert scorecard: +0.6 log-odds for 6 to 20 days, +1.2 for 21 to 45, +1.8 for 46 or more.",
        trigger_fr: "Opérations bancaires (DSP2) : le solde de fin de journée des comptes en euros connectés, additionnés, a été négatif au moins 6 jours sur les 90 derniers. Grille experte : +0,6 en log-odds de 6 à 20 jours, +1,2 de 21 à 45, +1,8 à partir de 46.",
        remedy_en: "Keep the accounts in credit: each negative day counts for 90 days, and the code disappears below 6 negative days.",
        remedy_fr: "Garder les comptes créditeurs : chaque jour négatif compte pendant 90 jours, et le code disparaît sous 6 jours négatifs.",
    },
    Guide {
        code: "CF11",
        role: Role::ScoreFactor,
        trigger_en: "Bank transactions (PSD2): the end-of-day balance of the connected euro accounts, summed, was never negative in the last 90 days (expert scorecard: −0.25 log-odds).",
        trigger_fr: "Opérations bancaires (DSP2) : le solde de fin de journée des comptes en euros connectés, additionnés, n'a jamais été négatif sur les 90 derniers jours (grille experte : −0,25 en log-odds).",
        remedy_en: FAVOURABLE_EN,
        remedy_fr: FAVOURABLE_FR,
    },
    Guide {
        code: "CF02",
        role: Role::ScoreFactor,
        trigger_en: "Bank transactions (PSD2): the latest balance of the connected euro accounts covers less than 3 months of the average monthly outflows of the last 90 days. Expert scorecard: +0.9 log-odds for a negative balance, +0.6 under 1 month, +0.2 from 1 to 3 months.",
        trigger_fr: "Opérations bancaires (DSP2) : le dernier solde des comptes en euros connectés couvre moins de 3 mois des décaissements mensuels moyens des 90 derniers jours. Grille experte : +0,9 en log-odds pour un solde négatif, +0,6 sous 1 mois, +0,2 de 1 à 3 mois.",
        remedy_en: "Connect every account the company holds, so that all its cash is counted; the code disappears once cash covers 3 months of outflows.",
        remedy_fr: "Connecter tous les comptes de l'entreprise, pour que toute sa trésorerie soit comptée ; le code disparaît dès que la trésorerie couvre 3 mois de décaissements.",
    },
    Guide {
        code: "CF12",
        role: Role::ScoreFactor,
        trigger_en: "Bank transactions (PSD2): the latest balance of the connected euro accounts covers 3 months or more of the average monthly outflows of the last 90 days (expert scorecard: −0.1 log-odds from 3 to 6 months, −0.3 from 6 months).",
        trigger_fr: "Opérations bancaires (DSP2) : le dernier solde des comptes en euros connectés couvre au moins 3 mois des décaissements mensuels moyens des 90 derniers jours (grille experte : −0,1 en log-odds de 3 à 6 mois, −0,3 à partir de 6 mois).",
        remedy_en: FAVOURABLE_EN,
        remedy_fr: FAVOURABLE_FR,
    },
    Guide {
        code: "CF03",
        role: Role::ScoreFactor,
        trigger_en: "Bank transactions (PSD2): the inflows of the last 30 days fell by more than 10 % against the monthly average of the 60 days before (needs 75 days of history). Expert scorecard: +0.3 log-odds for a fall of 10 to 30 %, +0.7 beyond 30 %.",
        trigger_fr: "Opérations bancaires (DSP2) : les encaissements des 30 derniers jours ont baissé de plus de 10 % par rapport à la moyenne mensuelle des 60 jours précédents (75 jours d'historique nécessaires). Grille experte : +0,3 en log-odds pour une baisse de 10 à 30 %, +0,7 au-delà de 30 %.",
        remedy_en: "It follows the inflows: the code disappears when the last 30 days are back within 10 % of the months before. A seasonal dip can be explained to the credit manager when the case is referred.",
        remedy_fr: "Il suit les encaissements : le code disparaît quand les 30 derniers jours reviennent à moins de 10 % des mois précédents. Une baisse saisonnière peut être expliquée à l'analyste crédit si le dossier lui est soumis.",
    },
    Guide {
        code: "CF13",
        role: Role::ScoreFactor,
        trigger_en: "Bank transactions (PSD2): the inflows of the last 30 days grew by 20 % or more against the monthly average of the 60 days before (expert scorecard: −0.2 log-odds).",
        trigger_fr: "Opérations bancaires (DSP2) : les encaissements des 30 derniers jours ont augmenté d'au moins 20 % par rapport à la moyenne mensuelle des 60 jours précédents (grille experte : −0,2 en log-odds).",
        remedy_en: FAVOURABLE_EN,
        remedy_fr: FAVOURABLE_FR,
    },
    Guide {
        code: "CF04",
        role: Role::ScoreFactor,
        trigger_en: "Bank transactions (PSD2): direct debits returned unpaid in the last 90 days (ISO transaction code …-UPDD or …-RCDD, or « REJET PRLV » or « IMPAYE » in the label). Expert scorecard: +0.4 log-odds for 1, +0.8 for 2 or 3, +1.2 for 4 or more.",
        trigger_fr: "Opérations bancaires (DSP2) : prélèvements rejetés sur les 90 derniers jours (code d'opération ISO …-UPDD ou …-RCDD, ou « REJET PRLV » ou « IMPAYE » dans le libellé). Grille experte : +0,4 en log-odds pour 1, +0,8 pour 2 ou 3, +1,2 à partir de 4.",
        remedy_en: "Honour direct debits when they are presented: each rejection counts for 90 days after its booking, then the code disappears.",
        remedy_fr: "Honorer les prélèvements à leur présentation : chaque rejet compte pendant 90 jours après sa comptabilisation, puis le code disparaît.",
    },
    Guide {
        code: "CF14",
        role: Role::ScoreFactor,
        trigger_en: "Meant for no direct debit returned unpaid in the last 90 days (bank transactions, PSD2). The expert scorecard gives that case 0 points and a term of 0 gives no reason, so the current engine does not emit this code.",
        trigger_fr: "Prévu pour l'absence de prélèvement rejeté sur les 90 derniers jours (opérations bancaires, DSP2). La grille experte donne 0 point à ce cas et un terme nul ne donne pas de motif : le moteur actuel n'émet donc pas ce code.",
        remedy_en: FAVOURABLE_EN,
        remedy_fr: FAVOURABLE_FR,
    },
    Guide {
        code: "CF05",
        role: Role::ScoreFactor,
        trigger_en: "Bank transactions (PSD2): at least one returned debit of the last 90 days was a payment to URSSAF or the tax office (URSSAF, DGFIP, IMPOT, TVA or SIE in the counterparty or the label). Expert scorecard: +1.0 log-odds, on top of the rejection's weight in CF04.",
        trigger_fr: "Opérations bancaires (DSP2) : au moins un prélèvement rejeté des 90 derniers jours était un paiement à l'URSSAF ou à l'administration fiscale (URSSAF, DGFIP, IMPOT, TVA ou SIE dans la contrepartie ou le libellé). Grille experte : +1,0 en log-odds, en plus du poids du rejet dans CF04.",
        remedy_en: "Settle the URSSAF or the tax office and keep their debits paid: the code disappears 90 days after the last rejection.",
        remedy_fr: "Régulariser auprès de l'URSSAF ou de l'administration fiscale et honorer leurs prélèvements : le code disparaît 90 jours après le dernier rejet.",
    },
    Guide {
        code: "CF15",
        role: Role::ScoreFactor,
        trigger_en: "Meant for no rejected payment to URSSAF or the tax office in the last 90 days (bank transactions, PSD2). The expert scorecard gives that case 0 points and a term of 0 gives no reason, so the current engine does not emit this code.",
        trigger_fr: "Prévu pour l'absence de paiement URSSAF ou fiscal rejeté sur les 90 derniers jours (opérations bancaires, DSP2). La grille experte donne 0 point à ce cas et un terme nul ne donne pas de motif : le moteur actuel n'émet donc pas ce code.",
        remedy_en: FAVOURABLE_EN,
        remedy_fr: FAVOURABLE_FR,
    },
    Guide {
        code: "CF06",
        role: Role::ScoreFactor,
        trigger_en: "Bank transactions (PSD2): the largest payer, by counterparty name, brought 40 % or more of the inflows of the last 90 days. Expert scorecard: +0.2 log-odds from 40 to 60 %, +0.4 from 60 %.",
        trigger_fr: "Opérations bancaires (DSP2) : le premier payeur, par nom de contrepartie, a apporté au moins 40 % des encaissements des 90 derniers jours. Grille experte : +0,2 en log-odds de 40 à 60 %, +0,4 à partir de 60 %.",
        remedy_en: "Only a broader customer base lowers it. A platform or a factor paying on behalf of many customers counts as a single payer, which a credit manager can take into account when the case is referred.",
        remedy_fr: "Seule une clientèle plus large le réduit. Une plateforme ou un factor qui paie pour le compte de nombreux clients compte comme un seul payeur, ce dont l'analyste crédit peut tenir compte si le dossier lui est soumis.",
    },
    Guide {
        code: "CF16",
        role: Role::ScoreFactor,
        trigger_en: "Meant for inflows spread over many payers (bank transactions, PSD2). The expert scorecard gives a largest payer under 40 % of the inflows 0 points and a term of 0 gives no reason, so the current engine does not emit this code.",
        trigger_fr: "Prévu pour des encaissements répartis entre de nombreux payeurs (opérations bancaires, DSP2). La grille experte donne 0 point à un premier payeur sous 40 % des encaissements et un terme nul ne donne pas de motif : le moteur actuel n'émet donc pas ce code.",
        remedy_en: FAVOURABLE_EN,
        remedy_fr: FAVOURABLE_FR,
    },
    // Legal: Sirene and BODACC.
    Guide {
        code: "LG01",
        role: Role::ScoreFactor,
        trigger_en: "BODACC: the company's latest collective-proceeding judgment opened a proceeding (sauvegarde, redressement or liquidation judiciaire) that is neither under a plan nor closed. Expert scorecard: +3.0 log-odds; under the default policy the same fact is also the knock-out LG10, which declines the application.",
        trigger_fr: "BODACC : le dernier jugement de procédure collective de l'entreprise a ouvert une procédure (sauvegarde, redressement ou liquidation judiciaire) qui n'est ni sous plan ni clôturée. Grille experte : +3,0 en log-odds ; dans la politique par défaut, le même fait est aussi le critère d'exclusion LG10, qui refuse la demande.",
        remedy_en: "Nothing while the proceeding is open; the code disappears when BODACC publishes the plan (LG05 then applies) or the closure.",
        remedy_fr: "Rien tant que la procédure est en cours ; le code disparaît quand le BODACC publie le plan (LG05 s'applique alors) ou la clôture.",
    },
    Guide {
        code: "LG02",
        role: Role::KnockOut,
        trigger_en: "Sirene: the company's administrative status is ceased (C). A knock-out under `[knockouts] ceased_company` (on in the default policy): the application is declined whatever the score.",
        trigger_fr: "Sirene : l'état administratif de l'entreprise est « cessée » (C). Critère d'exclusion selon `[knockouts] ceased_company` (activé dans la politique par défaut) : la demande est refusée quel que soit le score.",
        remedy_en: "Nothing for this SIREN. If the company still trades, its Sirene record must be corrected through the formalities desk (guichet unique); the next decision reads the register again.",
        remedy_fr: "Rien pour ce SIREN. Si l'entreprise exerce toujours, son inscription au répertoire Sirene doit être corrigée via le guichet unique des formalités ; la décision suivante relit le répertoire.",
    },
    Guide {
        code: "LG03",
        role: Role::KnockOut,
        trigger_en: "BODACC: a radiation (striking off the trade register) was published for the company. A knock-out under `[knockouts] struck_off` (on in the default policy): the application is declined whatever the score.",
        trigger_fr: "BODACC : une radiation du registre a été publiée pour l'entreprise. Critère d'exclusion selon `[knockouts] struck_off` (activé dans la politique par défaut) : la demande est refusée quel que soit le score.",
        remedy_en: "Nothing for this SIREN; a radiation published in error has to be corrected by the court registry (greffe) in BODACC.",
        remedy_fr: "Rien pour ce SIREN ; une radiation publiée par erreur doit être rectifiée au BODACC par le greffe.",
    },
    Guide {
        code: "LG04",
        role: Role::KnockOut,
        trigger_en: "Sirene answered that the SIREN of the request does not exist. A knock-out under `[knockouts] unknown_company` (on in the default policy): the application is declined whatever the score.",
        trigger_fr: "Le répertoire Sirene a répondu que le SIREN de la demande n'existe pas. Critère d'exclusion selon `[knockouts] unknown_company` (activé dans la politique par défaut) : la demande est refusée quel que soit le score.",
        remedy_en: "Check the SIREN sent in the request (a typing error is the usual cause); a company just created can apply again once INSEE has registered it.",
        remedy_fr: "Vérifier le SIREN envoyé dans la demande (une faute de frappe en est la cause habituelle) ; une entreprise tout juste créée peut refaire une demande une fois immatriculée par l'INSEE.",
    },
    Guide {
        code: "LG05",
        role: Role::ScoreFactor,
        trigger_en: "BODACC: the company's latest collective-proceeding judgment adopted a plan (plan de sauvegarde or de redressement). Expert scorecard: +1.5 log-odds; not a knock-out, but it stops automatic increases (IN12).",
        trigger_fr: "BODACC : le dernier jugement de procédure collective de l'entreprise a arrêté un plan (plan de sauvegarde ou de redressement). Grille experte : +1,5 en log-odds ; ce n'est pas un critère d'exclusion, mais il bloque les hausses automatiques (IN12).",
        remedy_en: "Nothing while the plan runs; the code disappears when BODACC publishes the closure of the proceeding.",
        remedy_fr: "Rien tant que le plan est en cours ; le code disparaît quand le BODACC publie la clôture de la procédure.",
    },
    Guide {
        code: "LG06",
        role: Role::ScoreFactor,
        trigger_en: "Sirene: the company was created less than 3 years before the decision. Expert scorecard: +0.8 log-odds under 1 year, +0.4 from 1 to 3 years.",
        trigger_fr: "Sirene : l'entreprise a été créée moins de 3 ans avant la décision. Grille experte : +0,8 en log-odds avant 1 an, +0,4 de 1 à 3 ans.",
        remedy_en: "Nothing: the code weakens at 1 year of existence and disappears at 3 years.",
        remedy_fr: "Rien : le code s'atténue à 1 an d'existence et disparaît à 3 ans.",
    },
    Guide {
        code: "LG16",
        role: Role::ScoreFactor,
        trigger_en: "Sirene: the company was created 10 years or more before the decision (expert scorecard: −0.2 log-odds).",
        trigger_fr: "Sirene : l'entreprise a été créée au moins 10 ans avant la décision (grille experte : −0,2 en log-odds).",
        remedy_en: FAVOURABLE_EN,
        remedy_fr: FAVOURABLE_FR,
    },
    Guide {
        code: "LG08",
        role: Role::ScoreFactor,
        trigger_en: "BODACC: an announcement of a change of directors was published less than 183 days before the decision (expert scorecard: +0.2 log-odds). A change within `[fraud] director_change_days` (180 days) with a bank history under 60 days also raises the fraud signal FR04.",
        trigger_fr: "BODACC : une annonce de changement de dirigeants a été publiée moins de 183 jours avant la décision (grille experte : +0,2 en log-odds). Un changement de moins de `[fraud] director_change_days` (180 jours) avec un historique bancaire de moins de 60 jours lève aussi le signal de fraude FR04.",
        remedy_en: "Nothing: the code disappears 183 days after the change.",
        remedy_fr: "Rien : le code disparaît 183 jours après le changement.",
    },
    Guide {
        code: "LG09",
        role: Role::ScoreFactor,
        trigger_en: "BODACC: the company's latest collective-proceeding judgment closed a proceeding for insufficient assets (clôture pour insuffisance d'actif): its creditors were not paid in full. Expert scorecard: +2.0 log-odds.",
        trigger_fr: "BODACC : le dernier jugement de procédure collective de l'entreprise a clôturé une procédure pour insuffisance d'actif : ses créanciers n'ont pas été intégralement payés. Grille experte : +2,0 en log-odds.",
        remedy_en: "Nothing: the closure stays published, and the code stays as long as it is the company's latest collective-proceeding judgment.",
        remedy_fr: "Rien : la clôture reste publiée, et le code demeure tant qu'elle est le dernier jugement de procédure collective de l'entreprise.",
    },
    Guide {
        code: "LG10",
        role: Role::KnockOut,
        trigger_en: "BODACC: a collective proceeding (sauvegarde, redressement or liquidation judiciaire) is open, neither under a plan nor closed. A knock-out under `[knockouts] open_collective_proceeding` (on in the default policy): the application is declined whatever the score, and LG01 gives the fact's weight in the score.",
        trigger_fr: "BODACC : une procédure collective (sauvegarde, redressement ou liquidation judiciaire) est en cours, ni sous plan ni clôturée. Critère d'exclusion selon `[knockouts] open_collective_proceeding` (activé dans la politique par défaut) : la demande est refusée quel que soit le score, et LG01 donne le poids de ce fait dans le score.",
        remedy_en: "Nothing while the proceeding is open; the code disappears when BODACC publishes the plan (LG05 then applies, which does not decline by itself) or the closure.",
        remedy_fr: "Rien tant que la procédure est en cours ; le code disparaît quand le BODACC publie le plan (LG05 s'applique alors, sans refus automatique) ou la clôture.",
    },
    // Sector.
    Guide {
        code: "SE01",
        role: Role::ScoreFactor,
        trigger_en: "The reference one-year default rate of the company's sector (NAF section of the Sirene main activity code, expert table sector-risk-2026.1) is above the 1.5 % average; the score moves by the difference of their log-odds (construction, hospitality and transport, for instance).",
        trigger_fr: "Le taux de défaillance de référence à un an du secteur de l'entreprise (section NAF de l'activité principale au répertoire Sirene, table experte sector-risk-2026.1) dépasse la moyenne de 1,5 % ; le score bouge de l'écart de leurs log-odds (construction, hébergement-restauration et transport, par exemple).",
        remedy_en: "Nothing: the sector is a fact. If the Sirene main activity code (NAF) is wrong, the company can have it corrected through the formalities desk (guichet unique).",
        remedy_fr: "Rien : le secteur est un fait. Si le code d'activité principale (NAF) au répertoire Sirene est erroné, l'entreprise peut le faire corriger via le guichet unique des formalités.",
    },
    Guide {
        code: "SE11",
        role: Role::ScoreFactor,
        trigger_en: "The reference one-year default rate of the company's sector (NAF section of the Sirene main activity code, expert table sector-risk-2026.1) is below the 1.5 % average; the score moves by the difference of their log-odds (manufacturing, energy and health, for instance).",
        trigger_fr: "Le taux de défaillance de référence à un an du secteur de l'entreprise (section NAF de l'activité principale au répertoire Sirene, table experte sector-risk-2026.1) est sous la moyenne de 1,5 % ; le score bouge de l'écart de leurs log-odds (industrie manufacturière, énergie et santé, par exemple).",
        remedy_en: FAVOURABLE_EN,
        remedy_fr: FAVOURABLE_FR,
    },
    // Accounting ratios of the first engine version (aval-engine-0.1.0+1), one code per ratio.
    Guide {
        code: "PR01",
        role: Role::ScoreFactor,
        trigger_en: "First engine version (aval-engine-0.1.0+1) only: the model's term for net profit / total assets (FEC file, else the last filed accounts) raised the probability of default; the threshold shown is the model's bin. Today's engine reports it in PF01.",
        trigger_fr: "Première version du moteur (aval-engine-0.1.0+1) seulement : le terme du modèle pour le résultat net sur total du bilan (fichier FEC, à défaut le dernier bilan déposé) a accru la probabilité de défaut ; le seuil indiqué est l'intervalle du modèle. Le moteur actuel en rend compte dans PF01.",
        remedy_en: FIRST_VERSION_EN,
        remedy_fr: FIRST_VERSION_FR,
    },
    Guide {
        code: "PR11",
        role: Role::ScoreFactor,
        trigger_en: "First engine version (aval-engine-0.1.0+1) only: the model's term for net profit / total assets (FEC file, else the last filed accounts) lowered the probability of default. Today's engine reports it in PF11.",
        trigger_fr: "Première version du moteur (aval-engine-0.1.0+1) seulement : le terme du modèle pour le résultat net sur total du bilan (fichier FEC, à défaut le dernier bilan déposé) a réduit la probabilité de défaut. Le moteur actuel en rend compte dans PF11.",
        remedy_en: FAVOURABLE_EN,
        remedy_fr: FAVOURABLE_FR,
    },
    Guide {
        code: "LV02",
        role: Role::ScoreFactor,
        trigger_en: "First engine version (aval-engine-0.1.0+1) only: the model's term for total liabilities / total assets (FEC file, else the last filed accounts) raised the probability of default; the threshold shown is the model's bin. Today's engine reports it in LE01.",
        trigger_fr: "Première version du moteur (aval-engine-0.1.0+1) seulement : le terme du modèle pour les dettes et provisions sur total du bilan (fichier FEC, à défaut le dernier bilan déposé) a accru la probabilité de défaut ; le seuil indiqué est l'intervalle du modèle. Le moteur actuel en rend compte dans LE01.",
        remedy_en: FIRST_VERSION_EN,
        remedy_fr: FIRST_VERSION_FR,
    },
    Guide {
        code: "LV12",
        role: Role::ScoreFactor,
        trigger_en: "First engine version (aval-engine-0.1.0+1) only: the model's term for total liabilities / total assets (FEC file, else the last filed accounts) lowered the probability of default. Today's engine reports it in LE11.",
        trigger_fr: "Première version du moteur (aval-engine-0.1.0+1) seulement : le terme du modèle pour les dettes et provisions sur total du bilan (fichier FEC, à défaut le dernier bilan déposé) a réduit la probabilité de défaut. Le moteur actuel en rend compte dans LE11.",
        remedy_en: FAVOURABLE_EN,
        remedy_fr: FAVOURABLE_FR,
    },
    Guide {
        code: "WC01",
        role: Role::ScoreFactor,
        trigger_en: "First engine version (aval-engine-0.1.0+1) only: the model's term for working capital / total assets (FEC file) raised the probability of default; the threshold shown is the model's bin. Today's engine reports it in LI01.",
        trigger_fr: "Première version du moteur (aval-engine-0.1.0+1) seulement : le terme du modèle pour le fonds de roulement sur total du bilan (fichier FEC) a accru la probabilité de défaut ; le seuil indiqué est l'intervalle du modèle. Le moteur actuel en rend compte dans LI01.",
        remedy_en: FIRST_VERSION_EN,
        remedy_fr: FIRST_VERSION_FR,
    },
    Guide {
        code: "WC11",
        role: Role::ScoreFactor,
        trigger_en: "First engine version (aval-engine-0.1.0+1) only: the model's term for working capital / total assets (FEC file) lowered the probability of default. Today's engine reports it in LI11.",
        trigger_fr: "Première version du moteur (aval-engine-0.1.0+1) seulement : le terme du modèle pour le fonds de roulement sur total du bilan (fichier FEC) a réduit la probabilité de défaut. Le moteur actuel en rend compte dans LI11.",
        remedy_en: FAVOURABLE_EN,
        remedy_fr: FAVOURABLE_FR,
    },
    Guide {
        code: "LQ01",
        role: Role::ScoreFactor,
        trigger_en: "First engine version (aval-engine-0.1.0+1) only: the model's term for current assets / short-term debts (FEC file) raised the probability of default; the threshold shown is the model's bin. Today's engine reports it in LI01.",
        trigger_fr: "Première version du moteur (aval-engine-0.1.0+1) seulement : le terme du modèle pour l'actif circulant sur les dettes à court terme (fichier FEC) a accru la probabilité de défaut ; le seuil indiqué est l'intervalle du modèle. Le moteur actuel en rend compte dans LI01.",
        remedy_en: FIRST_VERSION_EN,
        remedy_fr: FIRST_VERSION_FR,
    },
    Guide {
        code: "LQ11",
        role: Role::ScoreFactor,
        trigger_en: "First engine version (aval-engine-0.1.0+1) only: the model's term for current assets / short-term debts (FEC file) lowered the probability of default. Today's engine reports it in LI11.",
        trigger_fr: "Première version du moteur (aval-engine-0.1.0+1) seulement : le terme du modèle pour l'actif circulant sur les dettes à court terme (fichier FEC) a réduit la probabilité de défaut. Le moteur actuel en rend compte dans LI11.",
        remedy_en: FAVOURABLE_EN,
        remedy_fr: FAVOURABLE_FR,
    },
    Guide {
        code: "RE01",
        role: Role::ScoreFactor,
        trigger_en: "First engine version (aval-engine-0.1.0+1) only: the model's term for retained earnings / total assets (FEC file) raised the probability of default; the threshold shown is the model's bin. Today's engine reports it in LE01.",
        trigger_fr: "Première version du moteur (aval-engine-0.1.0+1) seulement : le terme du modèle pour le report à nouveau sur total du bilan (fichier FEC) a accru la probabilité de défaut ; le seuil indiqué est l'intervalle du modèle. Le moteur actuel en rend compte dans LE01.",
        remedy_en: FIRST_VERSION_EN,
        remedy_fr: FIRST_VERSION_FR,
    },
    Guide {
        code: "RE11",
        role: Role::ScoreFactor,
        trigger_en: "First engine version (aval-engine-0.1.0+1) only: the model's term for retained earnings / total assets (FEC file) lowered the probability of default. Today's engine reports it in LE11.",
        trigger_fr: "Première version du moteur (aval-engine-0.1.0+1) seulement : le terme du modèle pour le report à nouveau sur total du bilan (fichier FEC) a réduit la probabilité de défaut. Le moteur actuel en rend compte dans LE11.",
        remedy_en: FAVOURABLE_EN,
        remedy_fr: FAVOURABLE_FR,
    },
    Guide {
        code: "EB01",
        role: Role::ScoreFactor,
        trigger_en: "First engine version (aval-engine-0.1.0+1) only: the model's term for operating result / total assets (FEC file) raised the probability of default; the threshold shown is the model's bin. Today's engine reports it in PF01.",
        trigger_fr: "Première version du moteur (aval-engine-0.1.0+1) seulement : le terme du modèle pour le résultat d'exploitation sur total du bilan (fichier FEC) a accru la probabilité de défaut ; le seuil indiqué est l'intervalle du modèle. Le moteur actuel en rend compte dans PF01.",
        remedy_en: FIRST_VERSION_EN,
        remedy_fr: FIRST_VERSION_FR,
    },
    Guide {
        code: "EB11",
        role: Role::ScoreFactor,
        trigger_en: "First engine version (aval-engine-0.1.0+1) only: the model's term for operating result / total assets (FEC file) lowered the probability of default. Today's engine reports it in PF11.",
        trigger_fr: "Première version du moteur (aval-engine-0.1.0+1) seulement : le terme du modèle pour le résultat d'exploitation sur total du bilan (fichier FEC) a réduit la probabilité de défaut. Le moteur actuel en rend compte dans PF11.",
        remedy_en: FAVOURABLE_EN,
        remedy_fr: FAVOURABLE_FR,
    },
    Guide {
        code: "LV01",
        role: Role::ScoreFactor,
        trigger_en: "First engine version (aval-engine-0.1.0+1) only: the model's term for equity / total liabilities (FEC file) raised the probability of default; the threshold shown is the model's bin. Today's engine reports it in LE01.",
        trigger_fr: "Première version du moteur (aval-engine-0.1.0+1) seulement : le terme du modèle pour les capitaux propres sur les dettes (fichier FEC) a accru la probabilité de défaut ; le seuil indiqué est l'intervalle du modèle. Le moteur actuel en rend compte dans LE01.",
        remedy_en: FIRST_VERSION_EN,
        remedy_fr: FIRST_VERSION_FR,
    },
    Guide {
        code: "LV11",
        role: Role::ScoreFactor,
        trigger_en: "First engine version (aval-engine-0.1.0+1) only: the model's term for equity / total liabilities (FEC file) lowered the probability of default. Today's engine reports it in LE11.",
        trigger_fr: "Première version du moteur (aval-engine-0.1.0+1) seulement : le terme du modèle pour les capitaux propres sur les dettes (fichier FEC) a réduit la probabilité de défaut. Le moteur actuel en rend compte dans LE11.",
        remedy_en: FAVOURABLE_EN,
        remedy_fr: FAVOURABLE_FR,
    },
    Guide {
        code: "AC01",
        role: Role::ScoreFactor,
        trigger_en: "First engine version (aval-engine-0.1.0+1) only: the model's term for sales / total assets (FEC file, else the last filed accounts) raised the probability of default; the threshold shown is the model's bin. Today's engine reports it in AT01.",
        trigger_fr: "Première version du moteur (aval-engine-0.1.0+1) seulement : le terme du modèle pour le chiffre d'affaires sur total du bilan (fichier FEC, à défaut le dernier bilan déposé) a accru la probabilité de défaut ; le seuil indiqué est l'intervalle du modèle. Le moteur actuel en rend compte dans AT01.",
        remedy_en: FIRST_VERSION_EN,
        remedy_fr: FIRST_VERSION_FR,
    },
    Guide {
        code: "AC11",
        role: Role::ScoreFactor,
        trigger_en: "First engine version (aval-engine-0.1.0+1) only: the model's term for sales / total assets (FEC file, else the last filed accounts) lowered the probability of default. Today's engine reports it in AT11.",
        trigger_fr: "Première version du moteur (aval-engine-0.1.0+1) seulement : le terme du modèle pour le chiffre d'affaires sur total du bilan (fichier FEC, à défaut le dernier bilan déposé) a réduit la probabilité de défaut. Le moteur actuel en rend compte dans AT11.",
        remedy_en: FAVOURABLE_EN,
        remedy_fr: FAVOURABLE_FR,
    },
    Guide {
        code: "EQ01",
        role: Role::ScoreFactor,
        trigger_en: "First engine version (aval-engine-0.1.0+1) only: the model's term for equity / total assets (FEC file, else the last filed accounts) raised the probability of default; the threshold shown is the model's bin. Today's engine reports it in LE01.",
        trigger_fr: "Première version du moteur (aval-engine-0.1.0+1) seulement : le terme du modèle pour les capitaux propres sur total du bilan (fichier FEC, à défaut le dernier bilan déposé) a accru la probabilité de défaut ; le seuil indiqué est l'intervalle du modèle. Le moteur actuel en rend compte dans LE01.",
        remedy_en: FIRST_VERSION_EN,
        remedy_fr: FIRST_VERSION_FR,
    },
    Guide {
        code: "EQ11",
        role: Role::ScoreFactor,
        trigger_en: "First engine version (aval-engine-0.1.0+1) only: the model's term for equity / total assets (FEC file, else the last filed accounts) lowered the probability of default. Today's engine reports it in LE11.",
        trigger_fr: "Première version du moteur (aval-engine-0.1.0+1) seulement : le terme du modèle pour les capitaux propres sur total du bilan (fichier FEC, à défaut le dernier bilan déposé) a réduit la probabilité de défaut. Le moteur actuel en rend compte dans LE11.",
        remedy_en: FAVOURABLE_EN,
        remedy_fr: FAVOURABLE_FR,
    },
    // No accounts, and the ratios by group (today's engine).
    Guide {
        code: "AC00",
        role: Role::ScoreFactor,
        trigger_en: "Neither a FEC file nor filed accounts gave a single line, so the model takes the default rate of the companies it learned from; the code is listed when that raises the probability of default. Under the default policy (`[bands] decline_without_accounts` off) such a company is referred (DC02) rather than declined on its score.",
        trigger_fr: "Ni fichier FEC ni bilan déposé n'a fourni la moindre ligne : le modèle retient le taux de défaillance des entreprises sur lesquelles il a appris ; le code apparaît quand cela accroît la probabilité de défaut. Dans la politique par défaut (`[bands] decline_without_accounts` désactivé), une telle entreprise est soumise à un analyste crédit (DC02) plutôt que refusée sur son score.",
        remedy_en: "Send the company's FEC accounting file with the request: its ratios then replace this term.",
        remedy_fr: "Joindre le fichier FEC de l'entreprise à la demande : ses ratios remplacent alors ce terme.",
    },
    Guide {
        code: "PF01",
        role: Role::ScoreFactor,
        trigger_en: "The model's contributions of the profitability ratios (net, operating and pre-tax results against total assets or sales, margins), read from the FEC file or else the last filed accounts, add up to a higher probability of default. The text names the ratio that weighed most, with the median of the reference companies.",
        trigger_fr: "Les contributions du modèle des ratios de rentabilité (résultats net, d'exploitation et avant impôt rapportés au total du bilan ou au chiffre d'affaires, marges), lus dans le fichier FEC ou à défaut le dernier bilan déposé, accroissent au total la probabilité de défaut. Le texte cite le ratio qui a le plus pesé, avec la médiane des entreprises de référence.",
        remedy_en: "Only the accounts change it: more recent accounts (an up-to-date FEC file sent with the request) showing better results are read at the next decision.",
        remedy_fr: "Seuls les comptes le changent : des comptes plus récents (un fichier FEC à jour joint à la demande) présentant de meilleurs résultats sont lus à la décision suivante.",
    },
    Guide {
        code: "PF11",
        role: Role::ScoreFactor,
        trigger_en: "The model's contributions of the profitability ratios (net, operating and pre-tax results against total assets or sales, margins), read from the FEC file or else the last filed accounts, add up to a lower probability of default. The text names the ratio that weighed most, with the median of the reference companies.",
        trigger_fr: "Les contributions du modèle des ratios de rentabilité (résultats net, d'exploitation et avant impôt rapportés au total du bilan ou au chiffre d'affaires, marges), lus dans le fichier FEC ou à défaut le dernier bilan déposé, réduisent au total la probabilité de défaut. Le texte cite le ratio qui a le plus pesé, avec la médiane des entreprises de référence.",
        remedy_en: FAVOURABLE_EN,
        remedy_fr: FAVOURABLE_FR,
    },
    Guide {
        code: "DS01",
        role: Role::ScoreFactor,
        trigger_en: "The model's contributions of the debt-service ratios (results and cash flow against debts, operating result against financial expenses), read from the FEC file or else the last filed accounts, add up to a higher probability of default. A ratio undefined by a zero denominator counts too: no financial expenses at all weighs as the model learned it.",
        trigger_fr: "Les contributions du modèle des ratios de service de la dette (résultats et autofinancement rapportés aux dettes, résultat d'exploitation sur charges financières), lus dans le fichier FEC ou à défaut le dernier bilan déposé, accroissent au total la probabilité de défaut. Un ratio non défini faute de dénominateur compte aussi : l'absence de toute charge financière pèse comme le modèle l'a appris.",
        remedy_en: "Only the accounts change it: more recent accounts showing more profit against debts. A company without borrowings, whose interest cover is undefined, can point it out to the credit manager when the case is referred.",
        remedy_fr: "Seuls les comptes le changent : des comptes plus récents présentant plus de résultat au regard des dettes. Une entreprise sans emprunt, dont la couverture des intérêts n'est pas définie, peut le signaler à l'analyste crédit si le dossier lui est soumis.",
    },
    Guide {
        code: "DS11",
        role: Role::ScoreFactor,
        trigger_en: "The model's contributions of the debt-service ratios (results and cash flow against debts, operating result against financial expenses), read from the FEC file or else the last filed accounts, add up to a lower probability of default.",
        trigger_fr: "Les contributions du modèle des ratios de service de la dette (résultats et autofinancement rapportés aux dettes, résultat d'exploitation sur charges financières), lus dans le fichier FEC ou à défaut le dernier bilan déposé, réduisent au total la probabilité de défaut.",
        remedy_en: FAVOURABLE_EN,
        remedy_fr: FAVOURABLE_FR,
    },
    Guide {
        code: "LI01",
        role: Role::ScoreFactor,
        trigger_en: "The model's contributions of the liquidity ratios (current assets, quick ratio and working capital against short-term debts or total assets), read from the FEC file or else the last filed accounts, add up to a higher probability of default. The text names the ratio that weighed most, with the median of the reference companies.",
        trigger_fr: "Les contributions du modèle des ratios de liquidité (actif circulant, liquidité réduite et fonds de roulement rapportés aux dettes à court terme ou au total du bilan), lus dans le fichier FEC ou à défaut le dernier bilan déposé, accroissent au total la probabilité de défaut. Le texte cite le ratio qui a le plus pesé, avec la médiane des entreprises de référence.",
        remedy_en: "Only the accounts change it: more recent accounts (an up-to-date FEC file sent with the request) with more current assets against short-term debts are read at the next decision.",
        remedy_fr: "Seuls les comptes le changent : des comptes plus récents (un fichier FEC à jour joint à la demande) avec plus d'actif circulant au regard des dettes à court terme sont lus à la décision suivante.",
    },
    Guide {
        code: "LI11",
        role: Role::ScoreFactor,
        trigger_en: "The model's contributions of the liquidity ratios (current assets, quick ratio and working capital against short-term debts or total assets), read from the FEC file or else the last filed accounts, add up to a lower probability of default.",
        trigger_fr: "Les contributions du modèle des ratios de liquidité (actif circulant, liquidité réduite et fonds de roulement rapportés aux dettes à court terme ou au total du bilan), lus dans le fichier FEC ou à défaut le dernier bilan déposé, réduisent au total la probabilité de défaut.",
        remedy_en: FAVOURABLE_EN,
        remedy_fr: FAVOURABLE_FR,
    },
    Guide {
        code: "LE01",
        role: Role::ScoreFactor,
        trigger_en: "The model's contributions of the leverage ratios (debts, equity, reserves and long-term capital against total assets, fixed assets or each other), read from the FEC file or else the last filed accounts, add up to a higher probability of default. The text names the ratio that weighed most, with the median of the reference companies.",
        trigger_fr: "Les contributions du modèle des ratios d'endettement (dettes, capitaux propres, réserves et capitaux permanents rapportés au total du bilan, à l'actif immobilisé ou entre eux), lus dans le fichier FEC ou à défaut le dernier bilan déposé, accroissent au total la probabilité de défaut. Le texte cite le ratio qui a le plus pesé, avec la médiane des entreprises de référence.",
        remedy_en: "Only the accounts change it: more recent accounts showing more equity against debts (retained profit, a capital increase) are read at the next decision.",
        remedy_fr: "Seuls les comptes le changent : des comptes plus récents présentant plus de capitaux propres au regard des dettes (bénéfices mis en réserve, augmentation de capital) sont lus à la décision suivante.",
    },
    Guide {
        code: "LE11",
        role: Role::ScoreFactor,
        trigger_en: "The model's contributions of the leverage ratios (debts, equity, reserves and long-term capital against total assets, fixed assets or each other), read from the FEC file or else the last filed accounts, add up to a lower probability of default.",
        trigger_fr: "Les contributions du modèle des ratios d'endettement (dettes, capitaux propres, réserves et capitaux permanents rapportés au total du bilan, à l'actif immobilisé ou entre eux), lus dans le fichier FEC ou à défaut le dernier bilan déposé, réduisent au total la probabilité de défaut.",
        remedy_en: FAVOURABLE_EN,
        remedy_fr: FAVOURABLE_FR,
    },
    Guide {
        code: "AT01",
        role: Role::ScoreFactor,
        trigger_en: "The model's contributions of the activity and turnover ratios (sales against assets, receivable, inventory and payable days, sales growth), read from the FEC file or else the last filed accounts, add up to a higher probability of default. The text names the ratio that weighed most, with the median of the reference companies.",
        trigger_fr: "Les contributions du modèle des ratios d'activité et de rotation (chiffre d'affaires rapporté aux actifs, délais clients, rotation des stocks, délais de règlement des dettes, croissance du chiffre d'affaires), lus dans le fichier FEC ou à défaut le dernier bilan déposé, accroissent au total la probabilité de défaut. Le texte cite le ratio qui a le plus pesé, avec la médiane des entreprises de référence.",
        remedy_en: "Only the accounts change it: more recent accounts (an up-to-date FEC file sent with the request) showing more sales or shorter customer and stock cycles are read at the next decision.",
        remedy_fr: "Seuls les comptes le changent : des comptes plus récents (un fichier FEC à jour joint à la demande) présentant plus de chiffre d'affaires ou des cycles clients et stocks plus courts sont lus à la décision suivante.",
    },
    Guide {
        code: "AT11",
        role: Role::ScoreFactor,
        trigger_en: "The model's contributions of the activity and turnover ratios (sales against assets, receivable, inventory and payable days, sales growth), read from the FEC file or else the last filed accounts, add up to a lower probability of default.",
        trigger_fr: "Les contributions du modèle des ratios d'activité et de rotation (chiffre d'affaires rapporté aux actifs, délais clients, rotation des stocks, délais de règlement des dettes, croissance du chiffre d'affaires), lus dans le fichier FEC ou à défaut le dernier bilan déposé, réduisent au total la probabilité de défaut.",
        remedy_en: FAVOURABLE_EN,
        remedy_fr: FAVOURABLE_FR,
    },
    // KYB and fraud signals.
    Guide {
        code: "KY01",
        role: Role::KnockOut,
        trigger_en: "The IBAN given in the request is not one of the accounts of the company's bank connection (PSD2). A knock-out under `[knockouts] failed_kyb` (on in the default policy): the application is declined whatever the score.",
        trigger_fr: "L'IBAN indiqué dans la demande ne figure pas parmi les comptes de la connexion bancaire de l'entreprise (DSP2). Critère d'exclusion selon `[knockouts] failed_kyb` (activé dans la politique par défaut) : la demande est refusée quel que soit le score.",
        remedy_en: "Give the IBAN of an account connected through open banking, or connect the account that IBAN belongs to, then apply again.",
        remedy_fr: "Indiquer l'IBAN d'un compte de la connexion bancaire, ou connecter le compte auquel appartient cet IBAN, puis refaire la demande.",
    },
    Guide {
        code: "FR01",
        role: Role::Referral,
        trigger_en: "The account holder's name given by the bank (PSD2) does not match the company's legal name in Sirene (compared word by word, legal forms left aside). Every fraud signal sends the application to a credit manager and keeps a probability of default in the decline band from declining it; no policy setting turns it off.",
        trigger_fr: "Le nom du titulaire du compte transmis par la banque (DSP2) ne correspond pas à la dénomination de l'entreprise au répertoire Sirene (comparaison mot à mot, hors formes juridiques). Tout signal de fraude soumet la demande à un analyste crédit et empêche un refus sur la probabilité de défaut ; aucun paramètre de la politique ne le désactive.",
        remedy_en: "Connect an account held in the company's own name. A holder named by a trade name or an abbreviation can be explained to the credit manager.",
        remedy_fr: "Connecter un compte ouvert au nom de l'entreprise. Un titulaire désigné par un nom commercial ou un sigle peut être expliqué à l'analyste crédit.",
    },
    Guide {
        code: "FR02",
        role: Role::Referral,
        trigger_en: "Together: a company younger than `[fraud] young_company_days` (90 days, Sirene creation date), a bank connected less than `recent_connection_minutes` (60) before the request, and an amount of at least `large_request_eur` (10 000 €). Like every fraud signal it sends the application to a credit manager.",
        trigger_fr: "Ensemble : une entreprise de moins de `[fraud] young_company_days` (90 jours, date de création au répertoire Sirene), une banque connectée moins de `recent_connection_minutes` (60) minutes avant la demande et un montant d'au moins `large_request_eur` (10 000 €). Comme tout signal de fraude, il soumet la demande à un analyste crédit.",
        remedy_en: "Nothing but answering the credit manager's checks; the signal no longer applies once the company is 90 days old.",
        remedy_fr: "Rien d'autre que de répondre aux vérifications de l'analyste crédit ; le signal ne s'applique plus dès que l'entreprise a 90 jours.",
    },
    Guide {
        code: "FR03",
        role: Role::Referral,
        trigger_en: "The lender's own history counts at least `[fraud] repeated_applications_24h` (3) applications for the company within 24 hours, this one included. Like every fraud signal it sends the application to a credit manager.",
        trigger_fr: "L'historique du prêteur compte au moins `[fraud] repeated_applications_24h` (3) demandes pour l'entreprise en 24 heures, celle-ci comprise. Comme tout signal de fraude, il soumet la demande à un analyste crédit.",
        remedy_en: "Do not resend an application that is in review: follow the first one. The signal stops once fewer than 3 applications fall within 24 hours.",
        remedy_fr: "Ne pas renvoyer une demande en revue : suivre la première. Le signal cesse dès que moins de 3 demandes tombent dans les 24 heures.",
    },
    Guide {
        code: "FR04",
        role: Role::Referral,
        trigger_en: "Together: a change of directors published in BODACC less than `[fraud] director_change_days` (180) days ago, and a bank history (PSD2) shorter than `new_account_days` (60 days, from the oldest booked transaction). Like every fraud signal it sends the application to a credit manager.",
        trigger_fr: "Ensemble : un changement de dirigeants publié au BODACC il y a moins de `[fraud] director_change_days` (180) jours et un historique bancaire (DSP2) de moins de `new_account_days` (60 jours, depuis la plus ancienne opération comptabilisée). Comme tout signal de fraude, il soumet la demande à un analyste crédit.",
        remedy_en: "Connect the account that carries the company's usual activity, with at least 60 days of transactions; otherwise the signal ends 180 days after the change of directors.",
        remedy_fr: "Connecter le compte qui porte l'activité habituelle de l'entreprise, avec au moins 60 jours d'opérations ; sinon le signal cesse 180 jours après le changement de dirigeants.",
    },
    // Policy: data, authority, bands, limits.
    Guide {
        code: "DC02",
        role: Role::Referral,
        trigger_en: "No accounts at all (no FEC file, no filed accounts) and a probability of default at or above `[bands] decline_from_pd` (15 %). With `decline_without_accounts` off, as in the default policy, a credit manager decides instead of a decline; when it is on, the application is declined with BD02.",
        trigger_fr: "Aucun compte (ni fichier FEC ni bilan déposé) et une probabilité de défaut égale ou supérieure à `[bands] decline_from_pd` (15 %). Avec `decline_without_accounts` désactivé, comme dans la politique par défaut, un analyste crédit décide au lieu d'un refus ; activé, la demande est refusée avec BD02.",
        remedy_en: "Send the company's FEC accounting file with the request so that its ratios are read; meanwhile a credit manager decides.",
        remedy_fr: "Joindre le fichier FEC de l'entreprise à la demande pour que ses ratios soient lus ; en attendant, un analyste crédit décide.",
    },
    Guide {
        code: "DC01",
        role: Role::Referral,
        trigger_en: "Data coverage, the weight of the sources that answered (Sirene 30, BODACC 15, bank connection 25, FEC file 15, filed accounts 5, sector 5, lender's history 5), is below `[coverage] minimum` (60). A credit manager decides; a probability of default in the decline band is then referred (BD02) rather than declined.",
        trigger_fr: "La couverture des données, poids des sources qui ont répondu (Sirene 30, BODACC 15, connexion bancaire 25, fichier FEC 15, bilans déposés 5, secteur 5, historique du prêteur 5), est sous `[coverage] minimum` (60). Un analyste crédit décide ; une probabilité de défaut dans la zone de refus est alors soumise à revue (BD02) plutôt que refusée.",
        remedy_en: "Connect the company's bank (PSD2) and send its FEC file; a source that did not answer is asked again at the next decision.",
        remedy_fr: "Connecter la banque de l'entreprise (DSP2) et joindre son fichier FEC ; une source qui n'a pas répondu est réinterrogée à la décision suivante.",
    },
    Guide {
        code: "AU01",
        role: Role::Referral,
        trigger_en: "The amount requested is above the product's automatic authority, `[authority]` of the policy in force (50 000 € for BNPL, 250 000 € for factoring, 100 000 € for a credit-line increase in the default policy).",
        trigger_fr: "Le montant demandé dépasse la délégation automatique du produit, `[authority]` de la politique en vigueur (50 000 € en paiement fractionné, 250 000 € en affacturage, 100 000 € pour une augmentation de ligne de crédit dans la politique par défaut).",
        remedy_en: "Nothing: a credit manager decides. A request within the authority is decided automatically.",
        remedy_fr: "Rien : un analyste crédit décide. Une demande dans la limite de la délégation est décidée automatiquement.",
    },
    Guide {
        code: "BD01",
        role: Role::Referral,
        trigger_en: "The probability of default is at or above `[bands] approve_below_pd` (3 %) and below `decline_from_pd` (15 %) of the policy in force: the review band, where a credit manager decides.",
        trigger_fr: "La probabilité de défaut est égale ou supérieure à `[bands] approve_below_pd` (3 %) et inférieure à `decline_from_pd` (15 %) de la politique en vigueur : la zone d'examen, où un analyste crédit décide.",
        remedy_en: "Nothing during the review; the scored reasons listed with it say what raises the probability of default.",
        remedy_fr: "Rien pendant l'examen ; les motifs chiffrés qui l'accompagnent disent ce qui accroît la probabilité de défaut.",
    },
    Guide {
        code: "BD02",
        role: Role::KnockOut,
        trigger_en: "The probability of default is at or above `[bands] decline_from_pd` (15 %) of the policy in force: the application is declined. When data coverage is below the minimum (DC01) or a fraud signal is raised (FR01–FR04), the same code refers it to a credit manager instead.",
        trigger_fr: "La probabilité de défaut est égale ou supérieure à `[bands] decline_from_pd` (15 %) de la politique en vigueur : la demande est refusée. Quand la couverture des données est sous le minimum (DC01) ou qu'un signal de fraude est levé (FR01 à FR04), le même code la soumet à la place à un analyste crédit.",
        remedy_en: "Only a lower probability of default changes it: the scored reasons listed with it say what raises it. A credit manager can review the decision on request.",
        remedy_fr: "Seule une probabilité de défaut plus basse le change : les motifs chiffrés qui l'accompagnent disent ce qui l'accroît. Un analyste crédit peut réexaminer la décision sur demande.",
    },
    Guide {
        code: "LM01",
        role: Role::Referral,
        trigger_en: "The amount requested is above the limit the policy proposes (`[limits]`; in the default policy: for BNPL the smaller of 50 % of the average monthly inflows (PSD2) and 20 % of the equity (accounts); for factoring 80 % of the invoice, cut by LM03; for a credit-line increase the current limit times the inflow growth, at most 50 %). A credit manager decides.",
        trigger_fr: "Le montant demandé dépasse la limite proposée par la politique (`[limits]` ; dans la politique par défaut : en paiement fractionné, le plus petit de 50 % des encaissements mensuels moyens (DSP2) et de 20 % des capitaux propres (comptes) ; en affacturage, 80 % de la facture, réduits par LM03 ; pour une augmentation de ligne, la limite actuelle multipliée par la croissance des encaissements, 50 % au plus). Un analyste crédit décide.",
        remedy_en: "Request at most the proposed limit returned with the decision; a larger amount waits for the credit manager.",
        remedy_fr: "Demander au plus la limite proposée renvoyée avec la décision ; un montant supérieur attend l'analyste crédit.",
    },
    Guide {
        code: "LM02",
        role: Role::Referral,
        trigger_en: "The policy's limit cannot be computed: BNPL without bank data and without accounts; factoring without the invoice amount or without any fact on the paying customer; a credit-line increase without the current limit or without an inflow trend (under 75 days of bank history, or no earlier inflows). The proposed limit is 0 and a credit manager decides.",
        trigger_fr: "La limite de la politique ne peut être calculée : paiement fractionné sans données bancaires ni comptes ; affacturage sans montant de facture ou sans aucune donnée sur le client payeur ; augmentation de ligne sans limite actuelle ou sans tendance des encaissements (moins de 75 jours d'historique bancaire, ou aucun encaissement antérieur). La limite proposée est nulle et un analyste crédit décide.",
        remedy_en: "Supply what the value names: a bank connection or a FEC file, the invoice amount, the paying customer's SIREN, the current limit, or wait for 75 days of bank history.",
        remedy_fr: "Fournir ce que la valeur indique : une connexion bancaire ou un fichier FEC, le montant de la facture, le SIREN du client payeur, la limite actuelle, ou attendre 75 jours d'historique bancaire.",
    },
    Guide {
        code: "LM03",
        role: Role::Limit,
        trigger_en: "Factoring: the paying customer, decided by the same engine on its own sources, is risky. With its probability of default in the review band the advance is cut to `[limits.factoring] uncertain_debtor_share_pct` (50 %); in the decline band, or unknown to Sirene, ceased or in an open collective proceeding, nothing is advanced (and LM01 then refers any amount).",
        trigger_fr: "Affacturage : le client payeur, évalué par le même moteur sur ses propres sources, est risqué. Avec une probabilité de défaut dans la zone d'examen, l'avance est réduite à `[limits.factoring] uncertain_debtor_share_pct` (50 %) ; dans la zone de refus, ou s'il est inconnu du répertoire Sirene, cessé ou en procédure collective en cours, rien n'est avancé (et LM01 soumet alors tout montant à revue).",
        remedy_en: "The cut follows the paying customer's risk, not the company's: invoices on a sounder customer are advanced in full.",
        remedy_fr: "La réduction suit le risque du client payeur, pas celui de l'entreprise : les factures sur un client plus solide sont avancées en totalité.",
    },
    // Automatic credit-line increases (`[automatic_increase]`), at each monitoring check.
    Guide {
        code: "IN01",
        role: Role::Increase,
        trigger_en: "Monitoring check of a granted line: the inflows of the last 30 days grew against the monthly average of the 60 before (PSD2) by at least `[automatic_increase] minimum_growth_pct` (5 %) and nothing blocks the increase; the line grows by that growth.",
        trigger_fr: "Contrôle de surveillance d'une ligne accordée : les encaissements des 30 derniers jours ont augmenté par rapport à la moyenne mensuelle des 60 précédents (DSP2) d'au moins `[automatic_increase] minimum_growth_pct` (5 %) et rien ne bloque la hausse ; la ligne augmente de cette croissance.",
        remedy_en: FAVOURABLE_EN,
        remedy_fr: FAVOURABLE_FR,
    },
    Guide {
        code: "IN02",
        role: Role::Increase,
        trigger_en: "The inflow growth exceeds `[automatic_increase] max_step_pct` (25 %): the step is held to that share of the line.",
        trigger_fr: "La croissance des encaissements dépasse `[automatic_increase] max_step_pct` (25 %) : la hausse est limitée à cette part de la ligne.",
        remedy_en: "Nothing: if the growth holds, the next step can come `cooldown_days` (30 days) later.",
        remedy_fr: "Rien : si la croissance se maintient, la hausse suivante peut venir `cooldown_days` (30 jours) plus tard.",
    },
    Guide {
        code: "IN03",
        role: Role::Increase,
        trigger_en: "The step would take the line beyond its ceiling, `[automatic_increase] ceiling_pct_of_grant` (200 %) of the amount granted and, for BNPL and factoring lines, the limit the policy gives the product at this check: the line stops at the ceiling.",
        trigger_fr: "La hausse porterait la ligne au-delà de son plafond, `[automatic_increase] ceiling_pct_of_grant` (200 %) du montant accordé et, pour les lignes de paiement fractionné et d'affacturage, la limite que la politique donne au produit lors de ce contrôle : la ligne s'arrête au plafond.",
        remedy_en: "A larger line takes a new application decided by the lender.",
        remedy_fr: "Une ligne plus élevée nécessite une nouvelle demande, décidée par le prêteur.",
    },
    Guide {
        code: "IN04",
        role: Role::Increase,
        trigger_en: "The new limit exceeds the product's automatic authority (`[authority]`: 50 000 € BNPL, 250 000 € factoring, 100 000 € credit line in the default policy): the increase is proposed to a credit manager instead of being applied.",
        trigger_fr: "La nouvelle limite dépasse la délégation automatique du produit (`[authority]` : 50 000 € en paiement fractionné, 250 000 € en affacturage, 100 000 € pour une ligne de crédit dans la politique par défaut) : la hausse est proposée à un analyste crédit au lieu d'être appliquée.",
        remedy_en: "Nothing: a credit manager decides on the proposed increase.",
        remedy_fr: "Rien : un analyste crédit décide de la hausse proposée.",
    },
    Guide {
        code: "IN10",
        role: Role::Increase,
        trigger_en: "The grade at this check (from the probability of default and `[grades]`) is worse than the grade at the grant: no automatic increase.",
        trigger_fr: "La note lors de ce contrôle (selon la probabilité de défaut et `[grades]`) est moins bonne que la note à l'octroi : pas de hausse automatique.",
        remedy_en: "Increases resume at a later check once the grade is back to the grant's; the decision's scored reasons say what lowered it.",
        remedy_fr: "Les hausses reprennent lors d'un contrôle ultérieur, une fois la note revenue à celle de l'octroi ; les motifs chiffrés de la décision disent ce qui l'a abaissée.",
    },
    Guide {
        code: "IN11",
        role: Role::Increase,
        trigger_en: "The decision at this check raised a fraud signal (FR01 to FR04, named in the value): no automatic increase.",
        trigger_fr: "La décision lors de ce contrôle a levé un signal de fraude (FR01 à FR04, cité dans la valeur) : pas de hausse automatique.",
        remedy_en: "See the fraud code named: increases resume at the first check without a signal.",
        remedy_fr: "Voir le code de fraude cité : les hausses reprennent au premier contrôle sans signal.",
    },
    Guide {
        code: "IN12",
        role: Role::Increase,
        trigger_en: "BODACC: a collective proceeding is open or a plan (sauvegarde, redressement) is running: no automatic increase.",
        trigger_fr: "BODACC : une procédure collective est en cours ou un plan (sauvegarde, redressement) est en exécution : pas de hausse automatique.",
        remedy_en: "Nothing while the proceeding or the plan runs; increases resume once BODACC publishes its closure.",
        remedy_fr: "Rien tant que la procédure ou le plan est en cours ; les hausses reprennent une fois la clôture de la procédure publiée au BODACC.",
    },
    Guide {
        code: "IN13",
        role: Role::Increase,
        trigger_en: "The data coverage of this check is below `[coverage] minimum` (60): no automatic increase.",
        trigger_fr: "La couverture des données de ce contrôle est sous `[coverage] minimum` (60) : pas de hausse automatique.",
        remedy_en: "Keep the bank connection (PSD2) alive and the FEC file up to date, so that the sources answer at the next check.",
        remedy_fr: "Maintenir la connexion bancaire (DSP2) active et le fichier FEC à jour, pour que les sources répondent au prochain contrôle.",
    },
    Guide {
        code: "IN14",
        role: Role::Increase,
        trigger_en: "The last increase of the line is less than `[automatic_increase] cooldown_days` (30 days) old.",
        trigger_fr: "La dernière hausse de la ligne date de moins de `[automatic_increase] cooldown_days` (30 jours).",
        remedy_en: "Nothing: the next increase can come from the date shown.",
        remedy_fr: "Rien : la hausse suivante peut venir à partir de la date indiquée.",
    },
    Guide {
        code: "IN15",
        role: Role::Increase,
        trigger_en: "The inflows of the last 30 days grew less than `[automatic_increase] minimum_growth_pct` (5 %) against the monthly average of the 60 before (PSD2), or the growth is unknown (no bank data, under 75 days of history, or no inflows in the 60 days before). Also given, with the rounding step as threshold, when the growth qualifies but the step rounds down to nothing under `round_to_eur` (100 €).",
        trigger_fr: "Les encaissements des 30 derniers jours ont augmenté de moins de `[automatic_increase] minimum_growth_pct` (5 %) par rapport à la moyenne mensuelle des 60 précédents (DSP2), ou la croissance est inconnue (pas de données bancaires, moins de 75 jours d'historique ou aucun encaissement sur les 60 jours précédents). Donné aussi, avec le pas d'arrondi pour seuil, quand la croissance suffit mais que la hausse s'arrondit à zéro selon `round_to_eur` (100 €).",
        remedy_en: "Nothing to do: increases follow the growth of the inflows.",
        remedy_fr: "Rien à faire : les hausses suivent la croissance des encaissements.",
    },
    Guide {
        code: "IN16",
        role: Role::Increase,
        trigger_en: "The line already stands at its ceiling: `[automatic_increase] ceiling_pct_of_grant` (200 %) of the amount granted and, for BNPL and factoring lines, the limit the policy gives the product at this check.",
        trigger_fr: "La ligne est déjà à son plafond : `[automatic_increase] ceiling_pct_of_grant` (200 %) du montant accordé et, pour les lignes de paiement fractionné et d'affacturage, la limite que la politique donne au produit lors de ce contrôle.",
        remedy_en: "A larger line takes a new application decided by the lender.",
        remedy_fr: "Une ligne plus élevée nécessite une nouvelle demande, décidée par le prêteur.",
    },
    Guide {
        code: "IN17",
        role: Role::Increase,
        trigger_en: "The decision at this check declines the company (its first two reasons are named in the value): no automatic increase.",
        trigger_fr: "La décision lors de ce contrôle refuse l'entreprise (ses deux premiers motifs sont cités dans la valeur) : pas de hausse automatique.",
        remedy_en: "See the reasons named: increases resume at the first check that does not decline.",
        remedy_fr: "Voir les motifs cités : les hausses reprennent au premier contrôle sans refus.",
    },
];

/// The guide entry of a code.
pub fn guide(code: &str) -> Option<&'static Guide> {
    GUIDE.iter().find(|g| g.code == code)
}

#[cfg(test)]
mod tests {
    use super::super::{ReasonKind, CATALOGUE};
    use super::*;
    use std::collections::HashSet;

    #[test]
    fn every_catalogue_code_has_one_entry_in_the_same_order_and_no_other() {
        let catalogue: Vec<&str> = CATALOGUE.iter().map(|(c, ..)| *c).collect();
        let guide: Vec<&str> = GUIDE.iter().map(|g| g.code).collect();
        assert_eq!(guide, catalogue);
        for code in &catalogue {
            assert_eq!(
                GUIDE.iter().filter(|g| g.code == *code).count(),
                1,
                "{code}"
            );
            assert_eq!(super::guide(code).map(|g| g.code), Some(*code));
        }
        for g in GUIDE {
            assert!(
                catalogue.contains(&g.code),
                "{} is not in the catalogue",
                g.code
            );
        }
        assert!(super::guide("XX99").is_none());
    }

    #[test]
    fn every_code_is_listed_once() {
        let mut seen = HashSet::new();
        for g in GUIDE {
            assert!(seen.insert(g.code), "{} twice", g.code);
        }
    }

    #[test]
    fn no_text_is_empty() {
        for g in GUIDE {
            for text in [g.trigger_en, g.trigger_fr, g.remedy_en, g.remedy_fr] {
                assert!(!text.trim().is_empty(), "{}", g.code);
            }
        }
    }

    #[test]
    fn roles_agree_with_the_catalogue_kinds() {
        for (code, kind, ..) in CATALOGUE {
            let role = super::guide(code).map(|g| g.role);
            match kind {
                ReasonKind::Adverse | ReasonKind::Favourable => {
                    assert_eq!(role, Some(Role::ScoreFactor), "{code}")
                }
                ReasonKind::Fraud => assert_eq!(role, Some(Role::Referral), "{code}"),
                ReasonKind::Policy if code.starts_with("IN") => {
                    assert_eq!(role, Some(Role::Increase), "{code}")
                }
                ReasonKind::Policy => assert!(
                    matches!(role, Some(Role::KnockOut | Role::Referral | Role::Limit)),
                    "{code}"
                ),
            }
        }
    }
}
