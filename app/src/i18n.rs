//! Interface language. Every message exists in English and French by construction: the
//! `messages!` table takes both texts for each key. The choice lives in the `lang` cookie.

use leptos::prelude::*;
use serde::{Deserialize, Serialize};

/// The cookie that remembers the interface language.
pub const LANG_COOKIE: &str = "lang";

/// A language the interface is available in.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Default, Serialize, Deserialize)]
pub enum Lang {
    #[default]
    En,
    Fr,
}

impl Lang {
    pub const ALL: [Lang; 2] = [Lang::En, Lang::Fr];

    /// The BCP 47 tag, as used in `<html lang>` and in the cookie.
    pub fn code(self) -> &'static str {
        match self {
            Lang::En => "en",
            Lang::Fr => "fr",
        }
    }

    /// The language's own name, shown in the switcher.
    pub fn native_name(self) -> &'static str {
        match self {
            Lang::En => "English",
            Lang::Fr => "Français",
        }
    }

    pub fn from_code(code: &str) -> Option<Lang> {
        Lang::ALL.into_iter().find(|l| l.code() == code.trim())
    }

    /// The language from a `Cookie` header, falling back to `Accept-Language`, then English.
    pub fn negotiate(cookie_header: Option<&str>, accept_language: Option<&str>) -> Lang {
        let from_cookie = cookie_header.and_then(|h| {
            h.split(';').find_map(|kv| {
                let (k, v) = kv.trim().split_once('=')?;
                (k == LANG_COOKIE).then(|| Lang::from_code(v)).flatten()
            })
        });
        let from_header = || {
            accept_language.and_then(|h| {
                h.split(',').find_map(|part| {
                    let tag = part.split(';').next()?.trim();
                    Lang::from_code(tag.split('-').next()?)
                })
            })
        };
        from_cookie.or_else(from_header).unwrap_or_default()
    }
}

macro_rules! messages {
    ($($key:ident => $en:literal, $fr:literal;)*) => {
        /// A piece of interface text.
        #[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
        pub enum Msg { $($key),* }

        impl Msg {
            /// Every message, for tests that check the table.
            pub const ALL: &'static [Msg] = &[$(Msg::$key),*];

            /// The text in the given language.
            pub fn text(self, lang: Lang) -> &'static str {
                match (self, lang) {
                    $((Msg::$key, Lang::En) => $en, (Msg::$key, Lang::Fr) => $fr,)*
                }
            }
        }
    };
}

