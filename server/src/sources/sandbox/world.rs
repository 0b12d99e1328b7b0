//! The synthetic companies and the payloads they answer with.

use app::ids::Siren;
use chrono::{DateTime, Datelike, Days, Duration, NaiveDate, Utc, Weekday};
use serde::{Deserialize, Serialize};
use serde_json::{json, Value};

/// SplitMix64: small, fast, and the same on every platform, which is what determinism needs.
pub struct Rng(u64);

impl Rng {
    pub fn new(seed: u64) -> Self {
        Rng(seed)
    }
    pub fn next_u64(&mut self) -> u64 {
        self.0 = self.0.wrapping_add(0x9E37_79B9_7F4A_7C15);
        let mut z = self.0;
        z = (z ^ (z >> 30)).wrapping_mul(0xBF58_476D_1CE4_E5B9);
        z = (z ^ (z >> 27)).wrapping_mul(0x94D0_49BB_1331_11EB);
        z ^ (z >> 31)
    }
    /// Uniform in [0, 1).
    pub fn unit(&mut self) -> f64 {
        (self.next_u64() >> 11) as f64 / (1u64 << 53) as f64
    }
    pub fn range(&mut self, lo: f64, hi: f64) -> f64 {
        lo + (hi - lo) * self.unit()
    }
    pub fn below(&mut self, n: usize) -> usize {
        usize::try_from(self.next_u64() % (n.max(1) as u64)).unwrap_or(0)
    }
    pub fn pick<'a, T>(&mut self, items: &'a [T]) -> &'a T {
        &items[self.below(items.len())]
    }
}

/// The situations the test SIRENs produce on purpose. Any other valid SIREN is `Generated`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Persona {
    Healthy,
    FastGrowing,
    YoungStartup,
    CashStrapped,
    ProceedingOpen,
    Ceased,
    Fraud,
    SlowSource,
    Unknown,
    ThinFile,
    Generated,
}

/// The documented test companies: SIREN, persona, what the sources say.
pub const TEST_COMPANIES: [(&str, Persona, &str); 10] = [
    ("100000009", Persona::Healthy, "Established SAS (12 years), steady revenue, positive balance every day, profitable accounts, no adverse announcement."),
    ("200000008", Persona::FastGrowing, "4-year-old SAS whose inflows grow about 9% a month: the last 30 days are well above the 60 before; thin but positive margin."),
    ("300000007", Persona::YoungStartup, "SAS created 5 months ago: no closed year, so no accounting file yet; short bank history, small growing revenue."),
    ("400000006", Persona::CashStrapped, "8-year-old SARL losing money: balance negative on many of the last 90 days, URSSAF direct debits rejected (AM04) in the last two months, losses in the accounts."),
    ("500000005", Persona::ProceedingOpen, "SARL with a redressement judiciaire opened 40 days ago (BODACC A), weakened cash."),
    ("600000004", Persona::Ceased, "SAS ceased 200 days ago (Sirene state C, establishments closed) and struck off (BODACC radiation)."),
    ("700000003", Persona::Fraud, "SAS created 9 days ago; its bank account has 3 days of history, was connected 4 minutes before the request, and belongs to a private person, not the company."),
    ("800000002", Persona::SlowSource, "Healthy company whose bank answers after 2 seconds: open banking misses the deadline and is reported missing."),
    ("900000001", Persona::Unknown, "Unknown to the registry: Sirene answers 404, BODACC has no record, no bank connection, no accounts."),
    ("999999998", Persona::ThinFile, "3-year-old SARL with no bank connection and no accounting file: registry data only, low coverage."),
];

pub fn persona(siren: &Siren) -> Persona {
    TEST_COMPANIES
        .iter()
        .find(|(s, _, _)| *s == siren.as_str())
        .map(|(_, p, _)| *p)
        .unwrap_or(Persona::Generated)
}

#[derive(Debug, Clone, PartialEq)]
pub struct Tx {
    pub id: String,
    pub date: NaiveDate,
    pub amount_cents: i64,
    pub counterparty: String,
    pub remittance: String,
    pub code: &'static str,
}

#[derive(Debug, Clone, PartialEq)]
pub struct Bank {
    pub resource_id: String,
    pub iban: String,
    pub owner_name: String,
    pub connected_at: DateTime<Utc>,
    pub opening_balance_cents: i64,
    pub transactions: Vec<Tx>,
}

impl Bank {
    pub fn closing_balance_cents(&self) -> i64 {
        self.opening_balance_cents
            + self
                .transactions
                .iter()
                .map(|t| t.amount_cents)
                .sum::<i64>()
    }
}

#[derive(Debug, Clone, PartialEq)]
pub struct Announcement {
    pub id: String,
    pub published: NaiveDate,
    pub family: &'static str,
    pub family_label: &'static str,
    /// (date, famille, nature) of a judgment.
    pub judgment: Option<(NaiveDate, &'static str, &'static str)>,
    pub accounts_closing: Option<NaiveDate>,
}

