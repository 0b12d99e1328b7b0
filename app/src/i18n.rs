//! Interface language. Every message exists in English and French by construction: the
//! `messages!` table takes both texts for each key. The choice lives in the `lang` cookie.

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
    DecisionsNotEnabled => "Credit decisions are not enabled in this version: the decision engine and its API are being built. Nothing here is simulated.", "Les décisions de crédit ne sont pas activées dans cette version : le moteur de décision et son API sont en cours de construction. Rien n'est simulé ici.";
    ApplicationsEmpty => "You have no applications yet.", "Vous n'avez encore aucune demande.";
    QueueEmpty => "The review queue is empty: no case is waiting for a decision.", "La file de revue est vide : aucun dossier n'attend de décision.";
    AuditEmpty => "No decision has been recorded yet, so there is nothing to search.", "Aucune décision n'a encore été enregistrée : il n'y a rien à rechercher.";
    UsersTitle => "Users", "Utilisateurs";
    UsersIntro => "Everyone who can sign in, with their role. Creating and editing users from this page is not available yet; use the server's users create command.", "Toutes les personnes qui peuvent se connecter, avec leur rôle. La création et la modification depuis cette page ne sont pas encore disponibles ; utilisez la commande users create du serveur.";
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

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_message_is_translated_and_not_left_in_english() {
        for msg in Msg::ALL {
            let (en, fr) = (msg.text(Lang::En), msg.text(Lang::Fr));
            assert!(!en.is_empty() && !fr.is_empty(), "{msg:?} is empty");
            let same_ok = matches!(msg, Msg::AppName);
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
