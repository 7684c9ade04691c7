#!/usr/bin/env bash
# Fetches the public documentation corpora the retrieval benchmark reads
# (`cargo bench -p retriever --bench retrieval`) into a cache, pinned to a commit. Large corpora
# are never vendored into the repository.
#
#   cache: ${SLEUTH_CORPORA:-$HOME/.cache/sleuth/corpora}/<name>/
#   SLEUTH_CORPUS_MIRROR_ARGO_CD=/path/to/argo-cd.git   use a local git mirror instead of GitHub
#   SLEUTH_CORPUS_MIRROR_TERRAFORM_AWS_EKS=…             likewise
#   SLEUTH_CORPUS_MIRROR_CERT_MANAGER=…                  likewise
#   SLEUTH_CORPUS_MIRROR_TERRAFORM_AWS_RDS=…             likewise
#   SLEUTH_CORPUS_MIRROR_CHAOS_MESH=…                    likewise
#   SLEUTH_CORPUS_MIRROR_KOPF=…                          likewise
#   SLEUTH_CORPUS_MIRROR_TERRAFORM_AZURERM_AKS=…         likewise
#   SLEUTH_CORPUS_MIRROR_FLUX=…                          likewise
#   SLEUTH_CORPUS_MIRROR_ROOK=…                          likewise
#   SLEUTH_CORPUS_MIRROR_ZERO_TO_JUPYTERHUB=…            likewise
#   SLEUTH_CORPUS_MIRROR_TERRAFORM_AWS_VPC=…             likewise
#   SLEUTH_CORPUS_MIRROR_KEDA=…                          likewise
#   SLEUTH_CORPUS_MIRROR_LONGHORN=…                      likewise
#   SLEUTH_CORPUS_MIRROR_TERRAFORM_GOOGLE_GKE=…          likewise
#   SLEUTH_CORPUS_MIRROR_STRIMZI=…                       likewise
#   SLEUTH_CORPUS_MIRROR_CLUSTER_API=…                   likewise
#   SLEUTH_CORPUS_MIRROR_KUBEVELA=…                      likewise
#   SLEUTH_CORPUS_MIRROR_KUBERNETES_WEBSITE=…            likewise
#   SLEUTH_CORPUS_MIRROR_LINKERD=…                       likewise
#   SLEUTH_CORPUS_MIRROR_DAPR=…                          likewise
#   SLEUTH_CORPUS_MIRROR_KYVERNO=…                       likewise
#   SLEUTH_CORPUS_MIRROR_TERRAFORM_AWS_IAM=…             likewise
#   (and one SLEUTH_CORPUS_MIRROR_<NAME> per corpus below, its name in upper case)
#
# Only documents are kept (Markdown, MDX, reStructuredText; Terraform for the module repositories): the benchmark judges
# pages and files, not assets.
set -euo pipefail
cache=${SLEUTH_CORPORA:-$HOME/.cache/sleuth/corpora}

fetch() {
  local name=$1 url=$2 commit=$3 path=$4 mirror_var=$5 kinds=${6:-md|markdown}
  local dest="$cache/$name"
  if [ -f "$dest/.commit" ] && [ "$(cat "$dest/.commit")" = "$commit" ]; then
    echo "$name: cached at $dest"
    return
  fi
  rm -rf "$dest"
  mkdir -p "$dest"
  local git_dir=${!mirror_var:-}
  local tmp=""
  if [ -z "$git_dir" ]; then
    tmp=$(mktemp -d)
    git clone --quiet --filter=blob:none --no-checkout "$url" "$tmp/repo"
    git_dir="$tmp/repo/.git"
  fi
  # Documents only (Markdown, and Terraform where asked): some assets of a mirror may be absent,
  # and they are not documents.
  # File names are read NUL-separated and literally (sites have names with spaces, brackets or
  # non-ASCII letters).
  # In batches: one archive per xargs call, each unpacked on its own (a large site's file list
  # does not fit one command line, and tar reads only the first of concatenated archives).
  git --git-dir="$git_dir" ls-tree -r -z --name-only "$commit" -- "$path" | grep -zE "\.($kinds)\$" \
    | xargs -0 -n 1000 bash -c 'g=$0 c=$1 d=$2; shift 2; git --git-dir="$g" --literal-pathspecs archive "$c" -- "$@" | tar -x -C "$d"' \
      "$git_dir" "$commit" "$dest" \
    2> >(grep -v 'invalid object' >&2)
  echo "$commit" > "$dest/.commit"
  [ -n "$tmp" ] && rm -rf "$tmp"
  echo "$name: $(find "$dest" -type f ! -name .commit | wc -l) files in $dest"
}

