//! The Kubernetes objects of one stage, built as typed values (k8s-openapi)
//! and written as one multi-document YAML file.
//!
//! A Deployment whose rolling update never drops below the wanted replicas
//! (`maxUnavailable: 0`), with startup, readiness and liveness probes on
//! `/health/*`, a `preStop` sleep and a termination grace that covers the
//! service's own drain; a Deployment of `--worker` processes when the
//! service has background tasks; a Service, a HorizontalPodAutoscaler, a
//! PodDisruptionBudget and, with a host, an Ingress. Every `env_secrets`
//! name is a reference to a key of the Secret `NAME-secrets`: no value is
//! ever in a manifest.

use std::collections::BTreeMap;

use k8s_openapi::api::apps::v1::{Deployment, DeploymentSpec, DeploymentStrategy, RollingUpdateDeployment};
use k8s_openapi::api::autoscaling::v2::{
    CrossVersionObjectReference, HorizontalPodAutoscaler, HorizontalPodAutoscalerSpec, MetricSpec, MetricTarget,
    ResourceMetricSource,
};
use k8s_openapi::api::core::v1::{
    Capabilities, Container, ContainerPort, EnvVar, EnvVarSource, HTTPGetAction, Lifecycle, LifecycleHandler,
    PodSecurityContext, PodSpec, PodTemplateSpec, Probe, ResourceRequirements, SecretKeySelector, SecurityContext,
    Service, ServicePort, ServiceSpec, SleepAction,
};
use k8s_openapi::api::networking::v1::{
    HTTPIngressPath, HTTPIngressRuleValue, Ingress, IngressBackend, IngressRule, IngressServiceBackend, IngressSpec,
    ServiceBackendPort,
};
use k8s_openapi::api::policy::v1::{PodDisruptionBudget, PodDisruptionBudgetSpec};
use k8s_openapi::apimachinery::pkg::api::resource::Quantity;
use k8s_openapi::apimachinery::pkg::apis::meta::v1::{LabelSelector, ObjectMeta};
use k8s_openapi::apimachinery::pkg::util::intstr::IntOrString;

/// The Kubernetes release the objects are written for (and validated against).
pub const KUBERNETES_VERSION: &str = "1.34";

/// What one stage deploys.
#[derive(Debug, Clone)]
pub struct Stage {
    pub name: String,
    pub env: String,
    pub namespace: String,
    /// `REPOSITORY:VERSION`.
    pub image: String,
    pub version: String,
    pub replicas: i32,
    pub max_replicas: i32,
    pub cpu_target: i32,
    pub cpu: String,
    pub memory: String,
    pub memory_limit: String,
    pub secrets: Vec<String>,
    /// `--worker` replicas (0: no worker Deployment).
    pub workers: i32,
    pub host: Option<String>,
    /// Seconds between SIGTERM's `preStop` sleep and the drain's end.
    pub termination_grace: i64,
    pub pre_stop: i64,
}

/// The pods' labels: the selector's, and who manages them.
fn labels(stage: &Stage, component: &str) -> BTreeMap<String, String> {
    let mut labels = selector(stage, component);
    labels.insert("app.kubernetes.io/managed-by".into(), "macaron".into());
    labels
}

fn selector(stage: &Stage, component: &str) -> BTreeMap<String, String> {
    BTreeMap::from([
        ("app.kubernetes.io/name".to_string(), stage.name.clone()),
        ("app.kubernetes.io/component".to_string(), component.to_string()),
    ])
}

fn meta(stage: &Stage, name: &str, component: &str) -> ObjectMeta {
    let mut labels = labels(stage, component);
    labels.insert("app.kubernetes.io/version".into(), stage.version.clone());
    ObjectMeta {
        name: Some(name.to_string()),
        namespace: Some(stage.namespace.clone()),
        labels: Some(labels),
        ..ObjectMeta::default()
    }
}

fn http_probe(path: &str, period: i32, failures: i32) -> Probe {
    Probe {
        http_get: Some(HTTPGetAction {
            path: Some(path.to_string()),
            port: IntOrString::String("http".into()),
            ..HTTPGetAction::default()
        }),
        period_seconds: Some(period),
        timeout_seconds: Some(3),
        failure_threshold: Some(failures),
        ..Probe::default()
    }
}

