//! The server's side of the interface the Leptos application calls through.

use crate::cases::{self, Actor, EventRecord};
use crate::config::Settings;
use crate::sources::gather::Gatherer;
use crate::sources::{facts::Facts, SourceId, SourceRequest, World};
use crate::store::{CaseFilter, CaseRow, Store};
use app::api::Services;
use app::error::AppError;
use app::model::{
    ApiKeySummary, CaseCommand, CaseDetail, CaseList, CaseQuery, CaseScope, CaseStatus,
    CaseSummary, ChainStatus, CompanyPreview, EventView, IssuedPassword, LineageView, Product,
    ReasonView, Referral, ReplayVerdict, Role, RoleCount, SessionUser, SourceView, UserSummary,
    VersionSummary, OUTCOMES_IN_FORCE,
};
use async_trait::async_trait;
use chrono::{DateTime, NaiveDate, Utc};
use std::sync::Arc;

pub struct AppServices {
    pub store: Arc<dyn Store>,
    pub gatherer: Arc<Gatherer>,
    pub settings: Arc<Settings>,
}

/// Cases listed per page in the workspace.
pub const PER_PAGE: i64 = 25;

impl AppServices {
    /// The world the workspace works in: the sandbox in demo mode, live otherwise.
    pub fn world(&self) -> World {
        workspace_world(&self.settings)
    }
}

pub use crate::config::workspace_world;

pub fn summary(c: &CaseRow, now: DateTime<Utc>) -> CaseSummary {
    CaseSummary {
        decision_id: c.decision_id.clone(),
        siren: c.siren.clone(),
        company_name: c.company_name.clone(),
        product: c.product.clone(),
        amount_cents: c.amount_cents,
        automated_outcome: c.automated_outcome.clone(),
        status: c.status.clone(),
        final_outcome: c.final_outcome.clone(),
        final_limit_cents: c.final_limit_cents,
        referrals: c
            .referrals
            .split(',')
            .filter(|r| !r.is_empty())
            .map(str::to_owned)
            .collect(),
        score: c.score,
        grade: c.grade.clone(),
        probability_of_default: c.probability_of_default,
        proposed_limit_cents: c.proposed_limit_cents,
        coverage: c.coverage,
        fraud: c.fraud,
        decided_at: c.decided_at,
        claimed_by_name: c.claimed_by_name.clone(),
        overridden: c.overridden,
        age_minutes: (now - c.decided_at).num_minutes().max(0),
    }
}

fn invalid(field: &str, message: &str) -> AppError {
    AppError::Validation {
        field: field.into(),
        message: message.into(),
    }
}

fn date(field: &str, value: &str) -> Result<Option<NaiveDate>, AppError> {
    let value = value.trim();
    if value.is_empty() {
        return Ok(None);
    }
    NaiveDate::parse_from_str(value, "%Y-%m-%d")
        .map(Some)
        .map_err(|_| invalid(field, "expected a date as YYYY-MM-DD"))
}

/// Turns a workspace query into a store filter, checking each field.
pub fn filter_of(q: &CaseQuery, world: World) -> Result<CaseFilter, AppError> {
    let one_of = |field: &str, value: &str, allowed: &[&str]| -> Result<Option<String>, AppError> {
        let value = value.trim();
        if value.is_empty() {
            Ok(None)
        } else if allowed.contains(&value) {
            Ok(Some(value.to_owned()))
        } else {
            Err(invalid(
                field,
                &format!("must be one of {}", allowed.join(", ")),
            ))
        }
    };
    let siren = q.siren.trim();
    let siren = if siren.is_empty() {
        None
    } else {
        Some(
            app::ids::Siren::parse(siren)
                .map_err(|e| invalid("siren", &e.to_string()))?
                .to_string(),
        )
    };
    let start = |d: NaiveDate| d.and_hms_opt(0, 0, 0).map(|t| t.and_utc());
    Ok(CaseFilter {
        world: Some(world.as_str().to_owned()),
        referral: one_of("referral", &q.referral, Referral::WORDS)?,
        product: one_of("product", &q.product, Product::WORDS)?,
        outcome: one_of("outcome", &q.outcome, &OUTCOMES_IN_FORCE)?,
        overridden: match q.overridden.trim() {
            "" => None,
            "yes" => Some(true),
            "no" => Some(false),
            _ => return Err(invalid("overridden", "must be yes or no")),
        },
        siren,
        decided_from: date("from", &q.from)?.and_then(start),
        decided_before: date("to", &q.to)?
            .and_then(|d| d.succ_opt())
            .and_then(start),
        sort: one_of(
            "sort",
            &q.sort,
            &["oldest", "newest", "amount_desc", "amount_asc", "score_asc"],
        )?,
        page: q.page.max(1),
        per_page: PER_PAGE,
        ..CaseFilter::default()
    })
}