fetch argo-cd https://github.com/argoproj/argo-cd.git 37ee0097cf \
  docs SLEUTH_CORPUS_MIRROR_ARGO_CD

fetch terraform-aws-eks https://github.com/terraform-aws-modules/terraform-aws-eks.git bef29c4d95 \
  . SLEUTH_CORPUS_MIRROR_TERRAFORM_AWS_EKS 'tf|md'

# Held out: their questions were written before sleuth's results on them were seen; ranking
# changes are chosen on the two corpora above and only checked on these.
fetch cert-manager https://github.com/cert-manager/website.git 776e5dba \
  content/docs SLEUTH_CORPUS_MIRROR_CERT_MANAGER
fetch terraform-aws-rds https://github.com/terraform-aws-modules/terraform-aws-rds.git fa183b6 \
  . SLEUTH_CORPUS_MIRROR_TERRAFORM_AWS_RDS 'tf|md'
fetch chaos-mesh https://github.com/chaos-mesh/website.git ee8caafa \
  docs SLEUTH_CORPUS_MIRROR_CHAOS_MESH 'md|mdx'
fetch kopf https://github.com/nolar/kopf.git 60d02aef \
  docs SLEUTH_CORPUS_MIRROR_KOPF 'rst'
fetch terraform-azurerm-aks https://github.com/Azure/terraform-azurerm-aks.git e29456ed \
  . SLEUTH_CORPUS_MIRROR_TERRAFORM_AZURERM_AKS 'tf|md'
fetch flux https://github.com/fluxcd/website.git 6da0f383 \
  content/en/flux SLEUTH_CORPUS_MIRROR_FLUX
fetch rook https://github.com/rook/rook.git d0c3b9ce \
  Documentation SLEUTH_CORPUS_MIRROR_ROOK
fetch zero-to-jupyterhub https://github.com/jupyterhub/zero-to-jupyterhub-k8s.git 48ea50e3 \
  docs/source SLEUTH_CORPUS_MIRROR_ZERO_TO_JUPYTERHUB
fetch terraform-aws-vpc https://github.com/terraform-aws-modules/terraform-aws-vpc.git 82d1929e \
  . SLEUTH_CORPUS_MIRROR_TERRAFORM_AWS_VPC 'tf|md'
# Whole Hugo sites with every released version of their docs side by side (docs/<version>/,
# docs/archives/<version>/).
fetch keda https://github.com/kedacore/keda-docs.git a55c5d34 \
  content SLEUTH_CORPUS_MIRROR_KEDA
fetch longhorn https://github.com/longhorn/website.git 0f622500 \
  content SLEUTH_CORPUS_MIRROR_LONGHORN
# A module with generated variants of itself under modules/ (GCP).
fetch terraform-google-gke https://github.com/terraform-google-modules/terraform-google-kubernetes-engine.git bb176b21 \
  . SLEUTH_CORPUS_MIRROR_TERRAFORM_GOOGLE_GKE 'tf|md'
# AsciiDoc modular documentation: guides include assemblies, assemblies include modules.
fetch strimzi https://github.com/strimzi/strimzi-kafka-operator.git 8541da1e \
  documentation SLEUTH_CORPUS_MIRROR_STRIMZI 'adoc'