messages! {
    AppName => "Aval", "Aval";
    AppTagline => "Credit decisions", "Décisions de crédit";
    SkipToContent => "Skip to content", "Aller au contenu";
    MainNavigation => "Main navigation", "Navigation principale";
    NavHome => "Home", "Accueil";
    NavApplications => "My applications", "Mes demandes";
    NavQueue => "Review queue", "File de revue";
    NavAudit => "Decision search", "Recherche de décisions";
    NavUsers => "Users", "Utilisateurs";
    NavKeys => "API keys", "Clés d'API";
    Language => "Language", "Langue";
    SignIn => "Sign in", "Se connecter";
    SignOut => "Sign out", "Se déconnecter";
    SignInTitle => "Sign in to Aval", "Connexion à Aval";
    SignInIntro => "Use the account your administrator gave you.", "Utilisez le compte fourni par votre administrateur.";
    Username => "Username", "Identifiant";
    Password => "Password", "Mot de passe";
    SignedInAs => "Signed in as", "Connecté en tant que";
    ErrInvalidCredentials => "The username or password is incorrect.", "L'identifiant ou le mot de passe est incorrect.";
    ErrMissingCredentials => "Enter both your username and your password.", "Saisissez votre identifiant et votre mot de passe.";
    ErrAccountLocked => "Too many failed sign-in attempts for this account. Try again in {minutes} min.", "Trop de tentatives de connexion échouées pour ce compte. Réessayez dans {minutes} min.";
    ErrAddressLocked => "Too many failed sign-in attempts from your network address. Try again in {minutes} min.", "Trop de tentatives de connexion échouées depuis votre adresse réseau. Réessayez dans {minutes} min.";
    SessionExpired => "Your session has expired. Sign in again to continue.", "Votre session a expiré. Reconnectez-vous pour continuer.";
    SignedOut => "You are signed out.", "Vous êtes déconnecté.";
    ErrServer => "Something went wrong on our side. Try again; if it persists, give the request id to support.", "Une erreur est survenue de notre côté. Réessayez ; si elle persiste, communiquez l'identifiant de requête au support.";
    ForbiddenTitle => "Access denied", "Accès refusé";
    ForbiddenBody => "Your role does not give access to this page. If you need it, ask an administrator.", "Votre rôle ne donne pas accès à cette page. Si vous en avez besoin, demandez à un administrateur.";
    NotFoundTitle => "Page not found", "Page introuvable";
    NotFoundBody => "There is no page at this address.", "Aucune page ne correspond à cette adresse.";
    BackHome => "Back to your home page", "Retour à votre page d'accueil";
    Loading => "Loading…", "Chargement…";
    RoleSalesRep => "Sales rep", "Commercial";
    RoleCreditManager => "Credit manager", "Analyste crédit";
    RoleAuditor => "Auditor", "Auditeur";
    RoleAdmin => "Administrator", "Administrateur";
    Welcome => "Welcome", "Bienvenue";
    HomeSalesRep => "Request instant credit decisions for your customers and follow your applications.", "Demandez des décisions de crédit instantanées pour vos clients et suivez vos demandes.";
    HomeCreditManager => "Review the cases the engine refers to a human: uncertain scores, incomplete data, fraud signals, amounts above automatic authority.", "Examinez les dossiers que le moteur soumet à un humain : score incertain, données incomplètes, signaux de fraude, montants au-delà de la délégation automatique.";
    HomeAuditor => "Search any decision, read its dossier and replay it under the exact versions that decided.", "Recherchez toute décision, consultez son dossier et rejouez-la avec les versions exactes qui l'ont prise.";
    HomeAdmin => "Manage the people who use Aval, their roles and access.", "Gérez les personnes qui utilisent Aval, leurs rôles et leurs accès.";
    NotYetAvailable => "Not available yet", "Pas encore disponible";
    ApplicationsEmpty => "You have no applications yet.", "Vous n'avez encore aucune demande.";
    QueueEmpty => "The review queue is empty: no case is waiting for a decision.", "La file de revue est vide : aucun dossier n'attend de décision.";
    AuditEmpty => "No decision matches.", "Aucune décision ne correspond.";
    UsersTitle => "Users", "Utilisateurs";
    UsersIntro => "Everyone who can sign in, with their role. New accounts and reset passwords get a generated password, shown once: hand it over in person or by phone. Deactivating an account or resetting its password ends its open sessions at once.", "Toutes les personnes qui peuvent se connecter, avec leur rôle. Les nouveaux comptes et les mots de passe réinitialisés reçoivent un mot de passe généré, affiché une seule fois : remettez-le en personne ou par téléphone. Désactiver un compte ou réinitialiser son mot de passe ferme aussitôt ses sessions ouvertes.";
    CreateUser => "Create an account", "Créer un compte";
    ColDisplayName => "Full name", "Nom complet";
    PasswordIssuedFor => "Generated password for", "Mot de passe généré pour";
    PasswordShownOnce => "Copy it now: it will not be shown again.", "Copiez-le maintenant : il ne sera plus affiché.";
    UserChanged => "Account updated:", "Compte modifié :";
    ChangeRole => "Change role", "Changer de rôle";
    Deactivate => "Deactivate", "Désactiver";
    Reactivate => "Reactivate", "Réactiver";
    ResetPassword => "Reset password", "Réinitialiser le mot de passe";
    ColActions => "Actions", "Actions";
    You => "you", "vous";
    BalanceTitle => "End-of-day balance, last 90 days", "Solde de fin de journée, 90 derniers jours";
    BalanceAxis => "Balance (all euro accounts)", "Solde (tous comptes en euros)";
    AxisDay => "Day", "Jour";
    AxisAmount => "Amount", "Montant";
    AxisDecision => "Decision", "Décision";
    AxisPdPercent => "Probability of default", "Probabilité de défaut";
    ChartAutomaticIncreases => "Automatic line increases per day (amount)", "Hausses automatiques de lignes par jour (montant)";
    ChartCompanyPd => "Probability of default over time", "Probabilité de défaut dans le temps";
    PortfolioTitle => "Portfolio: granted lines", "Portefeuille : lignes accordées";
    PortfolioSummary => "{lines} active lines, exposure {exposure}, expected loss {loss} (loss given default {lgd}).", "{lines} lignes actives, exposition {exposure}, perte attendue {loss} (perte en cas de défaut {lgd}).";
    PortfolioIncreases => "In the period: {n} automatic increases ({amount}), {referred} increases referred to a credit manager.", "Sur la période : {n} hausses automatiques ({amount}), {referred} hausses soumises à un analyste crédit.";
    PortfolioEmpty => "No line granted yet.", "Aucune ligne accordée pour l'instant.";
    ColGrade => "Grade", "Note";
    ColLines => "Lines", "Lignes";
    ColExposure => "Exposure", "Exposition";
    ColExpectedLoss => "Expected loss", "Perte attendue";
    BalanceNone => "No bank account was connected for this decision, so there is no balance history.", "Aucun compte bancaire n'était connecté pour cette décision : pas d'historique de solde.";
    NegativeDays => "Days below zero", "Jours sous zéro";
    LowestBalance => "Lowest", "Plus bas";
    LatestBalance => "Latest", "Dernier";
    RatiosTitle => "Financial ratios and the model's thresholds", "Ratios financiers et seuils du modèle";
    RatiosIntro => "The model scores each ratio by band: the band a ratio falls in (highlighted) sets its effect on the score, in points.", "Le modèle note chaque ratio par tranche : la tranche où tombe le ratio (surlignée) fixe son effet sur le score, en points.";
    RatiosNone => "No accounts (FEC file or filed balance sheet) were available: the score rests on cash-flow and legal data.", "Aucun compte (fichier FEC ou bilan déposé) n'était disponible : le score repose sur les flux bancaires et les données légales.";
    ColRatio => "Ratio", "Indicateur";
    ColValue => "Value", "Valeur";
    ColBands => "Bands and points", "Tranches et points";
    RatiosIntroTrees => "Each ratio's exact contribution to the score (TreeSHAP), in points: they add up, with the intercept and the cash-flow and legal terms, to the score. Beside it, where the value sits among the companies the model learned from. A ratio whose denominator is zero is undefined and read as the model learned it; an unknown one contributes nothing.", "La contribution exacte de chaque ratio au score (TreeSHAP), en points : avec la constante et les termes de trésorerie et juridiques, elles font le score. À côté, la place de la valeur parmi les entreprises dont le modèle a appris. Un ratio dont le dénominateur est nul est non défini et lu comme le modèle l'a appris ; un ratio inconnu ne compte pas.";
    ColGroup => "Group", "Famille";
    RatiosAll => "The other ratios (all {n})", "Les autres ratios ({n} en tout)";
    RatiosTitleTrees => "Financial ratios and their contributions", "Ratios financiers et leurs contributions";
    DriftFew => "With so few decisions the index mostly measures the sample's smallness: read it from a few hundred decisions on.", "Avec si peu de décisions, l'indice mesure surtout la petite taille de l'échantillon : il se lit à partir de quelques centaines de décisions.";
    ColReference => "Among the reference companies", "Parmi les entreprises de référence";
    RatioDecile => "decile {d} of 10, median {m}", "décile {d} sur 10, médiane {m}";
    RatioUndefined => "undefined (zero denominator)", "non défini (dénominateur nul)";
    RatioUnknown => "unknown", "inconnu";
    MissingValue => "missing", "manquant";
    LegalTitle => "Legal events", "Événements légaux";
    LegalNone => "No announcement was published about this company.", "Aucune annonce n'a été publiée sur cette entreprise.";
    LegalUnavailable => "The legal-announcements source did not answer for this decision.", "La source des annonces légales n'a pas répondu pour cette décision.";
    PublishedOn => "published", "publié le";
    NavDashboard => "Dashboard", "Tableau de bord";
    NavWebhooks => "Webhooks", "Webhooks sortants";
    WebhooksIntro => "Endpoints of the lender's systems, the events each one subscribes to, and every delivery. Events are written with the change that causes them and delivered at least once: each delivery is signed (Standard Webhooks: webhook-id, webhook-timestamp, webhook-signature), retried with growing waits when the endpoint does not answer 2xx, and moved to the dead letter after the last attempt. An endpoint that keeps failing is disabled.", "Points de réception des systèmes du prêteur, les événements auxquels chacun est abonné, et chaque envoi. Les événements sont écrits avec le changement qui les cause et livrés au moins une fois : chaque envoi est signé (Standard Webhooks : webhook-id, webhook-timestamp, webhook-signature), renvoyé à intervalles croissants tant que le point de réception ne répond pas 2xx, et classé en lettre morte après la dernière tentative. Un point de réception qui échoue sans cesse est désactivé.";
    DeliveryLog => "Delivery log", "Journal des envois";
    DeliveryLogEmpty => "No event has been queued for an endpoint yet.", "Aucun événement n'a encore été mis en file pour un point de réception.";
    ColEvent => "Event", "Événement";
    ColEndpoint => "Endpoint", "Point de réception";
    ColAttempts => "Attempts", "Tentatives";
    ColNextAttempt => "Next attempt", "Prochaine tentative";
    DeliveryPending => "Pending", "En attente";
    DeliveryDelivered => "Delivered", "Livré";
    DeliveryDead => "Dead letter", "Lettre morte";
    Redeliver => "Deliver again", "Renvoyer";
    Redelivered => "Queued again: it will be delivered in a moment.", "Remis en file : il sera envoyé dans un instant.";
    NoAnswer => "no answer", "pas de réponse";
    DisabledAutomatically => "Disabled automatically", "Désactivé automatiquement";
    FailuresInARow => "{n} failed attempts in a row", "{n} tentatives échouées d'affilée";
    PendingWhileDisabled => "Deliveries to a disabled endpoint wait until it is enabled again.", "Les envois vers un point de réception désactivé attendent qu'il soit réactivé.";
    MonitoringTitle => "Monitoring", "Surveillance";
    MonitoringIntro => "Every grant enrols its company. The scheduler re-gathers its sources every {every} and re-decides the application under the current policy; a lower grade, a new collective proceeding or a limit below the one granted opens a review case for the credit managers and sends company.risk_changed. When nothing is worse and the company's inflows grow, its line rises by itself under the policy (credit_limit.changed), or a case proposes the increase beyond the automatic authority.", "Chaque octroi inscrit l'entreprise. Le planificateur recollecte ses sources toutes les {every} et redécide la demande selon la politique en vigueur ; une note plus basse, une nouvelle procédure collective ou une limite inférieure à celle accordée ouvre un dossier de revue pour les gestionnaires de crédit et envoie company.risk_changed. Quand rien ne s'est dégradé et que les encaissements augmentent, la ligne de l'entreprise augmente d'elle-même selon la politique (credit_limit.changed), ou un dossier propose la hausse au-delà de la délégation automatique.";
    MonitoringEmpty => "No company is monitored yet: approve an application to enrol its company.", "Aucune entreprise n'est surveillée : approuvez une demande pour inscrire l'entreprise.";
    MonitoringOff => "Monitoring is turned off in the configuration (monitoring.enabled).", "La surveillance est désactivée dans la configuration (monitoring.enabled).";
    ColGranted => "Granted", "Accordé";
    ColLastCheck => "Last check", "Dernier contrôle";
    ColNextCheck => "Next check", "Prochain contrôle";
    ColResult => "Result", "Résultat";
    CheckNow => "Check now", "Contrôler maintenant";
    CheckScheduled => "Check of {siren} started: the result appears here in a moment.", "Contrôle de {siren} lancé : le résultat s'affiche ici dans un instant.";
    ResultUnchanged => "Unchanged", "Inchangé";
    ResultRiskChanged => "Risk changed", "Risque modifié";
    ResultSourceFailed => "Source failed", "Source en échec";
    ResultIncreased => "Line increased", "Ligne augmentée";
    CompanyTitle => "Company", "Entreprise";
    ProposedReducedLimit => "the engine proposes", "le moteur propose";
    CompanyMonitoring => "Monitoring", "Surveillance";
    CompanyLastCheck => "Last check:", "Dernière vérification :";
    CompanyNextCheck => "Next check:", "Prochaine vérification :";
    CompanyExposure => "Exposure:", "Exposition :";
    CompanyExpectedLoss => "expected loss:", "perte attendue :";
    CompanyLgd => "loss given default", "perte en cas de défaut";
    CompanyOpenCases => "Open cases", "Dossiers ouverts";
    CompanyNoOpenCase => "No open case.", "Aucun dossier ouvert.";
    CompanyGradeOverTime => "Grade and probability of default over time", "Note et probabilité de défaut dans le temps";
    CompanyWhen => "When", "Quand";
    CompanyOrigin => "Origin", "Origine";
    CompanyGranted => "Granted", "Accordé";
    CompanyChange => "Change", "Changement";
    CompanyLimit => "Limit", "Limite";
    CompanyBy => "By", "Par";
    CompanyWhy => "Why", "Pourquoi";
    ResultIncreaseProposed => "Increase proposed", "Hausse proposée";
    ResultSuperseded => "Superseded, checking again", "Dépassé, nouvelle vérification";
    NotCheckedYet => "not yet", "pas encore";
    SandboxDeteriorate => "Sandbox: make a company deteriorate", "Bac à sable : dégrader une entreprise";
    SandboxDeteriorateIntro => "Sandbox only. From now on, the sandbox sources show the company with the chosen event; its monitoring check runs at once. Earlier decisions keep the data they used.", "Bac à sable uniquement. Désormais, les sources du bac à sable montrent l'entreprise avec l'événement choisi ; son contrôle de surveillance est lancé aussitôt. Les décisions passées gardent les données qu'elles ont utilisées.";
    ConditionProceeding => "A collective proceeding opens (redressement judiciaire published in the BODACC)", "Une procédure collective s'ouvre (redressement judiciaire publié au BODACC)";
    ConditionNegativeBalance => "Cash runs out (the balance stays below zero for the last 30 days)", "La trésorerie s'épuise (le solde reste négatif sur les 30 derniers jours)";
    ConditionInflowsGrow => "Inflows grow (customers pay half a month more over the last 30 days)", "Les encaissements augmentent (les clients paient un demi-mois de plus sur les 30 derniers jours)";
    ApplyCondition => "Apply", "Appliquer";
    ConditionSet => "{siren}: the condition is in effect.", "{siren} : la condition est en vigueur.";
    ConditionsInEffect => "In effect", "En vigueur";
    MonitoringReview => "Monitoring review", "Revue de surveillance";
    MonitoringReviewText => "Monitoring re-decided this company and found it worse than when it was last seen. Granted: {granted}.", "La surveillance a redécidé cette entreprise et l'a trouvée dégradée depuis la dernière fois. Accordé : {granted}.";
    GrantDecision => "The grant", "L'octroi";
    PreviousCheck => "Compared with", "Comparé à";
    ChangeGradeDown => "Grade down: {from} → {to}", "Note abaissée : {from} → {to}";
    ChangeProceeding => "Collective proceeding: status {from} → {to} (0 none, 1 under a plan, 2 open, 3 closed for insufficient assets)", "Procédure collective : statut {from} → {to} (0 aucune, 1 plan en cours, 2 ouverte, 3 clôturée pour insuffisance d'actif)";
    ChangeLimit => "Proposed limit {proposed}, below the {granted} granted", "Limite proposée {proposed}, inférieure aux {granted} accordés";
    ReferralRiskChanged => "Risk changed under monitoring", "Risque modifié en surveillance";
    ReferralIncreaseProposed => "Line increase above the automatic authority", "Hausse de ligne au-delà de la délégation automatique";
    AddEndpoint => "Add an endpoint", "Ajouter un point de réception";
    EndpointUrl => "Address (https://…)", "Adresse (https://…)";
    EventTypes => "Event types", "Types d'événements";
    SecretShownOnce => "Signing secret of the new endpoint. Copy it now: it will not be shown again.", "Secret de signature du nouveau point de réception. Copiez-le maintenant : il ne sera plus affiché.";
    SendTest => "Send a test event", "Envoyer un événement de test";
    Disable => "Disable", "Désactiver l'envoi";
    Enable => "Enable", "Activer l'envoi";
    TestAnswered => "Test event {event}: the endpoint answered {status} in {ms} ms.", "Événement de test {event} : le point de réception a répondu {status} en {ms} ms.";
    TestNoAnswer => "Test event {event}: no answer from the endpoint after {ms} ms.", "Événement de test {event} : pas de réponse du point de réception après {ms} ms.";
    WebhooksEmpty => "No endpoint yet.", "Aucun point de réception pour l'instant.";
    StatusEnabled => "Enabled", "Activé";
    StatusDisabled => "Disabled", "Désactivé";
    ShortcutHint => "Press ? for keyboard shortcuts.", "Appuyez sur ? pour les raccourcis clavier.";
    ShortcutsTitle => "Keyboard shortcuts", "Raccourcis clavier";
    ShortcutRows => "Next / previous row of a list", "Ligne suivante / précédente d'une liste";
    ShortcutOpen => "Open the selected row", "Ouvrir la ligne sélectionnée";
    ShortcutField => "Go to the first filter or field", "Aller au premier filtre ou champ";
    ShortcutEscape => "Leave a field, close this list", "Quitter un champ, fermer cette liste";
    DashboardIntro => "Decisions of the workspace's world over the chosen period, and the queue as it stands now. Days are UTC.", "Décisions de l'espace de travail sur la période choisie, et la file telle qu'elle est maintenant. Jours en UTC.";
    DashboardEmpty => "No decision in this period yet.", "Aucune décision sur cette période.";
    LastDays => "Last {n} days", "{n} derniers jours";
    KpiDecisions => "Decisions", "Décisions";
    KpiAutomatic => "Decided automatically", "Décidées automatiquement";
    KpiApproval => "Approval rate (in force)", "Taux d'accord (en vigueur)";
    KpiOverride => "Override rate", "Taux de modification";
    KpiOverrideDetail => "{n} of {m} automatic decisions changed", "{n} décisions automatiques modifiées sur {m}";
    KpiQueue => "Queue now", "File actuelle";
    KpiQueueDetail => "{n} beyond the {h} h target", "{n} au-delà de l'objectif de {h} h";
    KpiLatency => "Latency p50 / p99", "Latence p50 / p99";
    ChartOutcomesPerDay => "Decisions per day by automated outcome", "Décisions par jour selon la décision automatique";
    ChartRatesByProduct => "Approval and override rates by product", "Taux d'accord et de modification par produit";
    ChartQueueAge => "Open cases by time waited", "Dossiers ouverts selon l'attente";
    ChartLatency => "Decision latency per day", "Latence de décision par jour";
    ChartScores => "Score distribution by automated outcome", "Distribution des scores selon la décision automatique";
    DriftTitle => "Population stability (PSI) against the training data", "Stabilité de la population (PSI) par rapport aux données d'apprentissage";
    DriftIntro => "For the model in force ({model}), {n} decisions in the period: the population stability index of the model's score and of each of its inputs, over the period and month by month, against the training companies' deciles. Below 0.1 stable, 0.1 to 0.25 to watch, above 0.25 to act on. Unknown values (no accounts, a line not given) are left out of the index and counted below.", "Pour le modèle en vigueur ({model}), {n} décisions sur la période : indice de stabilité de la population du score du modèle et de chacune de ses entrées, sur la période et mois par mois, par rapport aux déciles des entreprises d'apprentissage. Sous 0,1 stable, de 0,1 à 0,25 à surveiller, au-delà de 0,25 à traiter. Les valeurs inconnues (pas de comptes, ligne non fournie) sont exclues de l'indice et comptées plus bas.";
    DriftNone => "No decision of the model in force in this period: nothing to compare yet.", "Aucune décision du modèle en vigueur sur cette période : rien à comparer pour l'instant.";
    DriftInput => "Input", "Entrée";
    DriftPeriod => "Period", "Période";
    DriftScore => "Model score", "Score du modèle";
    DriftStable => "stable", "stable";
    DriftWatch => "watch", "à surveiller";
    DriftAct => "act", "à traiter";
    DriftMore => "The other inputs", "Les autres entrées";
    DriftMissingTitle => "Inputs most often without a value", "Entrées le plus souvent sans valeur";
    DriftUnknown => "Unknown", "Inconnue";
    DriftUndefined => "Undefined (zero denominator)", "Non définie (dénominateur nul)";
    AxisDecisions => "Decisions", "Nombre de décisions";
    AxisProduct => "Product", "Produit";
    AxisRate => "Share of decisions (%)", "Part des décisions (%)";
    AxisWaited => "Time waited", "Attente";
    AxisCases => "Open cases", "Dossiers ouverts";
    AxisMs => "Milliseconds", "Millisecondes";
    AxisScore => "Score (band start)", "Score (début de tranche)";
    SeriesAutoApproval => "Approved automatically", "Accordé automatiquement";
    SeriesApproval => "Approved in force", "Accordé en vigueur";
    SeriesOverride => "Overridden", "Modifié";
    UsersByRole => "Active users by role", "Utilisateurs actifs par rôle";
    ColName => "Name", "Nom";
    ColUsername => "Username", "Identifiant";
    ColRole => "Role", "Rôle";
    ColStatus => "Status", "Statut";
    ColCreated => "Created", "Créé le";
    ColLastSignIn => "Last sign-in", "Dernière connexion";
    StatusActive => "Active", "Actif";
    StatusInactive => "Deactivated", "Désactivé";
    Never => "Never", "Jamais";
    NewApplication => "New application", "Nouvelle demande";
    NewApplicationIntro => "The decision comes back at once. Referred cases go to a credit manager and this page follows them.", "La décision revient immédiatement. Les dossiers soumis à revue partent chez un analyste crédit et cette page les suit.";
    FieldSiren => "Company SIREN", "SIREN de l'entreprise";
    FieldSirenHint => "9 digits; the company's name and status appear as you type.", "9 chiffres ; le nom et le statut de l'entreprise s'affichent pendant la saisie.";
    FieldAmount => "Amount (€)", "Montant (€)";
    FieldProduct => "Product", "Produit";
    FieldInvoiceAmount => "Invoice amount (€)", "Montant de la facture (€)";
    FieldDebtorSiren => "Paying customer's SIREN", "SIREN du client payeur";
    FieldCurrentLimit => "Current limit (€)", "Limite actuelle (€)";
    FieldExternalReference => "Your reference (optional)", "Votre référence (facultatif)";
    FactoringOnly => "Factoring only", "Affacturage uniquement";
    CreditLineOnly => "Credit-line increase only", "Augmentation de ligne uniquement";
    SubmitApplication => "Get a decision", "Obtenir une décision";
    SirenInvalid => "Not a valid SIREN: 9 digits with a valid check digit.", "SIREN invalide : 9 chiffres avec une clé de contrôle valide.";
    CompanyActive => "Active", "Active";
    CompanyCeased => "Ceased", "Cessée";
    CompanyCreated => "created", "créée le";
    CompanyUnknown => "Not found in the registry", "Introuvable au répertoire";
    ProductBnpl => "B2B buy now, pay later", "Paiement fractionné B2B";
    ProductFactoring => "Instant invoice factoring", "Affacturage instantané";
    ProductCreditLine => "Credit-line increase", "Augmentation de ligne de crédit";
    OutcomeApprove => "Approved", "Accordé";
    OutcomeRefer => "In review", "En revue";
    OutcomeDecline => "Declined", "Refusé";
    OutcomeCounterOffer => "Counter-offer", "Contre-proposition";
    StatusDecided => "Decided automatically", "Décidé automatiquement";
    StatusInReview => "In review", "En revue";
    StatusAwaiting => "Awaiting a second manager", "En attente d'un second analyste";
    StatusResolved => "Decided by a credit manager", "Décidé par un analyste crédit";
    ColCompany => "Company", "Entreprise";
    ColProduct => "Product", "Produit";
    ColAmount => "Amount", "Montant";
    ColOutcome => "Outcome", "Résultat";
    ColDecided => "Decided", "Décidé le";
    ColScore => "Score", "Score";
    ColReferral => "Why referred", "Motif de revue";
    ColAge => "Age", "Ancienneté";
    ColHolder => "Held by", "Pris par";
    ColLimit => "Limit", "Limite";
    Free => "Free", "Libre";
    PagePrevious => "Previous", "Précédent";
    PageNext => "Next", "Suivant";
    PageOf => "Page {page} of {pages} · {total} cases", "Page {page} sur {pages} · {total} dossiers";
    ProposedLimit => "Proposed limit", "Limite proposée";
    GrantedLimit => "Limit granted", "Limite accordée";
    ScoreAndGrade => "Score and grade", "Score et note";
    ProbabilityOfDefault => "Probability of default (1 year)", "Probabilité de défaut (1 an)";
    WhyThisDecision => "Why this decision", "Pourquoi cette décision";
    WhatNext => "What happens next", "La suite";
    NextApprove => "You can confirm the order to your customer now, within the limit shown.", "Vous pouvez confirmer la commande à votre client dès maintenant, dans la limite indiquée.";
    NextDecline => "Tell your customer the application cannot be accepted. A credit manager can review it on request.", "Informez votre client que la demande ne peut pas être acceptée. Un analyste crédit peut la réexaminer sur demande.";
    NextRefer => "A credit manager is reviewing this case. This page updates by itself when they decide.", "Un analyste crédit examine ce dossier. Cette page se met à jour d'elle-même dès sa décision.";
    NextCounterOffer => "A credit manager offers a different limit: propose it to your customer.", "Un analyste crédit propose une autre limite : proposez-la à votre client.";
    ReferralUncertainScore => "Uncertain score", "Score incertain";
    ReferralLowCoverage => "Low data coverage", "Données insuffisantes";
    ReferralFraudSignal => "Fraud signal", "Signal de fraude";
    ReferralAboveAuthority => "Above automatic authority", "Au-delà de la délégation automatique";
    ReferralAboveLimit => "Above the proposed limit", "Au-delà de la limite proposée";
    ReferralThinFile => "Thin file", "Dossier mince";
    FilterReferral => "Referral reason", "Motif de revue";
    FilterProduct => "Product", "Produit";
    FilterSort => "Sort", "Tri";
    FilterAny => "Any", "Tous";
    SortOldest => "Oldest first", "Plus anciens d'abord";
    SortNewest => "Newest first", "Plus récents d'abord";
    SortAmountDesc => "Largest amount first", "Montant décroissant";
    SortScoreAsc => "Lowest score first", "Score croissant";
    ApplyFilters => "Apply", "Appliquer";
    QueueIntro => "Referred cases, oldest first. Claim a case to work on it: nobody else can act on it until you decide or release it.", "Dossiers soumis à revue, les plus anciens d'abord. Prenez un dossier pour le traiter : personne d'autre ne peut agir dessus tant que vous ne l'avez pas décidé ou libéré.";
    OverTarget => "over target", "hors délai";
    CaseTitle => "Case", "Dossier";
    Reasons => "Reason codes", "Codes motifs";
    Points => "points", "points";
    FraudSignals => "Fraud signals", "Signaux de fraude";
    NoFraudSignals => "No fraud signal.", "Aucun signal de fraude.";
    SourcesUsed => "Sources used", "Sources utilisées";
    SourceMissing => "missing", "absente";
    History => "History", "Historique";
    NoEvents => "No human action yet: the automated decision stands.", "Aucune action humaine : la décision automatique s'applique.";
    Versions => "Versions", "Versions";
    Claim => "Claim this case", "Prendre ce dossier";
    Release => "Release", "Libérer";
    HeldBy => "Held by {name}", "Pris par {name}";
    Decide => "Decide", "Décider";
    DecideIntro => "Your decision is recorded with your name; the automated decision stays as it was.", "Votre décision est enregistrée à votre nom ; la décision automatique reste inchangée.";
    FourEyesNotice => "Granting more than {amount} needs a second credit manager's confirmation.", "Accorder plus de {amount} nécessite la confirmation d'un second analyste crédit.";
    FieldOutcome => "Decision", "Décision";
    FieldLimit => "Limit offered (€), for a counter-offer", "Limite proposée (€), pour une contre-proposition";
    FieldCategory => "Category", "Catégorie";
    FieldJustification => "Justification", "Justification";
    FieldJustificationHint => "At least 20 characters: what you checked and why you decide this way.", "Au moins 20 caractères : ce que vous avez vérifié et pourquoi vous décidez ainsi.";
    RecordDecision => "Record the decision", "Enregistrer la décision";
    AddNote => "Add a note", "Ajouter une note";
    NoteText => "Note", "Note";
    Pending => "Awaiting confirmation", "En attente de confirmation";
    PendingBy => "Proposed by {name}", "Proposé par {name}";
    Confirm => "Confirm", "Confirmer";
    Reject => "Send back", "Renvoyer";
    RejectReason => "Why you send it back", "Motif du renvoi";
    OwnProposal => "You proposed this decision: another credit manager must confirm it.", "Vous avez proposé cette décision : un autre analyste crédit doit la confirmer.";
    ActionDone => "Recorded.", "Enregistré.";
    CategoryAdditionalDocuments => "Additional documents received", "Documents complémentaires reçus";
    CategoryGuarantee => "Guarantee or collateral", "Garantie ou sûreté";
    CategoryRelationshipHistory => "Relationship history", "Historique de la relation";
    CategoryDataError => "Error in the source data", "Erreur dans les données sources";
    CategoryRiskAppetite => "Risk appetite", "Appétence au risque";
    CategoryFraudSuspected => "Fraud suspected", "Suspicion de fraude";
    CategoryFraudCleared => "Fraud signal cleared", "Signal de fraude levé";
    CategoryOther => "Other", "Autre";
    EventClaimed => "claimed the case", "a pris le dossier";
    EventReleased => "released the case", "a libéré le dossier";
    EventNote => "wrote a note", "a écrit une note";
    EventProposed => "proposed a decision", "a proposé une décision";
    EventConfirmed => "confirmed the decision", "a confirmé la décision";
    EventRejected => "sent the proposal back", "a renvoyé la proposition";
    EventDecided => "decided", "a décidé";
    BackToQueue => "Back to the queue", "Retour à la file";
    BackToApplications => "Back to my applications", "Retour à mes demandes";
    Overridden => "Overridden", "Modifiée";
    FilterFrom => "From", "Du";
    ChartScoreTitle => "How the score is built", "Construction du score";
    ChartScoreAxis => "Score points", "Points de score";
    ChartBase => "Base", "Base";
    ChartOthers => "Other factors", "Autres facteurs";
    ChartScore => "Score", "Score";
    EngineVersions => "Model and policy versions", "Versions du modèle et de la politique";
    EngineVersionsIntro => "Every version that has decided is kept with its exact content, so that any past decision can be replayed with it.", "Chaque version ayant décidé est conservée avec son contenu exact, pour pouvoir rejouer toute décision passée.";
    VersionKind => "Kind", "Type";
    VersionName => "Version", "Version du composant";
    InForce => "In force", "En vigueur";
    KeptForReplay => "Kept for replay", "Conservée pour rejeu";
    Lineage => "Data lineage", "Traçabilité des données";
    LineageIntro => "Each feature with the snapshot it was read from and the part of the raw payload, highlighted. Open a line to see it.", "Chaque variable avec l'instantané dont elle est tirée et la partie de la réponse brute, surlignée. Ouvrez une ligne pour la voir.";
    LineagePath => "Where in the payload", "Emplacement dans la réponse";
    LineageTransform => "Computation", "Calcul";
    LineageRequest => "Request", "Requête";
    Missing => "missing", "absente";
    NoSnapshot => "no snapshot", "aucun instantané";
    KeysIntro => "Keys for the lenders' systems. A sandbox key only ever sees the sandbox world, a live key only the live connectors. The key is shown once, when it is created; only its hash is kept.", "Clés des systèmes des prêteurs. Une clé sandbox ne voit que le monde sandbox, une clé live que les connecteurs réels. La clé n'est affichée qu'une fois, à sa création ; seule son empreinte est conservée.";
    KeyName => "Name", "Nom";
    KeyMode => "Mode", "Mode d'accès";
    KeyPrefix => "Key starts with", "Début de la clé";
    PasswordTitle => "Your password", "Votre mot de passe";
    PasswordIntro => "Choose a password of at least 12 characters that is not easy to guess: not a common password, not your name. Your other sessions end when it changes.", "Choisissez un mot de passe d'au moins 12 caractères difficile à deviner : pas un mot de passe courant, pas votre nom. Vos autres sessions se ferment quand il change.";
    PasswordRequired => "The password you were given was generated for you: choose your own before going on.", "Le mot de passe qui vous a été remis a été généré : choisissez le vôtre avant de continuer.";
    PasswordChanged => "Your password was changed.", "Votre mot de passe a été changé.";
    PasswordCurrent => "Current password", "Mot de passe actuel";
    PasswordNew => "New password", "Nouveau mot de passe";
    PasswordRepeat => "New password again", "Nouveau mot de passe (encore)";
    PasswordSubmit => "Change my password", "Changer mon mot de passe";
    NavPassword => "Password", "Mot de passe";
    KeyScopes => "Scopes (what the key may do)", "Portées (ce que la clé peut faire)";
    CreateKey => "Create a key", "Créer une clé";
    RevokeKey => "Revoke", "Révoquer";
    KeyRevoked => "Revoked", "Révoquée";
    KeyActive => "Active", "Active";
    KeyCreatedOnce => "Copy this key now: it will not be shown again.", "Copiez cette clé maintenant : elle ne sera plus affichée.";
    KeysEmpty => "No API key yet.", "Aucune clé d'API pour l'instant.";
    KeyRevokedNotice => "The key is revoked: requests with it are refused from now on.", "La clé est révoquée : les requêtes qui l'utilisent sont désormais refusées.";
    Replay => "Replay", "Rejeu";
    ReplayIntro => "Re-runs parsing, features and scoring from the stored snapshots.", "Rejoue l'analyse des données, les variables et le score à partir des instantanés conservés.";
    ReplayRecorded => "Replay with its versions", "Rejouer avec ses versions";
    ReplayCurrent => "What today's versions would decide", "Ce que décideraient les versions actuelles";
    ReplayIdentical => "Identical: the replay gives exactly the recorded decision.", "Identique : le rejeu donne exactement la décision enregistrée.";
    ReplayDifferent => "{count} differences from the recorded decision:", "{count} différences avec la décision enregistrée :";
    Export => "Export", "Export";
    ExportJson => "Dossier as JSON", "Dossier en JSON";
    PrintHint => "To print the dossier, print this page: navigation and actions are left out.", "Pour imprimer le dossier, imprimez cette page : la navigation et les actions sont omises.";
    ChainIntact => "Audit trail verified: {records} records, every link intact.", "Piste d'audit vérifiée : {records} enregistrements, tous les maillons intacts.";
    ChainBroken => "Audit trail BROKEN at record {seq} ({id}): {problem}", "Piste d'audit ROMPUE à l'enregistrement {seq} ({id}) : {problem}";
    FilterTo => "To", "Au";
    Yes => "Yes", "Oui";
    No => "No", "Non";
}