/// The score's build-up: the base points, then each term (the ten largest, the rest together).
/// From the second engine version on, the model's ratios are shown by group (profitability,
/// debt service, liquidity, leverage, activity), as its reasons speak of them.
fn waterfall(d: &crate::engine::Decision, lang: app::i18n::Lang) -> String {
    use crate::charts::{Step, WaterfallText};
    use crate::sources::accounts::{attribute, Group};
    use app::i18n::Msg;
    let start: f64 = d
        .contributions
        .iter()
        .filter(|c| c.origin == "base")
        .map(|c| c.points)
        .sum();
    let grouped = d.versions.engine != crate::engine::Generation::First.version();
    let group_of = |c: &crate::engine::Contribution| {
        (grouped && c.origin == "model")
            .then(|| attribute(&c.feature).map(|a| a.group))
            .flatten()
    };
    let mut steps: Vec<Step> = d
        .contributions
        .iter()
        .filter(|c| c.origin != "base" && group_of(c).is_none())
        .map(|c| Step {
            label: c.feature.clone(),
            value: c.points,
        })
        .collect();
    for group in Group::ALL {
        let members: Vec<f64> = d
            .contributions
            .iter()
            .filter(|c| group_of(c) == Some(group))
            .map(|c| c.points)
            .collect();
        if !members.is_empty() {
            steps.push(Step {
                label: format!(
                    "{} ({})",
                    group.label(lang == app::i18n::Lang::Fr),
                    members.len()
                ),
                value: members.iter().sum(),
            });
        }
    }
    crate::charts::waterfall(
        start,
        &steps,
        10,
        &WaterfallText {
            title: Msg::ChartScoreTitle.text(lang),
            y_axis: Msg::ChartScoreAxis.text(lang),
            start: Msg::ChartBase.text(lang),
            others: Msg::ChartOthers.text(lang),
            total: Msg::ChartScore.text(lang),
        },
    )
}

/// A value the previous request left in the session to be shown once (a new key, secret or
/// password): read and forgotten in one step.
async fn take_once<T: serde::de::DeserializeOwned>(
    parts: &http::request::Parts,
    key: &str,
) -> Result<Option<T>, AppError> {
    let Some(session) = parts.extensions.get::<tower_sessions::Session>() else {
        return Ok(None);
    };
    session.remove::<T>(key).await.map_err(internal)
}

/// What the case page shows beyond the score, read again from the decision's stored snapshots.
struct Evidence {
    lineage: Vec<LineageView>,
    balance: Option<app::model::BalanceView>,
    ratios: Vec<app::model::RatioView>,
    legal_events: Option<Vec<app::model::LegalEventView>>,
}

async fn evidence(
    store: &dyn Store,
    recorded: &crate::decisions::RecordedDecision,
    lang: app::i18n::Lang,
) -> Result<Evidence, crate::decisions::DecisionError> {
    use crate::decisions::Engine;
    let metas: Vec<_> = recorded
        .snapshots
        .iter()
        .chain(&recorded.debtor_snapshots)
        .cloned()
        .collect();
    let stored = crate::decisions::snapshots(store, &metas).await?;
    let lineage = lineage(recorded, &metas, &stored);
    let company = &stored[..recorded.snapshots.len().min(stored.len())];
    let facts = crate::sources::facts::Facts::from_snapshots(&recorded.source_request, company);
    let d = &recorded.decision;
    // The thresholds are those of the model that decided, rebuilt from the registry if needed.
    let engine = Engine::current();
    let rebuilt = match engine.for_versions(store, &d.versions).await {
        Ok(rebuilt) => rebuilt,
        Err(error) => {
            tracing::warn!(%error, decision = %recorded.id, "the recorded model is not available");
            None
        }
    };
    let model = rebuilt.as_ref().map_or(&engine.model, |e| &e.model);
    Ok(Evidence {
        lineage,
        balance: crate::case_facts::balance(&facts, recorded.decided_at, lang),
        ratios: crate::case_facts::ratios(d, model, lang),
        legal_events: crate::case_facts::legal_events(&facts, lang),
    })
}