/// One year of accounts, in cents, from which the FEC is written.
#[derive(Debug, Clone, PartialEq)]
pub struct Accounts {
    pub year_end: NaiveDate,
    pub revenue: i64,
    pub purchases: i64,
    pub external: i64,
    pub staff: i64,
    pub social: i64,
    pub depreciation: i64,
    pub interest: i64,
    pub capital: i64,
    pub retained: i64,
    pub loan: i64,
    pub fixed_assets: i64,
    /// Raw materials in stock, the same at opening and closing.
    pub inventory: i64,
    pub opening_cash: i64,
}

#[derive(Debug, Clone, PartialEq)]
pub struct Company {
    pub siren: Siren,
    pub persona: Persona,
    pub as_of: DateTime<Utc>,
    pub name: String,
    /// INSEE legal category: 5710 SAS, 5499 SARL.
    pub legal_form: &'static str,
    pub naf: &'static str,
    pub created_on: NaiveDate,
    pub headcount_band: &'static str,
    pub ceased_on: Option<NaiveDate>,
    pub street: String,
    pub postcode: &'static str,
    pub city: &'static str,
    pub establishments: usize,
    pub announcements: Vec<Announcement>,
    pub bank: Option<Bank>,
    pub accounts: Option<Accounts>,
    pub known: bool,
}

const NAMES_A: [&str; 16] = [
    "Atelier",
    "Groupe",
    "Maison",
    "Compagnie",
    "Ateliers",
    "Bureau",
    "Comptoir",
    "Societe",
    "Fabrique",
    "Agence",
    "Studio",
    "Laboratoire",
    "Manufacture",
    "Cabinet",
    "Garage",
    "Transports",
];
const NAMES_B: [&str; 16] = [
    "Verdier", "Lumiere", "Castel", "Boreal", "Mistral", "Rivage", "Orion", "Cevennes", "Armor",
    "Sologne", "Vauban", "Lavande", "Hermine", "Granit", "Meridien", "Azur",
];
const NAFS: [&str; 12] = [
    "62.02A", "41.20A", "56.10A", "46.69B", "47.11D", "49.41A", "70.22Z", "25.62B", "43.21A",
    "73.11Z", "10.71C", "82.99Z",
];
const CITIES: [(&str, &str); 8] = [
    ("75011", "PARIS 11"),
    ("69003", "LYON 3EME"),
    ("33000", "BORDEAUX"),
    ("31000", "TOULOUSE"),
    ("44000", "NANTES"),
    ("59000", "LILLE"),
    ("13002", "MARSEILLE 2EME"),
    ("67000", "STRASBOURG"),
];
/// INSEE headcount bands from 1–2 to 50–99 employees.
const HEADCOUNT_BANDS: [&str; 5] = ["01", "03", "11", "12", "21"];
const CUSTOMERS: [&str; 10] = [
    "DUVAL DISTRIBUTION",
    "SARL MARCHAND",
    "LEROY INDUSTRIE",
    "BATIR OUEST",
    "NORD LOGISTIQUE",
    "OCEANE RETAIL",
    "ALPES EQUIPEMENT",
    "PIXEL MEDIA",
    "RHONE NEGOCE",
    "CENTRE AUTO",
];
const SUPPLIERS: [&str; 6] = [
    "METRO FRANCE",
    "ORANGE BUSINESS",
    "POINT P",
    "MANUTAN",
    "TOTALENERGIES",
    "OVH",
];

fn seed(siren: &Siren) -> u64 {
    siren
        .as_str()
        .bytes()
        .fold(0xA5A5_5A5A_1234_5678u64, |h, b| {
            (h ^ u64::from(b)).wrapping_mul(0x0100_0000_01B3)
        })
}

/// A French IBAN (bank, branch, account with a valid RIB key and mod-97 check digits).
pub fn french_iban(rng: &mut Rng) -> String {
    let bank = 10_000 + rng.below(89_999);
    let branch = rng.below(99_999);
    let account = format!("{:011}", rng.next_u64() % 100_000_000_000);
    let account_n: u128 = account.parse().unwrap_or(0);
    let key = 97 - ((89 * bank as u128 + 15 * branch as u128 + 3 * account_n) % 97);
    let bban = format!("{bank:05}{branch:05}{account}{key:02}");
    // Check digits: BBAN + "FR00" with F=15, R=27, as a number mod 97.
    let numeric = format!("{bban}152700");
    let rem = numeric
        .bytes()
        .fold(0u32, |r, d| (r * 10 + u32::from(d - b'0')) % 97);
    format!("FR{:02}{bban}", 98 - rem)
}

fn business_day(d: NaiveDate) -> bool {
    !matches!(d.weekday(), Weekday::Sat | Weekday::Sun)
}

fn cents(x: f64) -> i64 {
    (x * 100.0).round() as i64
}

struct Flow {
    /// Monthly revenue today, in euros.
    monthly_revenue: f64,
    /// Monthly growth of revenue (0.09 = +9 % a month).
    growth: f64,
    /// Operating costs as a share of revenue.
    cost_ratio: f64,
    /// Share of inflows from the largest customer.
    concentration: f64,
    opening_balance: f64,
    /// URSSAF debits rejected this many most recent months.
    rejected_urssaf_months: u32,
}