# mdBook.
fetch cluster-api https://github.com/kubernetes-sigs/cluster-api.git ae7ff047 \
  docs/book/src SLEUTH_CORPUS_MIRROR_CLUSTER_API
# A whole Docusaurus site: docs, versioned_docs, i18n.
fetch kubevela https://github.com/kubevela/kubevela.io.git 0f169199 \
  . SLEUTH_CORPUS_MIRROR_KUBEVELA 'md|mdx'
# The issue's own example: the Kubernetes website's English docs (Hugo + Docsy: shortcodes,
# `{{% heading "whatsnext" %}}`, glossary tooltips, includes). kubernetes/website is larger than
# the snapshot limit here; windsonsea/k8s is a current fork of it (same tree).
fetch kubernetes-website https://github.com/windsonsea/k8s.git bad70d1db1 \
  content/en SLEUTH_CORPUS_MIRROR_KUBERNETES_WEBSITE
# A whole Hugo site with a docs folder beside its edge and stable releases (2-edge/, 2.19/,
# 2.18/, … — and docs/, the current one again) and a blog.
fetch linkerd https://github.com/linkerd/website.git 93f00175 \
  linkerd.io/content SLEUTH_CORPUS_MIRROR_LINKERD
# Hugo + Docsy, shortcodes everywhere (tabs, alerts, code snippets, refs).
fetch dapr https://github.com/dapr/docs.git 0748da59 \
  daprdocs/content/en SLEUTH_CORPUS_MIRROR_DAPR
# Astro Starlight (Markdown and MDX) docs beside a library of ~700 policy pages and a blog.
fetch kyverno https://github.com/kyverno/website.git 7c0814a5 \
  src/content SLEUTH_CORPUS_MIRROR_KYVERNO 'md|mdx'
# A module of many small sibling modules (role, user, group, policy, IRSA, OIDC provider).
fetch terraform-aws-iam https://github.com/terraform-aws-modules/terraform-aws-iam.git 981121bc \
  . SLEUTH_CORPUS_MIRROR_TERRAFORM_AWS_IAM 'tf|md'
# Google's network modules: a root module calling a dozen sibling modules, beta copies of two.
fetch terraform-google-network https://github.com/terraform-google-modules/terraform-google-network.git 3012d98 \
  . SLEUTH_CORPUS_MIRROR_TERRAFORM_GOOGLE_NETWORK 'tf|md'
# One module (a load balancer, its listeners, rules and target groups), a submodule, examples.
fetch terraform-aws-alb https://github.com/terraform-aws-modules/terraform-aws-alb.git 87f1c9c \
  . SLEUTH_CORPUS_MIRROR_TERRAFORM_AWS_ALB 'tf|md'
# MkDocs docs of an operator whose pages name its custom resources in camel case (ExternalSecret,
# ClusterSecretStore, PushSecret), beside ~50 provider pages.
fetch external-secrets https://github.com/external-secrets/external-secrets.git cc5bfbc22 \
  docs SLEUTH_CORPUS_MIRROR_EXTERNAL_SECRETS
# MkDocs docs of an ingress controller: annotations and ConfigMap references beside many examples.
fetch ingress-nginx https://github.com/kubernetes/ingress-nginx.git dbb11b92d \
  docs SLEUTH_CORPUS_MIRROR_INGRESS_NGINX
# Hugo docs of a backup tool (the `main` docs only; the site keeps ~40 releases beside them).
fetch velero https://github.com/vmware-tanzu/velero.git d30d389b5 \
  site/content/docs/main SLEUTH_CORPUS_MIRROR_VELERO
# One large main.tf (a bucket and ~15 of its configuration resources), five submodules, wrappers.
fetch terraform-aws-s3-bucket https://github.com/terraform-aws-modules/terraform-aws-s3-bucket.git dd0c434 \
  . SLEUTH_CORPUS_MIRROR_TERRAFORM_AWS_S3_BUCKET 'tf|md'