/// Each feature of a recorded decision with its snapshot and the part of the payload it was
/// read at.
fn lineage(
    recorded: &crate::decisions::RecordedDecision,
    metas: &[crate::decisions::SnapshotMeta],
    stored: &[crate::sources::Snapshot],
) -> Vec<LineageView> {
    let mut bodies = std::collections::HashMap::new();
    for s in stored {
        if let Ok(body) = s.body() {
            bodies.insert(s.sha256.clone(), body);
        }
    }
    recorded
        .decision
        .features
        .list
        .iter()
        .map(|f| {
            let meta = f
                .snapshot
                .as_ref()
                .and_then(|sha| metas.iter().find(|m| &m.sha256 == sha));
            let excerpt = f
                .snapshot
                .as_ref()
                .and_then(|sha| bodies.get(sha))
                .map(|body| crate::lineage::excerpt(body, &f.path));
            LineageView {
                feature: f.name.clone(),
                value: f.value,
                source: f.source.as_str().to_owned(),
                snapshot: f.snapshot.clone(),
                fetched_at: meta.map(|m| m.fetched_at),
                request: meta.map(|m| m.request.clone()),
                path: f.path.clone(),
                transform: f.transform.clone(),
                highlight: excerpt.as_ref().and_then(|e| e.highlight),
                excerpt: excerpt.map(|e| e.lines).unwrap_or_default(),
            }
        })
        .collect()
}

fn event_view(kind: &str, id: &str, payload: &str) -> Option<EventView> {
    let record: EventRecord = serde_json::from_str(payload).ok()?;
    let (decision, text) = match record.event {
        cases::CaseEvent::Note { text } => (None, Some(text)),
        cases::CaseEvent::DecisionProposed { decision }
        | cases::CaseEvent::DecisionConfirmed { decision, .. }
        | cases::CaseEvent::HumanDecision { decision } => (Some(decision), None),
        cases::CaseEvent::ProposalRejected {
            decision, reason, ..
        } => (Some(decision), Some(reason)),
        cases::CaseEvent::Claimed | cases::CaseEvent::Released => (None, None),
    };
    Some(EventView {
        id: id.to_owned(),
        kind: kind.to_owned(),
        by: record.by.display_name,
        at: record.at,
        decision,
        text,
    })
}

fn internal(error: impl std::fmt::Display) -> AppError {
    tracing::error!(%error, "service call failed");
    AppError::Internal {
        request_id: String::new(),
    }
}

#[async_trait]
impl Services for AppServices {
    async fn list_users(&self) -> Result<Vec<UserSummary>, AppError> {
        let users = self.store.list_users().await.map_err(internal)?;
        Ok(users.iter().map(|u| u.summary()).collect())
    }

    async fn role_counts(&self) -> Result<Vec<RoleCount>, AppError> {
        self.store.role_counts().await.map_err(internal)
    }

    async fn audit_chain(&self) -> Result<ChainStatus, AppError> {
        let report = crate::audit::verify(self.store.as_ref())
            .await
            .map_err(internal)?;
        Ok(ChainStatus {
            records: report.records,
            intact: report.intact(),
            first_broken: report.first_broken.map(|b| (b.seq, b.id, b.problem)),
        })
    }