fn transactions(rng: &mut Rng, siren: &str, start: NaiveDate, end: NaiveDate, f: &Flow) -> Vec<Tx> {
    let mut out = Vec::new();
    let mut n = 0;
    let mut push = |out: &mut Vec<Tx>, date, amount: i64, who: &str, what: String, code| {
        n += 1;
        out.push(Tx {
            id: format!("SBX{siren}{n:05}"),
            date,
            amount_cents: amount,
            counterparty: who.to_owned(),
            remittance: what,
            code,
        });
    };
    let mut day = start;
    let last_month_start = |k: u32| {
        let mut d = end.with_day(1).unwrap_or(end);
        for _ in 0..k {
            d = (d - Days::new(1)).with_day(1).unwrap_or(d);
        }
        d
    };
    let rejected_from = if f.rejected_urssaf_months > 0 {
        Some(last_month_start(f.rejected_urssaf_months - 1))
    } else {
        None
    };
    while day < end {
        let months_back = (end - day).num_days() as f64 / 30.0;
        let level = f.monthly_revenue * (1.0 + f.growth).powf(-months_back);
        if business_day(day) {
            let k = 1 + rng.below(3);
            for _ in 0..k {
                let who = if rng.unit() < f.concentration {
                    CUSTOMERS[0]
                } else {
                    *rng.pick(&CUSTOMERS[1..])
                };
                let amount = level / 21.7 / k as f64 * rng.range(0.6, 1.4);
                push(
                    &mut out,
                    day,
                    cents(amount),
                    who,
                    format!("VIR SEPA {who} FACT {}", rng.below(90_000) + 10_000),
                    "PMNT-RCDT-ESCT",
                );
            }
            let supplier = *rng.pick(&SUPPLIERS);
            let amount = level * (f.cost_ratio - 0.42) / 21.7 * rng.range(0.5, 1.5);
            if amount > 0.0 {
                push(
                    &mut out,
                    day,
                    -cents(amount),
                    supplier,
                    format!("VIR SEPA {supplier} REGLEMENT"),
                    "PMNT-ICDT-ESCT",
                );
            }
        }
        match day.day() {
            5 => push(
                &mut out,
                day,
                -cents(level * 0.05),
                "SCI DES HALLES",
                "PRLV SEPA LOYER".into(),
                "PMNT-RDDT-ESDD",
            ),
            15 => {
                let amount = cents(level * 0.09);
                push(
                    &mut out,
                    day,
                    -amount,
                    "URSSAF",
                    format!(
                        "PRLV SEPA URSSAF COTISATIONS {:02}/{}",
                        day.month(),
                        day.year()
                    ),
                    "PMNT-RDDT-ESDD",
                );
                if rejected_from.is_some_and(|from| day >= from) {
                    push(
                        &mut out,
                        day,
                        amount,
                        "URSSAF",
                        "REJET PRLV SEPA URSSAF MOTIF AM04 PROVISION INSUFFISANTE".into(),
                        "PMNT-RDDT-UPDD",
                    );
                    push(
                        &mut out,
                        day,
                        -2_000,
                        "BANQUE",
                        "FRAIS REJET PRLV".into(),
                        "ACMT-MDOP-CHRG",
                    );
                }
            }
            20 => push(
                &mut out,
                day,
                -cents(level * 0.04),
                "DGFIP",
                "PRLV SEPA DGFIP TVA".into(),
                "PMNT-RDDT-ESDD",
            ),
            28 => push(
                &mut out,
                day,
                -cents(level * 0.24),
                "SALAIRES",
                "VIR SEPA SALAIRES".into(),
                "PMNT-ICDT-ESCT",
            ),
            _ => {}
        }
        day = day + Days::new(1);
    }
    let _ = f.opening_balance;
    out
}