# Hugo docs of a node autoscaler (the current `docs` only; the site keeps each release's copy).
fetch karpenter https://github.com/aws/karpenter-provider-aws.git 1d927085d \
  website/content/en/docs SLEUTH_CORPUS_MIRROR_KARPENTER
# A root module calling cluster and service submodules; container-definition and express-service.
fetch terraform-aws-ecs https://github.com/terraform-aws-modules/terraform-aws-ecs.git 8d25f4e \
  . SLEUTH_CORPUS_MIRROR_TERRAFORM_AWS_ECS 'tf|md'
# MkDocs docs of a DNS controller: sources, registries, ~35 provider tutorials (held out for
# the seventh session's search changes).
fetch external-dns https://github.com/kubernetes-sigs/external-dns.git 2bf1bf8af \
  docs SLEUTH_CORPUS_MIRROR_EXTERNAL_DNS
# A root module split over main.tf, iam.tf and package.tf, three submodules, ~18 examples
# (held out for the eighth session).
fetch terraform-aws-lambda https://github.com/terraform-aws-modules/terraform-aws-lambda.git 23d00f7 \
  . SLEUTH_CORPUS_MIRROR_TERRAFORM_AWS_LAMBDA 'tf|md'
# Cloud Posse's convention: `context.tf` naming inputs copied into every example, a label module
# (held out for the eighth session).
fetch cloudposse-eks-cluster https://github.com/cloudposse/terraform-aws-eks-cluster.git 1def0d9 \
  . SLEUTH_CORPUS_MIRROR_CLOUDPOSSE_EKS_CLUSTER 'tf|md'
# Hugo-era Markdown of the Prometheus site: concepts, guides, best practices (held out for the
# eighth session's field weights).
fetch prometheus-docs https://github.com/prometheus/docs.git c105550a \
  docs SLEUTH_CORPUS_MIRROR_PROMETHEUS_DOCS
# Markdown reference docs of a CI system's controller (held out for the eighth session).
fetch tekton-pipeline https://github.com/tektoncd/pipeline.git 3ee1745ae \
  docs SLEUTH_CORPUS_MIRROR_TEKTON_PIPELINE
# Azure Verified Modules' AKS module: every resource an `azapi_resource` (held out for the
# eighth session).
fetch azure-avm-aks https://github.com/Azure/terraform-azurerm-avm-res-containerservice-managedcluster.git 895e0c6 \
  . SLEUTH_CORPUS_MIRROR_AZURE_AVM_AKS 'tf|md'
# Hugo docs of a control-plane framework (one release's `content/v2.3`; held out for the
# eighth session).
fetch crossplane-docs https://github.com/crossplane/docs.git 56a4808e \
  content/v2.3 SLEUTH_CORPUS_MIRROR_CROSSPLANE_DOCS
# MkDocs Markdown of a workflow engine (held out for the ninth session's reordering by meaning).
fetch argo-workflows https://github.com/argoproj/argo-workflows.git f016ad89e \
  docs SLEUTH_CORPUS_MIRROR_ARGO_WORKFLOWS
# Docusaurus Markdown and MDX of a package manager (held out for the ninth session's reordering
# by meaning).
fetch helm-docs https://github.com/helm/helm-www.git 227f41447 \
  docs SLEUTH_CORPUS_MIRROR_HELM_DOCS 'md|mdx'
# MkDocs Markdown of a serverless platform (held out for the ninth session's reordering by
# meaning, added after it was final).
fetch knative-docs https://github.com/knative/docs.git de125bfad \
  docs/versioned SLEUTH_CORPUS_MIRROR_KNATIVE_DOCS