    async fn replay_decision(&self, id: String, current: bool) -> Result<ReplayVerdict, AppError> {
        use crate::decisions::{replay, DecisionError, Engine};
        match replay(self.store.as_ref(), Engine::current(), &id, current).await {
            Ok(r) => Ok(ReplayVerdict {
                decision_id: r.decision_id,
                mode: r.mode,
                identical: r.identical,
                differences: r
                    .differences
                    .into_iter()
                    .map(|(path, a, b)| (path, a.to_string(), b.to_string()))
                    .collect(),
                model_version: r.versions.model,
                policy_version: r.versions.policy,
                notes: r.notes,
            }),
            Err(DecisionError::NotFound(_)) => Err(AppError::NotFound),
            Err(DecisionError::VersionUnavailable { what, version }) => Err(AppError::Validation {
                field: "id".into(),
                message: format!("the {what} version {version} is not available to replay"),
            }),
            Err(e) => Err(internal(e)),
        }
    }

    async fn list_api_keys(&self) -> Result<Vec<ApiKeySummary>, AppError> {
        let keys = self.store.list_api_keys().await.map_err(internal)?;
        Ok(keys
            .into_iter()
            .map(|k| ApiKeySummary {
                id: k.id,
                name: k.name,
                mode: k.mode,
                display_prefix: k.display_prefix,
                created_at: k.created_at,
                revoked_at: k.revoked_at,
                scopes: k.scopes,
            })
            .collect())
    }

    async fn engine_versions(&self) -> Result<Vec<VersionSummary>, AppError> {
        let engine = crate::decisions::Engine::current();
        let versions = self.store.engine_versions().await.map_err(internal)?;
        Ok(versions
            .into_iter()
            .map(|v| VersionSummary {
                active: match v.kind.as_str() {
                    "model" => v.version == engine.model_version(),
                    _ => v.version == engine.policy.version,
                },
                kind: v.kind,
                version: v.version,
                sha256: v.sha256,
                registered_at: v.registered_at,
            })
            .collect())
    }

    async fn take_created_key(
        &self,
        parts: http::request::Parts,
    ) -> Result<Option<String>, AppError> {
        take_once(&parts, crate::actions::CREATED_KEY).await
    }

    async fn webhook_endpoints(&self) -> Result<Vec<app::model::WebhookSummary>, AppError> {
        let endpoints = self.store.webhook_endpoints().await.map_err(internal)?;
        Ok(endpoints
            .into_iter()
            .map(|e| app::model::WebhookSummary {
                id: e.id,
                world: e.world,
                url: e.url,
                event_types: e.event_types,
                enabled: e.enabled,
                created_at: e.created_at,
                consecutive_failures: e.consecutive_failures,
                disabled_reason: e.disabled_reason,
            })
            .collect())
    }

    async fn webhook_log(&self) -> Result<Vec<app::model::DeliveryRow>, AppError> {
        let endpoints = self.store.webhook_endpoints().await.map_err(internal)?;
        let messages = self
            .store
            .webhook_messages(None, crate::webhooks::LOG_ROWS)
            .await
            .map_err(internal)?;
        let mut rows = Vec::with_capacity(messages.len());
        for m in messages {
            let attempts = self.store.webhook_attempts(m.seq).await.map_err(internal)?;
            rows.push(app::model::DeliveryRow {
                seq: m.seq,
                endpoint_url: endpoints
                    .iter()
                    .find(|e| e.id == m.endpoint_id)
                    .map(|e| e.url.clone())
                    .unwrap_or_default(),
                event_id: m.event_id,
                event_type: m.event_type,
                endpoint_id: m.endpoint_id,
                created_at: m.created_at,
                status: m.status,
                next_attempt_at: m.next_attempt_at,
                attempts: attempts
                    .into_iter()
                    .map(|a| app::model::DeliveryAttempt {
                        attempt: a.attempt,
                        at: a.at,
                        status: a.status,
                        latency_ms: a.latency_ms,
                        excerpt: a.excerpt,
                    })
                    .collect(),
            });
        }
        Ok(rows)
    }

    async fn company(
        &self,
        siren: String,
        lang: app::i18n::Lang,
    ) -> Result<app::model::CompanyPageView, AppError> {
        let siren = app::ids::Siren::parse(&siren).map_err(|e| {
            AppError::Invalid(vec![app::error::FieldProblem {
                field: "siren".into(),
                problem: e.to_string(),
            }])
        })?;
        crate::companies::view(
            self.store.as_ref(),
            &crate::decisions::Engine::current().policy,
            self.world().as_str(),
            siren.as_str(),
        )
        .await
        .map_err(internal)?
        .map(|company| app::model::CompanyPageView {
            pd_chart: crate::dashboard::pd_chart(&company.assessments, lang),
            company,
        })
        .ok_or(AppError::NotFound)
    }

