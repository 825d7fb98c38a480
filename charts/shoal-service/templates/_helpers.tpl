{{/*
Names and labels every object of a Shoal service chart shares.
*/}}

{{/* The app name: the chart name unless nameOverride says otherwise. */}}
{{- define "shoal-service.name" -}}
{{- default .Chart.Name .Values.nameOverride | trunc 63 | trimSuffix "-" -}}
{{- end -}}

{{/* Object names: the release name when it already holds the app name (`helm install auth charts/auth` -> auth). */}}
{{- define "shoal-service.fullname" -}}
{{- if .Values.fullnameOverride -}}
{{- .Values.fullnameOverride | trunc 63 | trimSuffix "-" -}}
{{- else -}}
{{- $name := include "shoal-service.name" . -}}
{{- if contains $name .Release.Name -}}
{{- .Release.Name | trunc 63 | trimSuffix "-" -}}
{{- else -}}
{{- printf "%s-%s" .Release.Name $name | trunc 63 | trimSuffix "-" -}}
{{- end -}}
{{- end -}}
{{- end -}}

{{- define "shoal-service.chart" -}}
{{- printf "%s-%s" .Chart.Name .Chart.Version | replace "+" "_" | trunc 63 | trimSuffix "-" -}}
{{- end -}}

{{/* What selects this release's pods; never changes after the first install (selectors are immutable). */}}
{{- define "shoal-service.selectorLabels" -}}
app.kubernetes.io/name: {{ include "shoal-service.name" . }}
app.kubernetes.io/instance: {{ .Release.Name }}
{{- end -}}

{{- define "shoal-service.labels" -}}
helm.sh/chart: {{ include "shoal-service.chart" . }}
{{ include "shoal-service.selectorLabels" . }}
app.kubernetes.io/version: {{ include "shoal-service.imageTag" . | quote }}
app.kubernetes.io/component: {{ .Values.component }}
app.kubernetes.io/part-of: {{ .Values.global.partOf }}
app.kubernetes.io/managed-by: {{ .Release.Service }}
{{- end -}}

{{- define "shoal-service.serviceAccountName" -}}
{{- if .Values.serviceAccount.create -}}
{{- default (include "shoal-service.fullname" .) .Values.serviceAccount.name -}}
{{- else -}}
{{- default "default" .Values.serviceAccount.name -}}
{{- end -}}
{{- end -}}

{{- define "shoal-service.imageTag" -}}
{{- .Values.image.tag | default .Values.global.imageTag | default .Chart.AppVersion -}}
{{- end -}}

{{/* registry/repository:tag, or @digest when one is pinned. */}}
{{- define "shoal-service.image" -}}
{{- $registry := .Values.image.registry | default .Values.global.imageRegistry -}}
{{- $repository := ternary (printf "%s/%s" $registry .Values.image.repository) .Values.image.repository (ne $registry "") -}}
{{- if .Values.image.digest -}}
{{- printf "%s@%s" $repository .Values.image.digest -}}
{{- else -}}
{{- printf "%s:%s" $repository (include "shoal-service.imageTag" .) -}}
{{- end -}}
{{- end -}}

{{/* The port the probes, /metrics and the helm test use: the admin port when the app has one. */}}
{{- define "shoal-service.healthPortName" -}}
{{- if .Values.ports.admin -}}admin{{- else -}}http{{- end -}}
{{- end -}}

{{- define "shoal-service.healthPort" -}}
{{- .Values.ports.admin | default .Values.ports.http -}}
{{- end -}}

{{/* Replicas the HPA keeps at least, or the fixed count. */}}
{{- define "shoal-service.minReplicas" -}}
{{- if .Values.autoscaling.enabled -}}{{ .Values.autoscaling.minReplicas }}{{- else -}}{{ .Values.replicaCount }}{{- end -}}
{{- end -}}

{{/*
Seconds the kubelet waits before SIGKILL: the preStop sleep, the kit's own delay, its drain
bound and its 2 s cleanup grace (services/kit/src/lifecycle), plus a margin.
*/}}
{{- define "shoal-service.terminationGracePeriodSeconds" -}}
{{- if .Values.shutdown.terminationGracePeriodSeconds -}}
{{- .Values.shutdown.terminationGracePeriodSeconds -}}
{{- else -}}
{{- $delay := div (add .Values.shutdown.delayMs 999) 1000 -}}
{{- $drain := div (add .Values.shutdown.timeoutMs 999) 1000 -}}
{{- add .Values.shutdown.preStopSeconds $delay $drain 2 .Values.shutdown.marginSeconds -}}
{{- end -}}
{{- end -}}