/// The company of `siren`, as the sandbox world has it on the day of `as_of`.
pub fn company(siren: &Siren, as_of: DateTime<Utc>) -> Company {
    let persona = persona(siren);
    let mut rng = Rng::new(seed(siren));
    let today = as_of.date_naive();
    let days_ago = |n: u64| today - Days::new(n);
    let name = format!("{} {}", rng.pick(&NAMES_A), rng.pick(&NAMES_B)).to_uppercase();
    let (postcode, city) = *rng.pick(&CITIES);
    let street = format!(
        "{} RUE {}",
        1 + rng.below(120),
        rng.pick(&NAMES_B).to_uppercase()
    );
    let mut naf = *rng.pick(&NAFS);
    let age_days: u64 = match persona {
        Persona::Healthy | Persona::SlowSource => 12 * 365 + 40,
        Persona::FastGrowing => 4 * 365 + 100,
        Persona::YoungStartup => 150,
        Persona::CashStrapped => 8 * 365 + 12,
        Persona::ProceedingOpen => 6 * 365 + 200,
        Persona::Ceased => 9 * 365,
        Persona::Fraud => 9,
        Persona::ThinFile => 3 * 365 + 20,
        Persona::Unknown => 0,
        Persona::Generated => 2 * 365 + rng.below(28 * 365) as u64,
    };
    if persona == Persona::Healthy {
        naf = "62.02A";
    }
    let legal_form = match persona {
        Persona::CashStrapped | Persona::ProceedingOpen | Persona::ThinFile => "5499",
        Persona::Generated if rng.unit() < 0.4 => "5499",
        _ => "5710",
    };
    let created_on = days_ago(age_days);
    let mut flow = Flow {
        monthly_revenue: rng.range(40_000.0, 400_000.0),
        growth: rng.range(-0.01, 0.03),
        cost_ratio: rng.range(0.82, 0.93),
        concentration: rng.range(0.1, 0.3),
        opening_balance: 0.0,
        rejected_urssaf_months: 0,
    };
    match persona {
        Persona::FastGrowing => {
            flow.growth = 0.09;
            flow.cost_ratio = 0.95;
        }
        Persona::YoungStartup => {
            flow.monthly_revenue = 18_000.0;
            flow.growth = 0.12;
            flow.cost_ratio = 1.02;
        }
        Persona::CashStrapped => {
            flow.cost_ratio = 1.12;
            flow.growth = -0.04;
            flow.concentration = 0.65;
            flow.rejected_urssaf_months = 2;
        }
        Persona::ProceedingOpen => {
            flow.cost_ratio = 1.05;
            flow.growth = -0.06;
        }
        Persona::Fraud => {
            flow.monthly_revenue = 6_000.0;
            flow.concentration = 1.0;
        }
        _ => {}
    }
    flow.opening_balance = match persona {
        Persona::CashStrapped => flow.monthly_revenue * 0.02,
        Persona::ProceedingOpen => flow.monthly_revenue * 0.15,
        Persona::Fraud => 0.0,
        _ => flow.monthly_revenue * rng.range(0.6, 1.4),
    };
    let ceased_on = (persona == Persona::Ceased).then(|| days_ago(200));
    let known = persona != Persona::Unknown;

    let mut announcements = Vec::new();
    let mut ann_id = 0;
    let mut announce = |published, family, family_label, judgment, accounts_closing| {
        ann_id += 1;
        announcements.push(Announcement {
            id: format!("SBX{}{ann_id:03}", siren.as_str()),
            published,
            family,
            family_label,
            judgment,
            accounts_closing,
        });
    };
    if known {
        announce(
            created_on + Days::new(4).min(Days::new(age_days)),
            "creation",
            "Immatriculations",
            None,
            None,
        );
    }
    // Filed accounts for each closed year after the first.
    let year_end = |y: i32| NaiveDate::from_ymd_opt(y, 12, 31).unwrap_or(today);
    if known {
        for y in (created_on.year() + 1)..today.year() {
            let filed = NaiveDate::from_ymd_opt(y + 1, 7, 15).unwrap_or(today);
            if filed < today && ceased_on.is_none_or(|c| filed < c) {
                announce(filed, "dpc", "Dépôts des comptes", None, Some(year_end(y)));
            }
        }
    }
    match persona {
        Persona::ProceedingOpen => {
            let opened = days_ago(40);
            announce(
                opened + Days::new(9),
                "collective",
                "Procédures collectives",
                Some((
                    opened,
                    "Jugement d'ouverture",
                    "Jugement d'ouverture d'une procédure de redressement judiciaire",
                )),
                None,
            );
        }
        Persona::Ceased => {
            announce(days_ago(180), "radiation", "Radiations", None, None);
        }
        _ => {}
    }
    announcements.sort_by_key(|a| a.published);

    let connected_at = match persona {
        Persona::Fraud => as_of - Duration::minutes(4),
        _ => as_of - Duration::days(2 + rng.below(60) as i64),
    };
    let history_start = match persona {
        Persona::Fraud => days_ago(3),
        _ => days_ago(120).max(created_on + Days::new(10)),
    };
    let bank_end = ceased_on.map(|c| c.min(today)).unwrap_or(today);
    let has_bank = !matches!(persona, Persona::Unknown | Persona::ThinFile);
    let bank = has_bank.then(|| {
        let iban = french_iban(&mut rng);
        let mut txs = if persona == Persona::Ceased {
            Vec::new()
        } else {
            transactions(&mut rng, siren.as_str(), history_start, bank_end, &flow)
        };
        if persona == Persona::Fraud {
            txs = vec![Tx {
                id: format!("SBX{}00001", siren.as_str()),
                date: days_ago(3),
                amount_cents: 150_000,
                counterparty: "JEAN-MARC PICHON".into(),
                remittance: "VIR SEPA APPORT".into(),
                code: "PMNT-RCDT-ESCT",
            }];
        }
        Bank {
            resource_id: format!("sbx-{}-cacc", siren.as_str()),
            iban,
            owner_name: if persona == Persona::Fraud {
                "JEAN-MARC PICHON".into()
            } else {
                name.clone()
            },
            connected_at,
            opening_balance_cents: cents(flow.opening_balance),
            transactions: txs,
        }
    });

    // Accounts of the last closed year, when the company existed all of it.
    let last_year = today.year() - 1;
    let has_accounts = known
        && !matches!(
            persona,
            Persona::YoungStartup | Persona::Fraud | Persona::ThinFile
        )
        && created_on.year() < last_year;
    let accounts = has_accounts.then(|| {
        let revenue = cents(flow.monthly_revenue * 12.0 * (1.0 + flow.growth).powf(-9.0));
        let share = |x: f64| (revenue as f64 * x).round() as i64;
        let margin_costs = match persona {
            Persona::CashStrapped => 1.10,
            Persona::ProceedingOpen => 1.04,
            Persona::FastGrowing => 0.95,
            _ => flow.cost_ratio,
        };
        Accounts {
            year_end: year_end(last_year),
            revenue,
            purchases: share(margin_costs * 0.40),
            external: share(margin_costs * 0.18),
            staff: share(margin_costs * 0.22),
            social: share(margin_costs * 0.09),
            depreciation: share(0.02),
            interest: share(0.005),
            capital: if legal_form == "5499" {
                1_000_000
            } else {
                5_000_000
            },
            retained: match persona {
                Persona::CashStrapped | Persona::ProceedingOpen => -share(0.05),
                _ => share(0.12),
            },
            loan: share(0.15),
            fixed_assets: share(0.25),
            inventory: share(margin_costs * 0.40 / 8.0),
            opening_cash: share(0.08),
        }
    });

    Company {
        siren: siren.clone(),
        persona,
        as_of,
        name,
        legal_form,
        naf,
        created_on,
        headcount_band: match persona {
            Persona::Fraud | Persona::YoungStartup => "00",
            Persona::Healthy | Persona::SlowSource => "12",
            _ => HEADCOUNT_BANDS[rng.below(HEADCOUNT_BANDS.len())],
        },
        ceased_on,
        street,
        postcode,
        city,
        establishments: if persona == Persona::Generated {
            1 + rng.below(3)
        } else {
            1
        },
        announcements,
        bank,
        accounts,
        known,
    }
}