    async fn monitoring_view(&self) -> Result<app::model::MonitoringView, AppError> {
        let world = self.world();
        let companies = self
            .store
            .monitored_companies(world.as_str(), crate::webhooks::LOG_ROWS)
            .await
            .map_err(internal)?;
        let conditions = if world == World::Sandbox {
            self.store
                .sandbox_conditions()
                .await
                .map_err(internal)?
                .into_iter()
                .map(|c| (c.siren, c.kind, c.since))
                .collect()
        } else {
            Vec::new()
        };
        Ok(app::model::MonitoringView {
            enabled: self.settings.monitoring.enabled,
            every_minutes: self.settings.monitoring.every_minutes,
            sandbox: world == World::Sandbox,
            companies: companies
                .into_iter()
                .map(|m| app::model::MonitoredRow {
                    siren: m.siren,
                    decision_id: m.decision_id,
                    granted_limit_cents: m.granted_limit_cents,
                    enrolled_at: m.enrolled_at,
                    next_check: m.next_check,
                    last_checked: m.last_checked,
                    last_result: m.last_result,
                    last_decision_id: m.last_decision_id,
                })
                .collect(),
            conditions,
        })
    }

    async fn take_webhook_secret(
        &self,
        parts: http::request::Parts,
    ) -> Result<Option<String>, AppError> {
        take_once(&parts, crate::webhooks::CREATED_SECRET).await
    }

    async fn take_issued_password(
        &self,
        parts: http::request::Parts,
    ) -> Result<Option<IssuedPassword>, AppError> {
        take_once(&parts, crate::actions::ISSUED_PASSWORD).await
    }

    async fn company_preview(&self, siren: String) -> Result<CompanyPreview, AppError> {
        let siren = app::ids::Siren::parse(&siren).map_err(|e| invalid("siren", &e.to_string()))?;
        let request = SourceRequest {
            world: self.world(),
            siren: siren.clone(),
            bank_connection: None,
            accounting_ref: None,
            iban: None,
            as_of: Utc::now(),
        };
        let fetched = self
            .gatherer
            .fetch_one(&request, SourceId::SireneUnit)
            .await;
        let facts = Facts::from_snapshots(&request, &fetched.snapshots);
        let unavailable = match (&fetched.error, &facts.legal_unit) {
            (Some(e), _) => Some(e.to_string()),
            (None, None) if facts.registry_not_found => {
                Some("not found in the company registry".to_owned())
            }
            (None, None) => Some("the registry's answer could not be read".to_owned()),
            (None, Some(_)) => None,
        };
        Ok(CompanyPreview {
            siren: siren.to_string(),
            name: facts.legal_unit.as_ref().map(|u| u.name.clone()),
            active: facts.legal_unit.as_ref().map(|u| u.active),
            created_on: facts
                .legal_unit
                .as_ref()
                .and_then(|u| u.created_on)
                .map(|d| d.to_string()),
            unavailable,
        })
    }

    async fn list_cases(
        &self,
        user: SessionUser,
        scope: CaseScope,
        query: CaseQuery,
    ) -> Result<CaseList, AppError> {
        let mut filter = filter_of(&query, self.world())?;
        match scope {
            CaseScope::Mine => filter.submitted_by = Some(user.id),
            CaseScope::Queue => {
                filter.statuses = vec![
                    CaseStatus::InReview.as_str().into(),
                    CaseStatus::AwaitingConfirmation.as_str().into(),
                ]
            }
            CaseScope::All => {}
        }
        if filter.sort.is_none() {
            filter.sort = Some(
                if scope == CaseScope::Queue {
                    "oldest"
                } else {
                    "newest"
                }
                .into(),
            );
        }
        let page = self.store.list_cases(&filter).await.map_err(internal)?;
        let now = Utc::now();
        Ok(CaseList {
            cases: page.cases.iter().map(|c| summary(c, now)).collect(),
            total: page.total,
            page: filter.page,
            per_page: filter.per_page,
            target_minutes: i64::from(self.settings.cases.service_target_hours) * 60,
        })
    }

