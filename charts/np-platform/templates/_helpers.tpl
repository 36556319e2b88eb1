{{/*
Chart name, overridable with nameOverride.
*/}}
{{- define "np-platform.name" -}}
{{- default .Chart.Name .Values.nameOverride | trunc 63 | trimSuffix "-" }}
{{- end }}

{{/*
Release-qualified name. Names are capped at 63 characters, the limit of a DNS label and of a label
value; a release already named after the chart is not repeated ("np-platform", not
"np-platform-np-platform").
*/}}
{{- define "np-platform.fullname" -}}
{{- if .Values.fullnameOverride }}
{{- .Values.fullnameOverride | trunc 63 | trimSuffix "-" }}
{{- else }}
{{- $name := default .Chart.Name .Values.nameOverride }}
{{- if contains $name .Release.Name }}
{{- .Release.Name | trunc 63 | trimSuffix "-" }}
{{- else }}
{{- printf "%s-%s" .Release.Name $name | trunc 63 | trimSuffix "-" }}
{{- end }}
{{- end }}
{{- end }}

{{/*
Name of the operator's Deployment, Service, PodDisruptionBudget and RBAC objects. The ClusterRole
and ClusterRoleBinding are cluster-wide, so the release name in it keeps two releases apart.
*/}}
{{- define "np-platform.operator.fullname" -}}
{{- printf "%s-operator" (include "np-platform.fullname" .) | trunc 63 | trimSuffix "-" }}
{{- end }}

{{- define "np-platform.chart" -}}
{{- printf "%s-%s" .Chart.Name .Chart.Version | replace "+" "_" | trunc 63 | trimSuffix "-" }}
{{- end }}

{{/*
Labels on every object of the chart.
*/}}
{{- define "np-platform.labels" -}}
helm.sh/chart: {{ include "np-platform.chart" . }}
{{ include "np-platform.selectorLabels" . }}
app.kubernetes.io/version: {{ .Chart.AppVersion | quote }}
app.kubernetes.io/managed-by: {{ .Release.Service }}
app.kubernetes.io/part-of: np-platform
{{- end }}

{{/*
Labels that select the operator's pods. Immutable in a Deployment's selector: never add to them.
*/}}
{{- define "np-platform.selectorLabels" -}}
app.kubernetes.io/name: {{ include "np-platform.name" . }}
app.kubernetes.io/instance: {{ .Release.Name }}
app.kubernetes.io/component: operator
{{- end }}

{{- define "np-platform.serviceAccountName" -}}
{{- if .Values.serviceAccount.create }}
{{- default (include "np-platform.operator.fullname" .) .Values.serviceAccount.name }}
{{- else }}
{{- required "serviceAccount.name is required when serviceAccount.create is false" .Values.serviceAccount.name }}
{{- end }}
{{- end }}

{{/*
The operator's image: registry/repository, then @digest when set, else :tag (default appVersion).
*/}}
{{- define "np-platform.operator.image" -}}
{{- $repository := .Values.image.repository }}
{{- if .Values.image.registry }}
{{- $repository = printf "%s/%s" (trimSuffix "/" .Values.image.registry) .Values.image.repository }}
{{- end }}
{{- if .Values.image.digest }}
{{- printf "%s@%s" $repository .Values.image.digest }}
{{- else }}
{{- printf "%s:%s" $repository (.Values.image.tag | default .Chart.AppVersion | toString) }}
{{- end }}
{{- end }}

{{/*
Scheduling preference used when .Values.affinity is empty: keep the two replicas on different
nodes, so that losing a node never takes both the leader and its standby.
*/}}
{{- define "np-platform.operator.affinity" -}}
{{- if .Values.affinity }}
{{- toYaml .Values.affinity }}
{{- else if eq .Values.podAntiAffinity "soft" }}
podAntiAffinity:
  preferredDuringSchedulingIgnoredDuringExecution:
    - weight: 100
      podAffinityTerm:
        topologyKey: kubernetes.io/hostname
        labelSelector:
          matchLabels:
            {{- include "np-platform.selectorLabels" . | nindent 12 }}
{{- else if eq .Values.podAntiAffinity "hard" }}
podAntiAffinity:
  requiredDuringSchedulingIgnoredDuringExecution:
    - topologyKey: kubernetes.io/hostname
      labelSelector:
        matchLabels:
          {{- include "np-platform.selectorLabels" . | nindent 10 }}
{{- end }}
{{- end }}

{{/*
Settings that would leave the release broken in ways Kubernetes would not report.
*/}}
{{- define "np-platform.validate" -}}
{{- if and (gt (int .Values.replicas) 1) (not .Values.operator.leaderElection.enabled) }}
{{- fail "operator.leaderElection.enabled=false with more than one replica: every replica would reconcile the same Tenants at once. Enable leader election or set replicas to 1." }}
{{- end }}
{{- end }}