impl Msg {
    /// The text with `{name}` placeholders replaced.
    pub fn format(self, lang: Lang, args: &[(&str, &str)]) -> String {
        args.iter()
            .fold(self.text(lang).to_owned(), |text, (name, value)| {
                text.replace(&format!("{{{name}}}"), value)
            })
    }
}

/// The label of a role in the interface language.
pub fn role_label(role: crate::model::Role, lang: Lang) -> &'static str {
    use crate::model::Role;
    match role {
        Role::SalesRep => Msg::RoleSalesRep,
        Role::CreditManager => Msg::RoleCreditManager,
        Role::Auditor => Msg::RoleAuditor,
        Role::Admin => Msg::RoleAdmin,
    }
    .text(lang)
}

/// The name of a financial ratio the model reads, in the interface language.
pub fn ratio_label(feature: &str, lang: Lang) -> String {
    let (en, fr) = match feature {
        "x1_net_profit_to_total_assets" => {
            ("Net profit / total assets", "Résultat net / total du bilan")
        }
        "x2_total_liabilities_to_total_assets" => (
            "Total liabilities / total assets",
            "Total des dettes / total du bilan",
        ),
        "x3_working_capital_to_total_assets" => (
            "Working capital / total assets",
            "Fonds de roulement / total du bilan",
        ),
        "x4_current_assets_to_short_term_liabilities" => (
            "Current assets / short-term liabilities",
            "Actif circulant / dettes à court terme",
        ),
        "x6_retained_earnings_to_total_assets" => (
            "Retained earnings / total assets",
            "Report à nouveau / total du bilan",
        ),
        "x7_ebit_to_total_assets" => (
            "Operating result / total assets",
            "Résultat d'exploitation / total du bilan",
        ),
        "x8_book_equity_to_total_liabilities" => (
            "Equity / total liabilities",
            "Capitaux propres / total des dettes",
        ),
        "x9_sales_to_total_assets" => (
            "Sales / total assets",
            "Chiffre d'affaires / total du bilan",
        ),
        "x10_equity_to_total_assets" => {
            ("Equity / total assets", "Capitaux propres / total du bilan")
        }
        other => return other.to_owned(),
    };
    match lang {
        Lang::En => en,
        Lang::Fr => fr,
    }
    .to_owned()
}