    async fn dashboard(
        &self,
        days: u32,
        lang: app::i18n::Lang,
    ) -> Result<app::model::DashboardView, AppError> {
        let now = Utc::now();
        let from = now.date_naive() - chrono::Days::new(u64::from(days.max(1) - 1));
        let from = from.and_hms_opt(0, 0, 0).unwrap_or_default().and_utc();
        let counts = self
            .store
            .dashboard(
                self.world().as_str(),
                from,
                now + chrono::Duration::seconds(1),
                now,
            )
            .await
            .map_err(internal)?;
        let model = crate::engine::model::Model::committed();
        let drift = self
            .store
            .drift_counts(
                self.world().as_str(),
                from,
                now + chrono::Duration::seconds(1),
                model.version(),
            )
            .await
            .map_err(internal)?;
        let world = self.world();
        let rows = self
            .store
            .portfolio(world.as_str())
            .await
            .map_err(internal)?;
        let changes = self
            .store
            .line_changes(world.as_str(), from, now + chrono::Duration::seconds(1))
            .await
            .map_err(internal)?;
        let referred = self
            .store
            .list_cases(&crate::store::CaseFilter {
                world: Some(world.as_str().to_owned()),
                referral: Some(
                    aval_core::vocabulary::Referral::IncreaseProposed
                        .as_str()
                        .into(),
                ),
                decided_from: Some(from),
                page: 1,
                per_page: 1,
                ..Default::default()
            })
            .await
            .map_err(internal)?
            .total;
        let portfolio = crate::dashboard::portfolio(
            &rows,
            &changes,
            referred,
            crate::decisions::Engine::current()
                .policy
                .loss_given_default(),
            from.date_naive(),
            days,
            lang,
        );
        Ok(app::model::DashboardView {
            drift: crate::dashboard::drift(&drift, model, lang),
            portfolio: Some(portfolio),
            ..crate::dashboard::build(
                &counts,
                days,
                now,
                self.settings.cases.service_target_hours,
                lang,
            )
        })
    }