/// `YYYY-MM-DD`, written directly (chrono's `format` parses its pattern on every call, and the
/// sandbox writes a date per transaction).
fn date(d: NaiveDate) -> String {
    format!("{:04}-{:02}-{:02}", d.year(), d.month(), d.day())
}

pub fn sirene_not_found(siren: &str) -> Value {
    json!({"header": {"statut": 404, "message": format!("Aucun élément trouvé pour le siren {siren}")}})
}

fn processed(c: &Company) -> String {
    (c.as_of - Duration::days(3))
        .format("%Y-%m-%dT%H:%M:%S")
        .to_string()
}

/// `GET /siren/{siren}`, as INSEE answers it.
pub fn sirene_unit(c: &Company) -> Option<Value> {
    if !c.known {
        return None;
    }
    let period = |start: NaiveDate, end: Option<NaiveDate>, state: &str, changed_state: bool| {
        json!({
            "dateFin": end.map(date),
            "dateDebut": date(start),
            "etatAdministratifUniteLegale": state,
            "changementEtatAdministratifUniteLegale": changed_state,
            "nomUniteLegale": null,
            "changementNomUniteLegale": false,
            "nomUsageUniteLegale": null,
            "changementNomUsageUniteLegale": false,
            "denominationUniteLegale": c.name,
            "changementDenominationUniteLegale": false,
            "denominationUsuelle1UniteLegale": null,
            "denominationUsuelle2UniteLegale": null,
            "denominationUsuelle3UniteLegale": null,
            "changementDenominationUsuelleUniteLegale": false,
            "categorieJuridiqueUniteLegale": c.legal_form,
            "changementCategorieJuridiqueUniteLegale": false,
            "activitePrincipaleUniteLegale": c.naf,
            "nomenclatureActivitePrincipaleUniteLegale": "NAFRev2",
            "changementActivitePrincipaleUniteLegale": false,
            "nicSiegeUniteLegale": "00012",
            "changementNicSiegeUniteLegale": false,
            "economieSocialeSolidaireUniteLegale": "N",
            "changementEconomieSocialeSolidaireUniteLegale": false,
            "societeMissionUniteLegale": null,
            "changementSocieteMissionUniteLegale": false,
            "caractereEmployeurUniteLegale": if c.headcount_band == "00" { "N" } else { "O" },
            "changementCaractereEmployeurUniteLegale": false
        })
    };
    let periods = match c.ceased_on {
        Some(ceased) => vec![
            period(ceased, None, "C", true),
            period(c.created_on, Some(ceased - Days::new(1)), "A", false),
        ],
        None => vec![period(c.created_on, None, "A", false)],
    };
    Some(json!({
        "header": {"statut": 200, "message": "OK"},
        "uniteLegale": {
            "siren": c.siren.as_str(),
            "statutDiffusionUniteLegale": "O",
            "dateCreationUniteLegale": date(c.created_on),
            "sigleUniteLegale": null,
            "sexeUniteLegale": null,
            "prenom1UniteLegale": null,
            "prenomUsuelUniteLegale": null,
            "pseudonymeUniteLegale": null,
            "identifiantAssociationUniteLegale": null,
            "trancheEffectifsUniteLegale": c.headcount_band,
            "anneeEffectifsUniteLegale": (c.as_of.year() - 1).to_string(),
            "dateDernierTraitementUniteLegale": processed(c),
            "nombrePeriodesUniteLegale": periods.len(),
            "categorieEntreprise": "PME",
            "anneeCategorieEntreprise": (c.as_of.year() - 1).to_string(),
            "periodesUniteLegale": periods
        }
    }))
}