/// The interface language from context.
pub fn use_lang() -> Lang {
    use_context::<Lang>().unwrap_or_default()
}

/// A message in the interface language.
pub fn tr(msg: Msg) -> &'static str {
    msg.text(use_lang())
}

/// The interface language of this render: from the request on the server, from the
/// server-rendered `<html lang>` in the browser, so hydration sees the same value.
pub fn detect_lang() -> Lang {
    #[cfg(feature = "ssr")]
    {
        use_context::<http::request::Parts>()
            .map(|parts| {
                let header = |name| {
                    parts
                        .headers
                        .get(name)
                        .and_then(|v: &http::HeaderValue| v.to_str().ok())
                };
                Lang::negotiate(
                    header(http::header::COOKIE),
                    header(http::header::ACCEPT_LANGUAGE),
                )
            })
            .unwrap_or_default()
    }
    #[cfg(not(feature = "ssr"))]
    {
        document()
            .document_element()
            .and_then(|e| e.get_attribute("lang"))
            .and_then(|code| Lang::from_code(&code))
            .unwrap_or_default()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_message_is_translated_and_not_left_in_english() {
        for msg in Msg::ALL {
            let (en, fr) = (msg.text(Lang::En), msg.text(Lang::Fr));
            assert!(!en.is_empty() && !fr.is_empty(), "{msg:?} is empty");
            // Words spelt the same in both languages.
            let same_ok = matches!(
                msg,
                Msg::AppName
                    | Msg::ColScore
                    | Msg::Versions
                    | Msg::CompanyActive
                    | Msg::KeyActive
                    | Msg::NoteText
                    | Msg::Points
                    | Msg::ChartBase
                    | Msg::ChartScore
                    | Msg::Export
                    | Msg::FieldJustification
                    | Msg::ColActions
                    | Msg::MonitoringTitle
                    | Msg::DriftStable
            );
            assert!(same_ok || en != fr, "{msg:?} is not translated");
        }
    }

    #[test]
    fn the_cookie_wins_over_the_browser_language() {
        assert_eq!(
            Lang::negotiate(Some("a=b; lang=fr"), Some("en-GB,en")),
            Lang::Fr
        );
        assert_eq!(Lang::negotiate(None, Some("fr-FR,fr;q=0.9")), Lang::Fr);
        assert_eq!(Lang::negotiate(Some("lang=xx"), Some("de")), Lang::En);
        assert_eq!(Lang::negotiate(None, None), Lang::En);
    }

    #[test]
    fn placeholders_are_filled_in() {
        let text = Msg::ErrAccountLocked.format(Lang::En, &[("minutes", "7")]);
        assert!(text.contains("in 7 min"), "{text}");
    }
}