fn container(stage: &Stage, worker: bool) -> Container {
    let mut env = vec![EnvVar { name: "MACARON_ENV".into(), value: Some(stage.env.clone()), ..EnvVar::default() }];
    for secret in &stage.secrets {
        env.push(EnvVar {
            name: secret.clone(),
            value_from: Some(EnvVarSource {
                secret_key_ref: Some(SecretKeySelector {
                    name: format!("{}-secrets", stage.name),
                    key: secret.clone(),
                    optional: Some(false),
                }),
                ..EnvVarSource::default()
            }),
            ..EnvVar::default()
        });
    }
    let quantity = |q: &str| Quantity(q.to_string());
    let resources = ResourceRequirements {
        requests: Some(BTreeMap::from([
            ("cpu".into(), quantity(&stage.cpu)),
            ("memory".into(), quantity(&stage.memory)),
        ])),
        limits: Some(BTreeMap::from([("memory".into(), quantity(&stage.memory_limit))])),
        ..ResourceRequirements::default()
    };
    let security = SecurityContext {
        allow_privilege_escalation: Some(false),
        run_as_non_root: Some(true),
        capabilities: Some(Capabilities { drop: Some(vec!["ALL".into()]), ..Capabilities::default() }),
        ..SecurityContext::default()
    };
    let mut c = Container {
        name: if worker { "worker".into() } else { "http".into() },
        image: Some(stage.image.clone()),
        env: Some(env),
        resources: Some(resources),
        security_context: Some(security),
        ..Container::default()
    };
    if worker {
        c.args = Some(vec!["--worker".into()]);
    } else {
        c.args = Some(vec!["--no-worker".into()]).filter(|_| stage.workers > 0);
        c.ports = Some(vec![ContainerPort {
            name: Some("http".into()),
            container_port: 8080,
            protocol: Some("TCP".into()),
            ..ContainerPort::default()
        }]);
        c.startup_probe = Some(http_probe("/health/live", 2, 30));
        c.readiness_probe = Some(http_probe("/health/ready", 5, 2));
        c.liveness_probe = Some(http_probe("/health/live", 10, 3));
        c.lifecycle = Some(Lifecycle {
            pre_stop: Some(LifecycleHandler {
                sleep: Some(SleepAction { seconds: stage.pre_stop }),
                ..LifecycleHandler::default()
            }),
            ..Lifecycle::default()
        });
    }
    c
}

fn deployment(stage: &Stage, worker: bool) -> Deployment {
    let component = if worker { "worker" } else { "http" };
    let name = if worker { format!("{}-worker", stage.name) } else { stage.name.clone() };
    Deployment {
        metadata: meta(stage, &name, component),
        spec: Some(DeploymentSpec {
            replicas: Some(if worker { stage.workers } else { stage.replicas }),
            revision_history_limit: Some(10),
            selector: LabelSelector { match_labels: Some(selector(stage, component)), ..LabelSelector::default() },
            strategy: Some(DeploymentStrategy {
                type_: Some("RollingUpdate".into()),
                rolling_update: Some(RollingUpdateDeployment {
                    max_unavailable: Some(IntOrString::Int(0)),
                    max_surge: Some(IntOrString::Int(1)),
                }),
            }),
            template: PodTemplateSpec {
                metadata: Some(ObjectMeta { labels: Some(labels(stage, component)), ..ObjectMeta::default() }),
                spec: Some(PodSpec {
                    containers: vec![container(stage, worker)],
                    termination_grace_period_seconds: Some(stage.termination_grace),
                    security_context: Some(PodSecurityContext {
                        run_as_non_root: Some(true),
                        run_as_user: Some(10001),
                        run_as_group: Some(10001),
                        ..PodSecurityContext::default()
                    }),
                    automount_service_account_token: Some(false),
                    ..PodSpec::default()
                }),
            },
            ..DeploymentSpec::default()
        }),
        ..Deployment::default()
    }
}