/// `GET /siret?q=siren:{siren}`.
pub fn sirene_establishments(c: &Company) -> Option<Value> {
    if !c.known {
        return None;
    }
    let list: Vec<Value> = (0..c.establishments)
        .map(|i| {
            let nic = format!("{:05}", 12 + i * 17);
            let siret = siret_with_key(c.siren.as_str(), &nic);
            let state = if c.ceased_on.is_some() { "F" } else { "A" };
            json!({
                "siren": c.siren.as_str(),
                "nic": &siret[9..],
                "siret": siret,
                "statutDiffusionEtablissement": "O",
                "dateCreationEtablissement": date(c.created_on),
                "trancheEffectifsEtablissement": c.headcount_band,
                "etablissementSiege": i == 0,
                "dateDernierTraitementEtablissement": processed(c),
                "uniteLegale": {
                    "etatAdministratifUniteLegale": if c.ceased_on.is_some() { "C" } else { "A" },
                    "denominationUniteLegale": c.name,
                    "categorieJuridiqueUniteLegale": c.legal_form,
                    "activitePrincipaleUniteLegale": c.naf
                },
                "adresseEtablissement": {
                    "numeroVoieEtablissement": null,
                    "libelleVoieEtablissement": c.street,
                    "codePostalEtablissement": c.postcode,
                    "libelleCommuneEtablissement": c.city,
                    "codeCommuneEtablissement": null
                },
                "periodesEtablissement": [{
                    "dateFin": null,
                    "dateDebut": date(c.ceased_on.unwrap_or(c.created_on)),
                    "etatAdministratifEtablissement": state,
                    "changementEtatAdministratifEtablissement": c.ceased_on.is_some(),
                    "activitePrincipaleEtablissement": c.naf,
                    "nomenclatureActivitePrincipaleEtablissement": "NAFRev2"
                }]
            })
        })
        .collect();
    Some(json!({
        "header": {"statut": 200, "message": "OK", "total": list.len(), "debut": 0, "nombre": list.len()},
        "etablissements": list
    }))
}

/// A SIRET for `siren`: the NIC's last digit adjusted so the Luhn check holds.
fn siret_with_key(siren: &str, nic: &str) -> String {
    let stem = format!("{siren}{}", &nic[..4]);
    (0..10)
        .map(|d| format!("{stem}{d}"))
        .find(|s| app::ids::Siret::parse(s).is_ok())
        .unwrap_or_else(|| format!("{siren}{nic}"))
}

fn spaced(siren: &str) -> String {
    format!("{} {} {}", &siren[0..3], &siren[3..6], &siren[6..9])
}

/// The Opendatasoft v1 search answer for `registre:{siren}`. Written from typed fields whose
/// keys are in the sorted order a JSON object of the same content serializes in.
pub fn bodacc(c: &Company) -> BodaccAnswer<'_> {
    let siren = c.siren.as_str();
    let form = if c.legal_form == "5499" {
        "Société à responsabilité limitée"
    } else {
        "Société par actions simplifiée"
    };
    // The same person is named in every announcement of the company.
    let persons = json!({"personne": {
        "typePersonne": "pm",
        "numeroImmatriculation": {"numeroIdentification": spaced(siren), "codeRCS": "RCS", "nomGreffeImmat": c.city},
        "denomination": c.name,
        "formeJuridique": form,
        "adresseSiegeSocial": {"nomVoie": c.street, "codePostal": c.postcode, "ville": c.city}
    }})
    .to_string();
    let registry = format!("{siren},{}", spaced(siren));
    let court = format!("GREFFE DU TRIBUNAL DE COMMERCE DE {}", c.city);
    let records: Vec<BodaccRecord> = c
        .announcements
        .iter()
        .map(|a| {
            let letter = match a.family {
                "dpc" => "C",
                "radiation" | "modification" => "B",
                _ => "A",
            };
            BodaccRecord {
                datasetid: "annonces-commerciales",
                fields: BodaccFields {
                    commercant: &c.name,
                    cp: c.postcode,
                    dateparution: date(a.published),
                    depot: a.accounts_closing.map(|closing| {
                        json!({"dateCloture": date(closing), "typeDepot": "Comptes annuels et rapports"}).to_string()
                    }),
                    familleavis: a.family,
                    familleavis_lib: a.family_label,
                    id: &a.id,
                    jugement: a.judgment.map(|(d, famille, nature)| {
                        json!({"date": date(d), "type": "initial", "famille": famille, "nature": nature}).to_string()
                    }),
                    listepersonnes: persons.clone(),
                    publicationavis: letter,
                    publicationavis_facette: format!("Bodacc {letter}"),
                    registre: registry.clone(),
                    tribunal: court.clone(),
                    typeavis: "annonce",
                    typeavis_lib: "Avis initial",
                    ville: c.city,
                },
                record_timestamp: format!("{}T05:05:00Z", date(a.published)),
                recordid: format!("{:040x}", u128::from(seed(&c.siren)) * 31 + a.id.len() as u128 + a.published.num_days_from_ce() as u128),
            }
        })
        .collect();
    BodaccAnswer {
        nhits: records.len(),
        parameters: json!({
            "dataset": ["annonces-commerciales"],
            "q": format!("registre:{siren}"),
            "rows": 100, "start": 0, "sort": ["dateparution"], "format": "json", "timezone": "UTC"
        }),
        records,
    }
}