    async fn case_detail(
        &self,
        user: SessionUser,
        id: String,
        lang: app::i18n::Lang,
    ) -> Result<CaseDetail, AppError> {
        let store = self.store.as_ref();
        let case = store
            .case(&id)
            .await
            .map_err(internal)?
            .ok_or(AppError::NotFound)?;
        // A sales rep sees only their own applications; others do not exist for them.
        if user.role == Role::SalesRep && case.submitted_by != Some(user.id) {
            return Err(AppError::NotFound);
        }
        let (recorded, records) = crate::decisions::load_with_records(store, &id)
            .await
            .map_err(internal)?;
        let d = &recorded.decision;
        let rules = self.settings.case_rules();
        let actor = Actor::from(&user);
        let now = Utc::now();
        let may =
            |command: CaseCommand| cases::transition(&case, &actor, &command, rules, now).is_ok();
        let manager = user.role == Role::CreditManager;
        let workable = matches!(
            CaseStatus::parse(&case.status),
            Ok(CaseStatus::InReview | CaseStatus::Decided | CaseStatus::Resolved)
        );
        let pending = case
            .pending_action
            .as_deref()
            .and_then(|p| serde_json::from_str(p).ok())
            .map(|decision| {
                let by = records
                    .iter()
                    .rev()
                    .find(|r| r.kind == "decision_proposed")
                    .and_then(|r| serde_json::from_str::<EventRecord>(&r.payload).ok())
                    .map(|r| r.by.display_name)
                    .unwrap_or_default();
                (decision, by)
            });
        let evidence = if user.role == Role::SalesRep {
            None
        } else {
            Some(evidence(store, &recorded, lang).await.map_err(internal)?)
        };
        let waterfall_svg = (user.role != Role::SalesRep).then(|| waterfall(d, lang));
        let legal_unavailable = evidence.as_ref().is_some_and(|e| e.legal_events.is_none());
        let (lineage, balance, ratios, legal_events) = match evidence {
            Some(e) => (
                e.lineage,
                e.balance,
                e.ratios,
                e.legal_events.unwrap_or_default(),
            ),
            None => Default::default(),
        };
        let monitoring = recorded
            .origin
            .monitoring_review
            .as_ref()
            .zip(recorded.origin.monitoring_of.as_ref())
            .map(|(r, of)| app::model::MonitoringReviewView {
                granted_decision_id: of.clone(),
                previous_decision_id: r.previous_decision_id.clone(),
                granted_limit_cents: r.granted_limit_cents,
                changes: r.changes.iter().map(|c| change_text(c, lang)).collect(),
            });
        let line_review = recorded
            .origin
            .line_review
            .as_ref()
            .map(|r| app::model::LineReviewView {
                product: r.product.as_str().to_owned(),
                previous_limit_cents: r.previous_limit_cents,
                new_limit_cents: r.new_limit_cents,
                reasons: r
                    .reasons
                    .iter()
                    .map(|x| {
                        let text = if lang == app::i18n::Lang::Fr {
                            &x.text_fr
                        } else {
                            &x.text_en
                        };
                        format!("{} {text}", x.code)
                    })
                    .collect(),
                proposed_limit_cents: None,
            })
            .or_else(|| {
                let r = recorded.origin.monitoring_review.as_ref()?;
                Some(app::model::LineReviewView {
                    product: recorded.request.application.product.as_str().to_owned(),
                    previous_limit_cents: r.granted_limit_cents,
                    new_limit_cents: None,
                    reasons: Vec::new(),
                    proposed_limit_cents: r.proposed_limit_cents,
                })
            });
        Ok(CaseDetail {
            monitoring,
            line_review,
            lineage,
            balance,
            ratios,
            legal_events,
            legal_unavailable,
            waterfall_svg,
            summary: summary(&case, now),
            reasons: d
                .reasons
                .iter()
                .map(|r| ReasonView {
                    code: r.code.clone(),
                    kind: serde_json::to_value(r.kind)
                        .ok()
                        .and_then(|v| v.as_str().map(str::to_owned))
                        .unwrap_or_default(),
                    text_en: r.text_en.clone(),
                    text_fr: r.text_fr.clone(),
                    value: r.value.clone(),
                    threshold: r.threshold.clone(),
                    points: r.points,
                })
                .collect(),
            fraud_flags: d
                .fraud_flags
                .iter()
                .map(|f| (f.code.clone(), f.evidence.clone()))
                .collect(),
            sources: recorded
                .sources
                .iter()
                .map(|s| SourceView {
                    source: s.source.as_str().to_owned(),
                    provider: s.provider.clone(),
                    answered: s.missing.is_none(),
                    missing_reason: s.missing.as_ref().map(ToString::to_string),
                    latency_ms: s.latency_ms,
                })
                .collect(),
            events: records
                .iter()
                .filter(|r| r.kind != "decision")
                .filter_map(|r| event_view(&r.kind, &r.id, &r.payload))
                .collect(),
            pending,
            model_version: d.versions.model.clone(),
            policy_version: d.versions.policy.clone(),
            engine_version: d.versions.engine.clone(),
            four_eyes_above_cents: rules.four_eyes_above_cents,
            can_claim: manager && may(CaseCommand::Claim),
            can_release: manager && may(CaseCommand::Release),
            can_decide: manager && workable && case.claimed_by == Some(user.id),
            can_confirm: manager && may(CaseCommand::Confirm),
            can_note: manager,
        })
    }
}

/// A change monitoring found, as the case page says it.
fn change_text(c: &crate::events::RiskChange, lang: app::i18n::Lang) -> String {
    use crate::events::RiskChange;
    use app::components::format::eur;
    use app::i18n::Msg;
    match c {
        RiskChange::GradeDown { from, to } => {
            Msg::ChangeGradeDown.format(lang, &[("from", from), ("to", to)])
        }
        RiskChange::Proceeding { from, to } => Msg::ChangeProceeding.format(
            lang,
            &[("from", &from.to_string()), ("to", &to.to_string())],
        ),
        RiskChange::LimitBelowGranted {
            granted_cents,
            proposed_cents,
        } => Msg::ChangeLimit.format(
            lang,
            &[
                ("proposed", &eur(*proposed_cents, lang)),
                ("granted", &eur(*granted_cents, lang)),
            ],
        ),
    }
}