# MkDocs Markdown of a progressive-delivery controller (held out for the tenth session, whose
# changes were to page markup and to routing, not to ranking).
fetch argo-rollouts https://github.com/argoproj/argo-rollouts.git 9f8d111d8 \
  docs SLEUTH_CORPUS_MIRROR_ARGO_ROLLOUTS
# MkDocs Markdown of a reverse proxy: a reference page per middleware and provider (held out
# for the tenth session).
fetch traefik https://github.com/traefik/traefik.git fd5a576df \
  docs/content SLEUTH_CORPUS_MIRROR_TRAEFIK
# MkDocs Markdown of a PostgreSQL operator (held out for the eleventh session's reranker).
fetch cloudnative-pg https://github.com/cloudnative-pg/cloudnative-pg.git a95a534db \
  docs/src SLEUTH_CORPUS_MIRROR_CLOUDNATIVE_PG
# Docusaurus Markdown of an admission policy controller (held out for the eleventh session).
fetch gatekeeper https://github.com/open-policy-agent/gatekeeper.git dd8507eb9 \
  website/docs SLEUTH_CORPUS_MIRROR_GATEKEEPER
# Hugo Markdown of an Envoy-based ingress controller (held out for the eleventh session, added
# after its last ranking change).
fetch contour https://github.com/projectcontour/contour.git 31c4bb38e \
  site/content/docs/main SLEUTH_CORPUS_MIRROR_CONTOUR
# Markdown of a long-term Prometheus store: components, operating guides, proposals (held out
# for the twelfth session).
fetch thanos https://github.com/thanos-io/thanos.git e103a81bd \
  docs SLEUTH_CORPUS_MIRROR_THANOS
# mdBook Markdown on writing and running controllers (held out for the twelfth session).
fetch kubebuilder https://github.com/kubernetes-sigs/kubebuilder.git 5c4007289 \
  docs/book/src SLEUTH_CORPUS_MIRROR_KUBEBUILDER
# Markdown of an operator that runs Prometheus and Alertmanager (held out for the twelfth
# session, added after its last ranking change).
fetch prometheus-operator https://github.com/prometheus-operator/prometheus-operator.git 6adcebc50 \
  Documentation SLEUTH_CORPUS_MIRROR_PROMETHEUS_OPERATOR
# Hugo Markdown of a Gateway API implementation on Envoy (held out for the thirteenth session,
# written after its ranking change).
fetch envoy-gateway https://github.com/envoyproxy/gateway.git d32f282942 \
  site/content/en/latest SLEUTH_CORPUS_MIRROR_ENVOY_GATEWAY
# Hugo Markdown of a job-queueing controller, pages dated in their front matter (held out for
# the thirteenth session).
fetch kueue https://github.com/kubernetes-sigs/kueue.git ff69552e79 \
  site/content/en/docs SLEUTH_CORPUS_MIRROR_KUEUE
# MkDocs Markdown on running virtual machines on Kubernetes (held out for the thirteenth session).
fetch kubevirt https://github.com/kubevirt/user-guide.git bf1f3564e2 \
  docs SLEUTH_CORPUS_MIRROR_KUBEVIRT
# Hugo Markdown of a container registry (held out for the thirteenth session, written after its
# situation vocabulary was widened).
fetch harbor https://github.com/goharbor/website.git 9f010ab1c8 \
  docs SLEUTH_CORPUS_MIRROR_HARBOR
# Hugo Markdown of a runtime security tool, with generated rule and glossary pages (held out for
# the thirteenth session, likewise).
fetch falco https://github.com/falcosecurity/falco-website.git c47da4cbdc \
  content/en/docs SLEUTH_CORPUS_MIRROR_FALCO
# GitBook Markdown of a log and metrics processor (held out for the thirteenth session, written
# after its last change to the situation vocabulary).
fetch fluent-bit https://github.com/fluent/fluent-bit-docs.git f92ae08080 \
  . SLEUTH_CORPUS_MIRROR_FLUENT_BIT