/// See [`bodacc`]; the field order is the sorted order of the keys.
#[derive(Debug, Serialize)]
pub struct BodaccAnswer<'a> {
    nhits: usize,
    parameters: Value,
    records: Vec<BodaccRecord<'a>>,
}

#[derive(Debug, Serialize)]
struct BodaccRecord<'a> {
    datasetid: &'static str,
    fields: BodaccFields<'a>,
    record_timestamp: String,
    recordid: String,
}

#[derive(Debug, Serialize)]
struct BodaccFields<'a> {
    commercant: &'a str,
    cp: &'a str,
    dateparution: String,
    #[serde(skip_serializing_if = "Option::is_none")]
    depot: Option<String>,
    familleavis: &'static str,
    familleavis_lib: &'static str,
    id: &'a str,
    #[serde(skip_serializing_if = "Option::is_none")]
    jugement: Option<String>,
    listepersonnes: String,
    publicationavis: &'static str,
    publicationavis_facette: String,
    registre: String,
    tribunal: String,
    typeavis: &'static str,
    typeavis_lib: &'static str,
    ville: &'a str,
}

fn bank_of(c: &Company) -> &Bank {
    c.bank
        .as_ref()
        .expect("only called for companies with a bank")
}

fn amount(cents: i64) -> String {
    let sign = if cents < 0 { "-" } else { "" };
    format!("{sign}{}.{:02}", cents.abs() / 100, cents.abs() % 100)
}

fn links(id: &str) -> Value {
    json!({
        "balances": {"href": format!("/v1/accounts/{id}/balances")},
        "transactions": {"href": format!("/v1/accounts/{id}/transactions")}
    })
}

pub fn psd2_accounts(c: &Company) -> Value {
    let b = bank_of(c);
    json!({"accounts": [{
        "resourceId": b.resource_id,
        "iban": b.iban,
        "currency": "EUR",
        "product": "Compte courant professionnel",
        "cashAccountType": "CACC",
        "name": "Compte principal",
        "_links": links(&b.resource_id)
    }]})
}

pub fn psd2_details(c: &Company) -> Value {
    let b = bank_of(c);
    json!({"account": {
        "resourceId": b.resource_id,
        "iban": b.iban,
        "currency": "EUR",
        "ownerName": b.owner_name,
        "product": "Compte courant professionnel",
        "cashAccountType": "CACC",
        "name": "Compte principal",
        "_links": links(&b.resource_id)
    }})
}

pub fn psd2_balances(c: &Company) -> Value {
    let b = bank_of(c);
    let closing = b.closing_balance_cents();
    let yesterday = c.as_of.date_naive() - Days::new(1);
    json!({
        "account": {"iban": b.iban},
        "balances": [
            {"balanceAmount": {"currency": "EUR", "amount": amount(closing)}, "balanceType": "closingBooked", "referenceDate": date(yesterday)},
            {"balanceAmount": {"currency": "EUR", "amount": amount(closing)}, "balanceType": "expected",
             "lastChangeDateTime": c.as_of.format("%Y-%m-%dT%H:%M:%SZ").to_string()}
        ]
    })
}

pub fn psd2_transactions(c: &Company, from: NaiveDate) -> Psd2Transactions<'_> {
    let b = bank_of(c);
    let booked = b
        .transactions
        .iter()
        .filter(|t| t.date >= from)
        .rev()
        .map(|t| {
            let (debtor_name, creditor_name) = if t.amount_cents >= 0 {
                (Some(t.counterparty.as_str()), None)
            } else {
                (None, Some(t.counterparty.as_str()))
            };
            BookedTransaction {
                transaction_id: &t.id,
                booking_date: date(t.date),
                value_date: date(t.date),
                transaction_amount: Money {
                    currency: "EUR",
                    amount: amount(t.amount_cents),
                },
                debtor_name,
                creditor_name,
                remittance_information_unstructured: &t.remittance,
                bank_transaction_code: t.code,
            }
        })
        .collect();
    Psd2Transactions {
        account: AccountReference { iban: &b.iban },
        transactions: TransactionReport {
            booked,
            links: TransactionLinks {
                account: Href {
                    href: format!("/v1/accounts/{}", b.resource_id),
                },
            },
        },
    }
}

/// The NextGenPSD2 transaction report (`GET /v1/accounts/{id}/transactions`), written from
/// typed fields: it is the largest payload of a decision (months of bookings).
#[derive(Debug, serde::Serialize)]
pub struct Psd2Transactions<'a> {
    account: AccountReference<'a>,
    transactions: TransactionReport<'a>,
}

#[derive(Debug, serde::Serialize)]
struct AccountReference<'a> {
    iban: &'a str,
}

#[derive(Debug, serde::Serialize)]
struct TransactionReport<'a> {
    booked: Vec<BookedTransaction<'a>>,
    #[serde(rename = "_links")]
    links: TransactionLinks,
}

#[derive(Debug, serde::Serialize)]
struct TransactionLinks {
    account: Href,
}