fn service(stage: &Stage) -> Service {
    Service {
        metadata: meta(stage, &stage.name, "http"),
        spec: Some(ServiceSpec {
            type_: Some("ClusterIP".into()),
            selector: Some(selector(stage, "http")),
            ports: Some(vec![ServicePort {
                name: Some("http".into()),
                port: 80,
                target_port: Some(IntOrString::String("http".into())),
                protocol: Some("TCP".into()),
                ..ServicePort::default()
            }]),
            ..ServiceSpec::default()
        }),
        ..Service::default()
    }
}

fn autoscaler(stage: &Stage) -> HorizontalPodAutoscaler {
    HorizontalPodAutoscaler {
        metadata: meta(stage, &stage.name, "http"),
        spec: Some(HorizontalPodAutoscalerSpec {
            scale_target_ref: CrossVersionObjectReference {
                api_version: Some("apps/v1".into()),
                kind: "Deployment".into(),
                name: stage.name.clone(),
            },
            min_replicas: Some(stage.replicas),
            max_replicas: stage.max_replicas,
            metrics: Some(vec![MetricSpec {
                type_: "Resource".into(),
                resource: Some(ResourceMetricSource {
                    name: "cpu".into(),
                    target: MetricTarget {
                        type_: "Utilization".into(),
                        average_utilization: Some(stage.cpu_target),
                        ..MetricTarget::default()
                    },
                }),
                ..MetricSpec::default()
            }]),
            ..HorizontalPodAutoscalerSpec::default()
        }),
        ..HorizontalPodAutoscaler::default()
    }
}

fn disruption_budget(stage: &Stage) -> PodDisruptionBudget {
    PodDisruptionBudget {
        metadata: meta(stage, &stage.name, "http"),
        spec: Some(PodDisruptionBudgetSpec {
            max_unavailable: Some(IntOrString::Int(1)),
            selector: Some(LabelSelector { match_labels: Some(selector(stage, "http")), ..LabelSelector::default() }),
            ..PodDisruptionBudgetSpec::default()
        }),
        ..PodDisruptionBudget::default()
    }
}

fn ingress(stage: &Stage, host: &str) -> Ingress {
    Ingress {
        metadata: meta(stage, &stage.name, "http"),
        spec: Some(IngressSpec {
            rules: Some(vec![IngressRule {
                host: Some(host.to_string()),
                http: Some(HTTPIngressRuleValue {
                    paths: vec![HTTPIngressPath {
                        path: Some("/".into()),
                        path_type: "Prefix".into(),
                        backend: IngressBackend {
                            service: Some(IngressServiceBackend {
                                name: stage.name.clone(),
                                port: Some(ServiceBackendPort {
                                    name: Some("http".into()),
                                    ..ServiceBackendPort::default()
                                }),
                            }),
                            ..IngressBackend::default()
                        },
                    }],
                }),
            }]),
            ..IngressSpec::default()
        }),
        ..Ingress::default()
    }
}

/// Every object of the stage, as one YAML stream (`---` between documents).
pub fn render(stage: &Stage) -> Result<String, String> {
    let mut docs: Vec<String> = Vec::new();
    let mut add = |value: Result<String, serde_yaml::Error>| -> Result<(), String> {
        docs.push(value.map_err(|e| format!("cannot write a manifest: {e}"))?);
        Ok(())
    };
    add(serde_yaml::to_string(&deployment(stage, false)))?;
    if stage.workers > 0 {
        add(serde_yaml::to_string(&deployment(stage, true)))?;
    }
    add(serde_yaml::to_string(&service(stage)))?;
    add(serde_yaml::to_string(&autoscaler(stage)))?;
    add(serde_yaml::to_string(&disruption_budget(stage)))?;
    if let Some(host) = &stage.host {
        add(serde_yaml::to_string(&ingress(stage, host)))?;
    }
    let header = format!(
        "# {} {} in {}: Kubernetes {KUBERNETES_VERSION} objects written by `macaron deploy`.\n\
         # Secrets are references to the Secret {}-secrets in the namespace, never values.\n",
        stage.name, stage.version, stage.env, stage.name
    );
    Ok(header + &docs.iter().map(|d| format!("---\n{d}")).collect::<String>())
}