# MkDocs Markdown of an event-driven automation controller (held out for the thirteenth session,
# likewise).
fetch argo-events https://github.com/argoproj/argo-events.git 6478ece495 \
  docs SLEUTH_CORPUS_MIRROR_ARGO_EVENTS
# Hugo Markdown of a horizontally scalable Prometheus store (held out for the thirteenth session,
# written after its last change to the situation vocabulary).
fetch cortex https://github.com/cortexproject/cortex.git a8c6358a13 \
  docs SLEUTH_CORPUS_MIRROR_CORTEX
# Hugo Markdown of an OpenID Connect identity service (held out for the thirteenth session,
# likewise).
fetch dex https://github.com/dexidp/website.git 409440f930 \
  content/docs SLEUTH_CORPUS_MIRROR_DEX
# Hugo Markdown of a bare-metal load balancer, a small site (held out for the thirteenth
# session, written after its last change to the situation vocabulary).
fetch metallb https://github.com/metallb/metallb.git 7938d3f89b \
  website/content SLEUTH_CORPUS_MIRROR_METALLB
# Markdown of the webhook-driven half of Tekton, a small site (held out for the thirteenth
# session, likewise).
fetch tekton-triggers https://github.com/tektoncd/triggers.git 088902973c \
  docs SLEUTH_CORPUS_MIRROR_TEKTON_TRIGGERS
# AsciiDoc of a cloud provider's guide to running Kubernetes clusters: security, reliability,
# networking, autoscaling, cost (held out for the fourteenth session).
fetch eks-best-practices https://github.com/aws/aws-eks-best-practices.git dc0243a \
  latest/bpg SLEUTH_CORPUS_MIRROR_EKS_BEST_PRACTICES 'adoc'
# Hugo Markdown of the Kubernetes Gateway API: its concepts, guides and reference (held out for
# the fourteenth session).
fetch gateway-api https://github.com/kubernetes-sigs/gateway-api.git 4564255ac \
  site/content/en SLEUTH_CORPUS_MIRROR_GATEWAY_API
# GitBook Markdown of a messaging system: concepts, clients, running and monitoring a server
# (held out for the fourteenth session).
fetch nats https://github.com/nats-io/nats.docs.git 98856081 \
  . SLEUTH_CORPUS_MIRROR_NATS
# Sphinx docs of a database operator: MyST Markdown, snippets it includes, generated
# reStructuredText API pages (held out for the fourteenth session).
fetch scylla-operator https://github.com/scylladb/scylla-operator.git adefed4ef \
  docs/source SLEUTH_CORPUS_MIRROR_SCYLLA_OPERATOR 'md|rst'
# Hugo Markdown of a tracing system, every release's docs side by side with an unreleased copy
# (held out for the fourteenth session).
fetch jaeger https://github.com/jaegertracing/documentation.git d9251ffa \
  content/docs SLEUTH_CORPUS_MIRROR_JAEGER
# Sphinx reStructuredText of an object store, with included fragments and deprecated command
# pages (held out for the fourteenth session).
fetch minio https://github.com/minio/docs.git 35f2bb81 \
  source SLEUTH_CORPUS_MIRROR_MINIO 'rst|md'
# Antora AsciiDoc of an integration platform on Kubernetes: modules, generated trait pages,
# partials (held out for the fourteenth session).
fetch camel-k https://github.com/apache/camel-k.git 4782ebd22 \
  docs/modules SLEUTH_CORPUS_MIRROR_CAMEL_K 'adoc'
# Hugo Markdown runbooks, one page per alert titled by its camel-case name (held out for the
# fourteenth session).
fetch runbooks https://github.com/prometheus-operator/runbooks.git a685d14 \
  content SLEUTH_CORPUS_MIRROR_RUNBOOKS