#[derive(Debug, serde::Serialize)]
struct Href {
    href: String,
}

#[derive(Debug, serde::Serialize)]
#[serde(rename_all = "camelCase")]
struct BookedTransaction<'a> {
    transaction_id: &'a str,
    booking_date: String,
    value_date: String,
    transaction_amount: Money,
    #[serde(skip_serializing_if = "Option::is_none")]
    debtor_name: Option<&'a str>,
    #[serde(skip_serializing_if = "Option::is_none")]
    creditor_name: Option<&'a str>,
    remittance_information_unstructured: &'a str,
    bank_transaction_code: &'static str,
}

#[derive(Debug, serde::Serialize)]
struct Money {
    currency: &'static str,
    amount: String,
}

/// Something an admin made happen to a sandbox company (the deterioration control), in effect
/// for every moment from `since` on.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub enum Condition {
    /// A redressement judiciaire opens: the judgment two days before `since`, published in
    /// the BODACC on the day of `since`.
    Proceeding,
    /// Cash runs out: a large debit 30 days before `since` keeps the balance below zero from
    /// then on.
    NegativeBalance,
    /// Business grows: in the 30 days up to `since`, customers pay half as much again as the
    /// company's usual monthly inflows (the 60 days before), in a dozen receipts.
    InflowsGrow,
}

impl Condition {
    pub const ALL: [Condition; 3] = [
        Condition::Proceeding,
        Condition::NegativeBalance,
        Condition::InflowsGrow,
    ];

    pub fn as_str(self) -> &'static str {
        match self {
            Condition::Proceeding => "proceeding",
            Condition::NegativeBalance => "negative_balance",
            Condition::InflowsGrow => "inflows_grow",
        }
    }

    pub fn parse(s: &str) -> Option<Condition> {
        Condition::ALL.into_iter().find(|c| c.as_str() == s)
    }
}

/// The company with the conditions in effect at its moment applied.
pub fn apply(company: &mut Company, conditions: &[(Condition, DateTime<Utc>)]) {
    let today = company.as_of.date_naive();
    for (condition, since) in conditions {
        let day = since.date_naive().min(today);
        match condition {
            Condition::Proceeding => {
                company.announcements.push(Announcement {
                    id: format!("SBX{}PC1", company.siren.as_str()),
                    published: day,
                    family: "collective",
                    family_label: "Procédures collectives",
                    judgment: Some((
                        day - Days::new(2),
                        "Jugement d'ouverture",
                        "Jugement d'ouverture d'une procédure de redressement judiciaire",
                    )),
                    accounts_closing: None,
                });
                company.announcements.sort_by_key(|a| a.published);
            }
            Condition::NegativeBalance => {
                let Some(bank) = company.bank.as_mut() else {
                    continue;
                };
                let from = day - Days::new(30);
                // The highest balance from `from` on, so that after the debit every day ends
                // below zero.
                let mut balance = bank.opening_balance_cents
                    + bank
                        .transactions
                        .iter()
                        .filter(|t| t.date < from)
                        .map(|t| t.amount_cents)
                        .sum::<i64>();
                let mut highest = balance;
                let mut later: Vec<&Tx> = bank
                    .transactions
                    .iter()
                    .filter(|t| t.date >= from)
                    .collect();
                later.sort_by_key(|t| t.date);
                for t in later {
                    balance += t.amount_cents;
                    highest = highest.max(balance);
                }
                bank.transactions.push(Tx {
                    id: format!("SBX{}NB001", company.siren.as_str()),
                    date: from,
                    amount_cents: -(highest.max(0) + 2_500_000),
                    counterparty: "DGFIP".into(),
                    remittance: "PRLV SEPA DGFIP REDRESSEMENT FISCAL".into(),
                    code: "PMNT-RDDT-ESDD",
                });
                bank.transactions
                    .sort_by(|a, b| a.date.cmp(&b.date).then(a.id.cmp(&b.id)));
            }
            Condition::InflowsGrow => {
                let Some(bank) = company.bank.as_mut() else {
                    continue;
                };
                let received = |from: NaiveDate, to: NaiveDate| -> i64 {
                    bank.transactions
                        .iter()
                        .filter(|t| t.amount_cents > 0 && t.date > from && t.date <= to)
                        .map(|t| t.amount_cents)
                        .sum()
                };
                // Half of a usual month (the 60 days before the last 30), in 12 receipts.
                let usual_month = received(day - Days::new(90), day - Days::new(30)) / 2;
                let each = usual_month / 2 / 12;
                if each <= 0 {
                    continue;
                }
                for k in 0..12u64 {
                    bank.transactions.push(Tx {
                        id: format!("SBX{}IG{k:03}", company.siren.as_str()),
                        date: day - Days::new(2 + 2 * k),
                        amount_cents: each,
                        counterparty: CUSTOMERS[k as usize % CUSTOMERS.len()].into(),
                        remittance: format!("VIR SEPA REGLEMENT FACTURE NOUVEAU MARCHE {k:03}"),
                        code: "PMNT-RCDT-ESCT",
                    });
                }
                bank.transactions
                    .sort_by(|a, b| a.date.cmp(&b.date).then(a.id.cmp(&b.id)));
            }
        }
    }
}