# tfplugindocs Markdown of the Terraform Kubernetes provider: a page per resource, most of them
# twice (with and without a version suffix) (held out for the fourteenth session).
fetch terraform-provider-kubernetes https://github.com/hashicorp/terraform-provider-kubernetes.git 3a33fb6cc \
  docs SLEUTH_CORPUS_MIRROR_TF_PROVIDER_KUBERNETES
# A Docusaurus website whole: current docs, versioned_docs/, a translation of everything under
# i18n/, several doc plugins and a blog (held out for the fourteenth session).
fetch openkruise https://github.com/openkruise/openkruise.io.git 81a3ff660 \
  . SLEUTH_CORPUS_MIRROR_OPENKRUISE 'md|mdx'
# MkDocs Markdown of a Kubernetes distribution (held out for the fourteenth session).
fetch k0s https://github.com/k0sproject/k0s.git dff90cee9a \
  docs SLEUTH_CORPUS_MIRROR_K0S
# Jekyll Markdown with Liquid tags and variables in its links' paths, old policies beside their
# replacements (held out for the fourteenth session).
fetch kuma https://github.com/kumahq/kuma-website.git a92a32a8 \
  app/_src SLEUTH_CORPUS_MIRROR_KUMA
# Hugo Markdown of a key-value store's website: nine releases' docs side by side (held out for
# the fourteenth session).
fetch etcd https://github.com/etcd-io/website.git 82459793 \
  content/en SLEUTH_CORPUS_MIRROR_ETCD
# GitBook Markdown of a progressive-delivery operator: a dozen tutorials that differ by the mesh
# or ingress they use (held out for the fourteenth session).
fetch flagger https://github.com/fluxcd/flagger.git 15bd6ad5 \
  docs/gitbook SLEUTH_CORPUS_MIRROR_FLAGGER
# Hugo (Docsy) Markdown of a service mesh console: FAQ pages of many questions each (held out for
# the fifteenth session).
fetch kiali https://github.com/kiali/kiali.io.git f66f1ec8 \
  content/en/docs SLEUTH_CORPUS_MIRROR_KIALI
# Hugo Markdown of a log store: shared fragments included by shortcodes, leaf bundles, release
# notes (held out for the fifteenth session).
fetch loki https://github.com/grafana/loki.git 65e30f84 \
  docs/sources SLEUTH_CORPUS_MIRROR_LOKI
# Docusaurus Markdown of a multi-cluster orchestrator: user guides, SLO runbooks, per-release
# upgrade notes, a generated reference (held out for the fifteenth session).
fetch karmada https://github.com/karmada-io/website.git 747f80c4 \
  docs SLEUTH_CORPUS_MIRROR_KARMADA 'md|mdx'
# Hugo Markdown of a sharded MySQL: five releases' docs side by side and an archive of older ones
# (held out for the fifteenth session).
fetch vitess https://github.com/vitessio/website.git ad92a7c1 \
  content/en/docs SLEUTH_CORPUS_MIRROR_VITESS
# A whole Docusaurus checkout of a batch scheduler: current docs, nine versions' docs, a blog and a
# Chinese translation of all of it (held out for the fifteenth session).
fetch volcano https://github.com/volcano-sh/website.git 0ef50ca7 \
  . SLEUTH_CORPUS_MIRROR_VOLCANO 'md|mdx'
# Hugo (Docsy) Markdown of an observability framework: the Collector, Kubernetes, a dozen
# languages' SDKs and agents side by side (held out for the fifteenth session).
fetch opentelemetry https://github.com/open-telemetry/opentelemetry.io.git dd5997c8 \
  content/en/docs SLEUTH_CORPUS_MIRROR_OPENTELEMETRY
# Hugo Markdown of a trace store: the second site of Grafana's docs family, shared fragments,
# a troubleshooting page per error (held out for the fifteenth session).
fetch tempo https://github.com/grafana/tempo.git ad33aa8f \
  docs/sources/tempo SLEUTH_CORPUS_MIRROR_TEMPO
